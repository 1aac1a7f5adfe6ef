/**
 * CIDR arithmetic for the never-black-hole guard, on ipaddr.js (parsing IPv4/IPv6 prefixes by hand is where
 * subtle bugs live: leading zeros, IPv4-mapped IPv6, host bits set).
 */
import ipaddr from 'ipaddr.js';

export interface Range {
  family: 4 | 6;
  first: bigint;
  last: bigint;
}

const toBig = (bytes: number[]): bigint => bytes.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);

/** Parse a CIDR into its address range, or undefined when it is not a valid CIDR. */
export function parseCidr(cidr: string): Range | undefined {
  if (typeof cidr !== 'string' || !cidr.includes('/')) return undefined;
  try {
    const [addr, len] = ipaddr.parseCIDR(cidr.trim());
    const bits = addr.kind() === 'ipv4' ? 32 : 128;
    const base = toBig(addr.toByteArray());
    const hostBits = BigInt(bits - len);
    const first = (base >> hostBits) << hostBits;
    const last = first | ((1n << hostBits) - 1n);
    return { family: addr.kind() === 'ipv4' ? 4 : 6, first, last };
  } catch {
    return undefined;
  }
}

/** Does `outer` contain every address of `inner`? */
export function contains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return !!o && !!i && o.family === i.family && o.first <= i.first && i.last <= o.last;
}

/**
 * The smallest number of `covers` that cover any single address of `target` — i.e. how many independent
 * paths every address of the target still has. A /16 covers a /24 inside it; two /25s together cover their /24
 * once; a gap anywhere gives 0.
 */
export function minCoverDepth(target: string, covers: readonly string[]): number {
  return coverIndex(covers)(target);
}

/**
 * Pre-parse covers once (deduplicated, with multiplicity) and answer `minCoverDepth` for many targets. Redundant
 * designs repeat the same prefixes over many tunnels, so deduplication keeps this near O(unique prefixes).
 */
export function coverIndex(covers: readonly string[]): (target: string) => number {
  const counts = new Map<string, number>();
  for (const c of covers) counts.set(c, (counts.get(c) ?? 0) + 1);
  const ranges: { r: Range; n: number }[] = [];
  for (const [c, n] of counts) {
    const r = parseCidr(c);
    if (r) ranges.push({ r, n });
  }
  return (target: string) => {
    const t = parseCidr(target);
    if (!t) return 0;
    // Sweep line over the target's range: +n where a cover starts, -n after it ends.
    const events = new Map<bigint, number>();
    const bump = (at: bigint, d: number) => events.set(at, (events.get(at) ?? 0) + d);
    for (const { r, n } of ranges) {
      if (r.family !== t.family || r.last < t.first || r.first > t.last) continue;
      bump(r.first < t.first ? t.first : r.first, n);
      if (r.last < t.last) bump(r.last + 1n, -n);
    }
    if (!events.has(t.first)) return 0;
    let depth = 0;
    let min = Number.POSITIVE_INFINITY;
    for (const at of [...events.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
      depth += events.get(at)!;
      min = Math.min(min, depth);
    }
    return min === Number.POSITIVE_INFINITY ? 0 : min;
  };
}
