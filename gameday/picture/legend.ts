/**
 * The keys, written out once at the top of the page (what every shade, line and mark means) and per scenario (its
 * links' colours and the two directions, since topologies differ): the picture is read without hovering.
 */
import { DIRECTION_NAMES, DOWN_COLOR, LOSS_BINS, STATE_COLORS } from './bands';
import { DROP_SERIES } from './charts';
import { DECISION_COLORS, SIGNAL_KINDS, signalMark } from './marks';
import { esc, linkColor } from './svg';

const swatch = (inner: string, w = 22): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="12" viewBox="0 0 ${w} 12">${inner}</svg>`;
const box = (color: string) => swatch(`<rect x="1" y="1" width="20" height="10" fill="${color}" stroke="#999" stroke-width="0.5"/>`);
const line = (color: string, dashed: boolean) =>
  swatch(`<line x1="1" x2="21" y1="6" y2="6" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
const entry = (key: string, mark: string, text: string): string =>
  `<span class="entry" data-entry="${esc(key)}">${mark} ${esc(text)}</span>`;
const group = (name: string, entries: string[]): string => `<div class="group"><b>${esc(name)}</b> ${entries.join(' ')}</div>`;

/** Directions: the line style in the traffic chart (the loss bands name the direction in their row label). */
const directions = (color: string): string[] => [
  entry('gcpToAws', line(color, false), `${DIRECTION_NAMES.gcpToAws} (solid)`),
  entry('awsToGcp', line(color, true), `${DIRECTION_NAMES.awsToGcp} (dashed)`),
];

export function pageLegend(): string {
  return `<div class="legend page-legend">
${group('directions', directions('#444'))}
${group('loss (each direction its own row)', [
  ...LOSS_BINS.map((b, i) => entry(`loss:${i}`, box(b.color), b.name)),
  entry('down', box(DOWN_COLOR), 'down (no tunnel)'),
])}
${group(
  'each end of a link',
  Object.entries(STATE_COLORS).map(([s, c]) => entry(`state:${s}`, box(c), s)),
)}
${group(
  'packets lost each minute, stacked',
  DROP_SERIES.map((s) => entry(`series:${s.key}`, box(s.color), s.name)),
)}
${group('signals (a row per kind)', [
  ...SIGNAL_KINDS.map((k) => entry(`signal:${k.kind}`, swatch(`<path ${signalMark(11, 1, true, k.color)}/>`), k.name)),
  entry('trip', swatch(`<path ${signalMark(11, 1, true, '#444')}/>`), 'trip (filled, up)'),
  entry('clear', swatch(`<path ${signalMark(11, 1, false, '#444')}/>`), 'clear (hollow, down)'),
])}
${group('decisions and notices', [
  ...(['drain', 'restore', 'refuse'] as const).map((d) =>
    entry(`decision:${d}`, swatch(`<circle cx="11" cy="6" r="4.5" fill="${DECISION_COLORS[d]}"/>`), d),
  ),
  entry('critical', swatch('<path class="notice critical" d="M11 1 l5 5 l-5 5 l-5 -5 z"/>'), 'CRITICAL notice'),
  entry('route-change', swatch('<rect class="change" x="10" y="0" width="3" height="12"/>'), 'route change'),
])}
${group('moments (lines down the panel)', [
  entry('marker:onset', swatch('<g class="marker onset"><line x1="11" x2="11" y1="0" y2="12"/></g>'), 'first fault'),
  entry(
    'marker:floor',
    swatch('<g class="marker floor"><line x1="11" x2="11" y1="0" y2="12"/></g>'),
    'detection floor (the earliest any cloud metric can show it)',
  ),
  entry(
    'marker:mitigated',
    swatch('<g class="marker mitigated"><line x1="11" x2="11" y1="0" y2="12"/></g>'),
    'mitigated (no traffic into a lossy path)',
  ),
])}
</div>`;
}

export function linkLegend(links: readonly string[]): string {
  return `<div class="legend links">${group(
    'links',
    links.map((name, i) => entry(`link:${name}`, line(linkColor(i), false), name)),
  )} ${group('directions', directions('#444'))}</div>`;
}
