/**
 * Crash at every step: for a drain and for a restore, kill the run right after the k-th mutating
 * call (cloud or ledger) for every k; at that instant every original path must be in the cloud or in the ledger;
 * after a restart (the platform re-delivers the event, then the scheduled reconcile runs) the final state must
 * equal an uninterrupted run's. Run on the in-memory fake and on the simulator's AWS and GCP ports (static
 * routes and an HA VPN BGP peer), with the simulator's file ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleSignal, reconcile } from '../../shared/engine';
import { MemoryLedger } from '../../simulator/memory-ledger';
import type { CloudPorts, Ledger } from '../../shared/ports';
import { openSimulator } from '../../simulator';
import { addHaVpn, INCIDENT, incidentTopology } from '../../simulator/topology';
import { awsTunnelId, gcpTunnelId, type Cloud, type Path, type Signal } from '../../shared/types';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { gcp, gcpRoute, gcpTunnel } from '../fakes/topology';
import { CrashSwitch, ProcessDied } from '../support/crash-switch';

interface World {
  cloud: Cloud;
  ports: CloudPorts;
  ledger: Ledger;
  original: Path[];
}
interface Scenario {
  name: string;
  tunnel: string;
  make: () => Promise<World>;
}

const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Tunnel 1 carries six prefixes; tunnel 2 backs them all up with a /8. */
const memoryGcp: Scenario = {
  name: 'in-memory GCP (6 routes)',
  tunnel: gcp('tunnel-1'),
  make: async () => {
    const paths: Path[] = [
      ...['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/24', '10.5.0.0/24'].map((c, i) =>
        gcpRoute(`t1-r${i}`, 'tunnel-1', c),
      ),
      gcpRoute('t2-all', 'tunnel-2', '10.0.0.0/8'),
    ];
    const cloud = new MemoryCloud([gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')], paths);
    return { cloud: 'gcp', ports: portsOf(cloud), ledger: new MemoryLedger(), original: paths };
  },
};

async function simWorld(cloud: Cloud, ha = false): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'tg-crash-'));
  tmp.push(dir);
  const sim = openSimulator(join(dir, 'sim.json'), {
    initial: () => (ha ? addHaVpn(incidentTopology(), { learned: ['10.1.0.0/16', '10.2.0.0/16'] }) : incidentTopology()),
  });
  const ports = sim.ports(cloud);
  return { cloud, ports, ledger: sim.ledger, original: await ports.paths.list() };
}
const I = INCIDENT;
const simAws: Scenario = {
  name: 'simulator AWS (VGW connection routes)',
  tunnel: awsTunnelId({ region: I.awsRegion, vpnConnectionId: I.vpn[0].id, outsideIpAddress: I.vpn[0].tunnelIps[0] }),
  make: () => simWorld('aws'),
};
const simGcp: Scenario = {
  name: 'simulator GCP (Classic VPN route)',
  tunnel: gcpTunnelId({ project: I.gcpProject, region: I.gcpRegion, name: I.vpn[0].gcpTunnel }),
  make: () => simWorld('gcp'),
};
const simHa: Scenario = {
  name: 'simulator GCP (HA VPN BGP peer)',
  tunnel: gcpTunnelId({ project: I.gcpProject, region: I.gcpRegion, name: 'ha-tunnel-0' }),
  make: () => simWorld('gcp', true),
};

const drainOf = (t: string): Signal[] => [sig(t, 'degraded', 10, `drain-${t}`)];
const restoreOf = (t: string): Signal[] => [sig(t, 'healthy', 20, `restore-${t}`)];

async function run(w: World, ports: CloudPorts, ledger: Ledger, events: Signal[]) {
  const { deps, clock } = testDeps({ [w.cloud]: ports }, { restoreHoldDownSeconds: 0, concurrency: 3 }, ledger);
  clock.t += 60_000;
  for (const e of events) await handleSignal(deps, e);
  return deps;
}

const sortKey = (ps: Path[]) => [...ps].sort((a, b) => a.key.localeCompare(b.key));
async function state(w: World) {
  return {
    cloud: sortKey(await w.ports.paths.list()),
    records: (await w.ledger.list()).map((r) => ({
      id: r.tunnelId,
      state: r.state,
      withdrawn: r.withdrawn.map((p) => p.key).sort(),
      members: r.members,
    })),
  };
}

