/**
 * Simulates a process dying: counts every mutating call (cloud withdraw/restore AND ledger writes) across the
 * wrapped ports; the k-th call takes effect, then the "process" is dead and every later call throws.
 */
import type { CloudPorts, Ledger } from '../../shared/ports';

export class ProcessDied extends Error {
  override readonly name = 'ProcessDied';
}

export class CrashSwitch {
  count = 0;
  dead = false;
  readonly log: string[] = [];
  constructor(readonly crashAfter: number = Number.POSITIVE_INFINITY) {}

  private async step<T>(what: string, run: () => Promise<T>): Promise<T> {
    if (this.dead) throw new ProcessDied(`dead (before ${what})`);
    const result = await run();
    this.count++;
    this.log.push(what);
    if (this.count >= this.crashAfter) {
      this.dead = true;
      throw new ProcessDied(`died right after mutating call ${this.count} (${what})`);
    }
    return result;
  }

  private async read<T>(run: () => Promise<T>): Promise<T> {
    if (this.dead) throw new ProcessDied('dead');
    return run();
  }

  ports(p: CloudPorts): CloudPorts {
    return {
      paths: {
        list: () => this.read(() => p.paths.list()),
        withdraw: (path) => this.step(`withdraw ${path.key}`, () => p.paths.withdraw(path)),
        restore: (s) => this.step(`restore ${s.key}`, () => p.paths.restore(s)),
      },
      tunnels: { list: () => this.read(() => p.tunnels.list()) },
    };
  }

  ledger(l: Ledger): Ledger {
    return {
      get: (id) => this.read(() => l.get(id)),
      list: () => this.read(() => l.list()),
      scan: () => this.read(() => l.scan()),
      put: (r) => this.step(`ledger ${r.tunnelId}→${r.state}`, () => l.put(r)),
    };
  }
}
