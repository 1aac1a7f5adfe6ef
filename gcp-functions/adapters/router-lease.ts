/**
 * A lease per Cloud Router, held across read → patch → verify of its `bgpPeers`. `routers.patch` replaces the whole
 * list and this client has no Router `fingerprint`, so two writers (the `tunnelIncident` and `reconcile` functions
 * each run one instance) could otherwise overwrite each other's change. The lease is a Cloud Storage object created
 * with `ifGenerationMatch: 0` (only one creator wins), deleted by its holder, and taken over once it has expired (a
 * holder that died).
 */
import { randomUUID } from 'node:crypto';
import type { Bucket } from '@google-cloud/storage';
import { TransientError } from '../../shared/errors';

export interface RouterLease {
  withLease<T>(key: string, run: () => Promise<T>): Promise<T>;
}

const statusOf = (e: unknown): number | undefined => {
  const c = (e as { code?: unknown })?.code;
  return typeof c === 'number' ? c : typeof c === 'string' && /^\d{3}$/.test(c) ? Number(c) : undefined;
};

export interface GcsRouterLeaseOptions {
  prefix?: string;
  /** A lease older than this belongs to a holder that died (longer than any patch + wait). */
  ttlMs?: number;
  /** Give up (transient: the platform retries) after waiting this long for another holder. */
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class GcsRouterLease implements RouterLease {
  private readonly holder = randomUUID();
  constructor(
    private readonly bucket: Bucket,
    private readonly opts: GcsRouterLeaseOptions = {},
  ) {}

  async withLease<T>(key: string, run: () => Promise<T>): Promise<T> {
    // `.lease`, not `.json`: never mistaken for a ledger record whatever the prefixes.
    const file = this.bucket.file(`${this.opts.prefix ?? 'tunnel-guard/leases/'}${encodeURIComponent(key)}.lease`);
    const now = this.opts.now ?? Date.now;
    const sleep = this.opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
    const deadline = now() + (this.opts.maxWaitMs ?? 60_000);
    const body = () => JSON.stringify({ holder: this.holder, expires: now() + (this.opts.ttlMs ?? 5 * 60_000) });
    let generation: number | undefined;
    while (generation === undefined) {
      try {
        const [meta] = await file
          .save(body(), { resumable: false, contentType: 'application/json', preconditionOpts: { ifGenerationMatch: 0 } })
          .then(() => file.getMetadata());
        generation = Number(meta.generation);
        break;
      } catch (e) {
        if (statusOf(e) !== 412)
          throw new TransientError(`router lease ${key}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      // Held by someone else: take it over only if it has expired, conditional on the generation we saw.
      try {
        const [[raw], [meta]] = await Promise.all([file.download(), file.getMetadata()]);
        const held = JSON.parse(raw.toString('utf8')) as { expires?: number };
        if (typeof held.expires === 'number' && held.expires < now()) {
          await file.save(body(), {
            resumable: false,
            contentType: 'application/json',
            preconditionOpts: { ifGenerationMatch: Number(meta.generation) },
          });
          generation = Number((await file.getMetadata())[0].generation);
          break;
        }
      } catch (e) {
        const s = statusOf(e);
        if (s !== 404 && s !== 412)
          throw new TransientError(`router lease ${key}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      if (now() > deadline) throw new TransientError(`router lease ${key} is held by another writer: try again`);
      await sleep(100 + Math.floor(Math.random() * 200));
    }
    try {
      return await run();
    } finally {
      // Only our own lease: if it expired and someone took it over, theirs stays.
      await file.delete({ ifGenerationMatch: generation }).catch(() => undefined);
    }
  }
}
