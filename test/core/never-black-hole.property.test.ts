/**
 * Property: over random topologies and random event sequences, tunnel-guard's own withdrawals never leave an
 * address that had a healthy path without one; every original path is always in the cloud or in the ledger;
 * and once everything is healthy again, reconcile converges back to the original route table.
 *
 * The oracle below is written independently of the core (address samples instead of interval sweeps).
 */
import fc from 'fast-check';
import { parseCidr } from '../../shared/cidr';
import { handleSignal, reconcile, runCommand } from '../../shared/engine';
import type { Health, Path, TunnelStatus } from '../../shared/types';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { aws, awsTunnel, gcpRoute, gcpTunnel, vgwRoute } from '../fakes/topology';

const UNIVERSE = ['10.0.0.0/16', '10.0.0.0/17', '10.0.128.0/17', '10.0.1.0/24', '10.1.0.0/16', '10.0.0.0/8'];
const SAMPLES: bigint[] = [
  ...new Set(
    UNIVERSE.flatMap((c) => {
      const r = parseCidr(c)!;
      return [r.first, r.last, r.first - 1n, r.last + 1n];
    }),
  ),
];
const inCidr = (addr: bigint, cidr: string) => {
  const r = parseCidr(cidr)!;
  return r.first <= addr && addr <= r.last;
};

interface Topo {
  cloud: 'aws' | 'gcp';
  tunnels: TunnelStatus[];
  paths: Path[];
}

const topoArb: fc.Arbitrary<Topo> = fc.oneof(
  // GCP: 2–5 tunnels, each route to one tunnel.
  fc.integer({ min: 2, max: 5 }).chain((n) =>
    fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constantFrom(...UNIVERSE)), { minLength: 1, maxLength: 8 }).map((routes) => ({
      cloud: 'gcp' as const,
      tunnels: Array.from({ length: n }, (_, i) => gcpTunnel(`t${i}`)),
      paths: routes.map(([t, cidr], i) => gcpRoute(`r${i}`, `t${t}`, cidr)),
    })),
  ),
  // AWS: 2–3 connections of two tunnels each; a connection's routes feed both of its tunnels.
  fc.integer({ min: 2, max: 3 }).chain((n) =>
    fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constantFrom(...UNIVERSE)), { minLength: 1, maxLength: 6 }).map((routes) => ({
      cloud: 'aws' as const,
      tunnels: Array.from({ length: n }, (_, c) => [
        awsTunnel(`vpn-${c}`, `198.51.100.${c * 2}`),
        awsTunnel(`vpn-${c}`, `198.51.100.${c * 2 + 1}`),
      ]).flat(),
      paths: [
        ...new Map(
          routes.map(([c, cidr]) => [
            `${c}:${cidr}`,
            vgwRoute(`vpn-${c}`, [aws(`vpn-${c}`, `198.51.100.${c * 2}`), aws(`vpn-${c}`, `198.51.100.${c * 2 + 1}`)], cidr),
          ]),
        ).values(),
      ],
    })),
  ),
);

type Step =
  | { kind: 'signal'; tunnel: number; health: Health; monitor: 'm1' | 'm2'; figure?: number; hold: boolean }
  | { kind: 'status'; tunnel: number; up: boolean }
  | { kind: 'tick'; seconds: number }
  | { kind: 'drain'; tunnel: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('signal' as const),
      tunnel: fc.nat(9),
      health: fc.constantFrom<Health>('healthy', 'degraded', 'down', 'unknown'),
      monitor: fc.constantFrom<'m1' | 'm2'>('m1', 'm2'),
      // A probe's round trip rides along (placement compares figures), and a degraded one may be a hold: above the
      // clear threshold, below the trip threshold.
      figure: fc.option(fc.constantFrom(0, 0.008, 0.03, 0.2), { nil: undefined }),
      hold: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('status' as const), tunnel: fc.nat(9), up: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drain' as const), tunnel: fc.nat(9) }) },
);

/** The signal a step sends: a monitor's verdict, with a probe's figure and hold when the step has them. */
function signalOf(step: Extract<Step, { kind: 'signal' }>, id: string, at: number) {
  return {
    ...sig(id, step.health, at),
    monitor: step.monitor,
    ...(step.figure === undefined ? {} : { basis: 'probe' as const, measure: { ratio: step.figure, span: 'round-trip' as const } }),
    ...(step.hold && step.health === 'degraded' ? { hold: true } : {}),
  };
}

