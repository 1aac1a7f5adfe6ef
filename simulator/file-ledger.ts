/**
 * A ledger in one JSON file, for the simulator and local runs. Same conditional-write contract as
 * `MemoryLedger` (every `put` is conditional on the version read), and crash-safe: the new content is written
 * to a temporary file, fsynced, then renamed over the old one, so a crash leaves either the old or the new
 * file, never half of one. A file that cannot be read back is a `CorruptStateError` and is never overwritten.
 */
import { zodWhere } from '../shared/result';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { CorruptStateError, LedgerConflictError } from '../shared/errors';
import { definitionProblem } from '../clouds/path-definitions';
import type { Ledger } from '../shared/ports';
import { HEALTHS, type LedgerRecord } from '../shared/types';

const pathSnapshotSchema = z
  .object({
    key: z.string().min(1),
    kind: z.enum(['aws-vgw-static', 'aws-tgw-route', 'gcp-static-route', 'gcp-bgp-peer']),
    cloud: z.enum(['aws', 'gcp']),
    destinations: z.array(z.string()),
    tunnelIds: z.array(z.string()),
    fallbackTunnelIds: z.array(z.string()).optional(),
    definition: z.record(z.string(), z.unknown()),
  })
  .loose()
  // A definition that cannot re-create its path is as lost as a missing one: refuse the file at once, not at restore.
  .superRefine((p, ctx) => {
    const problem = definitionProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', path: ['definition'], message: `not a ${p.kind} definition (${problem})` });
  });

const recordSchema = z
  .object({
    tunnelId: z.string().min(1),
    cloud: z.enum(['aws', 'gcp']),
    version: z.number().int().min(1),
    state: z.enum(['active', 'draining', 'drained', 'restoring']),
    health: z.enum(HEALTHS as [string, ...string[]]),
    lastSignalAt: z.string().optional(),
    recentKeys: z.array(z.object({ key: z.string(), at: z.string() })),
    healthySince: z.string().optional(),
    withdrawn: z.array(pathSnapshotSchema),
    drains: z.array(z.string()),
    suppressed: z.boolean(),
    reason: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .loose();

const ledgerFileSchema = z.object({
  format: z.literal('tunnel-guard-ledger/1'),
  records: z.record(z.string(), recordSchema),
});
type LedgerFile = { format: 'tunnel-guard-ledger/1'; records: Record<string, LedgerRecord> };

/**
 * Write `content` to `file` so that a crash at any point leaves either the old or the new content:
 * temp file in the same directory (rename is atomic only within one file system) → fsync → rename → fsync dir.
 */
export function writeFileAtomic(file: string, content: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2)}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* best effort */
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  try {
    // Make the rename itself durable. Not supported on every platform (e.g. Windows): the data is already safe.
    const dfd = openSync(dirname(file), 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* best effort */
  }
}

/** Read a file, `undefined` when it does not exist. */
export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const locks = new Map<string, Promise<unknown>>();

/**
 * Serialise async work per key within this process. The core withdraws paths concurrently, and every
 * read-change-write of a file must not interleave with another one in the same process.
 */
export function withFileLock<T>(key: string, work: () => Promise<T> | T): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return run;
}

/** A JSON-file `Ledger`. Several processes may use the same file one after another. */
export class FileLedger implements Ledger {
  /** Number of successful writes by this instance (tests assert on it). */
  writes = 0;

  /** Lock key: the absolute path, so two instances naming one file differently still serialise. */
  private readonly key: string;

  constructor(readonly file: string) {
    this.key = resolve(file);
  }

  async get(tunnelId: string): Promise<LedgerRecord | undefined> {
    return withFileLock(this.key, () => this.read().records[tunnelId]);
  }

  async list(): Promise<LedgerRecord[]> {
    return withFileLock(this.key, () => Object.values(this.read().records));
  }

  async put(record: LedgerRecord): Promise<LedgerRecord> {
    return withFileLock(this.key, () => {
      const data = this.read();
      const current = data.records[record.tunnelId]?.version ?? 0;
      if (current !== record.version) throw new LedgerConflictError(record.tunnelId, record.version, current);
      const stored: LedgerRecord = { ...structuredClone(record), version: record.version + 1 };
      data.records[record.tunnelId] = stored;
      writeFileAtomic(this.file, `${JSON.stringify(data, null, 2)}\n`);
      this.writes++;
      return structuredClone(stored);
    });
  }

  /** Parse and validate the whole file; absent = empty ledger. Never repairs anything. */
  private read(): LedgerFile {
    const text = readIfExists(this.file);
    if (text === undefined) return { format: 'tunnel-guard-ledger/1', records: {} };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new CorruptStateError(
        `ledger file ${this.file} is not valid JSON (${(e as Error).message}); it was left untouched — fix or remove it`,
      );
    }
    const parsed = ledgerFileSchema.safeParse(raw);
    if (!parsed.success) {
      const { where, message } = zodWhere(parsed.error);
      throw new CorruptStateError(`ledger file ${this.file} is invalid at ${where}: ${message}; it was left untouched — fix or remove it`);
    }
    for (const [id, r] of Object.entries(parsed.data.records)) {
      if (r.tunnelId !== id)
        throw new CorruptStateError(`ledger file ${this.file}: record under "${id}" names tunnel "${r.tunnelId}"; it was left untouched`);
    }
    return parsed.data as unknown as LedgerFile;
  }
}
