/**
 * Taking a tunnel out of service: the guards, the lever each path is taken out with, flap damping, and paths that
 * came back while the tunnel is drained (drift). Pure.
 */
import { decisionOf, pathsOfTunnel, withLever, type Ctx, type Decision, type DecisionInput } from './decision';
import type { LinkNews } from '../links/rules';
import { isLinkMonitor, localHealthOf } from './monitors';
import { depreferGaps, drainGuards } from '../guards';
import { withHealthy } from '../health';
import { compared } from '../measure';
import { isDeprefer } from '../types';
import {
  capacityCheck,
  carriersOf,
  clearlyBetterCarriers,
  directionOf,
  fullCarriers,
  lossOf,
  standbyCarriersOf,
  worsePath,
} from './placement';
import type { LedgerRecord, Path, PathSnapshot } from '../types';

export const MAX_DRAINS = 100;

export const mergeSnapshots = (held: readonly PathSnapshot[], more: readonly Path[]): PathSnapshot[] => {
  const byKey = new Map(held.map((p) => [p.key, p]));
  for (const p of more) if (!byKey.has(p.key)) byKey.set(p.key, structuredClone(p));
  return [...byKey.values()];
};

/**
 * A drain tells the other end what was observed: `down` lets it apply its own rule (AWS: a down tunnel whose sibling
 * is up is not drained); anything else — an operator's drain included — cuts the link at both ends.
 */
export const changeNews = (input: DecisionInput): LinkNews => ({
  about: 'change',
  health: input.trigger.type === 'signal' && input.trigger.signal.health === 'down' ? 'down' : 'degraded',
});

/**
 * Who asks for the drain. A monitor's drain counts towards flapping and answers to the placement guards (never onto a
 * worse or full tunnel); an operator's is never undone automatically; re-withdrawing drift keeps the tunnel's drain
 * history, suppression and reason as they were (it is the same drain).
 */
export type DrainBy = 'monitor' | 'operator' | 'drift';

export function drain(ctx: Ctx, base: LedgerRecord, reason: string, opts: { force: boolean; by: DrainBy }): Decision {
  const { input, id } = ctx;
  const own = pathsOfTunnel(input.paths, id).map((p) => withLever(p, input.policy));
  if (own.length === 0) {
    const covered = coveredByOtherEnd(base, id);
    if (covered) return decisionOf('record', covered, base, { next: base, finalState: base.state, notify: true });
    return decisionOf('record', `${id}: no active paths send traffic into it (already withdrawn or none configured); health noted`, base, {
      next: base,
      finalState: base.state,
      notify: true,
    });
  }
  const carriers = carriersOf(ctx, own);
  // A carrier measurably less lossy than this tunnel may take its traffic whatever its label says (3 % beats 20 %).
  const better = clearlyBetterCarriers(ctx, carriers);
  const view = better.length ? withHealthy(ctx.view, better) : ctx.view;
  const refusals = drainGuards(ctx.input, view, ctx.id, own);
  let capacityNote: string | undefined;
  if (opts.by === 'monitor') {
    const worse = worsePath(ctx, carriers.length > 0 ? carriers : standbyCarriersOf(ctx, own));
    if (worse) refusals.push(worse);
    const capacity = capacityCheck(ctx, carriers);
    if (capacity?.refusal) refusals.push(capacity.refusal);
    const full = fullCarriers(ctx, carriers);
    if (full.length > 0 && !capacity?.refusal)
      refusals.push({
        guard: 'capacity',
        reason: `not drained: ${full.join(', ')} dropped packets over its packet-rate limit within the last ${input.policy.flapWindowSeconds}s; moving ${id}'s load there would fill it again — add tunnels or move load`,
        urgent: true,
      });
    capacityNote = capacity?.note;
  }
  const refusalsToReport = opts.force ? refusals.map((r) => ({ ...r, reason: `overridden by --force: ${r.reason}` })) : refusals;
  if (refusals.length > 0 && !opts.force) {
    const text = refusals.map((r) => r.reason).join('; ');
    const next = { ...base, lastRefusal: text };
    return {
      ...decisionOf('refuse', `refused to drain ${id}: ${text}`, base),
      next,
      refusals,
      severity: refusals.some((r) => r.urgent) ? 'CRITICAL' : 'WARNING',
      // The same refusal is reported once, not on every reconcile.
      notify: base.lastRefusal !== text,
    };
  }
  const nowIso = input.now.toISOString();
  const windowStart = input.now.getTime() - input.policy.flapWindowSeconds * 1000;
  // A drain after a restore of a still-unhealthy tunnel (last resort, or the less lossy of two) moves traffic back
  // where it was: a change of placement, not a flap.
  const byMonitor = opts.by === 'monitor' && !base.restoredUnhealthy;
  const drains = byMonitor ? [...base.drains, nowIso].filter((t) => Date.parse(t) >= windowStart).slice(-MAX_DRAINS) : base.drains;
  const flapping = byMonitor && drains.length > input.policy.maxFlaps;
  const next: LedgerRecord = {
    ...base,
    state: 'draining',
    withdrawn: mergeSnapshots(base.withdrawn, own),
    drains,
    // An operator's drain is never undone automatically; flapping tunnels wait for an operator too.
    suppressed: base.suppressed || opts.by === 'operator' || flapping,
    reason:
      opts.by === 'drift'
        ? base.reason
        : flapping
          ? `flapping: drained ${drains.length} times in ${input.policy.flapWindowSeconds}s (max ${input.policy.maxFlaps}); stays drained until released`
          : reason,
    updatedAt: nowIso,
    lastRefusal: undefined,
    restoredUnhealthy: undefined,
  };
  const dests = [...new Set(own.flatMap((p) => p.destinations))];
  const standbyNote = depreferNote({ ...ctx, view }, own);
  const figures = figuresOf(ctx, better.length ? better : carriers);
  return {
    kind: flapping ? 'suppress' : 'drain',
    summary: `drain ${id}: ${leverSummary(own)} for ${dests.join(', ')} — ${reason}${figures ? ` (${figures})` : ''}${flapping ? ` (${next.reason})` : ''}${standbyNote ? `; ${standbyNote}` : ''}${capacityNote ? `; ${capacityNote}` : ''}`,
    // Every tunnel of a destination de-preferred: nothing refused, but a human should know its traffic has no healthy
    // path; a drain that overloads a survivor, though less than keeping the loss, is a human's business too.
    severity: opts.force || standbyNote || capacityNote ? 'CRITICAL' : 'WARNING',
    next,
    finalState: 'drained',
    actions: own.map((p) => ({ type: 'withdraw' as const, path: p })),
    refusals: refusalsToReport,
    joinsFence: true,
    tell: changeNews(input),
    notify: true,
    forced: opts.force && refusals.length > 0,
  };
}

