/**
 * The simulated GCP side, two path kinds:
 * - static routes (Classic VPN): one `Route` with `nextHopVpnTunnel` per path. Routes are immutable in GCP, so
 *   withdraw = delete and restore = insert of the saved writable fields; output-only fields (`id`, `selfLink`,
 *   `creationTimestamp`) get new values, as in the real cloud. De-preferring (`lever: 'deprefer'`) is
 *   make-before-break, in two mutating calls with a read-back between them: insert the standby copy
 *   (`gcp-standby.ts`), confirm it, delete the original; its restore inserts the original, confirms it, deletes the
 *   copy. A crash between the calls leaves both routes, never neither.
 * - BGP peers (HA VPN): the Cloud Router peer bound to a tunnel carries every prefix it learned. Withdraw =
 *   `enable: 'FALSE'`; the definition is the peer's full previous settings, and restore puts them back exactly.
 *   De-preferring attaches our BGP route policies instead (`gcp-route-policy.ts`: higher MED on learned routes,
 *   longer AS path and higher MED on advertised ones) and keeps the session up; restore puts the peer's settings
 *   back and removes the policies once no peer uses them.
 */
import { gcpRouteUrl, gcpTunnelUrl, parseTunnelUrl } from '../clouds/gcp/urls';
import { GCP_ROUTE_WRITABLE_FIELDS, gcpRouteDefinition, type GcpRouteDefinition } from '../clouds/gcp/route';
import { isProbeRouteName } from '../clouds/probes';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { PermanentError, TransientError } from '../shared/errors';
import { canDepreferRoute, originalOfStandby, standbyDefinition } from '../clouds/gcp/standby';
import {
  EXPORT_POLICY,
  IMPORT_POLICY,
  depreferPolicies,
  isDepreferredPeer,
  whyNotDeprefer,
  withDepreferPolicies,
} from '../clouds/gcp/route-policy';
import { learnedRoutesDomain, networkDomain } from '../clouds/gcp/network';
import type { CloudPorts } from '../shared/ports';
import { gcpTunnelId, isDeprefer, type Path, type PathSnapshot, type TunnelStatus } from '../shared/types';
import type { SimCalls } from './sim-calls';
import { gcpBgpPeerSchema, gcpRouteSchema, loadOf, type GcpBgpPeer, type GcpRoute, type SimState } from './sim-state';

export const gcpRoutePathKey = (project: string, name: string): string => `projects/${project}/global/routes/${name}`;
export const gcpPeerPathKey = (project: string, region: string, router: string, peer: string): string =>
  `projects/${project}/regions/${region}/routers/${router}/bgpPeers/${peer}`;

/** The writable fields of a route: exactly what a restore re-creates. */
export const routeDefinition = (r: GcpRoute): GcpRouteDefinition =>
  structuredClone(
    Object.fromEntries(GCP_ROUTE_WRITABLE_FIELDS.flatMap((f) => (f in r ? [[f, (r as Record<string, unknown>)[f]]] : []))),
  ) as GcpRouteDefinition;

/** A peer's settings without the simulator-only `learnedPrefixes` (they come from the remote side). */
const peerSettings = (p: GcpBgpPeer): Record<string, unknown> => {
  const { learnedPrefixes: _learned, learnedPriority: _priority, ...settings } = p;
  return structuredClone(settings);
};

const peerDefinitionSchema = z.object({
  router: z.string().min(1),
  region: z.string().min(1),
  peer: gcpBgpPeerSchema.omit({ learnedPrefixes: true, learnedPriority: true }),
});

const routeTunnelIds = (r: GcpRoute): string[] => {
  const t = parseTunnelUrl(r.nextHopVpnTunnel);
  return t ? [gcpTunnelId(t)] : [];
};

function peerTunnelIds(state: SimState, router: SimState['gcp']['routers'][number], p: GcpBgpPeer): string[] {
  const itf = router.interfaces.find((i) => i.name === p.interfaceName);
  const t = itf && parseTunnelUrl(itf.linkedVpnTunnel);
  return t ? [gcpTunnelId({ ...t, project: t.project || state.gcp.project })] : [];
}

/** The project a route path key names (`projects/P/global/routes/N`). */
const projectOfKey = (path: PathSnapshot): string => /^projects\/([^/]+)\//.exec(path.key)?.[1] ?? '';

