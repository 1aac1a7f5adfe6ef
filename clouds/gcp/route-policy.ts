/**
 * De-preferring an HA VPN tunnel's Cloud Router BGP peer with BGP route policies, instead of disabling the peer: the
 * session stays up (so AWS's TunnelState stays 1 and no alarm fires), and each side moves its traffic to the other
 * tunnels because this peer's routes are now worse — yet they still carry traffic when nothing better exists.
 * Shared by the real Compute adapter and the simulator (same names, same terms, same preconditions). Pure.
 *
 * - Import (routes GCP learns from AWS): raise their MED, which is the priority GCP gives learned routes, so GCP
 *   prefers the other peers' copies of the same prefixes.
 * - Export (routes GCP advertises to AWS): prepend our ASN three times and raise the MED. AWS chooses among BGP
 *   routes by the shortest AS_PATH first, then the lowest MED, so it prefers the other tunnels.
 *
 * Policies are router subresources (routers.updateRoutePolicy creates or replaces one; routers.getRoutePolicy reads
 * it; routers.deleteRoutePolicy removes it) and are attached per peer in `bgpPeers[].importPolicies` /
 * `exportPolicies`, which routers.patch replaces with the whole peer list. They require a private peer ASN
 * (RFC 6996), and a policy that fails to evaluate fails open (the route is accepted unchanged).
 * https://cloud.google.com/network-connectivity/docs/router/concepts/bgp-route-policies-overview
 * https://cloud.google.com/network-connectivity/docs/router/how-to/bgp-route-policies/apply-policies
 * https://cloud.google.com/network-connectivity/docs/router/reference/bgp-route-policy-reference
 * https://cloud.google.com/compute/docs/reference/rest/v1/routers/updateRoutePolicy
 * https://cloud.google.com/compute/docs/reference/rest/v1/RoutePolicy
 */

export const IMPORT_POLICY = 'tg-deprefer-import';
export const EXPORT_POLICY = 'tg-deprefer-export';

/** How much worse the de-preferred peer's routes get (added to their MED, both directions). */
export const MED_PENALTY = 10_000;
/** How many times our ASN is prepended on advertised routes. */
export const AS_PATH_PREPEND = 3;

export interface RoutePolicyTerm {
  priority: number;
  match?: { expression: string };
  actions: { expression: string }[];
}
export interface RoutePolicy {
  name: string;
  type: 'ROUTE_POLICY_TYPE_IMPORT' | 'ROUTE_POLICY_TYPE_EXPORT';
  description?: string;
  terms: RoutePolicyTerm[];
}

/** Our two policies for a router with ASN `routerAsn`. One term each, no match: it applies to every route. */
export function depreferPolicies(routerAsn: number): RoutePolicy[] {
  return [
    {
      name: IMPORT_POLICY,
      type: 'ROUTE_POLICY_TYPE_IMPORT',
      description: 'tunnel-guard: learned routes of a de-preferred peer get a higher MED (standby)',
      terms: [{ priority: 0, actions: [{ expression: `med.add(${MED_PENALTY})` }] }],
    },
    {
      name: EXPORT_POLICY,
      type: 'ROUTE_POLICY_TYPE_EXPORT',
      description: 'tunnel-guard: routes advertised to a de-preferred peer get a longer AS path and a higher MED (standby)',
      terms: [
        {
          priority: 0,
          actions: [
            { expression: `asPath.prependSequence([${Array(AS_PATH_PREPEND).fill(routerAsn).join(', ')}])` },
            { expression: `med.add(${MED_PENALTY})` },
          ],
        },
      ],
    },
  ];
}

/** RFC 6996 private ASNs: 64512–65534 and 4200000000–4294967294. */
export const isPrivateAsn = (asn: number): boolean => (asn >= 64512 && asn <= 65534) || (asn >= 4_200_000_000 && asn <= 4_294_967_294);

/** Does the peer carry our policies (it is de-preferred)? */
export const isDepreferredPeer = (peer: {
  importPolicies?: readonly string[] | null;
  exportPolicies?: readonly string[] | null;
}): boolean => !!peer.importPolicies?.includes(IMPORT_POLICY) || !!peer.exportPolicies?.includes(EXPORT_POLICY);

