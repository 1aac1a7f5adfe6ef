/**
 * A GCP-native `Ledger`: one Cloud Storage object per tunnel, written with generation preconditions.
 *
 * Why Cloud Storage and not Firestore: the ledger needs only "read one record, write it back if nobody wrote in
 * between" for a handful of records, which `ifGenerationMatch` gives exactly (0 = the object must not exist);
 * the client is already a dependency, a bucket needs no database provisioning or index, objects are readable
 * with `gcloud storage cat` during an incident, and bucket versioning keeps every previous record for free.
 *
 * The record's `version` is mirrored in the object's custom metadata (`x-goog-meta-version`, written atomically
 * with the content), so one metadata read gives both the generation to condition on and the stored version.
 */
import type { Bucket, File } from '@google-cloud/storage';
import { CorruptStateError, LedgerConflictError, PermanentError, TransientError } from '../../shared/errors';
import type { Ledger, LedgerScan, UnreadableRecord } from '../../shared/ports';
import { mapBounded } from '../../shared/engine/execute';
import type { LedgerRecord } from '../../shared/types';

export const DEFAULT_LEDGER_PREFIX = 'tunnel-guard/ledger/';

const statusOf = (e: unknown): number | undefined => {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'number' ? c : typeof c === 'string' && /^\d{3}$/.test(c) ? Number(c) : undefined;
};

function classify(what: string, e: unknown): Error {
  const s = statusOf(e);
  const msg = `${what}: ${e instanceof Error ? e.message : String(e)}`;
  if (s === undefined || s === 429 || s === 408 || s >= 500) return new TransientError(msg, { cause: e });
  return new PermanentError(msg, { cause: e });
}

export class GcsLedger implements Ledger {
  constructor(
    private readonly bucket: Bucket,
    private readonly prefix = DEFAULT_LEDGER_PREFIX,
    /** Objects downloaded at once by `scan` (a bound, so a large ledger does not open hundreds of connections). */
    private readonly readConcurrency = 16,
  ) {}

  /** Object name of a tunnel's record: ids contain `:` and may contain `/`, so encode them. */
  objectName(tunnelId: string): string {
    return `${this.prefix}${encodeURIComponent(tunnelId)}.json`;
  }

  async get(tunnelId: string): Promise<LedgerRecord | undefined> {
    return this.read(this.bucket.file(this.objectName(tunnelId)), tunnelId);
  }

  async list(): Promise<LedgerRecord[]> {
    return (await this.scan()).records;
  }

  /**
   * Every record, downloaded a bounded number at a time (one after another, a reconcile of a large ledger spent
   * its time waiting on round trips). An object that does not parse is named in `unreadable`, not thrown: one bad
   * object must not stop every decision of the cloud.
   */
  async scan(): Promise<LedgerScan> {
    let files: File[];
    try {
      [files] = await this.bucket.getFiles({ prefix: this.prefix });
    } catch (e) {
      throw classify(`ledger list gs://${this.bucket.name}/${this.prefix}`, e);
    }
    const items = files.filter((f) => f.name.endsWith('.json'));
    const read = await mapBounded(items, this.readConcurrency, async (f) => {
      const id = decodeURIComponent(f.name.slice(this.prefix.length, -'.json'.length));
      try {
        return { record: await this.read(f, id), unreadable: undefined };
      } catch (e) {
        if (e instanceof CorruptStateError) return { record: undefined, unreadable: { tunnelId: id, problem: e.message } };
        throw e;
      }
    });
    const records: LedgerRecord[] = [];
    const unreadable: UnreadableRecord[] = [];
    for (const r of read) {
      if (r.unreadable) unreadable.push(r.unreadable);
      else if (r.record) records.push(r.record);
    }
    return { records, unreadable };
  }

  async put(record: LedgerRecord): Promise<LedgerRecord> {
    const file = this.bucket.file(this.objectName(record.tunnelId));
    let generation = 0;
    let stored: number | undefined;
    try {
      const [meta] = await file.getMetadata();
      generation = Number(meta.generation);
      stored = Number(meta.metadata?.version);
      if (!Number.isInteger(stored) || !Number.isInteger(generation)) {
        throw new CorruptStateError(`ledger object gs://${this.bucket.name}/${file.name} has no valid version metadata: not overwritten`);
      }
    } catch (e) {
      if (e instanceof CorruptStateError) throw e;
      if (statusOf(e) !== 404) throw classify(`ledger read ${record.tunnelId}`, e);
    }
    if ((stored ?? 0) !== record.version) throw new LedgerConflictError(record.tunnelId, record.version, stored);
    const next: LedgerRecord = { ...structuredClone(record), version: record.version + 1 };
    try {
      await file.save(JSON.stringify(next, null, 1), {
        resumable: false,
        contentType: 'application/json',
        metadata: { metadata: { version: String(next.version), tunnelId: record.tunnelId } },
        // The object must still be the generation we read (0: must not exist yet), or the write fails with 412.
        preconditionOpts: { ifGenerationMatch: generation },
      });
    } catch (e) {
      if (statusOf(e) === 412) throw new LedgerConflictError(record.tunnelId, record.version, undefined);
      throw classify(`ledger write ${record.tunnelId}`, e);
    }
    return structuredClone(next);
  }

  private async read(file: File, tunnelId: string): Promise<LedgerRecord | undefined> {
    let raw: Buffer;
    try {
      [raw] = await file.download();
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw classify(`ledger read ${tunnelId}`, e);
    }
    let r: Partial<LedgerRecord>;
    try {
      r = JSON.parse(raw.toString('utf8')) as Partial<LedgerRecord>;
    } catch {
      throw new CorruptStateError(`ledger object gs://${this.bucket.name}/${file.name} is not JSON: a human must look`);
    }
    if (r?.tunnelId !== tunnelId || typeof r.version !== 'number' || !Array.isArray(r.withdrawn)) {
      throw new CorruptStateError(
        `ledger object gs://${this.bucket.name}/${file.name} is not a ledger record for ${tunnelId}: a human must look`,
      );
    }
    return r as LedgerRecord;
  }
}