/** A hold never drains and never counts as recovered: the oracle keeps what the monitor said before it. */
const movesOracle = (step: Extract<Step, { kind: 'signal' }>) => !(step.hold && step.health === 'degraded');

/** The oracle's idea of health: what the world really is (cloud status + the newest signal sent). */
function healthyPathCover(paths: Path[], status: Map<string, 'up' | 'down' | 'unknown'>, signalled: Map<string, Health>) {
  const healthy = (p: Path) => {
    let ok = false;
    for (const t of p.tunnelIds) {
      const up = status.get(t) === 'up';
      const h = signalled.get(t);
      if (up && (h === 'degraded' || h === 'down')) return false; // an up-but-bad tunnel may be chosen
      if (up && h !== 'unknown') ok = true;
    }
    return ok;
  };
  return (addr: bigint) => paths.some((p) => healthy(p) && p.destinations.some((d) => inCidr(addr, d)));
}

describe('never black-hole (property)', () => {
  it('holds over random topologies and signal sequences', async () => {
    await fc.assert(
      fc.asyncProperty(topoArb, fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (topo, steps) => {
        const cloud = new MemoryCloud(topo.tunnels, topo.paths);
        const { deps, clock, ledger } = testDeps(
          { [topo.cloud]: portsOf(cloud) },
          { restoreHoldDownSeconds: 120, maxDrainedTunnels: 10, maxDrainedFraction: 1 },
        );
        const ids = topo.tunnels.map((t) => t.ref.id);
        const status = new Map(topo.tunnels.map((t) => [t.ref.id, t.status]));
        const signalled = new Map<string, Health>();
        const said = new Map<string, Health>();
        let at = 0;
        for (const step of steps) {
          const id = ids[('tunnel' in step ? step.tunnel : 0) % ids.length]!;
          if (step.kind === 'status') {
            status.set(id, step.up ? 'up' : 'down');
            cloud.setStatus(id, step.up ? 'up' : 'down');
          }
          // Two monitors per tunnel: the oracle's view is the worst of what each last said.
          if (step.kind === 'signal' && movesOracle(step)) {
            said.set(`${id}|${step.monitor}`, step.health);
            const rank = { healthy: 0, unknown: 1, degraded: 2, down: 3 } as const;
            const hs = (['m1', 'm2'] as const).map((m) => said.get(`${id}|${m}`)).filter((h): h is Health => !!h);
            signalled.set(
              id,
              hs.reduce<Health>((a, b) => (rank[b] > rank[a] ? b : a), 'healthy'),
            );
          }
          if (step.kind === 'tick') clock.t += step.seconds * 1000;
          const before = cloud.snapshot();
          const callsBefore = cloud.calls.length;
          clock.t += 1000;
          at = (clock.t - Date.parse('2026-11-25T00:00:00Z')) / 1000;
          if (step.kind === 'signal') await handleSignal(deps, signalOf(step, id, at));
          if (step.kind === 'tick') await reconcile(deps);
          if (step.kind === 'drain') await runCommand(deps, { type: 'drain', tunnelId: id, reason: 'property' });
          const after = cloud.snapshot();
          const withdrew = cloud.calls.slice(callsBefore).some((c) => c.type === 'withdraw');
          if (withdrew) {
            const had = healthyPathCover(before, status, signalled);
            const has = healthyPathCover(after, status, signalled);
            for (const a of SAMPLES)
              if (had(a) && !has(a)) throw new Error(`address ${a} lost its last healthy path after ${JSON.stringify(step)}`);
          }
          // No data lost: every original path is in the cloud or in the ledger.
          const held = new Set([...after.map((p) => p.key), ...(await ledger.list()).flatMap((r) => r.withdrawn.map((p) => p.key))]);
          for (const p of topo.paths) if (!held.has(p.key)) throw new Error(`path ${p.key} is neither in the cloud nor in the ledger`);
        }
        // Heal everything, wait out the hold-down, release operator drains: back to the original table.
        for (const id of ids) {
          cloud.setStatus(id, 'up');
          for (const monitor of ['m1', 'm2']) {
            clock.t += 1000;
            await handleSignal(deps, { ...sig(id, 'healthy', (clock.t - Date.parse('2026-11-25T00:00:00Z')) / 1000), monitor });
          }
        }
        clock.t += 10 * 60_000;
        for (const r of await ledger.list()) if (r.suppressed) await runCommand(deps, { type: 'release', tunnelId: r.tunnelId });
        await reconcile(deps);
        expect(cloud.snapshot()).toEqual([...topo.paths].sort((a, b) => a.key.localeCompare(b.key)));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 1000), seed: 20261125 },
    );
  });
});