/** The ledger's copy also says how it was taken out (`lever`); the definition must be the original's. */
const withoutLever = (p: Path | undefined): Path | undefined => {
  if (!p) return p;
  const { lever: _lever, ...rest } = p;
  return rest;
};

async function assertNothingLost(w: World) {
  const inCloud = await w.ports.paths.list();
  const inLedger = (await w.ledger.list()).flatMap((r) => r.withdrawn);
  for (const p of w.original) {
    // A de-preferred BGP peer is listed as its own standby (same key, our policies attached): not the original.
    const there = inCloud.find((c) => c.key === p.key && !c.standbyFor) ?? inLedger.find((l) => l.key === p.key);
    expect(withoutLever(there)).toEqual(p); // present somewhere, with its full definition
  }
}

describe.each([memoryGcp, simAws, simGcp, simHa])('crash at every step: $name', (sc) => {
  it.each(['drain', 'restore'] as const)('%s never loses a path and converges to the uninterrupted result', async (phase) => {
    const prefix = phase === 'restore' ? drainOf(sc.tunnel) : [];
    const events = phase === 'drain' ? drainOf(sc.tunnel) : restoreOf(sc.tunnel);

    const ref = await sc.make();
    await run(ref, ref.ports, ref.ledger, prefix);
    const counter = new CrashSwitch();
    await run(ref, counter.ports(ref.ports), counter.ledger(ref.ledger), events);
    const expected = await state(ref);
    const steps = counter.count;
    expect(counter.log.filter((l) => l.startsWith(phase === 'drain' ? 'withdraw' : 'restore')).length).toBeGreaterThan(0);

    for (let k = 1; k <= steps; k++) {
      const w = await sc.make();
      await run(w, w.ports, w.ledger, prefix);
      const sw = new CrashSwitch(k);
      await expect(run(w, sw.ports(w.ports), sw.ledger(w.ledger), events)).rejects.toBeInstanceOf(ProcessDied);
      await assertNothingLost(w);

      // Restart: the platform re-delivers the event, then the scheduled reconcile runs.
      const deps = await run(w, w.ports, w.ledger, events);
      await reconcile(deps);
      await assertNothingLost(w);
      expect({ k, ...(await state(w)) }).toEqual({ k, ...expected });
    }
  });
});

describe('a drain that died between joining the fence and writing its record', () => {
  it('does not block other drains forever: reconcile drops the stale member after 15 minutes', async () => {
    const w = await memoryGcp.make();
    const sw = new CrashSwitch(1); // the fence write is the first mutating call
    await expect(run(w, sw.ports(w.ports), sw.ledger(w.ledger), drainOf(memoryGcp.tunnel))).rejects.toBeInstanceOf(ProcessDied);
    expect((await w.ledger.get('fence:gcp'))?.members).toEqual([memoryGcp.tunnel]);
    const { deps, clock } = testDeps({ gcp: w.ports }, {}, w.ledger);
    clock.t += 60_000 + 5 * 60_000;
    await reconcile(deps);
    expect((await w.ledger.get('fence:gcp'))?.members).toEqual([memoryGcp.tunnel]); // too young to tell from a live drain
    clock.t += 15 * 60_000;
    await reconcile(deps);
    expect((await w.ledger.get('fence:gcp'))?.members).toEqual([]);
  });
});

/**
 * De-preferring a GCP static route is two cloud calls (insert the standby copy, delete the original; restoring:
 * insert the original, delete the copy). Crash the simulated cloud right after each of its mutating calls, for a
 * drain and a restore, one tunnel after the other until both are de-preferred: at every instant each prefix that had
 * a route still has one, through the same tunnel (the original or its standby), and no route exists twice; after a restart the run converges to the uninterrupted result,
 * with exactly the standbys (or, once restored, exactly the original routes).
 */
