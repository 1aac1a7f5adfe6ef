/**
 * Guard 1, never black-hole: after withdrawing some paths, every destination they carried must
 * still be covered, address by address, by at least `minHealthyPaths` healthy paths of the same routing domain
 * that apply to the same instances. Pure.
 */
import { coverIndex } from './cidr';
import { pathIsHealthy, type View } from './health';
import type { Path } from './types';

export interface CoverageGap {
  destination: string;
  /** How many healthy paths the worst-covered address of the destination would keep. */
  remaining: number;
}

const tagsKey = (p: Path): string => [...(p.appliesTo ?? [])].sort().join(',');
const groupKey = (domain: string | undefined, tags: string): string => `${domain ?? ''}\u0000${tags}`;

/**
 * Check the destinations of `withdrawing` against the paths that stay. `draining` are the tunnels being taken
 * out of service by this plan (their paths no longer count, wherever they appear). A remaining path covers a
 * withdrawn one only within the same domain (another VPC network or gateway carries other traffic), and only if
 * it applies to every instance the withdrawn one applied to (an untagged route, or one with the same tags).
 */
export function coverageGaps(
  allPaths: readonly Path[],
  withdrawing: readonly Path[],
  draining: ReadonlySet<string>,
  view: View,
  minHealthyPaths: number,
): CoverageGap[] {
  const leaving = new Set(withdrawing.map((p) => p.key));
  const covers = new Map<string, string[]>();
  const add = (p: Path) => {
    const k = groupKey(p.domain, tagsKey(p));
    const list = covers.get(k);
    if (list) list.push(...p.destinations);
    else covers.set(k, [...p.destinations]);
  };
  // A standby waits behind better routes: it keeps an address reachable but is never a healthy path of its own.
  for (const p of allPaths) if (!leaving.has(p.key) && !p.standbyFor && pathIsHealthy(p, view, draining)) add(p);
  // A withdrawn path that the adapter re-points to a healthy fallback tunnel (TGW) keeps its destinations covered.
  // Judged like any path: no fallback tunnel may be degraded (AWS may pick it), at least one must be healthy.
  for (const p of withdrawing)
    if (p.fallbackTunnelIds?.length && pathIsHealthy({ ...p, tunnelIds: p.fallbackTunnelIds }, view, draining)) add(p);

  const indexes = new Map<string, (target: string) => number>();
  const depthFor = (p: Path): ((target: string) => number) => {
    const tags = tagsKey(p);
    const k = groupKey(p.domain, tags);
    let f = indexes.get(k);
    if (!f) {
      const list = [...(covers.get(groupKey(p.domain, '')) ?? []), ...(tags ? (covers.get(k) ?? []) : [])];
      f = coverIndex(list);
      indexes.set(k, f);
    }
    return f;
  };

  const gaps: CoverageGap[] = [];
  const seen = new Set<string>();
  for (const p of withdrawing) {
    for (const d of p.destinations) {
      const id = `${groupKey(p.domain, tagsKey(p))}\u0000${d}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const remaining = depthFor(p)(d);
      if (remaining < minHealthyPaths) gaps.push({ destination: p.domain ? `${d} in ${p.domain}` : d, remaining });
    }
  }
  return gaps;
}
