/**
 * The `oracle`: the yardstick for "close to the limit". It knows every link's true loss per direction and every
 * capacity, and it moves traffic with the levers tunnel-guard has — GCP route priority or a Cloud Router peer's
 * import policy for GCP→AWS; a static connection's routes (per connection: AWS has nothing finer) or the peer's
 * export policy for AWS→GCP — but it may only act once the clouds could have told anyone: `floor` seconds after
 * each change of loss (the scenario's detection floor), and at the instant a tunnel dies (it knows the truth
 * before dead-peer detection does, which is what lets it put back a deleted AWS route before the cloud gives up
 * on the survivor: it never black-holes). At each decision it tries every combination of its levers and keeps the
 * one that loses the fewest packets per second as the world is now, counting throttling over capacity and never
 * accepting a placement that leaves a destination without a path. On a tie it keeps what it has (a drain that
 * costs nothing stays, as a hold-down would), then the fewest levers moved: it never moves traffic for nothing.
 *
 * It is not a tool anyone could deploy — it reads the scenario — and it imports nothing of tunnel-guard's.
 */
import { gcpTunnelUrl } from '../clouds/gcp/urls';
import type { SimState } from '../simulator/sim-state';
import type { Strategy, Decision } from './strategies';
import { fateOf, lostOf } from './model/delivery';
import { destinationsOf, flowsOf, type Spread } from './model/traffic';
import type { World } from './model/world';

/** How much the oracle worsens a de-preferred route (priority or MED) — enough to lose every tie. */
const DEPREFER = 10_000;
const IMPORT_POLICY = 'gameday-oracle-deprefer-import';
const EXPORT_POLICY = 'gameday-oracle-deprefer-export';

interface Lever {
  /** The link (GCP side) or links (an AWS static connection) it moves. */
  links: number[];
  label: string;
  set(state: SimState, out: boolean): void;
}

function peerOf(state: SimState, world: World, link: number) {
  const l = world.links[link]!;
  const url = gcpTunnelUrl(state.gcp.project, l.gcp.region, l.gcp.name);
  for (const router of state.gcp.routers) {
    const itf = router.interfaces.find((i) => i.linkedVpnTunnel === url);
    const peer = itf && router.bgpPeers.find((p) => p.interfaceName === itf.name);
    if (peer) return { router, peer };
  }
  return undefined;
}

function ensurePolicy(router: SimState['gcp']['routers'][number], name: string, type: 'IMPORT' | 'EXPORT', action: string) {
  router.routePolicies ??= [];
  if (!router.routePolicies.some((p) => p.name === name))
    router.routePolicies.push({ name, type: `ROUTE_POLICY_TYPE_${type}`, terms: [{ priority: 0, actions: [{ expression: action }] }] });
}

function leversOf(world: World): { gcp: Lever[]; aws: Lever[] } {
  const initial = world.initial;
  const gcp: Lever[] = [];
  const aws: Lever[] = [];
  world.links.forEach((l, i) => {
    const url = gcpTunnelUrl(initial.gcp.project, l.gcp.region, l.gcp.name);
    const routes = initial.gcp.routes.filter((r) => r.nextHopVpnTunnel === url);
    if (routes.length > 0)
      gcp.push({
        links: [i],
        label: `${l.gcp.name} routes`,
        set: (state, out) => {
          for (const r of state.gcp.routes) {
            const orig = routes.find((x) => x.name === r.name);
            if (orig) r.priority = out ? Math.min(65_535, orig.priority + DEPREFER) : orig.priority;
          }
        },
      });
    else if (peerOf(initial, world, i)) {
      const base = peerOf(initial, world, i)!.peer;
      gcp.push({
        links: [i],
        label: `${l.gcp.name} peer import`,
        set: (state, out) => {
          const p = peerOf(state, world, i);
          if (!p) return;
          ensurePolicy(p.router, IMPORT_POLICY, 'IMPORT', `med.add(${DEPREFER})`);
          p.peer.importPolicies = out ? [...(base.importPolicies ?? []), IMPORT_POLICY] : base.importPolicies;
        },
      });
      aws.push({
        links: [i],
        label: `${l.gcp.name} peer export`,
        set: (state, out) => {
          const p = peerOf(state, world, i);
          if (!p) return;
          ensurePolicy(p.router, EXPORT_POLICY, 'EXPORT', 'asPath.prependSequence([65000, 65000, 65000])');
          p.peer.exportPolicies = out ? [...(base.exportPolicies ?? []), EXPORT_POLICY] : base.exportPolicies;
        },
      });
    }
  });
  // AWS static: the lever is the connection (its routes), whichever of its tunnels carries the traffic.
  for (const c of initial.aws.vpnConnections) {
    if (c.routing === 'bgp' || c.routes.length === 0) continue;
    const links = world.links.flatMap((l, i) => (l.aws.vpnConnectionId === c.vpnConnectionId ? [i] : []));
    if (links.length === 0) continue;
    aws.push({
      links,
      label: `${c.vpnConnectionId} routes`,
      set: (state, out) => {
        const now = state.aws.vpnConnections.find((x) => x.vpnConnectionId === c.vpnConnectionId);
        if (now) now.routes = out ? [] : structuredClone(c.routes);
      },
    });
  }
  return { gcp, aws };
}