describe('crash inside make-before-break: simulator GCP (Classic VPN), every cloud call', () => {
  const t1 = gcpTunnelId({ project: I.gcpProject, region: I.gcpRegion, name: I.vpn[0].gcpTunnel });
  const t2 = gcpTunnelId({ project: I.gcpProject, region: I.gcpRegion, name: I.vpn[1].gcpTunnel });
  const destinations = (routes: { destRange: string }[]) => [...new Set(routes.map((r) => r.destRange))].sort();

  async function world(crashAfter?: number) {
    const dir = mkdtempSync(join(tmpdir(), 'tg-mbb-'));
    tmp.push(dir);
    const file = join(dir, 'sim.json');
    const before = destinations(incidentTopology().gcp.routes);
    const original = incidentTopology().gcp.routes.map((r) => r.name);
    const violations: string[] = [];
    // Checked after every mutating call the cloud applies, crash or not.
    const watch = openSimulator(file);
    const check = async (when: string) => {
      const routes = (await watch.read()).gcp.routes;
      const names = routes.map((r) => r.name);
      if (new Set(names).size !== names.length) violations.push(`${when}: a route exists twice`);
      for (const d of before) if (!routes.some((r) => r.destRange === d)) violations.push(`${when}: ${d} has no route`);
      // Stricter than reachability: every original route is there, or its standby is (never neither).
      for (const o of original)
        if (!names.includes(o) && !names.includes(`${o}-tg-standby`)) violations.push(`${when}: neither ${o} nor its standby exists`);
    };
    const pending: Promise<void>[] = [];
    const open = (k?: number) =>
      openSimulator(file, {
        faults: {
          ...(k ? { crashAfter: k } : {}),
          onMutation: (m) => void pending.push(check(`after call ${m.n} (${m.op} ${m.pathKey})`)),
        },
      });
    const sim = open(crashAfter);
    return { file, sim, open, watch, violations, settle: () => Promise.all(pending) };
  }

  const deps = (sim: ReturnType<typeof openSimulator>) =>
    run({ cloud: 'gcp', ports: sim.ports('gcp'), ledger: sim.ledger, original: [] }, sim.ports('gcp'), sim.ledger, []);
  const phases = {
    drain: { prefix: [] as Signal[], events: [...drainOf(t1), sig(t2, 'degraded', 11, `drain-${t2}`)] },
    restore: {
      prefix: [...drainOf(t1), sig(t2, 'degraded', 11, `drain-${t2}`)],
      events: [sig(t1, 'healthy', 20, `restore-${t1}`), sig(t2, 'healthy', 21, `restore-${t2}`)],
    },
  };

  it.each(['drain', 'restore'] as const)('%s: no prefix without a route, no route twice, converges', async (phase) => {
    const { prefix, events } = phases[phase];
    const ref = await world();
    await run(
      { cloud: 'gcp', ports: ref.sim.ports('gcp'), ledger: ref.sim.ledger, original: [] },
      ref.sim.ports('gcp'),
      ref.sim.ledger,
      prefix,
    );
    const callsBefore = ref.sim.stats().mutatingCalls;
    await run(
      { cloud: 'gcp', ports: ref.sim.ports('gcp'), ledger: ref.sim.ledger, original: [] },
      ref.sim.ports('gcp'),
      ref.sim.ledger,
      events,
    );
    await ref.settle();
    expect(ref.violations).toEqual([]);
    const calls = ref.sim.stats().mutatingCalls - callsBefore;
    expect(calls).toBe(4); // two tunnels, two calls each
    const expected = (await ref.watch.read()).gcp.routes.map((r) => `${r.name} ${r.priority}`).sort();
    expect(expected).toEqual(
      phase === 'drain'
        ? ['route-to-aws-via-tunnel-aws-1-tg-standby 65535', 'route-to-aws-via-tunnel-aws-2-tg-standby 65535']
        : ['route-to-aws-via-tunnel-aws-1 1000', 'route-to-aws-via-tunnel-aws-2 1000'],
    );

    for (let k = 1; k <= calls; k++) {
      const w = await world();
      await run({ cloud: 'gcp', ports: w.sim.ports('gcp'), ledger: w.sim.ledger, original: [] }, w.sim.ports('gcp'), w.sim.ledger, prefix);
      const dying = w.open(k); // a fresh handle counts its own calls
      // The cloud dies mid-way (the engine sees the failure and keeps the work in the ledger, or dies with it).
      await run(
        { cloud: 'gcp', ports: dying.ports('gcp'), ledger: dying.ledger, original: [] },
        dying.ports('gcp'),
        dying.ledger,
        events,
      ).catch(() => undefined);
      expect(dying.stats().crashed).toBe(true);
      // Restart: the platform re-delivers the events, then the scheduled reconcile runs.
      const again = w.open();
      await reconcile(await deps(again));
      await run({ cloud: 'gcp', ports: again.ports('gcp'), ledger: again.ledger, original: [] }, again.ports('gcp'), again.ledger, events);
      await reconcile(await deps(again));
      await w.settle();
      expect({ k, violations: w.violations }).toEqual({ k, violations: [] });
      expect({ k, routes: (await w.watch.read()).gcp.routes.map((r) => `${r.name} ${r.priority}`).sort() }).toEqual({
        k,
        routes: expected,
      });
      expect({ k, states: (await again.ledger.list()).filter((r) => r.tunnelId.startsWith('gcp:')).map((r) => r.state) }).toEqual({
        k,
        states: [phase === 'drain' ? 'drained' : 'active', phase === 'drain' ? 'drained' : 'active'],
      });
    }
  });
});

