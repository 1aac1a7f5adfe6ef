/**
 * In-memory ledger with the same conditional-write contract as the durable ones (tests, benchmarks).
 */
import { CorruptStateError, LedgerConflictError } from '../shared/errors';
import type { Ledger, LedgerScan } from '../shared/ports';
import type { LedgerRecord } from '../shared/types';

export class MemoryLedger implements Ledger {
  private readonly records = new Map<string, LedgerRecord>();
  /** Items that cannot be read back (tests put them here with `corrupt`): never overwritten. */
  private readonly broken = new Map<string, string>();
  /** Number of successful writes (tests assert on it). */
  writes = 0;

  async get(tunnelId: string): Promise<LedgerRecord | undefined> {
    const problem = this.broken.get(tunnelId);
    if (problem) throw new CorruptStateError(`ledger record ${tunnelId} cannot be read: ${problem}`);
    const r = this.records.get(tunnelId);
    return r && structuredClone(r);
  }

  async list(): Promise<LedgerRecord[]> {
    return (await this.scan()).records;
  }

  async scan(): Promise<LedgerScan> {
    return {
      records: [...this.records.values()].map((r) => structuredClone(r)),
      unreadable: [...this.broken].map(([tunnelId, problem]) => ({ tunnelId, problem })),
    };
  }

  /** Make a stored item unreadable, as a damaged object would be (tests). */
  corrupt(tunnelId: string, problem = 'not a ledger record'): void {
    this.records.delete(tunnelId);
    this.broken.set(tunnelId, problem);
  }

  /** Delete a record, as a person with access to the store might (tests). */
  delete(tunnelId: string): void {
    this.records.delete(tunnelId);
  }

  async put(record: LedgerRecord): Promise<LedgerRecord> {
    const problem = this.broken.get(record.tunnelId);
    if (problem) throw new CorruptStateError(`ledger record ${record.tunnelId} cannot be read (${problem}): not overwritten`);
    const current = this.records.get(record.tunnelId)?.version ?? 0;
    if (current !== record.version) throw new LedgerConflictError(record.tunnelId, record.version, current);
    const stored = { ...structuredClone(record), version: record.version + 1 };
    this.records.set(record.tunnelId, stored);
    this.writes++;
    return structuredClone(stored);
  }
}
