/**
 * The panel's three charts, each on its scenario's shared scale (scale.ts): the traffic into each link per
 * direction, the packets lost each minute stacked by why (in the tunnels, throttled, unreachable — black-holed
 * traffic is not path loss and must not look like it), and the packets lost since the start.
 */
import type { Timeline } from '../run';
import { DIRECTION_NAMES } from './bands';
import { type Drops, dropsOf, type Scale } from './scale';
import { esc, type Frame, fmt, LEFT, label, linkColor, note, PLOT, title } from './svg';

const TRAFFIC_H = 80;
const DROPS_H = 60;
const LOST_H = 44;

/** Why packets were lost, bottom to top of the stack, with their colours. */
export const DROP_SERIES: readonly { key: keyof Drops; name: string; color: string }[] = [
  { key: 'unreachable', name: 'unreachable (no path)', color: '#111' },
  { key: 'throttled', name: 'throttled (over capacity)', color: '#e69500' },
  { key: 'tunnels', name: 'lost in the tunnels', color: '#d62728' },
];

/** A chart's frame, its name on the left and its scale (0 and the top) on the right. */
function frame(cls: string, y: number, h: number, name: string, max: number, unit: string): string {
  return [
    label(y, name),
    `<text x="${LEFT - 8}" y="${y + 24}" text-anchor="end" class="small">${esc(unit)}</text>`,
    `<rect x="${LEFT}" y="${y}" width="${PLOT}" height="${h}" class="frame"/>`,
    `<line x1="${LEFT}" x2="${LEFT + PLOT}" y1="${y + h / 2}" y2="${y + h / 2}" class="grid"/>`,
    note(y + 9, fmt(max), `small scale-max ${cls}`),
    note(y + h, '0'),
  ].join('');
}

export function trafficChart(tl: Timeline, f: Frame, scale: Scale, y: number): { svg: string; y: number } {
  const max = scale.traffic;
  const out = [`<g class="chart traffic" data-max="${max}">`, frame('traffic', y, TRAFFIC_H, 'traffic into each link', max, 'packets/s')];
  for (const [i, name] of tl.links.entries()) {
    for (const dir of ['gcpToAws', 'awsToGcp'] as const) {
      const pts = tl.minutes.map((m) => `${f.x(m.t + 30).toFixed(1)},${(y + TRAFFIC_H - (m[dir][i]! / max) * TRAFFIC_H).toFixed(1)}`);
      out.push(
        `<polyline class="traffic ${dir}" data-link="${esc(name)}" points="${pts.join(' ')}" stroke="${linkColor(i)}"${dir === 'awsToGcp' ? ' stroke-dasharray="5 3"' : ''}>${title(`${name} ${DIRECTION_NAMES[dir]}`)}</polyline>`,
      );
    }
  }
  out.push('</g>');
  return { svg: out.join(''), y: y + TRAFFIC_H + 8 };
}

export function dropsChart(tl: Timeline, f: Frame, scale: Scale, y: number): { svg: string; y: number } {
  const max = scale.drops;
  const drops = dropsOf(tl);
  const out = [`<g class="chart drops" data-max="${max}">`, frame('drops', y, DROPS_H, 'packets lost each minute', max, 'packets/min')];
  const yOf = (v: number) => (y + DROPS_H - (v / max) * DROPS_H).toFixed(1);
  // Stacked steps: each series is the band between the ones below it and itself, a minute wide each.
  const below = drops.map(() => 0);
  const totals: string[] = [];
  for (const s of DROP_SERIES) {
    const sum = drops.reduce((a, d) => a + d[s.key], 0);
    totals.push(`${s.key === 'tunnels' ? 'in tunnels' : s.key} ${fmt(sum)}`);
    if (sum <= 0) continue;
    const top: string[] = [];
    const bottom: string[] = [];
    drops.forEach((d, k) => {
      const x0 = f.x(k * 60).toFixed(1);
      const x1 = f.x((k + 1) * 60).toFixed(1);
      top.push(`${x0},${yOf(below[k]! + d[s.key])}`, `${x1},${yOf(below[k]! + d[s.key])}`);
      bottom.unshift(`${x1},${yOf(below[k]!)}`, `${x0},${yOf(below[k]!)}`);
      below[k]! += d[s.key];
    });
    out.push(
      `<polygon class="series ${s.key}" data-total="${Math.round(sum)}" points="${[...top, ...bottom].join(' ')}" fill="${s.color}">${title(`${s.name}: ${fmt(sum)} packets`)}</polygon>`,
    );
  }
  out.push(`<text x="${LEFT + PLOT - 4}" y="${y + 11}" text-anchor="end" class="small chart-note">${esc(totals.join(' · '))}</text>`);
  out.push('</g>');
  return { svg: out.join(''), y: y + DROPS_H + 8 };
}

export function lostChart(tl: Timeline, f: Frame, scale: Scale, y: number): { svg: string; y: number } {
  const max = scale.lost;
  const total = tl.minutes.at(-1)?.lostTotal ?? 0;
  const pts = [
    `${f.x(0)},${y + LOST_H}`,
    ...tl.minutes.map((m) => `${f.x(m.t + 60).toFixed(1)},${(y + LOST_H - (m.lostTotal / max) * LOST_H).toFixed(1)}`),
  ];
  return {
    svg: `<g class="chart lost" data-max="${max}">${frame('lost', y, LOST_H, 'packets lost since the start', max, `${fmt(total)} in all`)}<polyline class="lost" points="${pts.join(' ')}"/></g>`,
    y: y + LOST_H + 8,
  };
}