/** Both of our policies are defined on the router (the read-back before attaching them). */
const wantedPoliciesPresent = (router: SimState['gcp']['routers'][number]): boolean =>
  [IMPORT_POLICY, EXPORT_POLICY].every((n) => router.routePolicies?.some((p) => p.name === n));

function kindCheck(path: PathSnapshot, kind: Path['kind']): void {
  if (path.kind !== kind) throw new PermanentError(`simulator (gcp): path ${path.key} is a ${path.kind}, not a ${kind}`);
}

export function gcpPorts(calls: SimCalls): CloudPorts {
  const withdrawRoute = async (path: PathSnapshot) => {
    const def = gcpRouteDefinition.safeParse(path.definition);
    if (!def.success) throw new PermanentError(`simulator (gcp): path ${path.key} has no valid route definition`);
    return calls.mutate('gcp', 'withdraw', path.key, (state) => {
      const i = state.gcp.routes.findIndex((r) => r.name === def.data.name);
      if (i < 0) return 'already-in-state';
      state.gcp.routes.splice(i, 1);
      return 'applied';
    });
  };

  /** `routes.insert` of exactly `def`; a route of that name already there is what we wanted (409 alreadyExists). */
  const insertRoute = (op: 'withdraw' | 'restore', key: string, def: GcpRouteDefinition) =>
    calls.mutate('gcp', op, key, (state) => {
      if (state.gcp.routes.some((r) => r.name === def.name)) return 'already-in-state';
      const id = state.nextId++;
      // As the API does, an insert without a field the route needs (network, destination, next hop) is refused.
      state.gcp.routes.push(
        gcpRouteSchema.parse({
          ...structuredClone(def),
          id: String(7_000_000_000_000_000 + id),
          selfLink: gcpRouteUrl(state.gcp.project, def.name),
          creationTimestamp: new Date().toISOString(),
          kind: 'compute#route',
        }),
      );
      return 'applied';
    });

  const deleteRoute = (op: 'withdraw' | 'restore', key: string, name: string) =>
    calls.mutate('gcp', op, key, (state) => {
      const i = state.gcp.routes.findIndex((r) => r.name === name);
      if (i < 0) return 'already-in-state';
      state.gcp.routes.splice(i, 1);
      return 'applied';
    });

  /** Read-back between the two halves of a make-before-break: the route must be there, exactly as inserted. */
  const confirmRoute = async (def: GcpRouteDefinition) => {
    const seen = await calls.read((state) => state.gcp.routes.find((r) => r.name === def.name));
    // Compared as JSON with sorted keys: a value that crossed a realm (structuredClone, a test sandbox) fails a
    // prototype-sensitive deep equality even when every field is the same.
    const same = (a: object, b: object) => JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(b).sort());
    if (!seen || !same(routeDefinition(seen), def)) {
      throw new TransientError(
        `simulator (gcp): route ${def.name} not confirmed by read-back${seen ? ' (it differs from what was inserted)' : ''}: the other half waits`,
      );
    }
  };

  const restoreRoute = async (snapshot: PathSnapshot) => {
    const def = gcpRouteDefinition.safeParse(snapshot.definition);
    if (!def.success)
      throw new PermanentError(`simulator (gcp): path ${snapshot.key} has no valid route definition: ${def.error.issues[0]?.message}`);
    if (!isDeprefer(snapshot)) return insertRoute('restore', snapshot.key, def.data);
    // Reverse make-before-break: the original back first, confirmed, and only then the standby goes.
    const standby = standbyDefinition(def.data);
    const inserted = await insertRoute('restore', snapshot.key, def.data);
    await confirmRoute(def.data);
    const removed = await deleteRoute('restore', gcpRoutePathKey(projectOfKey(snapshot), standby.name), standby.name);
    return inserted === 'applied' || removed === 'applied' ? 'applied' : 'already-in-state';
  };

  /** Make-before-break: the standby copy first, confirmed by reading it back, and only then the original goes. */
  const depreferRoute = async (path: PathSnapshot) => {
    const def = gcpRouteDefinition.safeParse(path.definition);
    if (!def.success) throw new PermanentError(`simulator (gcp): path ${path.key} has no valid route definition`);
    if (!canDepreferRoute(def.data))
      throw new PermanentError(
        `simulator (gcp): route ${def.data.name} cannot be de-preferred (name too long or priority already the worst)`,
      );
    const standby = standbyDefinition(def.data);
    const inserted = await insertRoute('withdraw', gcpRoutePathKey(projectOfKey(path), standby.name), standby);
    await confirmRoute(standby);
    const removed = await deleteRoute('withdraw', path.key, def.data.name);
    return inserted === 'applied' || removed === 'applied' ? 'applied' : 'already-in-state';
  };

  const findPeer = (state: SimState, routerName: string, region: string, peerName: string) => {
    const router = state.gcp.routers.find((r) => r.name === routerName && r.region === region);
    const peer = router?.bgpPeers.find((p) => p.name === peerName);
    return { router, peer };
  };

  /**
   * De-prefer the peer with route policies, session up: first create (or replace) our two policies on the router
   * (routers.updateRoutePolicy), then attach them to the peer (routers.patch of the whole peer list). A crash between
   * the two leaves unattached policies, which change nothing; the next run attaches them.
   */
  const depreferPeer = async (path: PathSnapshot, def: z.infer<typeof peerDefinitionSchema>) => {
    const ensured = await calls.mutate('gcp', 'withdraw', `${path.key}#routePolicies`, (state) => {
      const { router } = findPeer(state, def.router, def.region, def.peer.name);
      if (!router) return 'already-in-state';
      const wanted = depreferPolicies(router.asn);
      const have = router.routePolicies ?? [];
      if (wanted.every((w) => have.some((h) => isDeepStrictEqual(JSON.parse(JSON.stringify(h)), w)))) return 'already-in-state';
      router.routePolicies = [...have.filter((h) => !wanted.some((w) => w.name === h.name)), ...structuredClone(wanted)];
      return 'applied';
    });
    const attached = await calls.mutate('gcp', 'withdraw', path.key, (state) => {
      const { router, peer } = findPeer(state, def.router, def.region, def.peer.name);
      if (!router || !peer) return 'already-in-state';
      if (!wantedPoliciesPresent(router))
        throw new TransientError(`simulator (gcp): route policies of ${def.router} not confirmed: not attached yet`);
      if (isDepreferredPeer(peer)) return 'already-in-state';
      router.bgpPeers[router.bgpPeers.indexOf(peer)] = withDepreferPolicies(peer);
      return 'applied';
    });
    return ensured === 'applied' || attached === 'applied' ? 'applied' : 'already-in-state';
  };

  const withdrawPeer = async (path: PathSnapshot) => {
    const def = peerDefinitionSchema.safeParse(path.definition);
    if (!def.success) throw new PermanentError(`simulator (gcp): path ${path.key} has no valid BGP peer definition`);
    if (isDeprefer(path)) return depreferPeer(path, def.data);
    return calls.mutate('gcp', 'withdraw', path.key, (state) => {
      // routers.patch replaces the whole bgpPeers list: read, change one peer, write all of them back.
      const { peer } = findPeer(state, def.data.router, def.data.region, def.data.peer.name);
      if (!peer || peer.enable === 'FALSE') return 'already-in-state';
      peer.enable = 'FALSE';
      return 'applied';
    });
  };

  const restorePeer = async (snapshot: PathSnapshot) => {
    const def = peerDefinitionSchema.safeParse(snapshot.definition);
    if (!def.success) throw new PermanentError(`simulator (gcp): path ${snapshot.key} has no valid BGP peer definition`);
    const outcome = await calls.mutate('gcp', 'restore', snapshot.key, (state) => {
      const { router, peer } = findPeer(state, def.data.router, def.data.region, def.data.peer.name);
      if (!router) throw new PermanentError(`simulator (gcp): Cloud Router ${def.data.router} (${def.data.region}) does not exist`);
      const saved = snapshot.definition.peer as Record<string, unknown>;
      if (peer && isDeepStrictEqual(peerSettings(peer), saved)) return 'already-in-state';
      const restored = {
        ...structuredClone(saved),
        learnedPrefixes: peer?.learnedPrefixes ?? [],
        ...(peer?.learnedPriority !== undefined ? { learnedPriority: peer.learnedPriority } : {}),
      } as GcpBgpPeer;
      if (peer) router.bgpPeers[router.bgpPeers.indexOf(peer)] = restored;
      else router.bgpPeers.push(restored);
      return 'applied';
    });
    if (!isDeprefer(snapshot)) return outcome;
    // The peer is back as it was; our policies go once no peer of the router uses them any more.
    const cleaned = await calls.mutate('gcp', 'restore', `${snapshot.key}#routePolicies`, (state) => {
      const { router } = findPeer(state, def.data.router, def.data.region, def.data.peer.name);
      if (!router?.routePolicies?.length || router.bgpPeers.some(isDepreferredPeer)) return 'already-in-state';
      const ours = new Set([IMPORT_POLICY, EXPORT_POLICY]);
      if (!router.routePolicies.some((p) => ours.has(p.name))) return 'already-in-state';
      router.routePolicies = router.routePolicies.filter((p) => !ours.has(p.name));
      if (router.routePolicies.length === 0) delete router.routePolicies;
      return 'applied';
    });
    return outcome === 'applied' || cleaned === 'applied' ? 'applied' : 'already-in-state';
  };

  return {
    paths: {
      list: () =>
        calls.read((state): Path[] => {
          const project = state.gcp.project;
          // Probe routes pin a link's probe: never paths.
          const routes: Path[] = state.gcp.routes
            .filter((r) => !isProbeRouteName(r.name))
            .map((r) => {
              const original = originalOfStandby(r.name);
              return {
                key: gcpRoutePathKey(project, r.name),
                kind: 'gcp-static-route',
                cloud: 'gcp',
                destinations: [r.destRange],
                tunnelIds: routeTunnelIds(r),
                definition: { ...routeDefinition(r) },
                domain: networkDomain(r.network, project),
                appliesTo: [...r.tags],
                ...(original ? { standbyFor: gcpRoutePathKey(project, original) } : canDepreferRoute(r) ? { canDeprefer: true } : {}),
              };
            });
          // A disabled peer carries no traffic: it is not an active path. A de-preferred one (our route policies
          // attached) is its own standby: the session is up and its routes wait behind the other peers'.
          const peers: Path[] = state.gcp.routers.flatMap((router) =>
            router.bgpPeers
              .filter((p) => p.enable === 'TRUE')
              .map((p) => {
                const key = gcpPeerPathKey(project, router.region, router.name, p.name);
                const why = whyNotDeprefer(p, router.asn);
                return {
                  key,
                  kind: 'gcp-bgp-peer' as const,
                  cloud: 'gcp' as const,
                  destinations: [...p.learnedPrefixes],
                  tunnelIds: peerTunnelIds(state, router, p),
                  // The same shape as the Compute adapter writes (one schema per kind for every ledger).
                  definition: { project, router: router.name, region: router.region, peer: peerSettings(p) },
                  domain: learnedRoutesDomain(router.network, project, router.region),
                  ...(isDepreferredPeer(p) ? { standbyFor: key } : why ? { noDeprefer: why } : { canDeprefer: true }),
                };
              }),
          );
          return [...routes, ...peers];
        }),
      withdraw: async (path) => {
        if (path.kind === 'gcp-bgp-peer') return withdrawPeer(path);
        kindCheck(path, 'gcp-static-route');
        return isDeprefer(path) ? depreferRoute(path) : withdrawRoute(path);
      },
      restore: async (snapshot) => {
        if (snapshot.kind === 'gcp-bgp-peer') return restorePeer(snapshot);
        kindCheck(snapshot, 'gcp-static-route');
        return restoreRoute(snapshot);
      },
    },

    tunnels: {
      list: () =>
        calls.read((state): TunnelStatus[] =>
          state.gcp.vpnTunnels.map((t) => {
            const router = t.router ? state.gcp.routers.find((r) => r.name === t.router && r.region === t.region) : undefined;
            const url = gcpTunnelUrl(state.gcp.project, t.region, t.name);
            const itf = router?.interfaces.find((i) => i.linkedVpnTunnel === url);
            const peer = itf && router?.bgpPeers.find((p) => p.interfaceName === itf.name);
            return {
              ref: {
                id: gcpTunnelId({ project: state.gcp.project, region: t.region, name: t.name }),
                cloud: 'gcp' as const,
                native: {
                  project: state.gcp.project,
                  region: t.region,
                  name: t.name,
                  gateway: t.gateway,
                  peerIp: t.peerIp,
                  ...(router ? { router: router.name } : {}),
                  ...(peer ? { bgpPeer: peer.name } : {}),
                },
              },
              // GCP ignores routes through a tunnel without an established IKE SA: anything else is down.
              status: t.status === 'ESTABLISHED' ? ('up' as const) : ('down' as const),
              ...(t.detailedStatus ? { detail: t.detailedStatus } : {}),
              ...loadOf(t),
            };
          }),
        ),
    },
  };
}
