/**
 * Guard 1, never black-hole (DESIGN.md §5): after withdrawing some paths, every destination they carried must
 * still be covered, address by address, by at least `minHealthyPaths` healthy paths. Pure.
 */
import { coverIndex } from './cidr';
import { pathIsHealthy, tunnelIsUsable, type View } from './health';
import type { Path } from './types';

export interface CoverageGap {
  destination: string;
  /** How many healthy paths the worst-covered address of the destination would keep. */
  remaining: number;
}

/**
 * Check the destinations of `withdrawing` against the paths that stay. `draining` are the tunnels being taken
 * out of service by this plan (their paths no longer count, wherever they appear).
 */
export function coverageGaps(
  allPaths: readonly Path[],
  withdrawing: readonly Path[],
  draining: ReadonlySet<string>,
  view: View,
  minHealthyPaths: number,
): CoverageGap[] {
  const leaving = new Set(withdrawing.map((p) => p.key));
  const remainingCovers: string[] = [];
  for (const p of allPaths) {
    if (leaving.has(p.key)) continue;
    if (pathIsHealthy(p, view, draining)) remainingCovers.push(...p.destinations);
  }
  // A withdrawn path that the adapter re-points to a healthy fallback tunnel (TGW) keeps its destinations covered.
  for (const p of withdrawing) {
    if ((p.fallbackTunnelIds ?? []).some((id) => tunnelIsUsable(id, view, draining))) remainingCovers.push(...p.destinations);
  }
  const depthOf = coverIndex(remainingCovers);
  const gaps: CoverageGap[] = [];
  const seen = new Set<string>();
  for (const p of withdrawing) {
    for (const d of p.destinations) {
      if (seen.has(d)) continue;
      seen.add(d);
      const remaining = depthOf(d);
      if (remaining < minHealthyPaths) gaps.push({ destination: d, remaining });
    }
  }
  return gaps;
}
