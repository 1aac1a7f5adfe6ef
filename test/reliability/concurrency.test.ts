/**
 * Concurrency is the normal case: the platform runs several instances at once, and both GCP channels deliver every
 * incident. Dozens of signals for different tunnels arrive together, every ledger call takes a little while, and
 * every signal must end recorded (its key in its tunnel's record) or applied — on each ledger implementation.
 * A signal whose decision keeps losing ledger races is written on its own and thrown back for redelivery; here, as
 * the platform would, the thrown ones are delivered again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Storage } from '@google-cloud/storage';
import { GcsLedger } from '../../gcp-functions/adapters/gcs-ledger';
import { handleSignal } from '../../shared/engine';
import { shouldRetry } from '../../shared/errors';
import type { Ledger } from '../../shared/ports';
import type { Path, Signal } from '../../shared/types';
import { FileLedger } from '../../simulator/file-ledger';
import { MemoryLedger } from '../../simulator/memory-ledger';
import { testDeps, sig } from '../fakes/core-deps';
import { GcsFake } from '../fakes/gcs-fake';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { gcp, gcpRoute, gcpTunnel } from '../fakes/topology';
import { testAuthClient } from '../gcp/support/auth';

const N = 24;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every ledger call waits 1–4 ms before and after: the window in which other writers get in. */
function slow(inner: Ledger): Ledger {
  const lag = () => pause(1 + Math.floor(Math.random() * 4));
  const around = async <T>(f: () => Promise<T>): Promise<T> => {
    await lag();
    const r = await f();
    await lag();
    return r;
  };
  return {
    get: (id) => around(() => inner.get(id)),
    list: () => around(() => inner.list()),
    scan: () => around(() => inner.scan()),
    put: (r) => around(() => inner.put(r)),
  };
}

/** N tunnels, each the only route of its own /24, all backed by two healthy tunnels' /8 (the blast radius is lifted: every drain wants the fence). */
function world() {
  const tunnels = [...Array.from({ length: N }, (_, i) => gcpTunnel(`t${i}`)), gcpTunnel('b0'), gcpTunnel('b1')];
  const paths: Path[] = [
    ...Array.from({ length: N }, (_, i) => gcpRoute(`r${i}`, `t${i}`, `10.${i}.0.0/24`)),
    gcpRoute('b0', 'b0', '10.0.0.0/8'),
    gcpRoute('b1', 'b1', '10.0.0.0/8'),
  ];
  return new MemoryCloud(tunnels, paths);
}

const tmp: string[] = [];
let gcs: GcsFake;
beforeAll(async () => {
  gcs = new GcsFake();
  await gcs.start();
});
afterAll(async () => {
  await gcs.stop();
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

const ledgers: [string, () => Ledger][] = [
  ['memory', () => new MemoryLedger()],
  [
    'file',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'tg-conc-'));
      tmp.push(dir);
      return new FileLedger(join(dir, 'ledger.json'));
    },
  ],
  [
    'Cloud Storage (real client, fake API)',
    () => {
      const storage = new Storage({
        apiEndpoint: gcs.endpoint,
        projectId: 'example-project',
        authClient: testAuthClient() as never,
        retryOptions: { autoRetry: false, maxRetries: 0 },
      });
      return new GcsLedger(storage.bucket(`conc-${Math.random().toString(36).slice(2)}`));
    },
  ],
];

/** Deliver a signal the way a platform does: again after a retryable failure (a bounded number of times). */
async function deliver(deps: Parameters<typeof handleSignal>[0], s: Signal, attempts = 3): Promise<'handled' | 'gave up'> {
  for (let i = 0; i < attempts; i++) {
    try {
      await handleSignal(deps, s);
      return 'handled';
    } catch (e) {
      if (!shouldRetry(e)) throw e;
    }
  }
  return 'gave up';
}

describe.each(ledgers)('concurrent signals for different tunnels: %s ledger', (_name, make) => {
  it(`${N} degraded tunnels signalled at once: every signal ends recorded or applied, no prefix loses its route`, async () => {
    const cloud = world();
    const ledger = slow(make());
    // Each delivery is its own instance (its own deps), as concurrent function instances are; one shared ledger.
    const signals = Array.from({ length: N }, (_, i) => sig(gcp(`t${i}`), 'degraded', 10, `conc-${i}`));
    const outcomes = await Promise.all(
      signals.map((s) =>
        deliver(
          testDeps({ gcp: portsOf(cloud) }, { retryBaseMs: 5, retryMaxMs: 40, maxDrainedTunnels: 1000, maxDrainedFraction: 1 }, ledger)
            .deps,
          s,
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'gave up').length).toBeLessThanOrEqual(N);

    const records = await ledger.list();
    const unrecorded = signals.filter((s) => {
      const r = records.find((x) => x.tunnelId === s.tunnelId);
      return !r?.recentKeys.some((k) => k.key === s.key);
    });
    expect(unrecorded.map((s) => s.key)).toEqual([]);
    // Every drain committed through the fence; the backups were never touched.
    const drained = records.filter((r) => r.tunnelId.startsWith('gcp:') && r.state !== 'active');
    expect(drained.length).toBeGreaterThan(0);
    expect(cloud.snapshot().filter((p) => p.key.endsWith('/b0') || p.key.endsWith('/b1'))).toHaveLength(2);
    const fence = records.find((r) => r.tunnelId === 'fence:gcp');
    expect([...(fence?.members ?? [])].sort()).toEqual(drained.map((r) => r.tunnelId).sort());
  }, 60_000);
});