/** `withdraw 2 path(s)`, `de-prefer 1 path(s) (a standby stays)`, or both. */
export function leverSummary(paths: readonly Path[]): string {
  const deprefer = paths.filter(isDeprefer).length;
  const withdraw = paths.length - deprefer;
  return [
    ...(deprefer
      ? [`de-prefer ${deprefer} path(s) (make-before-break: a standby copy keeps carrying traffic when nothing better exists)`]
      : []),
    ...(withdraw ? [`withdraw ${withdraw} path(s)`] : []),
    // A lever with a preference whose preconditions fail falls back to withdrawing, and says why.
    ...paths
      .filter((p) => !isDeprefer(p) && p.noDeprefer)
      .map((p) => `(${p.key}: not de-preferred because ${p.noDeprefer}; withdrawn instead)`),
  ].join(', ');
}

/**
 * What the guard says instead of refusing: de-preferring leaves a standby, so a destination left without a healthy
 * path is still reachable — over the standbys, as before the drain.
 */
export function depreferNote(ctx: Ctx, paths: readonly Path[]): string | undefined {
  const gaps = depreferGaps(ctx.input, ctx.view, ctx.id, paths);
  if (gaps.length === 0) return undefined;
  return `no healthy path is left for ${gaps.map((g) => g.destination).join(', ')}: every path of it is de-preferred or unhealthy, so its traffic stays on the standby routes (no black hole); a human should look`;
}

/**
 * A tunnel with nothing of its own to drain (an AWS BGP connection has no static route to withdraw) whose other end
 * of the link took the link out of service: say that it is covered there. A down signal then is what the other end's
 * drain causes (a disabled Cloud Router peer ends the BGP session, so AWS reports TunnelState 0), not a new fault.
 */
export function coveredByOtherEnd(record: LedgerRecord, id: string): string | undefined {
  const link = Object.entries(record.monitors ?? {}).find(([m, v]) => isLinkMonitor(m) && (v.health === 'degraded' || v.health === 'down'));
  if (!link) return undefined;
  const local = localHealthOf(record);
  const caused =
    local === 'down'
      ? `; its own monitors report it down, which is what that causes on a BGP connection (the session ends while the peer is disabled), not a new independent degradation`
      : '';
  return `${id}: nothing to drain on this side (no path of its own carries the link's traffic); covered by the other end of the link (${link[0]}), which took its paths into this tunnel out of service${caused}; health noted`;
}

/** A drained tunnel whose paths came back (someone re-added them, or a restore was cut short): withdraw them
 * again, guards permitting. A refusal leaves the tunnel drained — its other withdrawn paths stay in the ledger. */
export function driftOf(ctx: Ctx, base: LedgerRecord, why = 'drift'): Decision | undefined {
  if (base.state !== 'drained') return undefined;
  const back = pathsOfTunnel(ctx.input.paths, ctx.id);
  if (back.length === 0) return undefined;
  const held = new Map(base.withdrawn.map((p) => [p.key, p]));
  const changed = back.filter((p) => held.has(p.key) && JSON.stringify(held.get(p.key)!.definition) !== JSON.stringify(p.definition));
  if (changed.length > 0) {
    // Someone re-created a withdrawn path with a different definition: withdrawing it would lose that definition,
    // restoring would overwrite it. A human decides.
    const text = `${changed.map((p) => p.key).join(', ')} re-appeared with a different definition while ${ctx.id} is drained: not touched, a human must decide`;
    return {
      ...decisionOf('refuse', text, base),
      next: { ...base, lastRefusal: text },
      finalState: 'drained',
      refusals: [{ guard: 'conflict', reason: text, urgent: true }],
      severity: 'CRITICAL',
      notify: base.lastRefusal !== text,
    };
  }
  return drain(ctx, base, `${why}: ${back.length} path(s) present while drained`, { force: false, by: 'drift' });
}

/** The figures a drain compared: this tunnel's loss against the best measured carrier's. */
function figuresOf(ctx: Ctx, carriers: readonly string[]): string | undefined {
  const own = lossOf(ctx, ctx.id);
  const measured = carriers.flatMap((t) => {
    const l = lossOf(ctx, t);
    return l ? [{ t, l }] : [];
  });
  if (!own || measured.length === 0) return undefined;
  const best = measured.reduce((a, b) => (b.l.ratio < a.l.ratio ? b : a));
  return compared(ctx.id, own.ratio, best.t, best.l.ratio, directionOf(ctx.id));
}