/**
 * Why this peer cannot be de-preferred by route policies (undefined = it can). Then a drain disables it instead, and
 * says so. A peer with route policies of its own is left alone: where ours would go in its chain decides whether its
 * terms undo ours (or stop evaluation first), and a longer chain may pass the router's policy limits.
 */
export function whyNotDeprefer(
  peer: { peerAsn?: number | null; importPolicies?: readonly string[] | null; exportPolicies?: readonly string[] | null },
  routerAsn: number | null | undefined,
): string | undefined {
  const asn = Number(peer.peerAsn ?? NaN);
  if (!Number.isFinite(asn) || !isPrivateAsn(asn))
    return `peer ASN ${Number.isFinite(asn) ? asn : '(none)'} is not a private ASN (BGP route policies need one)`;
  if (!Number.isFinite(Number(routerAsn ?? NaN))) return 'the Cloud Router has no ASN to prepend';
  const own = [...(peer.importPolicies ?? []), ...(peer.exportPolicies ?? [])].filter((p) => p !== IMPORT_POLICY && p !== EXPORT_POLICY);
  if (own.length > 0) return `the peer already has route policies of its own (${own.join(', ')}): not changed by tunnel-guard`;
  return undefined;
}

/** The peer with our policies attached (first in each chain). */
export function withDepreferPolicies<P extends { importPolicies?: string[] | null; exportPolicies?: string[] | null }>(peer: P): P {
  const add = (list: string[] | null | undefined, name: string) => (list?.includes(name) ? [...list] : [name, ...(list ?? [])]);
  return { ...peer, importPolicies: add(peer.importPolicies, IMPORT_POLICY), exportPolicies: add(peer.exportPolicies, EXPORT_POLICY) };
}

/** What a chain of policies does to a route, as Cloud Router applies it. */
export interface PolicyEffect {
  medAdd: number;
  /** The last `med.set(n)` of the chain, if any (an add after it still adds). */
  medSet?: number;
  prepend: number;
}

/**
 * What the policies named in a chain do to every route, as Cloud Router applies them: each policy's terms by
 * priority, every action in order. Understood: `med.add(n)`, `med.set(n)` and `asPath.prependSequence([...])`, in
 * terms without a match (or matching `true`), which apply to every route. A policy that fails to evaluate fails open,
 * so anything else changes nothing. The one reading of a policy for the real adapter's tests, the simulator and the
 * game day's model of route selection.
 * https://cloud.google.com/network-connectivity/docs/router/reference/bgp-route-policy-reference
 */
export function chainEffect(policies: readonly RoutePolicy[], names: readonly string[] | null | undefined): PolicyEffect {
  const out: PolicyEffect = { medAdd: 0, prepend: 0 };
  for (const name of names ?? []) {
    const policy = policies.find((p) => p.name === name);
    for (const term of [...(policy?.terms ?? [])].sort((a, b) => a.priority - b.priority)) {
      const match = term.match?.expression.trim();
      if (match && match !== 'true') continue;
      for (const { expression } of term.actions) {
        const e = expression.trim();
        const add = /^med\.add\((\d+)\)$/.exec(e);
        const set = /^med\.set\((\d+)\)$/.exec(e);
        const prepend = /^asPath\.prependSequence\(\[([\d,\s]*)\]\)$/.exec(e);
        if (add) out.medAdd += Number(add[1]);
        else if (set) out.medSet = Number(set[1]);
        else if (prepend) out.prepend += prepend[1]!.split(',').filter((x) => x.trim()).length;
      }
    }
  }
  return out;
}

/** What the policies attached to a peer do: on the routes it learns (import) and on those it advertises (export). */
export function routePolicyEffect(
  policies: readonly RoutePolicy[],
  peer: { importPolicies?: readonly string[] | null; exportPolicies?: readonly string[] | null },
): { importMedAdd: number; exportMedAdd: number; exportPrepend: number } {
  const imp = chainEffect(policies, peer.importPolicies);
  const exp = chainEffect(policies, peer.exportPolicies);
  return { importMedAdd: imp.medAdd, exportMedAdd: exp.medAdd, exportPrepend: exp.prepend };
}
