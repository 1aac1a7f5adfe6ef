/**
 * Interrupted work (a crash, a failed call) is finished before anything else — under the guards of now. Pure.
 */
import { decisionOf, pathsOfTunnel, type Ctx, type Decision } from './decision';
import { changeNews, driftOf } from './drain';
import { restore } from './restore';
import { drainGuards } from '../guards';
import type { LedgerRecord } from '../types';
import { LONGEST_RUN_MS } from '../policy';

/**
 * Finish a drain that was interrupted (a crash, a failed call): the guards run again on the paths still in the
 * cloud. If they refuse now, nothing more is withdrawn and the tunnel is left drained with what was already
 * withdrawn; reconcile retries under the guards and restores after the hold-down as usual.
 */
export function finishDrain(ctx: Ctx, base: LedgerRecord): Decision {
  const { input, id } = ctx;
  const held = new Set(base.withdrawn.map((p) => p.key));
  // Judged by how they are being taken out (the ledger's lever), not by what the cloud lists.
  const levers = new Map(base.withdrawn.map((p) => [p.key, p.lever]));
  const stillThere = pathsOfTunnel(input.paths, id)
    .filter((p) => held.has(p.key))
    .map((p) => (levers.get(p.key) ? { ...p, lever: levers.get(p.key) } : p));
  const refusals = stillThere.length > 0 ? drainGuards(input, ctx.view, id, stillThere) : [];
  if (refusals.length > 0) {
    const text = refusals.map((r) => r.reason).join('; ');
    const next: LedgerRecord = { ...base, state: 'drained', lastRefusal: text };
    return {
      ...decisionOf('refuse', `interrupted drain of ${id} not finished: ${text}`, next),
      next,
      finalState: 'drained',
      refusals,
      severity: 'CRITICAL',
      notify: base.lastRefusal !== text,
    };
  }
  return {
    kind: 'drain',
    tell: changeNews(input),
    summary: `finish interrupted drain of ${id}: ${base.withdrawn.length} path(s)`,
    severity: 'WARNING',
    next: base === ctx.input.record ? undefined : base,
    finalState: 'drained',
    actions: base.withdrawn.map((p) => ({ type: 'withdraw', path: p })),
    refusals: [],
    joinsFence: false,
    notify: true,
    forced: false,
  };
}

/** A drain younger than any invocation may still be running in another instance. */
const inFlight = (ctx: Ctx): boolean => {
  const since = Date.parse(ctx.record.updatedAt ?? '');
  return Number.isFinite(since) && ctx.input.now.getTime() - since < LONGEST_RUN_MS;
};

/**
 * Interrupted work is finished before anything else (crash safety) — but never blindly: the world may have changed
 * since the decision (the fallback tunnel may be down now, the tunnel degraded again). An operator's opposite
 * command goes first. Undefined when nothing was interrupted.
 */
export function resumeInterrupted(ctx: Ctx, fresh: boolean): Decision | undefined {
  const { record, id } = ctx;
  const t = ctx.input.trigger;
  if (record.state === 'draining' && t.type === 'signal' && inFlight(ctx)) {
    // Both channels deliver every incident, and a platform redelivers what it thinks failed: a copy arriving while
    // the drain is running must not run the same withdrawals beside it. News is recorded; the drain finishes on its
    // own, or, if it died, reconcile takes it over.
    return fresh
      ? decisionOf('record', `${id} is being drained (started ${record.updatedAt}); ${t.signal.health} noted`, record, {
          next: record,
          finalState: 'draining',
        })
      : decisionOf('ignore', `${id} is being drained (started ${record.updatedAt}): a copy of ${t.signal.key} changes nothing`, record, {
          refusals: [{ guard: 'duplicate', reason: `signal ${t.signal.key} arrived during the drain it started` }],
        });
  }
  if (record.state === 'draining' && t.type !== 'restore') return finishDrain(ctx, record);
  if (record.state !== 'restoring' || t.type === 'drain') return undefined;
  if (fresh && (record.health === 'degraded' || record.health === 'down')) {
    // Degraded again before the restore finished: take back what was already restored, guards permitting.
    const drained: LedgerRecord = { ...record, state: 'drained' };
    return (
      driftOf(ctx, drained, 'degraded again during a restore') ??
      decisionOf('record', `${id} degraded again during a restore; stays drained`, drained, { next: drained, finalState: 'drained' })
    );
  }
  return restore(ctx, record, 'finish interrupted restore', false);
}
