/**
 * The geometry every part of a panel shares (one time axis, one label column) and the small text helpers: a panel
 * is a stack of tracks drawn by separate files, and they line up only because they all measure from here.
 */
export const W = 1120;
/** Room for the track labels on the left (a link's name and a direction). */
export const LEFT = 220;
/** Room for a chart's scale on the right. */
export const RIGHT = 130;
export const PLOT = W - LEFT - RIGHT;
/** One band's height (loss, end state, a signal kind); bands are this far apart. */
export const ROW = 11;
export const ROW_GAP = 3;

/** One colour per link, the same in every panel and in the scenario's legend. */
export const LINK_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];
export const linkColor = (i: number): string => LINK_COLORS[i % LINK_COLORS.length]!;

/** A scenario's time axis: seconds from the start to x, and a minute's width. */
export interface Frame {
  minutes: number;
  x: (t: number) => number;
  minuteW: number;
}

export function frameOf(minutes: number): Frame {
  const span = minutes * 60;
  return { minutes, x: (t) => LEFT + (Math.min(Math.max(t, 0), span) / span) * PLOT, minuteW: PLOT / minutes };
}

/** The x and width of minutes [from, to): both ends rounded, so the runs of a band add up to the whole axis. */
export function minutesSpan(f: Frame, from: number, to: number): string {
  const x0 = Number(f.x(from * 60).toFixed(1));
  const x1 = Number(f.x(to * 60).toFixed(1));
  return `x="${x0}" width="${(x1 - x0).toFixed(1)}"`;
}

export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const n1 = (n: number): string => n.toFixed(1);
export const pct = (r: number): string => `${r * 100 < 1 ? (r * 100).toFixed(2) : (r * 100).toFixed(1)} %`;
export const at = (t: number): string => `minute ${(t / 60).toFixed(t % 60 ? 1 : 0)}`;

/** A track's label in the left column (`cls` picks the style; `color` marks a link's own name). */
export const label = (y: number, text: string, cls = 'label', color?: string): string =>
  `<text x="${LEFT - 8}" y="${y + ROW - 2}" text-anchor="end" class="${cls}"${color ? ` fill="${color}"` : ''}>${esc(text)}</text>`;

/** Text on the right of the plot (a chart's scale, a track's count). */
export const note = (y: number, text: string, cls = 'small'): string =>
  `<text x="${LEFT + PLOT + 6}" y="${y}" class="${cls}">${esc(text)}</text>`;

export const title = (text: string): string => `<title>${esc(text)}</title>`;

/** Consecutive equal values as one run each: a band is a few rectangles, not one per minute. */
export function runs<T>(values: readonly T[]): { from: number; to: number; value: T }[] {
  const out: { from: number; to: number; value: T }[] = [];
  values.forEach((value, i) => {
    const last = out.at(-1);
    if (last && last.value === value) last.to = i + 1;
    else out.push({ from: i, to: i + 1, value });
  });
  return out;
}
