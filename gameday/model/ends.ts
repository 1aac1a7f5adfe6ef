/**
 * What each end of a link does with it right now, read from the clouds' configuration alone (never from a
 * strategy's own records): the GCP end steers GCP→AWS traffic (its routes, or its Cloud Router peer's import
 * policies), the AWS end steers AWS→GCP (its connection's static routes; on a BGP connection what GCP advertises to
 * it — the peer's export policies — since that is the only thing that moves AWS's choice there).
 *
 * - `active`: as configured at the start;
 * - `de-preferred`: still there, but worse than at the start (higher route priority, MED added, AS path prepended, a
 *   more specific route for part of it through another connection of the same AWS gateway) — it carries traffic only
 *   when nothing better is left;
 * - `drained`: gone (routes deleted, peer disabled);
 * - `pinned`: drained, but with more specific routes left through it (a probe's own /32) that carry no production
 *   traffic.
 */
import { contains } from '../../shared/cidr';
import { gcpTunnelUrl } from '../../clouds/gcp/urls';
import type { SimState } from '../../simulator/sim-state';
import { policyEffect } from './traffic';
import type { Link } from './world';

export type EndState = 'active' | 'de-preferred' | 'drained' | 'pinned';
export const END_STATES: readonly EndState[] = ['active', 'de-preferred', 'drained', 'pinned'];

function peerOf(state: SimState, l: Link) {
  const url = gcpTunnelUrl(state.gcp.project, l.gcp.region, l.gcp.name);
  for (const router of state.gcp.routers) {
    const itf = router.interfaces.find((i) => i.linkedVpnTunnel === url);
    const peer = itf && router.bgpPeers.find((p) => p.interfaceName === itf.name);
    if (peer) return { router, peer };
  }
  return undefined;
}

/** The GCP end: static routes through the tunnel, or the BGP peer over it. */
export function gcpEndState(initial: SimState, now: SimState, l: Link): EndState {
  const url = gcpTunnelUrl(initial.gcp.project, l.gcp.region, l.gcp.name);
  const before = initial.gcp.routes.filter((r) => r.nextHopVpnTunnel === url);
  if (before.length > 0) {
    const after = now.gcp.routes.filter((r) => r.nextHopVpnTunnel === url);
    let gone = 0;
    let worse = 0;
    for (const r of before) {
      const same = after.filter((x) => x.destRange === r.destRange);
      if (same.length === 0) gone++;
      else if (Math.min(...same.map((x) => x.priority)) > r.priority) worse++;
    }
    if (gone === before.length) {
      const pinned = after.some((x) => x.destRange.endsWith('/32') && !before.some((b) => b.destRange === x.destRange));
      return pinned ? 'pinned' : 'drained';
    }
    return gone + worse > 0 ? 'de-preferred' : 'active';
  }
  const b = peerOf(initial, l);
  const a = peerOf(now, l);
  if (!b) return 'active';
  if (!a || a.peer.enable !== 'TRUE') return 'drained';
  const med = (x: NonNullable<typeof a>) => {
    const fx = policyEffect(x.router, x.peer.importPolicies);
    return (fx.medSet ?? x.peer.learnedPriority ?? 0) + fx.medAdd;
  };
  return med(a) > med(b) ? 'de-preferred' : 'active';
}

/** The AWS end: the connection's static routes, or (BGP) what GCP advertises to it. */
export function awsEndState(initial: SimState, now: SimState, l: Link): EndState {
  if (l.aws.bgp) {
    const b = peerOf(initial, l);
    const a = peerOf(now, l);
    if (!b) return 'active';
    if (!a || a.peer.enable !== 'TRUE') return 'drained';
    const rank = (x: NonNullable<typeof a>) => {
      const fx = policyEffect(x.router, x.peer.exportPolicies);
      return fx.prepend * 1_000_000 + (fx.medSet ?? x.peer.advertisedRoutePriority ?? 0) + fx.medAdd;
    };
    return rank(a) > rank(b) ? 'de-preferred' : 'active';
  }
  const conn = (s: SimState) => s.aws.vpnConnections.find((c) => c.vpnConnectionId === l.aws.vpnConnectionId);
  const before = conn(initial)?.routes ?? [];
  const after = conn(now)?.routes ?? [];
  const gone = before.filter((r) => !after.some((x) => x.destinationCidrBlock === r.destinationCidrBlock)).length;
  // Worse than at the start: another connection of the same gateway now holds a more specific route inside it, which
  // AWS prefers while that connection is up (longest prefix first), and this one has no route as specific there.
  const gateway = conn(initial)?.vpnGatewayId;
  const gained = now.aws.vpnConnections
    .filter((c) => c.vpnConnectionId !== l.aws.vpnConnectionId && gateway !== undefined && c.vpnGatewayId === gateway)
    .flatMap((c) => {
      const had = new Set(
        initial.aws.vpnConnections.find((x) => x.vpnConnectionId === c.vpnConnectionId)?.routes.map((r) => r.destinationCidrBlock),
      );
      return c.routes.map((r) => r.destinationCidrBlock).filter((d) => !had.has(d));
    });
  const worse = before.filter(
    (r) =>
      after.some((x) => x.destinationCidrBlock === r.destinationCidrBlock) &&
      gained.some(
        (g) =>
          g !== r.destinationCidrBlock &&
          contains(r.destinationCidrBlock, g) &&
          // unless this connection holds as specific a route for that part itself (it shares the preference)
          !after.some((x) => contains(x.destinationCidrBlock, g) && prefixLength(x.destinationCidrBlock) >= prefixLength(g)),
      ),
  ).length;
  if (before.length === 0 || gone + worse === 0) return 'active';
  if (gone < before.length) return 'de-preferred';
  const pinned = after.some((x) => x.destinationCidrBlock.endsWith('/32'));
  return pinned ? 'pinned' : 'drained';
}

const prefixLength = (cidr: string): number => Number(cidr.split('/')[1]);

export const inService = (s: EndState): boolean => s === 'active';
