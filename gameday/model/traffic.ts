/**
 * Where each cloud sends a packet, given the routes and tunnel status in the simulated world: the traffic half of
 * the game day's model. Pure: a `SimState` in, packets per second per tunnel out.
 *
 * GCP (documented): the most specific route wins; among equals the lowest priority value; routes through a
 * tunnel without an IKE SA (not ESTABLISHED) are ignored; equal-priority routes share flows (ECMP), modelled as
 * equal shares — or, when a scenario sets `flows`, by hashing that many flows onto the routes with a seeded hash, so
 * shares are as uneven as real flow hashing makes them. BGP-learned routes come only from enabled peers over established tunnels. Their priority is the
 * MED the AWS side advertises; AWS does not document a default, so the model uses 100 (an assumption).
 * https://cloud.google.com/vpc/docs/routes#routing_in_vpc , https://cloud.google.com/network-connectivity/docs/router/concepts/learned-routes
 *
 * AWS virtual private gateway: longest prefix first, then static VPN routes over BGP-propagated ones
 * (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html). Inside one static connection AWS sends
 * on one UP tunnel of its own choosing and moves only when it goes down
 * (https://repost.aws/knowledge-center/vpn-configure-tunnel-preference); the model takes the first UP tunnel.
 * Which of several connections with the same static prefix AWS uses is not documented: the model takes the first
 * connection (in the order EC2 lists them) that has the route and an UP tunnel, and says so in the docs. BGP
 * connections: one preferred tunnel among those whose session is up (shortest AS path, lowest MED; equal here).
 */
import { contains } from '../../shared/cidr';
import { chainEffect, type PolicyEffect, type RoutePolicy } from '../../clouds/gcp/route-policy';
import { parseTunnelUrl } from '../../clouds/gcp/urls';
import type { SimState } from '../../simulator/sim-state';
import { awsTunnelId, gcpTunnelId } from '../../shared/types';
import { piecesOf } from './pieces';
import { hash32 } from './random';

/** One destination of one direction: a prefix as seen from one routing domain (GCP network, AWS gateway). */
export interface Destination {
  domain: string;
  prefix: string;
}

export interface Flows {
  /** GCP→AWS packets per second entering each GCP tunnel (by tunnel id). */
  gcpToAws: Map<string, number>;
  /** AWS→GCP packets per second entering each AWS tunnel (by tunnel id). */
  awsToGcp: Map<string, number>;
  /** Packets per second with no usable path (black-holed). */
  unreachable: { gcpToAws: number; awsToGcp: number };
}

/** The priority GCP gives routes learned over BGP from AWS in this model (see the header). */
export const LEARNED_ROUTE_PRIORITY = 100;

type Router = SimState['gcp']['routers'][number];
type Peer = Router['bgpPeers'][number];

/** What a peer's attached BGP route policies do to its routes: the one reading of a policy, shared with the adapters. */
export const policyEffect = (router: Router, names: readonly string[] | undefined): PolicyEffect =>
  chainEffect((router.routePolicies ?? []) as RoutePolicy[], names);

/** The Cloud Router peer that runs BGP over the GCP tunnel whose peer IP is `awsOutsideIp`. */
function gcpPeerFor(state: SimState, awsOutsideIp: string): { router: Router; peer: Peer } | undefined {
  const t = state.gcp.vpnTunnels.find((x) => x.peerIp === awsOutsideIp && x.router);
  if (!t) return undefined;
  const router = state.gcp.routers.find((r) => r.name === t.router && r.region === t.region);
  const itf = router?.interfaces.find((i) => parseTunnelUrl(i.linkedVpnTunnel)?.name === t.name);
  const peer = itf && router?.bgpPeers.find((p) => p.interfaceName === itf.name);
  return router && peer ? { router, peer } : undefined;
}

const prefixLength = (cidr: string): number => Number(cidr.split('/')[1] ?? 0);

const networkName = (url: string): string => url.split('/').at(-1) ?? url;