/** Packets per second lost with the routes of `state`, the world as it truly is over [t, t + step). */
export function lossRate(world: World, state: SimState, t: number, step: number, hashing: Spread): number {
  const flows = flowsOf(state, destinationsOf(world.initial), world.offered, () => true, hashing);
  let lost = flows.unreachable.gcpToAws + flows.unreachable.awsToGcp;
  world.links.forEach((l, i) => {
    const fate = fateOf(world, i, { gcpToAws: flows.gcpToAws.get(l.gcpId) ?? 0, awsToGcp: flows.awsToGcp.get(l.awsId) ?? 0 }, t, t + step);
    lost += lostOf(fate.gcpToAws) + lostOf(fate.awsToGcp);
  });
  return lost;
}

export function oracleStrategy(world: World, opts: { floor: number | null; step: number; hashing: Spread }): Strategy {
  const levers = leversOf(world);
  const all = [...levers.gcp, ...levers.aws];
  // When each lever was set out of service, to report drains and restores.
  let current = all.map(() => false);
  const log: Decision[] = [];
  let changes = 0;
  // Loss changes the oracle may react to, each at its own detection floor; tunnel status changes at once.
  const due = opts.floor === null ? [] : world.changes().map((c) => c + opts.floor!);
  let lastDown = '';
  let decided = -1;
  const isCurrent = (mask: boolean[]) => mask.every((v, k) => v === current[k]);

  const decide = async (t: number) => {
    const state = await world.sim.read();
    let best: { mask: boolean[]; cost: number; moved: number } | undefined;
    const n = all.length;
    for (let m = 0; m < 2 ** n; m++) {
      const mask = all.map((_, k) => (m & (2 ** k)) !== 0);
      const trial = structuredClone(state);
      for (const [k, lever] of all.entries()) lever.set(trial, mask[k]!);
      const flows = flowsOf(trial, destinationsOf(world.initial), world.offered, () => true, opts.hashing);
      // Never black-hole: a placement that leaves any destination without a path is not a candidate.
      if (flows.unreachable.gcpToAws + flows.unreachable.awsToGcp > 0) continue;
      const cost = lossRate(world, trial, t, opts.step, opts.hashing);
      const moved = mask.filter(Boolean).length;
      const tie = best && Math.abs(cost - best.cost) <= 1e-6 * Math.max(1, cost);
      const better =
        !best ||
        (!tie && cost < best.cost) ||
        (tie && isCurrent(mask) && !isCurrent(best.mask)) ||
        (tie && !isCurrent(best.mask) && moved < best.moved);
      if (better) best = { mask, cost, moved };
    }
    if (!best) return;
    const chosen = best.mask;
    const prev = current;
    if (chosen.every((v, k) => v === prev[k])) return;
    await world.sim.update((s) => {
      for (const [k, lever] of all.entries()) lever.set(s, chosen[k]!);
    });
    chosen.forEach((out, k) => {
      if (out === prev[k]) return;
      changes++;
      const lever = all[k]!;
      for (const link of lever.links) {
        const l = world.links[link]!;
        const gcpSide = levers.gcp.includes(lever);
        log.push({
          t,
          kind: out ? 'drain' : 'restore',
          tunnelId: gcpSide ? l.gcpId : l.awsId,
          summary: `oracle ${out ? 'de-prefers' : 'restores'} ${lever.label}`,
        });
      }
    });
    current = chosen;
  };

  return {
    name: 'oracle',
    onIncident: async () => undefined,
    onAlarm: async () => undefined,
    reconcile: async () => undefined,
    tick: async (t: number) => {
      const down = world.links.map((_, i) => world.downOver(i, t, t + opts.step) > 0).join();
      const statusChanged = down !== lastDown;
      lastDown = down;
      const reached = due.some((d) => d <= t && d > decided);
      if (t === 0 || statusChanged || reached) {
        decided = t;
        await decide(t);
      }
    },
    routeChanges: () => changes,
    decisions: () => log,
  };
}
