/**
 * A ledger in one JSON file, for the simulator and local runs. Same conditional-write contract as
 * `MemoryLedger` (every `put` is conditional on the version read), and crash-safe: the new content is written
 * to a temporary file, fsynced, then renamed over the old one, so a crash leaves either the old or the new
 * file, never half of one. A file that cannot be read back is a `CorruptStateError` and is never overwritten; a
 * single record that does not validate is set aside (`scan` names it) and written back as it was. Every access holds
 * a lock file, so writes stay conditional when several processes share the file.
 */
import { zodWhere } from '../shared/result';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { CorruptStateError, LedgerConflictError, TransientError } from '../shared/errors';
import { definitionProblem } from '../clouds/path-definitions';
import type { Ledger, LedgerScan, UnreadableRecord } from '../shared/ports';
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

// Records are checked one by one: one damaged record is set aside, never a reason to stop reading the others.
const ledgerFileSchema = z.object({
  format: z.literal('tunnel-guard-ledger/1'),
  records: z.record(z.string(), z.unknown()),
});
interface LedgerFile {
  /** Every stored item as it is in the file, readable or not (an unreadable one is written back untouched). */
  raw: Record<string, unknown>;
  records: Record<string, LedgerRecord>;
  unreadable: UnreadableRecord[];
}

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

/** A lock file older than this belongs to a process that died holding it (no access takes anywhere near this long). */
const STALE_LOCK_MS = 30_000;
/** Give up waiting for another process after this long: the caller sees a transient error and may try again. */
const LOCK_WAIT_MS = 20_000;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Is the process that wrote this lock file gone (or the lock too old to belong to a live access)? */
function staleLock(lock: string): boolean {
  let text: string;
  let mtime: number;
  try {
    text = readFileSync(lock, 'utf8');
    mtime = statSync(lock).mtimeMs;
  } catch {
    return false; // gone already, or being written: try again
  }
  if (Date.now() - mtime > STALE_LOCK_MS) return true;
  const pid = Number(text.split(' ')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - mtime > 1000;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Hold `<file>.lock` across processes while `work` runs: created with O_EXCL (only one creator wins), removed by its
 * holder, taken over when its holder died. Two CLI processes on one file would otherwise both read version n and
 * both write n+1 — the second rename silently replaces the first write, and both report success.
 */
async function withProcessLock<T>(key: string, work: () => Promise<T> | T): Promise<T> {
  const lock = `${key}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, `${process.pid} ${new Date().toISOString()}\n`);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw e; // the directory does not exist: no lock can help
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (staleLock(lock)) {
      try {
        unlinkSync(lock);
      } catch {
        /* someone else took it over first */
      }
      continue;
    }
    if (Date.now() > deadline) throw new TransientError(`${key} is locked by another process (${lock}): try again`);
    await pause(2 + Math.floor(Math.random() * 8));
  }
  try {
    return await work();
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* already removed as stale by someone else: nothing to release */
    }
  }
}

/**
 * Serialise read-change-write of one file: within this process (the core withdraws paths concurrently) by a promise
 * chain per key, and across processes (two CLI commands, the CLI beside `serverless invoke local`) by a lock file.
 */
export function withFileLock<T>(key: string, work: () => Promise<T> | T): Promise<T> {
  const guarded = () => withProcessLock(key, work);
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.then(guarded, guarded);
  const tail = run.catch(() => undefined);
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return run;
}

/** A JSON-file `Ledger`. Several processes may share the file: every access holds its lock file. */
export class FileLedger implements Ledger {
  /** Number of successful writes by this instance (tests assert on it). */
  writes = 0;

  /** Lock key: the absolute path, so two instances naming one file differently still serialise. */
  private readonly key: string;

  constructor(readonly file: string) {
    this.key = resolve(file);
  }

  async get(tunnelId: string): Promise<LedgerRecord | undefined> {
    return withFileLock(this.key, () => {
      const data = this.read();
      const bad = data.unreadable.find((u) => u.tunnelId === tunnelId);
      if (bad) throw new CorruptStateError(bad.problem);
      return data.records[tunnelId];
    });
  }

  async list(): Promise<LedgerRecord[]> {
    return (await this.scan()).records;
  }

  async scan(): Promise<LedgerScan> {
    return withFileLock(this.key, () => {
      const { records, unreadable } = this.read();
      return { records: Object.values(records), unreadable };
    });
  }

  async put(record: LedgerRecord): Promise<LedgerRecord> {
    return withFileLock(this.key, () => {
      const data = this.read();
      const bad = data.unreadable.find((u) => u.tunnelId === record.tunnelId);
      if (bad) throw new CorruptStateError(`${bad.problem}; not overwritten`);
      const current = data.records[record.tunnelId]?.version ?? 0;
      if (current !== record.version) throw new LedgerConflictError(record.tunnelId, record.version, current);
      const stored: LedgerRecord = { ...structuredClone(record), version: record.version + 1 };
      const raw = { ...data.raw, [record.tunnelId]: stored };
      writeFileAtomic(this.file, `${JSON.stringify({ format: 'tunnel-guard-ledger/1', records: raw }, null, 2)}\n`);
      this.writes++;
      return structuredClone(stored);
    });
  }

  /**
   * Parse the file; absent = empty ledger. Never repairs anything. A file that is not a ledger at all is a
   * `CorruptStateError`; a record that does not validate is set aside as unreadable (and kept as it is).
   */
  private read(): LedgerFile {
    const text = readIfExists(this.file);
    if (text === undefined) return { raw: {}, records: {}, unreadable: [] };
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
    const records: Record<string, LedgerRecord> = {};
    const unreadable: UnreadableRecord[] = [];
    for (const [id, item] of Object.entries(parsed.data.records)) {
      const r = recordSchema.safeParse(item);
      if (!r.success) {
        const { where, message } = zodWhere(r.error);
        unreadable.push({ tunnelId: id, problem: `ledger file ${this.file}: record "${id}" is invalid at ${where}: ${message}` });
      } else if (r.data.tunnelId !== id) {
        unreadable.push({ tunnelId: id, problem: `ledger file ${this.file}: record under "${id}" names tunnel "${r.data.tunnelId}"` });
      } else records[id] = r.data as unknown as LedgerRecord;
    }
    return { raw: parsed.data.records, records, unreadable };
  }
}