/** The destinations present at the start of a run, each direction: what the offered traffic is spread over. */
export function destinationsOf(state: SimState): { gcpToAws: Destination[]; awsToGcp: Destination[] } {
  const gcp = new Map<string, Destination>();
  for (const r of state.gcp.routes)
    gcp.set(`${networkName(r.network)} ${r.destRange}`, { domain: networkName(r.network), prefix: r.destRange });
  for (const router of state.gcp.routers) {
    for (const p of router.bgpPeers)
      for (const prefix of p.learnedPrefixes)
        gcp.set(`${networkName(router.network)} ${prefix}`, { domain: networkName(router.network), prefix });
  }
  const aws = new Map<string, Destination>();
  for (const c of state.aws.vpnConnections) {
    const domain = c.vpnGatewayId ?? c.transitGatewayId ?? c.vpnConnectionId;
    for (const r of c.routes) aws.set(`${domain} ${r.destinationCidrBlock}`, { domain, prefix: r.destinationCidrBlock });
    for (const prefix of c.learnedPrefixes ?? []) aws.set(`${domain} ${prefix}`, { domain, prefix });
  }
  const sorted = (m: Map<string, Destination>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, d]) => d);
  return { gcpToAws: sorted(gcp), awsToGcp: sorted(aws) };
}

interface Candidate {
  tunnelId: string;
  prefixLength: number;
  priority: number;
}

/** How GCP spreads flows over equal routes: exact shares, or `flows` flows placed by a seeded hash. */
export interface Spread {
  flows?: number;
  seed: number;
}

/** GCP: the tunnels a packet to `d` may take, and their shares. Empty when unreachable. */
export function gcpChoice(state: SimState, d: Destination, spread: Spread = { seed: 1 }): Map<string, number> {
  const project = state.gcp.project;
  const established = new Set(
    state.gcp.vpnTunnels.filter((t) => t.status === 'ESTABLISHED').map((t) => gcpTunnelId({ project, region: t.region, name: t.name })),
  );
  const candidates: Candidate[] = [];
  for (const r of state.gcp.routes) {
    if (networkName(r.network) !== d.domain || !contains(r.destRange, d.prefix)) continue;
    const t = parseTunnelUrl(r.nextHopVpnTunnel);
    const id = t && gcpTunnelId(t);
    if (id && established.has(id)) candidates.push({ tunnelId: id, prefixLength: prefixLength(r.destRange), priority: r.priority });
  }
  for (const router of state.gcp.routers) {
    if (networkName(router.network) !== d.domain) continue;
    for (const p of router.bgpPeers) {
      if (p.enable !== 'TRUE') continue;
      const itf = router.interfaces.find((i) => i.name === p.interfaceName);
      const t = itf && parseTunnelUrl(itf.linkedVpnTunnel);
      const id = t && gcpTunnelId({ ...t, project: t.project || project });
      if (!id || !established.has(id)) continue;
      // The learned route's priority is its MED, after the peer's import policies.
      const fx = policyEffect(router, p.importPolicies);
      const med = (fx.medSet ?? p.learnedPriority ?? LEARNED_ROUTE_PRIORITY) + fx.medAdd;
      for (const prefix of p.learnedPrefixes) {
        if (contains(prefix, d.prefix)) candidates.push({ tunnelId: id, prefixLength: prefixLength(prefix), priority: med });
      }
    }
  }
  return ecmp(best(candidates), d, spread);
}

/** AWS: the one tunnel a packet to `d` takes (a map with one entry), or empty when unreachable. */
export function awsChoice(state: SimState, d: Destination, bgpSessionUp: (awsTunnelId: string) => boolean): Map<string, number> {
  const region = state.aws.region;
  const statics: Candidate[] = [];
  const learned: Candidate[] = [];
  for (const c of state.aws.vpnConnections) {
    if (c.state !== 'available') continue;
    if ((c.vpnGatewayId ?? c.transitGatewayId ?? c.vpnConnectionId) !== d.domain) continue;
    const up = c.tunnels
      .filter((t) => t.status === 'UP')
      .map((t) => awsTunnelId({ region, vpnConnectionId: c.vpnConnectionId, outsideIpAddress: t.outsideIpAddress }));
    if (c.routing === 'bgp') {
      for (const t of c.tunnels.filter((x) => x.status === 'UP')) {
        const id = awsTunnelId({ region, vpnConnectionId: c.vpnConnectionId, outsideIpAddress: t.outsideIpAddress });
        if (!bgpSessionUp(id)) continue;
        // What GCP advertises over this session, after the peer's export policies: AWS prefers the shortest AS
        // path, then the lowest MED (the model ranks by prepends, then MED).
        const gp = gcpPeerFor(state, t.outsideIpAddress);
        const fx = gp ? policyEffect(gp.router, gp.peer.exportPolicies) : { medAdd: 0, prepend: 0 };
        const rank = fx.prepend * 1_000_000 + (fx.medSet ?? gp?.peer.advertisedRoutePriority ?? 0) + fx.medAdd;
        for (const prefix of c.learnedPrefixes ?? [])
          if (contains(prefix, d.prefix)) learned.push({ tunnelId: id, prefixLength: prefixLength(prefix), priority: rank });
      }
      continue;
    }
    // A connection's own longest matching route (it may hold a prefix and a more specific part of it).
    const route = c.routes
      .filter((r) => r.state === 'available' && contains(r.destinationCidrBlock, d.prefix))
      .sort((a, b) => prefixLength(b.destinationCidrBlock) - prefixLength(a.destinationCidrBlock))[0];
    if (route && up[0]) statics.push({ tunnelId: up[0], prefixLength: prefixLength(route.destinationCidrBlock), priority: 0 });
  }
  const longest = Math.max(-1, ...statics.map((c) => c.prefixLength), ...learned.map((c) => c.prefixLength));
  const bestLearned = learned.filter((c) => c.prefixLength === longest).sort((a, b) => a.priority - b.priority)[0];
  const pick = statics.find((c) => c.prefixLength === longest) ?? bestLearned;
  return pick ? new Map([[pick.tunnelId, 1]]) : new Map();
}

