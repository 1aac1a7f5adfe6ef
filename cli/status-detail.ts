/**
 * `status <tunnel>`: one tunnel for the person on call — both ends of its link, its monitors, and the last
 * decisions and notifications about either end (where the target keeps them: the simulator does; on the clouds
 * they are in the SNS topic and the functions' logs).
 */
import type { Report } from '../shared/report-types';
import type { LedgerRecord } from '../shared/types';
import type { Paint } from './paint';
import { age } from './status-table';
import type { StatusDoc, StatusTunnel } from './status-view';

const HISTORY = 8;

function end(t: StatusTunnel, r: LedgerRecord | undefined, now: Date, paint: Paint): string[] {
  const standby = (d: string) => t.standby.some((s) => s.destination === d);
  const out = [
    `  ${paint.bold(t.id)}`,
    `    link ${t.linkStatus}, health ${t.health}, state ${t.state}${t.suppressed ? ' (suppressed: tunnel-guard release)' : ''}` +
      `${r?.updatedAt ? ` for ${age(r.updatedAt, now)}` : ''}${t.reason && t.state !== 'active' ? `: ${t.reason}` : ''}`,
    `    routes: ${t.routes.map((x) => x.destination).join(', ') || '-'}; withdrawn: ${
      t.withdrawn.map((w) => (standby(w.destination) ? `${w.destination} (standby)` : w.destination)).join(', ') || '-'
    }`,
  ];
  if (t.pending?.length)
    out.push(
      `    still carrying traffic, recorded for withdrawal: ${t.pending.map((x) => x.destination).join(', ')} (the drain is not complete: tunnel-guard reconcile finishes it under the guards)`,
    );
  const monitors = Object.entries(r?.monitors ?? {});
  if (monitors.length === 0) out.push('    monitors: none has reported yet');
  for (const [name, m] of monitors)
    out.push(`    monitor ${name}: ${m.health}${m.basis ? ` (${m.basis})` : ''} at ${m.at} (${age(m.at, now)} ago)`);
  // Loss per direction once a monitor has measured it (a probe's echo covers the round trip).
  for (const [span, e] of Object.entries(r?.loss ?? {}))
    if (e)
      out.push(
        `    loss ${span}: ${(e.ratio * 100).toFixed(2)} % from ${e.monitor}${e.basis ? ` (${e.basis})` : ''}, ${age(e.at, now)} ago`,
      );
  if (!r?.loss || Object.keys(r.loss).length === 0) out.push('    loss: not measured yet');
  if (r?.healthySince && t.state !== 'active') out.push(`    healthy since ${r.healthySince}: restored once the hold-down has passed`);
  if (r?.lastRefusal) out.push(`    last refusal: ${r.lastRefusal}`);
  return out;
}

export function formatTunnelDetail(
  id: string,
  doc: StatusDoc,
  records: readonly LedgerRecord[],
  history: readonly Report[] | undefined,
  now: Date,
  paint: Paint,
): string {
  const byId = new Map(records.map((r) => [r.tunnelId, r]));
  const t = doc.tunnels.find((x) => x.id === id)!;
  const peer = t.peer ? doc.tunnels.find((x) => x.id === t.peer) : undefined;
  const out = ['TUNNEL', ...end(t, byId.get(t.id), now, paint)];
  out.push(`PEER${t.peerSource ? ` (${t.peerSource})` : ''}`);
  if (peer) out.push(...end(peer, byId.get(peer.id), now, paint));
  else out.push(t.peer ? `  ${t.peer} (not read here)` : '  none: this tunnel is not paired (tunnel-guard discover)');
  const ids = new Set([t.id, ...(t.peer ? [t.peer] : [])]);
  out.push(`HISTORY (last ${HISTORY} decisions notified about either end)`);
  if (!history) out.push('  not kept by this target: see the decisions topic (SNS) and the functions’ logs');
  else {
    const mine = history.filter((h) => ids.has(h.tunnelId)).slice(-HISTORY);
    if (mine.length === 0) out.push('  none yet');
    for (const h of mine)
      out.push(
        `  ${h.startedAt}  ${h.decision.toUpperCase().padEnd(8)} ${h.severity.padEnd(8)} ${h.viaLink ? '(via link) ' : ''}${h.summary}`,
      );
  }
  return `${out.join('\n')}\n`;
}
