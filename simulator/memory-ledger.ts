/**
 * In-memory ledger with the same conditional-write contract as the durable ones (tests, benchmarks).
 */
import { LedgerConflictError } from '../shared/errors';
import type { Ledger } from '../shared/ports';
import type { LedgerRecord } from '../shared/types';

export class MemoryLedger implements Ledger {
  private readonly records = new Map<string, LedgerRecord>();
  /** Number of successful writes (tests assert on it). */
  writes = 0;

  async get(tunnelId: string): Promise<LedgerRecord | undefined> {
    const r = this.records.get(tunnelId);
    return r && structuredClone(r);
  }

  async list(): Promise<LedgerRecord[]> {
    return [...this.records.values()].map((r) => structuredClone(r));
  }

  async put(record: LedgerRecord): Promise<LedgerRecord> {
    const current = this.records.get(record.tunnelId)?.version ?? 0;
    if (current !== record.version) throw new LedgerConflictError(record.tunnelId, record.version, current);
    const stored = { ...structuredClone(record), version: record.version + 1 };
    this.records.set(record.tunnelId, stored);
    this.writes++;
    return structuredClone(stored);
  }
}
