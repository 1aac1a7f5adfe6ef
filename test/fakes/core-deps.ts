/** CoreDeps wired to in-memory fakes, with a controllable clock. */
import { MemoryLedger } from '../../simulator/memory-ledger';
import { memoryLogger } from '../../shared/log';
import { DEFAULT_POLICY, type Policy } from '../../shared/policy';
import type { CloudPorts, CoreDeps, Ledger } from '../../shared/ports';
import type { Cloud, Health, Signal } from '../../shared/types';
import type { Report } from '../../shared/report-types';

export function testDeps(clouds: Partial<Record<Cloud, CloudPorts>>, policy: Partial<Policy> = {}, ledger: Ledger = new MemoryLedger()) {
  const clock = {
    t: Date.parse('2026-11-25T00:00:00Z'),
    now() {
      return new Date(this.t);
    },
  };
  const notes: Report[] = [];
  const logger = memoryLogger();
  const deps: CoreDeps & { clock: typeof clock } = {
    clouds,
    ledger,
    notifier: { notify: async (r) => void notes.push(r) },
    clock,
    logger,
    policy: { ...DEFAULT_POLICY, retryBaseMs: 0, ...policy },
    sleep: async () => undefined,
  };
  return { deps, clock, notes, logger, ledger };
}

let seq = 0;
export const sig = (tunnelId: string, health: Health, at: string | number, key?: string): Signal => {
  const observedAt = typeof at === 'number' ? new Date(Date.parse('2026-11-25T00:00:00Z') + at * 1000).toISOString() : at;
  return { tunnelId, health, observedAt, source: 'test', key: key ?? `k${++seq}-${health}-${observedAt}`, evidence: `test ${health}` };
};
