/**
 * One y-scale per scenario for every chart, shared by all its strategies' panels: with a scale per panel the
 * strategy that loses least would fill its chart just as the one that loses most does, and the panels would only
 * compare by reading their numbers.
 */
import type { Timeline } from '../run';

/** Packets lost in one minute, by why: in the tunnels (path, MTU, a dead tunnel), over capacity, or with no path at all. */
export interface Drops {
  tunnels: number;
  throttled: number;
  unreachable: number;
}

/** Per minute, from the timeline's running total and its per-minute throttled and unreachable counts. */
export function dropsOf(tl: Timeline): Drops[] {
  let before = 0;
  return tl.minutes.map((m) => {
    const all = m.lostTotal - before;
    before = m.lostTotal;
    return { tunnels: Math.max(0, all - m.throttled - m.unreachable), throttled: m.throttled, unreachable: m.unreachable };
  });
}

export interface Scale {
  /** Packets per second into a link, one direction. */
  traffic: number;
  /** Packets lost in a minute, every reason stacked. */
  drops: number;
  /** Packets lost since the start. */
  lost: number;
}

/** The next round number (1, 2, 2.5 or 5 times a power of ten) at or above `n`: a scale a reader can take in. */
export function nice(n: number): number {
  if (n <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 2.5, 5, 10].map((k) => k * p).find((v) => v >= n * (1 - 1e-9))!;
}

export function scaleOf(timelines: readonly Timeline[]): Scale {
  const traffic = timelines.flatMap((tl) => tl.minutes.flatMap((m) => [...m.gcpToAws, ...m.awsToGcp]));
  const drops = timelines.flatMap((tl) => dropsOf(tl).map((d) => d.tunnels + d.throttled + d.unreachable));
  const lost = timelines.map((tl) => tl.minutes.at(-1)?.lostTotal ?? 0);
  return { traffic: nice(Math.max(0, ...traffic)), drops: nice(Math.max(0, ...drops)), lost: nice(Math.max(0, ...lost)) };
}
