/**
 * `status` for people: a table that fits 120 columns (short tunnel names, both of which `<tunnel>` arguments
 * accept, REASON cut to fit), and `-o wide` with the full ids and every route, withdrawn route and standby.
 */
import type { LedgerRecord } from '../shared/types';
import { paintFor, visibleLength, type Paint } from './paint';
import { peerName, shortId } from './status-names';
import { percentOf } from './utilisation';
import type { StatusDoc, StatusTunnel } from './status-view';

export const TABLE_WIDTH = 120;

export interface TableOptions {
  wide?: boolean;
  /** The ledger's records, for SINCE and REASON (a refusal explains a degraded tunnel that stays active). */
  records?: readonly LedgerRecord[];
  now?: Date;
  paint?: Paint;
}

/** `45s`, `12m`, `3h`, `2d`: how long ago, as kubectl's AGE. */
export function age(from: string | undefined, now: Date): string {
  if (!from) return '-';
  const s = Math.max(0, Math.floor((now.getTime() - Date.parse(from)) / 1000));
  if (Number.isNaN(s)) return '-';
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** A drained tunnel whose every withdrawn destination keeps a standby was de-preferred, not cut. */
function stateOf(t: StatusTunnel): string {
  if (t.suppressed) return 'suppressed';
  const deprefered =
    t.state === 'drained' && t.withdrawn.length > 0 && t.withdrawn.every((w) => t.standby.some((s) => s.destination === w.destination));
  return deprefered ? 'de-preferred' : t.state;
}

function reasonOf(t: StatusTunnel, r: LedgerRecord | undefined): string {
  if (t.state !== 'active' || t.suppressed) return t.reason ?? '-';
  // An active tunnel that is not healthy: the last refusal says why it was not drained.
  return t.health !== 'healthy' && r?.lastRefusal ? r.lastRefusal : '-';
}

const HEALTH_PAINT = { healthy: 'green', degraded: 'yellow', down: 'red', unknown: 'dim' } as const;

export function formatStatus(doc: StatusDoc, o: TableOptions = {}): string {
  const paint = o.paint ?? paintFor(false);
  const now = o.now ?? new Date();
  const byId = new Map((o.records ?? []).map((r) => [r.tunnelId, r]));
  // UTIL only where some load is known: the peak over the limit it meets (status-view.ts).
  const util = doc.tunnels.some((t) => t.utilisation !== undefined) ? ['UTIL'] : [];
  const head = o.wide
    ? ['TUNNEL', 'LINK', 'HEALTH', 'STATE', 'ACTIVE ROUTES', 'WITHDRAWN', ...util, 'PEER', 'SINCE', 'REASON']
    : ['TUNNEL', 'LINK', 'HEALTH', 'STATE', 'ROUTES', ...util, 'PEER', 'SINCE', 'REASON'];
  const rows = doc.tunnels.map((t) => {
    const r = byId.get(t.id);
    const routes = o.wide
      ? [
          t.routes.map((x) => x.destination).join(', ') || '-',
          // A de-preferred destination is withdrawn from the active routes but still has its standby.
          t.withdrawn
            .map((w) => (t.standby.some((s) => s.destination === w.destination) ? `${w.destination} (standby)` : w.destination))
            .join(', ') || '-',
        ]
      : [`${t.routes.length}/${t.routes.length + t.withdrawn.length}`];
    return [
      o.wide ? t.id : shortId(t.id),
      t.linkStatus,
      t.health,
      stateOf(t),
      ...routes,
      ...(util.length ? [t.utilisation === undefined ? '-' : percentOf(t.utilisation)] : []),
      t.peer ? (o.wide ? t.peer : peerName(t.peer)) : '-',
      age(r?.updatedAt, now),
      reasonOf(t, r),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const last = head.length - 1;
  if (!o.wide) {
    // REASON takes what is left of 120 columns; the whole of it is behind -o wide and --json.
    const used = widths.slice(0, last).reduce((a, b) => a + b + 2, 0);
    widths[last] = Math.max(head[last]!.length, Math.min(widths[last]!, TABLE_WIDTH - used));
  }
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, Math.max(0, n - 1))}…` : s);
  const colour = (i: number, cell: string, raw: string) => {
    if (head[i] === 'HEALTH') return paint[HEALTH_PAINT[raw as keyof typeof HEALTH_PAINT] ?? 'dim'](cell);
    if (head[i] === 'STATE' && raw !== 'active') return paint[raw === 'suppressed' ? 'red' : 'yellow'](cell);
    return cell;
  };
  const line = (cells: string[], header = false) =>
    cells
      .map((c, i) => {
        const text = i === last && !o.wide ? cut(c, widths[i]!) : c;
        const padded = i === last ? text : text + ' '.repeat(Math.max(0, widths[i]! - visibleLength(text)));
        return header ? paint.bold(padded) : colour(i, padded, c);
      })
      .join('  ')
      .trimEnd();
  return `${[line(head, true), ...rows.map((r) => line(r))].join('\n')}\n`;
}
