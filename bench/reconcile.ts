/**
 * Reconcile cost: 200 GCP tunnels (100 redundant pairs), 20 of them drained and still degraded — every reconcile
 * looks at the 20 and finds nothing to do. The ledger is the real Cloud Storage adapter against the in-repo GCS fake
 * with a round-trip latency; the cloud's list calls carry a latency too. Two ways, in the same run:
 * - per record (how reconcile worked before): list the ledger, then for each record that needs attention read the
 *   cloud and the whole ledger again, the ledger's objects downloaded one after another;
 * - one snapshot (now): the cloud and the ledger read once per run (objects downloaded a bounded number at a time),
 *   every decision made from it and re-checked by its conditional writes.
 */
import { Storage } from '@google-cloud/storage';
import { GcsLedger } from '../gcp-functions/adapters/gcs-ledger';
import { handleSignal, reconcile, reconcileTunnel } from '../shared/engine';
import { silentLogger } from '../shared/log';
import { DEFAULT_POLICY, type Policy } from '../shared/policy';
import type { CloudPorts, CoreDeps, Ledger } from '../shared/ports';
import { gcpTunnelId, isFenceId, type Path, type TunnelStatus } from '../shared/types';
import type { Outcome } from '../shared/report-types';
import { GcsFake } from '../test/fakes/gcs-fake';
import { testAuthClient } from '../test/gcp/support/auth';

export const CLOUD_LATENCY_MS = 20;
export const GCS_LATENCY_MS = 5;