/**
 * drainMode deprefer (the default) on levers that have a preference (GCP static routes): a drain leaves a standby
 * instead of removing the route, so no sequence of signals, status changes, ticks and operator drains ever leaves an
 * address without a route through a tunnel with an established IKE SA while any tunnel that carried it has one. The
 * guard never needs to refuse for it; and once everything is healthy, the original table comes back exactly.
 */
describe('never black-hole in drainMode deprefer (property)', () => {
  const gcpTopoArb = fc.integer({ min: 2, max: 5 }).chain((n) =>
    fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.constantFrom(...UNIVERSE)), { minLength: 1, maxLength: 8 }).map((routes) => ({
      tunnels: Array.from({ length: n }, (_, i) => gcpTunnel(`t${i}`)),
      paths: routes.map(([t, cidr], i) => ({ ...gcpRoute(`r${i}`, `t${t}`, cidr), canDeprefer: true })),
    })),
  );

  it('no address loses its last route through an established tunnel, and the table converges back', async () => {
    await fc.assert(
      fc.asyncProperty(gcpTopoArb, fc.array(stepArb, { minLength: 1, maxLength: 25 }), async (topo, steps) => {
        const cloud = new MemoryCloud(topo.tunnels, topo.paths);
        const { deps, clock, ledger } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 120, drainMode: 'deprefer' });
        const ids = topo.tunnels.map((t) => t.ref.id);
        const status = new Map(topo.tunnels.map((t) => [t.ref.id, t.status]));
        const reachable = (paths: Path[]) => (addr: bigint) =>
          paths.some((p) => p.tunnelIds.some((t) => status.get(t) === 'up') && p.destinations.some((d) => inCidr(addr, d)));
        const original = reachable(topo.paths);
        let refusedForBlackHole = 0;
        for (const step of steps) {
          const id = ids[('tunnel' in step ? step.tunnel : 0) % ids.length]!;
          if (step.kind === 'status') {
            status.set(id, step.up ? 'up' : 'down');
            cloud.setStatus(id, step.up ? 'up' : 'down');
          }
          if (step.kind === 'tick') clock.t += step.seconds * 1000;
          clock.t += 1000;
          const at = (clock.t - Date.parse('2026-11-25T00:00:00Z')) / 1000;
          const reports =
            step.kind === 'signal'
              ? [await handleSignal(deps, signalOf(step, id, at))]
              : step.kind === 'tick'
                ? await reconcile(deps)
                : step.kind === 'drain'
                  ? [await runCommand(deps, { type: 'drain', tunnelId: id, reason: 'property' })]
                  : [];
          refusedForBlackHole += reports.filter((r) => r.refusals.some((x) => x.guard === 'black-hole')).length;
          // The oracle: what the original table could reach through established tunnels, the cloud still reaches.
          const now = reachable(cloud.snapshot());
          for (const a of SAMPLES)
            if (original(a) && !now(a))
              throw new Error(`address ${a} has no route through an established tunnel after ${JSON.stringify(step)}`);
          // No data lost: every original path is in the cloud or in the ledger, and no standby exists twice.
          const after = cloud.snapshot();
          const held = new Set([...after.map((p) => p.key), ...(await ledger.list()).flatMap((r) => r.withdrawn.map((p) => p.key))]);
          for (const p of topo.paths) if (!held.has(p.key)) throw new Error(`path ${p.key} is neither in the cloud nor in the ledger`);
          for (const p of after)
            if (p.standbyFor && after.some((q) => q.key === p.standbyFor))
              throw new Error(`${p.standbyFor} and its standby both stayed after ${JSON.stringify(step)}`);
        }
        expect(refusedForBlackHole).toBe(0);
        for (const id of ids) {
          cloud.setStatus(id, 'up');
          for (const monitor of ['m1', 'm2']) {
            clock.t += 1000;
            await handleSignal(deps, { ...sig(id, 'healthy', (clock.t - Date.parse('2026-11-25T00:00:00Z')) / 1000), monitor });
          }
        }
        clock.t += 10 * 60_000;
        for (const r of await ledger.list()) if (r.suppressed) await runCommand(deps, { type: 'release', tunnelId: r.tunnelId });
        await reconcile(deps);
        expect(cloud.snapshot()).toEqual([...topo.paths].sort((a, b) => a.key.localeCompare(b.key)));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 500), seed: 20261201 },
    );
  });
});
