/**
 * What happened at an instant: the signals the edges received (a row per kind; a filled triangle pointing up
 * trips, a hollow one pointing down clears), the decisions, the CRITICAL notices, the route changes, and the
 * scenario's moments drawn across the whole panel — the first fault, the detection floor after it, and the
 * strategy's time to mitigate.
 */
import type { SignalKind, Timeline } from '../run';
import { at, esc, type Frame, fmt, label, note, ROW, ROW_GAP, title } from './svg';

export const SIGNAL_KINDS: readonly { kind: SignalKind; name: string; color: string }[] = [
  { kind: 'probe', name: 'probe', color: '#1565c0' },
  { kind: 'loss-ratio', name: 'loss ratio', color: '#c62828' },
  { kind: 'state', name: 'tunnel state', color: '#2e7d32' },
  { kind: 'link', name: 'link message', color: '#6a1b9a' },
  { kind: 'other', name: 'other alert', color: '#616161' },
];

export const DECISION_COLORS = { drain: '#d62728', restore: '#2ca02c', refuse: '#ff9800', suppress: '#ff9800' } as const;

/** A signal's mark centred on x: a trip points up and is filled, a clear points down and is hollow. */
export const signalMark = (x: number, y: number, trip: boolean, color: string): string =>
  trip
    ? `d="M${x.toFixed(1)} ${y} l4.5 ${ROW - 2} l-9 0 z" fill="${color}" stroke="${color}"`
    : `d="M${x.toFixed(1)} ${y + ROW - 2} l4.5 -${ROW - 2} l-9 0 z" fill="#fff" stroke="${color}"`;

export function signalRows(tl: Timeline, f: Frame, top: number): { svg: string; y: number } {
  const out: string[] = [];
  let y = top;
  for (const k of SIGNAL_KINDS) {
    const mine = tl.signals.filter((s) => s.kind === k.kind);
    out.push(label(y, `${k.name} signals`, 'label'));
    out.push(`<line class="track" x1="${f.x(0)}" x2="${f.x(f.minutes * 60)}" y1="${y + ROW / 2}" y2="${y + ROW / 2}"/>`);
    for (const s of mine)
      out.push(
        `<path class="signal ${k.kind} ${s.trip ? 'trip' : 'clear'}" data-t="${s.t}" ${signalMark(f.x(s.t), y, s.trip, k.color)}>${title(`${at(s.t)}: ${s.text}`)}</path>`,
      );
    const trips = mine.filter((s) => s.trip).length;
    out.push(note(y + ROW - 2, mine.length ? `${trips} trip · ${mine.length - trips} clear` : 'none'));
    y += ROW + ROW_GAP;
  }
  return { svg: out.join(''), y: y + 2 };
}

export function eventRows(tl: Timeline, f: Frame, top: number, routeChanges: number): { svg: string; y: number } {
  const out: string[] = [];
  let y = top;
  out.push(label(y, 'decisions'));
  for (const d of tl.decisions)
    out.push(
      `<circle class="decision ${d.kind}" data-t="${d.t}" cx="${f.x(d.t).toFixed(1)}" cy="${y + ROW / 2}" r="4.5" fill="${DECISION_COLORS[d.kind]}">${title(`${at(d.t)}: ${d.kind} ${d.tunnelId} — ${d.summary}`)}</circle>`,
    );
  const count = (k: string) => tl.decisions.filter((d) => d.kind === k).length;
  out.push(note(y + ROW - 2, `drain ${count('drain')} · restore ${count('restore')}`));
  y += ROW + ROW_GAP;
  out.push(label(y, 'CRITICAL notices', 'label critical-label'));
  for (const c of tl.critical)
    out.push(
      `<path class="notice critical" data-t="${c.t}" d="M${f.x(c.t).toFixed(1)} ${y} l5 ${ROW / 2} l-5 ${ROW / 2} l-5 -${ROW / 2} z">${title(`${at(c.t)}: ${c.text}`)}</path>`,
    );
  out.push(note(y + ROW - 2, `${tl.critical.length} CRITICAL`));
  y += ROW + ROW_GAP;
  out.push(label(y, 'route changes'));
  let prev = 0;
  for (const m of tl.minutes) {
    if (m.routeChanges > prev)
      out.push(
        `<rect class="change" x="${f.x(m.t).toFixed(1)}" y="${y}" width="3" height="${ROW}">${title(`${at(m.t)}: ${m.routeChanges - prev} change(s)`)}</rect>`,
      );
    prev = m.routeChanges;
  }
  out.push(note(y + ROW - 2, `${fmt(routeChanges)} in all`));
  return { svg: out.join(''), y: y + ROW + ROW_GAP + 2 };
}

/** The moments of the scenario, each a line down the panel with its name on its own row at the top. */
export function moments(tl: Timeline, floorSeconds: number | null): { key: string; name: string; t: number | null; why: string }[] {
  const onset = tl.onset;
  const floor = onset === null || floorSeconds === null ? null : onset + floorSeconds;
  const mitigated = onset === null || tl.timeToMitigateSeconds === null ? null : onset + tl.timeToMitigateSeconds;
  return [
    { key: 'onset', name: 'first fault', t: onset, why: 'no fault in this scenario' },
    {
      key: 'floor',
      name: `detection floor +${floorSeconds ?? 0} s`,
      t: floor,
      why: 'no detection floor: no cloud metric sees the first loss',
    },
    {
      key: 'mitigated',
      name: `mitigated +${tl.timeToMitigateSeconds ?? 0} s`,
      t: mitigated,
      why: 'never mitigated: traffic kept flowing into a lossy path',
    },
  ];
}

/** The moments' names (rows at `top`) and their lines down to `bottom`. */
export function momentMarks(tl: Timeline, floorSeconds: number | null, f: Frame, top: number, bottom: number): string {
  // Without a fault the one line that says so is enough.
  const onsetMissing = tl.onset === null;
  return moments(tl, floorSeconds)
    .map((m, k) => {
      const y = top + k * (ROW + 1);
      if (m.t === null && onsetMissing && m.key !== 'onset') return '';
      if (m.t === null) return `<text class="small moment-missing ${m.key}" x="${f.x(0) + 4}" y="${y + ROW - 2}">${esc(m.why)}</text>`;
      const x = f.x(m.t).toFixed(1);
      const right = m.t > f.minutes * 45;
      return `<g class="marker ${m.key}" data-t="${m.t}"><line x1="${x}" x2="${x}" y1="${y}" y2="${bottom}"/><text x="${right ? Number(x) - 4 : Number(x) + 4}" y="${y + ROW - 2}"${right ? ' text-anchor="end"' : ''}>${esc(`${m.name} (${at(m.t)})`)}</text></g>`;
    })
    .join('');
}

export const MOMENT_ROWS_H = 3 * (ROW + 1) + 4;
