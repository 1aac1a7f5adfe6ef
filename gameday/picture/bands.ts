/**
 * The bands of each link, four rows: the loss of each direction (shaded by how much, black while the link is down)
 * and the state of each end (active, de-preferred, drained, pinned). Loss and state sit together so a drain can be
 * read against the loss it answered, link by link.
 */
import type { EndState } from '../model/ends';
import type { Timeline } from '../run';
import { esc, type Frame, label, linkColor, minutesSpan, pct, ROW, ROW_GAP, runs, title } from './svg';

/** Loss ratio bins, each its own shade: a 0.3 % loss and a 40 % loss look different at a glance. */
export const LOSS_BINS: readonly { upTo: number; name: string; color: string }[] = [
  { upTo: 0.005, name: 'under 0.5 %', color: '#fdd0c7' },
  { upTo: 0.02, name: '0.5–2 %', color: '#fb9a85' },
  { upTo: 0.1, name: '2–10 %', color: '#f05a45' },
  { upTo: 0.5, name: '10–50 %', color: '#c4161c' },
  { upTo: 1, name: '50–100 %', color: '#6b0a0e' },
];
export const DOWN_COLOR = '#111';

/** The bin of a loss ratio, -1 for none. */
export const lossBin = (r: number): number => (r <= 0 ? -1 : LOSS_BINS.findIndex((b) => r <= b.upTo));

export const STATE_COLORS: Record<EndState, string> = {
  active: '#d9efd5',
  'de-preferred': '#f6c85f',
  drained: '#8a8a8a',
  pinned: '#8e6cc9',
};

export const DIRECTION_NAMES = { gcpToAws: 'GCP→AWS', awsToGcp: 'AWS→GCP' } as const;

/** The four rows of link `i` from `y`; returns the SVG and the next free y. */
export function linkBands(tl: Timeline, i: number, f: Frame, top: number): { svg: string; y: number } {
  const out: string[] = [];
  const name = tl.links[i]!;
  let y = top;
  out.push(`<g class="link-bands" data-link="${esc(name)}">`);
  for (const dir of ['gcpToAws', 'awsToGcp'] as const) {
    const series = dir === 'gcpToAws' ? 'lossGcpToAws' : 'lossAwsToGcp';
    out.push(label(y, `${name}  ${DIRECTION_NAMES[dir]} loss`, 'label', linkColor(i)));
    out.push(`<rect class="band-frame" x="${f.x(0)}" y="${y}" width="${f.x(f.minutes * 60) - f.x(0)}" height="${ROW}"/>`);
    // A down link loses everything both ways: its own key, so "down" never reads as "very lossy".
    const keys = tl.minutes.map((m) => (m.down[i] ? 'down' : String(lossBin(m[series][i]!))));
    for (const r of runs(keys)) {
      if (r.value === '-1') continue;
      const worst = Math.max(...tl.minutes.slice(r.from, r.to).map((m) => m[series][i]!));
      const down = r.value === 'down';
      const color = down ? DOWN_COLOR : LOSS_BINS[Number(r.value)]!.color;
      const what = down ? 'down' : `loss up to ${pct(worst)}`;
      out.push(
        `<rect class="loss ${dir}${down ? ' down' : ''}" data-bin="${r.value}" ${minutesSpan(f, r.from, r.to)} y="${y}" height="${ROW}" fill="${color}">${title(`${name} ${DIRECTION_NAMES[dir]}, minutes ${r.from}–${r.to}: ${what}`)}</rect>`,
      );
    }
    y += ROW + ROW_GAP;
  }
  for (const end of ['gcp', 'aws'] as const) {
    out.push(label(y, `${name}  ${end.toUpperCase()} end`, 'label', linkColor(i)));
    for (const r of runs(tl.minutes.map((m) => m.ends[i]![end]))) {
      out.push(
        `<rect class="state ${r.value}" data-end="${end}" ${minutesSpan(f, r.from, r.to)} y="${y + 1}" height="${ROW - 2}" fill="${STATE_COLORS[r.value]}">${title(`${name} ${end.toUpperCase()} end, minutes ${r.from}–${r.to}: ${r.value}`)}</rect>`,
      );
      // Named in place where there is room: the state is read, not looked up in the legend.
      if (r.value !== 'active' && (r.to - r.from) * f.minuteW > 64)
        out.push(`<text class="state-name" x="${(f.x(r.from * 60) + 3).toFixed(1)}" y="${y + ROW - 2}">${r.value}</text>`);
    }
    y += ROW + ROW_GAP;
  }
  out.push('</g>');
  return { svg: out.join(''), y: y + 4 };
}
