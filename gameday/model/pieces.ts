/**
 * Where a destination prefix is routed apart: when a domain holds routes more specific than a destination (a /17 inside
 * the /16 the traffic goes to), packets to each part follow that part's routes. The model splits the destination in
 * halves, recursively, until no route lies strictly inside a piece, and gives each piece its share of the addresses
 * (traffic is spread evenly over a destination's addresses). Pure.
 */
import ipaddr from 'ipaddr.js';
import { contains } from '../../shared/cidr';

export interface Piece {
  prefix: string;
  /** The piece's share of the destination's addresses. */
  share: number;
}

/** The two halves of a prefix (one bit longer), or undefined for a host route. */
export function halves(prefix: string): [string, string] | undefined {
  const [addr, len] = ipaddr.parseCIDR(prefix);
  const bytes = addr.toByteArray();
  const bits = bytes.length * 8;
  if (len >= bits) return undefined;
  const base = bytes.reduce((a, b) => (a << 8n) | BigInt(b), 0n);
  const host = BigInt(bits - len);
  const first = (base >> host) << host;
  const second = first | (1n << (host - 1n));
  const text = (n: bigint): string => {
    const out: number[] = [];
    for (let i = bytes.length - 1; i >= 0; i--) out[i] = Number((n >> BigInt(8 * (bytes.length - 1 - i))) & 255n);
    return ipaddr.fromByteArray(out).toString();
  };
  return [`${text(first)}/${len + 1}`, `${text(second)}/${len + 1}`];
}

/** The pieces of `prefix` that `routes` (the domain's route prefixes) route apart. */
export function piecesOf(prefix: string, routes: readonly string[]): Piece[] {
  const inside = routes.filter((r) => r !== prefix && contains(prefix, r));
  const h = inside.length ? halves(prefix) : undefined;
  if (!h) return [{ prefix, share: 1 }];
  return h.flatMap((p) => piecesOf(p, inside).map((x) => ({ prefix: x.prefix, share: x.share / 2 })));
}
