/**
 * De-preferring an AWS VGW static route (make-before-break). Shared by the EC2 adapter and the simulator, so both
 * recognise, list and settle it the same way. Pure.
 *
 * A static route on a VPN connection has no priority to make worse, and deleting it (the old drain) leaves its
 * destinations with no route at all the moment the connections that took its traffic go down: AWS→GCP traffic is
 * black-holed until someone puts the route back. AWS does have a preference, though: a virtual private gateway uses
 * the longest matching prefix among connections whose tunnel endpoints are healthy, and endpoint health comes before
 * every other route attribute (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-route-priority.html). So a drain
 * keeps the drained connection's route and adds both halves of its prefix (one bit longer) to every other connection
 * of the gateway that routes the prefix itself: they win while they are up, and when they all go down AWS falls back
 * on the drained connection by itself, as it would with no automation at all.
 *
 * Which route is de-preferred is kept in the cloud, on the connection: a tag per prefix. A route with no priority field
 * has nowhere else to say it, and the tag makes the halves recognisable as tunnel-guard's (a half of a prefix that is
 * de-preferred somewhere in the gateway), so a restore removes exactly what the drain added and nothing of the
 * operator's. A drain refuses to de-prefer where a half already exists and the prefix is not de-preferred anywhere:
 * such a half is the operator's and could not be told apart.
 */
import ipaddr from 'ipaddr.js';

/** The tag key that marks `cidr` as de-preferred on the connection that carries the tag. */
export const STANDBY_TAG_PREFIX = 'tunnel-guard:standby:';
export const standbyTagKey = (cidr: string): string => `${STANDBY_TAG_PREFIX}${cidr}`;
/** The tag's value: for a human reading the console. */
export const STANDBY_TAG_VALUE = 'de-preferred by tunnel-guard: the halves of this prefix on the other connections carry its traffic';

/** The key of the standby a de-preferred route is listed as; the original's key is `vpn-…:cidr`. */
export const STANDBY_KEY_SUFFIX = '#standby';

/** The prefixes a connection's tags mark as de-preferred. */
export function standbyCidrsOf(tags: Readonly<Record<string, string>> | undefined): Set<string> {
  return new Set(
    Object.keys(tags ?? {})
      .filter((k) => k.startsWith(STANDBY_TAG_PREFIX))
      .map((k) => k.slice(STANDBY_TAG_PREFIX.length)),
  );
}

/** The two halves of an IPv4 prefix (one bit longer), or undefined for a host route or anything not IPv4. */
export function halvesOf(cidr: string): [string, string] | undefined {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(cidr);
  } catch {
    return undefined;
  }
  const [addr, len] = parsed;
  // A virtual private gateway carries IPv4 only.
  if (addr.kind() !== 'ipv4' || len >= 32) return undefined;
  const base = (addr.toByteArray().reduce((a, b) => a * 256 + b, 0) >>> (32 - len)) * 2 ** (32 - len);
  const ip = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  return [`${ip(base)}/${len + 1}`, `${ip(base + 2 ** (31 - len))}/${len + 1}`];
}

/** A connection as the de-preference sees it. */
export interface VgwConnectionView {
  id: string;
  /** `vgw:…` for a virtual private gateway; anything else has no static-route lever here. */
  domain?: string;
  /** Static routes that exist or are being created (not `deleting`/`deleted`). */
  routes: readonly string[];
  /** Prefixes this connection's tags mark as de-preferred. */
  standby: ReadonlySet<string>;
}

export interface RouteChange {
  vpnConnectionId: string;
  cidr: string;
}

/** What the halves in each gateway should be, and what must change to get there: creates first, then removals. */
export interface CoverChanges {
  create: RouteChange[];
  remove: RouteChange[];
}

const onGateway = (c: VgwConnectionView): boolean => !!c.domain?.startsWith('vgw:');

/** The prefixes de-preferred anywhere in `domain` (on a connection that still routes them). */
function depreferredIn(conns: readonly VgwConnectionView[], domain: string): Set<string> {
  const out = new Set<string>();
  for (const c of conns) if (c.domain === domain) for (const p of c.standby) if (c.routes.includes(p)) out.add(p);
  return out;
}

/** Is this route one of tunnel-guard's halves: one half of a prefix that is de-preferred in the same gateway? */
export function isCover(conns: readonly VgwConnectionView[], c: VgwConnectionView, cidr: string): boolean {
  if (!onGateway(c)) return false;
  for (const p of depreferredIn(conns, c.domain!)) if (halvesOf(p)?.includes(cidr)) return true;
  return false;
}

/**
 * The halves that should exist: both halves of every prefix de-preferred in a gateway, on every connection of that
 * gateway that routes the prefix itself and has not de-preferred it.
 */
export function wantedCovers(conns: readonly VgwConnectionView[]): RouteChange[] {
  const out: RouteChange[] = [];
  for (const c of conns.filter(onGateway))
    for (const p of depreferredIn(conns, c.domain!))
      if (c.routes.includes(p) && !c.standby.has(p)) for (const h of halvesOf(p) ?? []) out.push({ vpnConnectionId: c.id, cidr: h });
  return out;
}

/**
 * The changes that take every gateway's halves from `current` (what the cloud shows) to what `target` (the cloud after
 * this change of tags or routes) wants. The halves present are recognised in `current`, where their de-preference is
 * still marked: once a restore drops the mark they could no longer be told from the operator's. Only tunnel-guard's
 * halves are ever removed.
 */
export function coverChanges(current: readonly VgwConnectionView[], target: readonly VgwConnectionView[]): CoverChanges {
  const key = (r: RouteChange): string => `${r.vpnConnectionId} ${r.cidr}`;
  const wanted = wantedCovers(target);
  const wantedKeys = new Set(wanted.map(key));
  const present = current.flatMap((c) => c.routes.filter((r) => isCover(current, c, r)).map((cidr) => ({ vpnConnectionId: c.id, cidr })));
  const presentKeys = new Set(present.map(key));
  return { create: wanted.filter((r) => !presentKeys.has(key(r))), remove: present.filter((r) => !wantedKeys.has(key(r))) };
}

/** Why this connection's route for `cidr` cannot be de-preferred (it is withdrawn instead), or undefined. */
export function noDepreferReason(conns: readonly VgwConnectionView[], c: VgwConnectionView, cidr: string): string | undefined {
  if (!onGateway(c)) return 'the connection is not on a virtual private gateway';
  const halves = halvesOf(cidr);
  if (!halves) return `${cidr} has no longer prefix to prefer the other connections by`;
  if (depreferredIn(conns, c.domain!).has(cidr)) return undefined;
  for (const o of conns)
    if (o.domain === c.domain)
      for (const h of halves)
        if (o.routes.includes(h)) return `${h} already has a route on ${o.id}: tunnel-guard could not tell its own halves from it`;
  return undefined;
}

/** The connections with one change applied, for planning the halves before the cloud shows the change. */
export function withChange(
  conns: readonly VgwConnectionView[],
  vpnConnectionId: string,
  change: { standby?: { cidr: string; on: boolean }; route?: { cidr: string; on: boolean } },
): VgwConnectionView[] {
  return conns.map((c) => {
    if (c.id !== vpnConnectionId) return c;
    const standby = new Set(c.standby);
    if (change.standby) change.standby.on ? standby.add(change.standby.cidr) : standby.delete(change.standby.cidr);
    let routes = [...c.routes];
    if (change.route)
      routes = change.route.on ? [...new Set([...routes, change.route.cidr])] : routes.filter((r) => r !== change.route!.cidr);
    return { ...c, routes, standby };
  });
}