export interface ReconcileRow {
  tunnels: number;
  drained: number;
  perRecordMs: number;
  snapshotMs: number;
  perRecordCloudCalls: number;
  snapshotCloudCalls: number;
  perRecordLedgerRequests: number;
  snapshotLedgerRequests: number;
  speedup: number;
  callRatio: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `pairs` pairs of tunnels, each pair carrying one /24 on both of its tunnels. Counts and delays every list call. */
function world(pairs: number) {
  const native = (name: string) => ({ project: 'bench', region: 'r1', name, gateway: `${name}-gw` });
  const tunnels: TunnelStatus[] = [];
  const table = new Map<string, Path>();
  for (let k = 0; k < pairs; k++) {
    for (const side of ['a', 'b']) {
      const name = `${side}${k}`;
      const id = gcpTunnelId(native(name));
      tunnels.push({ ref: { id, cloud: 'gcp', native: native(name) }, status: 'up' });
      const destRange = `10.${k}.0.0/24`;
      table.set(name, {
        key: `projects/bench/global/routes/${name}`,
        kind: 'gcp-static-route',
        cloud: 'gcp',
        destinations: [destRange],
        tunnelIds: [id],
        definition: {
          name,
          network: 'https://www.googleapis.com/compute/v1/projects/bench/global/networks/vpc',
          destRange,
          priority: 1000,
          tags: [],
          description: `bench ${name}`,
          nextHopVpnTunnel: `https://www.googleapis.com/compute/v1/projects/bench/regions/r1/vpnTunnels/${name}`,
        },
      });
    }
  }
  const counter = { calls: 0, latencyMs: 0 };
  const call = async <T>(f: () => T): Promise<T> => {
    counter.calls++;
    if (counter.latencyMs) await pause(counter.latencyMs);
    return f();
  };
  const ports: CloudPorts = {
    paths: {
      list: () => call(() => [...table.values()].map((p) => structuredClone(p))),
      withdraw: (p): Promise<Outcome> => call(() => (table.delete(p.key.split('/').pop()!) ? 'applied' : 'already-in-state')),
      restore: (p): Promise<Outcome> =>
        call(() => {
          const name = p.key.split('/').pop()!;
          if (table.has(name)) return 'already-in-state';
          table.set(name, structuredClone(p));
          return 'applied';
        }),
    },
    tunnels: { list: () => call(() => structuredClone(tunnels)) },
  };
  return { ports, counter, ids: tunnels.map((t) => t.ref.id) };
}

function depsOf(ports: CloudPorts, ledger: Ledger, policy: Policy): CoreDeps {
  return {
    clouds: { gcp: ports },
    ledger,
    notifier: { notify: async () => undefined },
    clock: { now: () => new Date() },
    logger: silentLogger,
    policy,
  };
}

export async function benchReconcile(log: (s: string) => void, tunnels = 200, drained = 20): Promise<ReconcileRow> {
  const fake = new GcsFake();
  await fake.start();
  try {
    const storage = new Storage({
      apiEndpoint: fake.endpoint,
      projectId: 'bench',
      authClient: testAuthClient() as never,
      retryOptions: { autoRetry: false, maxRetries: 0 },
    });
    const bucket = storage.bucket('tg-bench');
    const w = world(tunnels / 2);
    const policy: Policy = { ...DEFAULT_POLICY, drainMode: 'withdraw', maxDrainedTunnels: drained, maxDrainedFraction: 0.5 };
    // Set up quickly: every tunnel has a record (healthy), `drained` of them (one per pair) drained and still degraded.
    const setup = depsOf(w.ports, new GcsLedger(bucket, undefined, 32), policy);
    const at = new Date().toISOString();
    await Promise.all(
      w.ids.map((tunnelId, i) =>
        handleSignal(setup, { tunnelId, health: 'healthy', observedAt: at, source: 'bench', key: `h${i}`, evidence: 'bench' }),
      ),
    );
    for (let k = 0; k < drained; k++) {
      const tunnelId = w.ids[2 * k]!;
      const r = await handleSignal(setup, {
        tunnelId,
        health: 'degraded',
        observedAt: at,
        source: 'bench',
        key: `d${k}`,
        evidence: 'bench',
      });
      if (r.decision !== 'drain') throw new Error(`bench setup: ${tunnelId} not drained: ${r.summary}`);
    }

    w.counter.latencyMs = CLOUD_LATENCY_MS;
    fake.latencyMs = GCS_LATENCY_MS;
    const measure = async (run: () => Promise<unknown>) => {
      const calls = w.counter.calls;
      const requests = fake.requests.length;
      const t0 = performance.now();
      await run();
      return { ms: performance.now() - t0, calls: w.counter.calls - calls, requests: fake.requests.length - requests };
    };
    // Before: the ledger listed, then each record that needs attention decided on a fresh read of everything, with
    // the objects downloaded one after another.
    const sequential = depsOf(w.ports, new GcsLedger(bucket, undefined, 1), policy);
    const before = await measure(async () => {
      const records = (await sequential.ledger.list()).filter((r) => !isFenceId(r.tunnelId));
      for (const r of records) {
        if (r.state === 'active' && r.health !== 'degraded' && r.health !== 'down' && r.withdrawn.length === 0) continue;
        await reconcileTunnel(sequential, r.tunnelId);
      }
    });
    const now = await measure(() => reconcile(depsOf(w.ports, new GcsLedger(bucket), policy)));
    const row: ReconcileRow = {
      tunnels,
      drained,
      perRecordMs: Math.round(before.ms),
      snapshotMs: Math.round(now.ms),
      perRecordCloudCalls: before.calls,
      snapshotCloudCalls: now.calls,
      perRecordLedgerRequests: before.requests,
      snapshotLedgerRequests: now.requests,
      speedup: +(before.ms / now.ms).toFixed(1),
      callRatio: +((before.calls + before.requests) / (now.calls + now.requests)).toFixed(1),
    };
    log(
      `  reconcile ${tunnels} tunnels, ${drained} drained: per record ${row.perRecordMs} ms (${before.calls} cloud + ${before.requests} ledger calls), one snapshot ${row.snapshotMs} ms (${now.calls} + ${now.requests})`,
    );
    return row;
  } finally {
    await fake.stop();
  }
}
