/**
 * Decision cost: CPU time of `decide()` for one degraded signal on 100 tunnels × 100 prefixes, against the coverage
 * check without a shared index (every remaining cover re-parsed for every withdrawn destination), same run.
 */
import { minCoverDepth } from '../shared/cidr';
import { decide } from '../shared/decide';
import { buildView, pathIsHealthy } from '../shared/health';
import { DEFAULT_POLICY } from '../shared/policy';
import { emptyRecord, gcpTunnelId, type Path, type TunnelStatus } from '../shared/types';

function topology(tunnels: number, prefixes: number) {
  const ts: TunnelStatus[] = [];
  const paths: Path[] = [];
  for (let t = 0; t < tunnels; t++) {
    const native = { project: 'p', region: 'r', name: `t${t}`, gateway: 'g' };
    ts.push({ ref: { id: gcpTunnelId(native), cloud: 'gcp', native }, status: 'up' });
    for (let p = 0; p < prefixes; p++) {
      paths.push({
        key: `t${t}-p${p}`,
        kind: 'gcp-static-route',
        cloud: 'gcp',
        destinations: [`10.${p}.0.0/16`],
        tunnelIds: [gcpTunnelId(native)],
        definition: {},
      });
    }
  }
  return { ts, paths };
}

const cpuMs = (f: () => void, iterations: number) => {
  const start = process.cpuUsage();
  for (let i = 0; i < iterations; i++) f();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000 / iterations;
};

export function benchDecide() {
  const { ts, paths } = topology(100, 100);
  const id = ts[0]!.ref.id;
  const now = new Date();
  const input = {
    trigger: {
      type: 'signal' as const,
      signal: { tunnelId: id, health: 'degraded' as const, observedAt: now.toISOString(), source: 'bench', key: 'k', evidence: 'bench' },
    },
    record: emptyRecord(id, 'gcp'),
    records: [],
    members: [],
    tunnels: ts,
    paths,
    policy: { ...DEFAULT_POLICY, maxDrainedTunnels: 100 },
    now,
  };
  const d = decide(input);
  if (d.kind !== 'drain' || d.actions.length !== 100) throw new Error(`bench decide: expected a 100-path drain, got ${d.kind}`);
  cpuMs(() => decide(input), 20); // warm-up
  const decideMs = cpuMs(() => decide(input), 200);
  const naive = () => {
    const view = buildView(ts, [], []);
    const covers = paths.filter((p) => !p.tunnelIds.includes(id) && pathIsHealthy(p, view)).flatMap((p) => p.destinations);
    for (const p of paths.filter((x) => x.tunnelIds.includes(id))) for (const dest of p.destinations) minCoverDepth(dest, covers);
  };
  cpuMs(naive, 1);
  const naiveMs = cpuMs(naive, 3);
  return {
    tunnels: 100,
    prefixesPerTunnel: 100,
    decideMs: +decideMs.toFixed(3),
    naiveCoverageMs: +naiveMs.toFixed(1),
    speedup: +(naiveMs / decideMs).toFixed(1),
  };
}