function best(cs: Candidate[]): Candidate[] {
  if (cs.length === 0) return [];
  const longest = Math.max(...cs.map((c) => c.prefixLength));
  const specific = cs.filter((c) => c.prefixLength === longest);
  const top = Math.min(...specific.map((c) => c.priority));
  return specific.filter((c) => c.priority === top);
}

function ecmp(cs: Candidate[], d: Destination, spread: Spread): Map<string, number> {
  const shares = new Map<string, number>();
  if (!spread.flows || cs.length < 2) {
    for (const c of cs) shares.set(c.tunnelId, (shares.get(c.tunnelId) ?? 0) + 1 / cs.length);
    return shares;
  }
  // Each flow's hash picks one of the equal routes (in a stable order), as a 5-tuple hash would.
  const ids = cs.map((c) => c.tunnelId).sort();
  for (let f = 0; f < spread.flows; f++) {
    const id = ids[hash32(spread.seed, `${d.domain} ${d.prefix} ${f}`) % ids.length]!;
    shares.set(id, (shares.get(id) ?? 0) + 1 / spread.flows);
  }
  return shares;
}

/** Spread the offered traffic evenly over the destinations and follow each cloud's choice. */
export function flowsOf(
  state: SimState,
  destinations: { gcpToAws: readonly Destination[]; awsToGcp: readonly Destination[] },
  offered: { gcpToAwsPps: number; awsToGcpPps: number },
  bgpSessionUp: (awsTunnelId: string) => boolean,
  hashing: Spread = { seed: 1 },
): Flows {
  const flows: Flows = { gcpToAws: new Map(), awsToGcp: new Map(), unreachable: { gcpToAws: 0, awsToGcp: 0 } };
  const spread = (
    dests: readonly Destination[],
    pps: number,
    choose: (d: Destination) => Map<string, number>,
    into: Map<string, number>,
    dir: 'gcpToAws' | 'awsToGcp',
  ) => {
    if (dests.length === 0) {
      flows.unreachable[dir] += pps;
      return;
    }
    const each = pps / dests.length;
    for (const whole of dests) {
      for (const piece of piecesOf(whole.prefix, routesIn(dir, whole.domain))) {
        const d = { ...whole, prefix: piece.prefix };
        const part = each * piece.share;
        const shares = choose(d);
        if (shares.size === 0) flows.unreachable[dir] += part;
        for (const [id, share] of shares) into.set(id, (into.get(id) ?? 0) + part * share);
      }
    }
  };
  // AWS routes a destination apart where a gateway holds more specific static routes inside it (a de-preferred
  // route's halves on the other connections). GCP's lever changes priorities, never prefixes: its destinations stay whole.
  const routesIn = (dir: 'gcpToAws' | 'awsToGcp', domain: string): string[] =>
    dir === 'gcpToAws'
      ? []
      : state.aws.vpnConnections
          .filter((c) => c.state === 'available' && (c.vpnGatewayId ?? c.transitGatewayId ?? c.vpnConnectionId) === domain)
          .flatMap((c) => c.routes.filter((r) => r.state === 'available').map((r) => r.destinationCidrBlock));
  spread(destinations.gcpToAws, offered.gcpToAwsPps, (d) => gcpChoice(state, d, hashing), flows.gcpToAws, 'gcpToAws');
  spread(destinations.awsToGcp, offered.awsToGcpPps, (d) => awsChoice(state, d, bgpSessionUp), flows.awsToGcp, 'awsToGcp');
  return flows;
}
