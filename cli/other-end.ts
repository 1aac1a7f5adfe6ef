/**
 * After `restore <tunnel>`: what becomes of the other end of its link. A drain reaches the other end over the link,
 * and so does the restore of an operator's drain — but there the other end waits for its hold-down, which an
 * operator's restore skips. So the operator's command puts the other end back too, through its own guards, unless
 * something of its own holds it; whatever stays drained is named, with why. Pure: the command acts on the answer.
 */
import type { Report } from '../shared/report-types';
import type { TargetName } from './targets/target';
import type { StatusTunnel } from './status-view';

export type OtherEnd =
  /** Restore the other end as the operator's own restore (its guards decide). */
  | { act: 'restore'; peer: string }
  /** The other end stays as it is: why, and how to bring it back. */
  | { act: 'say'; peer: string; text: string };

const DRAINED = new Set(['drained', 'partly-drained', 'restoring']);

/** `restored`: this end was put back (or was already active). Undefined: nothing to do or say. */
export function otherEndAfterRestore(peer: StatusTunnel | undefined, target: TargetName, restored: boolean): OtherEnd | undefined {
  if (!peer || !restored || !DRAINED.has(peer.state)) return undefined;
  const by = `tunnel-guard${target === 'clouds' ? ' --target clouds' : ''} restore ${peer.id}`;
  if (peer.suppressed)
    return {
      act: 'say',
      peer: peer.id,
      text: `the other end ${peer.id} stays ${peer.state}: it is held by its own operator drain or flap damping (${peer.reason ?? 'suppressed'}); restore it by name: ${by}`,
    };
  // On the clouds the other end's function heard this end over the link and decides on its own (after its
  // hold-down); the operator confirmed a change to this end only.
  if (target === 'clouds')
    return {
      act: 'say',
      peer: peer.id,
      text: `the other end ${peer.id} is still ${peer.state}: its function restores it after its hold-down once every monitor is healthy, or now with: ${by}`,
    };
  return { act: 'restore', peer: peer.id };
}

/** One line for people about the other end's restore: done, or why it stayed. */
export function otherEndLine(r: Pick<Report, 'tunnelId' | 'decision' | 'summary' | 'refusals' | 'ok' | 'stateAfter'>): string {
  if (r.ok && r.decision === 'restore') return `other end ${r.tunnelId}: restored too (${r.summary})\n`;
  const why = r.refusals.map((f) => f.reason).join('; ') || r.summary;
  return `the other end ${r.tunnelId} stays ${r.stateAfter}: ${why}\n`;
}
