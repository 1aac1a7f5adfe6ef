/**
 * In-memory fake of one cloud's ports (paths + tunnel status) for core tests. Records every mutating call
 * and can inject faults, so tests can crash a run after the k-th mutation or throttle a fraction of calls.
 */
import { PermanentError, TransientError } from '../../shared/errors';
import type { CloudPorts } from '../../shared/ports';
import type { Path, PathSnapshot, TunnelStatus } from '../../shared/types';
import type { Outcome } from '../../shared/report-types';

export class CrashError extends Error {
  override readonly name = 'CrashError';
}

export class MemoryCloud {
  readonly table = new Map<string, Path>();
  status: TunnelStatus[];
  /** Every mutating call, in order. */
  readonly calls: { type: 'withdraw' | 'restore'; key: string }[] = [];
  /** Throw `CrashError` instead of performing mutating call number `crashAt` (1-based). */
  crashAt?: number;
  /** Decide per mutating call whether to fail it (before it takes effect). */
  fault?: (call: number) => 'transient' | 'permanent' | undefined;
  mutations = 0;

  constructor(tunnels: TunnelStatus[], paths: Path[]) {
    this.status = structuredClone(tunnels);
    for (const p of paths) this.table.set(p.key, structuredClone(p));
  }

  snapshot(): Path[] {
    return [...this.table.values()].map((p) => structuredClone(p)).sort((a, b) => a.key.localeCompare(b.key));
  }

  setStatus(id: string, status: TunnelStatus['status']) {
    const t = this.status.find((s) => s.ref.id === id);
    if (!t) throw new Error(`no tunnel ${id}`);
    t.status = status;
  }

  private mutate(type: 'withdraw' | 'restore', key: string) {
    this.mutations++;
    if (this.crashAt !== undefined && this.mutations === this.crashAt) throw new CrashError(`crash before mutating call ${this.mutations}`);
    const f = this.fault?.(this.mutations);
    if (f === 'transient') throw new TransientError(`injected throttling on ${type} ${key}`);
    if (f === 'permanent') throw new PermanentError(`injected permanent failure on ${type} ${key}`);
    this.calls.push({ type, key });
  }

  async withdraw(path: Path): Promise<Outcome> {
    this.mutate('withdraw', path.key);
    if (path.lever === 'deprefer') {
      // Make-before-break, like the GCP adapters: the standby first, then the original goes.
      const had = this.table.has(MemoryCloud.standbyKey(path.key));
      if (!had) this.table.set(MemoryCloud.standbyKey(path.key), MemoryCloud.standbyOf(path));
      return this.table.delete(path.key) || !had ? 'applied' : 'already-in-state';
    }
    return this.table.delete(path.key) ? 'applied' : 'already-in-state';
  }

  async restore(snapshot: PathSnapshot): Promise<Outcome> {
    this.mutate('restore', snapshot.key);
    const { lever, ...original } = structuredClone(snapshot);
    const had = this.table.has(snapshot.key);
    if (!had) this.table.set(snapshot.key, original);
    // The original is back before its standby goes.
    const dropped = lever === 'deprefer' && this.table.delete(MemoryCloud.standbyKey(snapshot.key));
    return !had || dropped ? 'applied' : 'already-in-state';
  }

  /** The standby a de-preference leaves: same destinations and tunnels, never an active path itself. */
  static standbyKey = (key: string): string => `${key}~standby`;
  static standbyOf(path: Path): Path {
    const { lever: _lever, canDeprefer: _can, ...rest } = structuredClone(path);
    return { ...rest, key: MemoryCloud.standbyKey(path.key), standbyFor: path.key };
  }
}

/** The two ports over one fake cloud. */
export function portsOf(cloud: MemoryCloud): CloudPorts {
  return {
    paths: { list: async () => cloud.snapshot(), withdraw: (p) => cloud.withdraw(p), restore: (s) => cloud.restore(s) },
    tunnels: { list: async () => structuredClone(cloud.status) },
  };
}