/**
 * De-preferring an HA VPN peer is two cloud calls (define the route policies on the router, attach them to the peer;
 * restoring: put the peer back, remove the unused policies). Crash the simulated cloud after each: at every instant
 * every peer stays enabled (the BGP session never drops) and every policy a peer names exists on its router; after a
 * restart the router is exactly as an uninterrupted run leaves it.
 */
describe('crash inside a BGP de-preference: simulator GCP (HA VPN), every cloud call', () => {
  const ha0 = gcpTunnelId({ project: I.gcpProject, region: I.gcpRegion, name: 'ha-tunnel-0' });
  const phases = {
    drain: { prefix: [] as Signal[], events: drainOf(ha0) },
    restore: { prefix: drainOf(ha0), events: restoreOf(ha0) },
  };

  function world() {
    const dir = mkdtempSync(join(tmpdir(), 'tg-bgp-'));
    tmp.push(dir);
    const file = join(dir, 'sim.json');
    const initial = () => addHaVpn(incidentTopology(), { learned: ['10.1.0.0/16', '10.2.0.0/16'] });
    const violations: string[] = [];
    const watch = openSimulator(file, { initial });
    const pending: Promise<void>[] = [];
    const check = async (when: string) => {
      for (const r of (await watch.read()).gcp.routers) {
        for (const p of r.bgpPeers) {
          if (p.enable !== 'TRUE') violations.push(`${when}: peer ${p.name} disabled`);
          for (const n of [...(p.importPolicies ?? []), ...(p.exportPolicies ?? [])])
            if (!r.routePolicies?.some((x) => x.name === n)) violations.push(`${when}: ${p.name} names missing policy ${n}`);
        }
      }
    };
    const open = (k?: number) =>
      openSimulator(file, {
        initial,
        faults: { ...(k ? { crashAfter: k } : {}), onMutation: (m) => void pending.push(check(`after call ${m.n} (${m.pathKey})`)) },
      });
    return { sim: open(), open, watch, violations, settle: () => Promise.all(pending) };
  }
  const gcpRun = (sim: ReturnType<typeof openSimulator>, events: Signal[]) =>
    run({ cloud: 'gcp', ports: sim.ports('gcp'), ledger: sim.ledger, original: [] }, sim.ports('gcp'), sim.ledger, events);

  it.each(['drain', 'restore'] as const)('%s: the session never drops, no dangling policy, converges', async (phase) => {
    const { prefix, events } = phases[phase];
    const ref = world();
    await gcpRun(ref.sim, prefix);
    const before = ref.sim.stats().mutatingCalls;
    await gcpRun(ref.sim, events);
    await ref.settle();
    expect(ref.violations).toEqual([]);
    const calls = ref.sim.stats().mutatingCalls - before;
    expect(calls).toBe(2);
    const expected = (await ref.watch.read()).gcp.routers;
    expect(expected[0]!.bgpPeers[0]!.importPolicies ?? []).toEqual(phase === 'drain' ? ['tg-deprefer-import'] : []);

    for (let k = 1; k <= calls; k++) {
      const w = world();
      await gcpRun(w.sim, prefix);
      const dying = w.open(k);
      await gcpRun(dying, events).catch(() => undefined);
      expect(dying.stats().crashed).toBe(true);
      const again = w.open();
      await reconcile(await gcpRun(again, []));
      await gcpRun(again, events);
      await reconcile(await gcpRun(again, []));
      await w.settle();
      expect({ k, violations: w.violations }).toEqual({ k, violations: [] });
      expect({ k, routers: (await w.watch.read()).gcp.routers }).toEqual({ k, routers: expected });
    }
  });
});
