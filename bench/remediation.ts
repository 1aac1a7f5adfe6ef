/**
 * Remediation time: drain a GCP tunnel carrying N static routes on the simulator with injected latency, with
 * tunnel-guard's bounded concurrency vs a sequential baseline (one call at a time, as a hand-written script
 * would), against the critical-path lower bound.
 */
import { gcpNetworkUrl, gcpTunnelUrl } from '../clouds/gcp/urls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleSignal, runCommand } from '../shared/engine';
import { silentLogger } from '../shared/log';
import { DEFAULT_POLICY, type Policy } from '../shared/policy';
import { openSimulator } from '../simulator';

import { INCIDENT, gcpRoute, incidentTopology } from '../simulator/topology';
import { gcpTunnelId } from '../shared/types';

export const LATENCY_MS = 20;
export const OPERATION_MS = 200;

/** Both GCP tunnels carry the same N /24s (redundant ECMP design). */
function topology(n: number) {
  const s = incidentTopology();
  const I = INCIDENT;
  s.gcp.routes = I.vpn.flatMap((v, t) =>
    Array.from({ length: n }, (_, i) =>
      gcpRoute(
        I.gcpProject,
        {
          name: `r${t}-${i}`,
          network: gcpNetworkUrl(I.gcpProject, I.gcpNetwork),
          destRange: `10.${Math.floor(i / 256)}.${i % 256}.0/24`,
          priority: 1000,
          tags: [],
          description: `bench route ${i} via ${v.gcpTunnel}`,
          nextHopVpnTunnel: gcpTunnelUrl(I.gcpProject, I.gcpRegion, v.gcpTunnel),
        },
        t * 100_000 + i + 1,
      ),
    ),
  );
  return s;
}

export interface RemediationRow {
  n: number;
  tunnelGuardMs: number;
  restoreMs: number;
  sequentialMs: number;
  lowerBoundMs: number;
  speedupVsSequential: number;
  ratioToLowerBound: number;
}

/** Drain then restore tunnel 1 carrying N routes; returns the wall time of each. */
export async function drainOnce(
  n: number,
  policy: Policy,
  latency = { latencyMs: LATENCY_MS, operationMs: OPERATION_MS },
  file?: string,
  withRestore = true,
): Promise<{ drainMs: number; restoreMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'tg-bench-'));
  try {
    // The world stays in memory unless a file is asked for: re-reading and re-validating the whole file on every
    // call would make the benchmark measure the simulator instead of the engine.
    const sim = openSimulator(file ?? join(dir, 'sim.json'), { ...latency, initial: () => topology(n), inMemory: file === undefined });
    await sim.read();
    const deps = {
      clouds: { gcp: sim.ports('gcp') },
      ledger: sim.ledger,
      notifier: { notify: async () => undefined },
      clock: { now: () => new Date() },
      logger: silentLogger,
      policy,
    };
    const id = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: INCIDENT.vpn[0].gcpTunnel });
    const t0 = performance.now();
    const r = await handleSignal(deps, {
      tunnelId: id,
      health: 'degraded',
      observedAt: new Date().toISOString(),
      source: 'bench',
      key: 'b1',
      evidence: 'bench',
    });
    const drainMs = performance.now() - t0;
    if (r.decision !== 'drain' || !r.ok || r.results.length !== n) throw new Error(`bench drain did not drain ${n} paths: ${r.summary}`);
    if (!withRestore) return { drainMs, restoreMs: 0 };
    const t1 = performance.now();
    const back = await runCommand(deps, { type: 'restore', tunnelId: id, force: true });
    const restoreMs = performance.now() - t1;
    if (!back.ok || back.results.length !== n) throw new Error(`bench restore failed: ${back.summary}`);
    return { drainMs, restoreMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The critical path of the plan measured: one round of reads, ceil(N/c) batches, one read-back. A plain withdrawal
 * is one wave of (call + operation) per batch; a make-before-break de-preference (the default drain mode) is two —
 * the standby's insert must be done before the original's delete starts.
 */
export const lowerBoundMs = (n: number, concurrency: number, drainMode: Policy['drainMode'] = DEFAULT_POLICY.drainMode) =>
  LATENCY_MS + Math.ceil(n / concurrency) * (drainMode === 'deprefer' ? 2 : 1) * (LATENCY_MS + OPERATION_MS) + LATENCY_MS;

export async function benchRemediation(sizes: number[], log: (s: string) => void): Promise<RemediationRow[]> {
  const rows: RemediationRow[] = [];
  const tg: Policy = { ...DEFAULT_POLICY };
  const seq: Policy = { ...DEFAULT_POLICY, concurrency: 1 };
  for (const n of sizes) {
    const ours = await drainOnce(n, tg);
    // The sequential baseline drains only: its restore would cost as long again and tells nothing new.
    const base = await drainOnce(n, seq, undefined, undefined, false);
    const lb = lowerBoundMs(n, tg.concurrency, tg.drainMode);
    rows.push({
      n,
      tunnelGuardMs: Math.round(ours.drainMs),
      restoreMs: Math.round(ours.restoreMs),
      sequentialMs: Math.round(base.drainMs),
      lowerBoundMs: lb,
      speedupVsSequential: +(base.drainMs / ours.drainMs).toFixed(2),
      ratioToLowerBound: +(ours.drainMs / lb).toFixed(2),
    });
    log(
      `  remediation N=${n}: tunnel-guard ${Math.round(ours.drainMs)} ms, sequential ${Math.round(base.drainMs)} ms, lower bound ${lb} ms`,
    );
  }
  return rows;
}
