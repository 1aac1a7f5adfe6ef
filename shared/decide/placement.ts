/**
 * Placement on quantities: where a tunnel's traffic goes when it is drained or restored, and what that is expected
 * to cost. A drain moves the traffic of the direction this end's lever steers onto the tunnels that carry the same
 * destinations; it is worth doing only when they lose measurably less, and have room. A drained tunnel that now loses
 * measurably less than the tunnel carrying its traffic comes back. Unmeasured tunnels keep the label rules. Pure.
 */
import { contains } from '../cidr';
import {
  capacityPpsOf,
  clearlyBetter,
  compared,
  withCounted,
  DIRECTION_LABEL,
  lossToward,
  overloadPps,
  percent,
  steeredBy,
  type Loss,
} from '../measure';
import type { Cloud, Direction, LedgerRecord, Path, PathSnapshot, Signal, TunnelLoad, TunnelStatus } from '../types';
import type { GuardNote } from '../report-types';
import type { Ctx } from './decision';

const cloudOfId = (id: string): Cloud => (id.startsWith('aws:') ? 'aws' : 'gcp');

/** The direction this tunnel's own lever steers. */
export const directionOf = (id: string): Direction => steeredBy(cloudOfId(id));

export const lossOf = (ctx: Ctx, id: string, record?: LedgerRecord, judgedAt?: Date): Loss | undefined => {
  const r = record ?? (id === ctx.id ? ctx.record : ctx.view.recordOf(id));
  return lossToward(
    withCounted(r, ctx.view.statusOf(id)),
    directionOf(ctx.id),
    judgedAt ?? asOf(ctx, r),
    ctx.input.policy.lossMaxAgeSeconds,
    { oppositeStands: heldOutByOtherEnd(r) },
  );
};

/**
 * The other end of the link says the tunnel is degraded or down (it drained it, or its probe says so): the direction
 * its lever steers is out of this tunnel, or about to be. Nothing then renews what this end's counters read of that
 * direction: its last figure stands (see `lossToward`).
 */
export const heldOutByOtherEnd = (r: Pick<LedgerRecord, 'monitors'> | undefined): boolean =>
  Object.entries(r?.monitors ?? {}).some(([m, v]) => m.startsWith('link:') && (v.health === 'degraded' || v.health === 'down'));

/**
 * When a tunnel's figures are judged: now — or, for a drained tunnel, when it was drained. A drained tunnel carries
 * no traffic, so its traffic figures cannot be renewed: the last ones stand as the evidence that took it out (a probe
 * keeps measuring it, and a newer figure replaces them). Without this, they would expire while it is out, and the
 * label rules would put a known-worse tunnel back beside a better one.
 */
function asOf(ctx: Ctx, r: LedgerRecord | undefined): Date {
  const drainedAt = r?.state === 'drained' ? r.drains.at(-1) : undefined;
  return drainedAt ? new Date(Math.min(ctx.input.now.getTime(), Date.parse(drainedAt))) : ctx.input.now;
}

/**
 * The other tunnels in service that carry some of these destinations now: the paths a drain moves traffic onto, or
 * the paths a drained tunnel's traffic went to. Standbys wait; a tunnel the cloud reports down carries nothing.
 */
export function carriersOf(ctx: Ctx, paths: readonly Pick<Path, 'destinations' | 'domain'>[]): string[] {
  const { id, view, input } = ctx;
  const out = new Set<string>();
  for (const p of input.paths) {
    if (p.standbyFor || p.tunnelIds.includes(id)) continue;
    const covers = paths.some(
      (w) => (w.domain ?? '') === (p.domain ?? '') && w.destinations.some((d) => p.destinations.some((c) => contains(c, d))),
    );
    if (!covers) continue;
    for (const t of p.tunnelIds) if (!view.unavailable.has(t) && view.statusOf(t)?.status !== 'down') out.add(t);
  }
  return [...out];
}

/**
 * With no carrier in service, where a drain's traffic would go all the same: the standby copies of drained tunnels'
 * routes for these destinations (a de-preferred route still carries traffic when nothing better exists, so draining
 * this tunnel too only spreads its traffic over theirs).
 */
export function standbyCarriersOf(ctx: Ctx, paths: readonly Pick<Path, 'destinations' | 'domain'>[]): string[] {
  const out = new Set<string>();
  for (const p of ctx.input.paths) {
    if (!p.standbyFor || p.tunnelIds.includes(ctx.id)) continue;
    const covers = paths.some(
      (w) => (w.domain ?? '') === (p.domain ?? '') && w.destinations.some((d) => p.destinations.some((c) => contains(c, d))),
    );
    if (covers) for (const t of p.tunnelIds) if (ctx.view.statusOf(t)?.status !== 'down') out.add(t);
  }
  return [...out];
}

/**
 * The carriers that are measurably less lossy than `id` in the direction its lever steers: they may carry its
 * traffic although their label says degraded (a 3 % tunnel beats a 20 % one).
 */
export function clearlyBetterCarriers(ctx: Ctx, carriers: readonly string[]): string[] {
  const own = lossOf(ctx, ctx.id);
  if (!own) return [];
  return carriers.filter((t) => {
    const l = lossOf(ctx, t);
    return !!l && clearlyBetter(l.ratio, own.ratio, ctx.input.policy);
  });
}

/**
 * Never move traffic onto a path measured worse: when this tunnel's loss is known and every carrier's is too, and
 * none is measurably better, the drain would move the traffic onto an equal or worse tunnel. Undefined: go ahead.
 */
export function worsePath(ctx: Ctx, carriers: readonly string[]): GuardNote | undefined {
  const own = lossOf(ctx, ctx.id);
  if (!own || carriers.length === 0) return undefined;
  const measured = carriers.map((t) => ({ t, l: lossOf(ctx, t) }));
  if (measured.some((m) => !m.l)) return undefined;
  // A tunnel this end took out, whose probe is still above its clear threshold, is held out: the low figure of a
  // window that is not clean yet never makes it the better place for traffic (one clean-looking sample of a lossy
  // link is no recovery — that is what the hold-down is for).
  const heldOut = (m: { t: string; l?: Loss }) => !!m.l!.hold && ctx.view.unavailable.has(m.t);
  if (measured.some((m) => !heldOut(m) && clearlyBetter(m.l!.ratio, own.ratio, ctx.input.policy))) return undefined;
  const best = measured.reduce((a, b) => (b.l!.ratio < a.l!.ratio ? b : a));
  return {
    guard: 'worse-path',
    reason: `not drained: ${compared(ctx.id, own.ratio, best.t, best.l!.ratio, directionOf(ctx.id))} — its traffic would move onto a tunnel no less lossy`,
  };
}

/**
 * A drained tunnel that now loses measurably less than the best tunnel carrying its traffic: the text of its restore,
 * with the figures compared. Undefined when it is not measured, or not clearly better.
 */
export function betterThanCarriers(ctx: Ctx, withdrawn: readonly PathSnapshot[]): string | undefined {
  const own = lossOf(ctx, ctx.id);
  // A probe still above its clear threshold holds a drained tunnel out: its figure brings no traffic back.
  if (!own || own.hold) return undefined;
  const carriers = carriersOf(ctx, withdrawn).map((t) => ({ t, l: lossOf(ctx, t) }));
  if (carriers.length === 0 || carriers.some((c) => !c.l)) return undefined;
  const best = carriers.reduce((a, b) => (b.l!.ratio < a.l!.ratio ? b : a));
  if (!clearlyBetter(own.ratio, best.l!.ratio, ctx.input.policy)) return undefined;
  return `less lossy than the tunnel carrying its traffic: ${compared(ctx.id, own.ratio, best.t, best.l!.ratio, directionOf(ctx.id))}`;
}

const capacityOf = (ctx: Ctx, s: TunnelStatus): TunnelStatus => ({
  ...s,
  capacityPps: capacityPpsOf(s, ctx.input.policy),
});

/**
 * What a drain here moves: the direction this end's lever steers — and the other direction too when the other end
 * has taken the tunnel out already (its lever moved that direction onto the same survivors). Without per-direction
 * figures, the whole load (the cautious reading).
 */
function movedLoad(ctx: Ctx, load: TunnelLoad): { moved: number; steeredPps: number } {
  const steered = directionOf(ctx.id);
  const by = load.byDirection;
  const mine = by?.[steered];
  if (mine === undefined) return { moved: load.pps, steeredPps: load.pps };
  const otherEndOut = heldOutByOtherEnd(ctx.record);
  const opposite = by?.[steered === 'gcp-to-aws' ? 'aws-to-gcp' : 'gcp-to-aws'] ?? 0;
  return { moved: mine + (otherEndOut ? opposite : 0), steeredPps: mine };
}

/**
 * The capacity guard: the load a drain moves, projected onto the carriers the lever would use (a static AWS
 * connection sends everything over one tunnel of its choosing: the busiest candidate is assumed; equal-cost GCP
 * routes spread by flow, unevenly). Overload drops packets as surely as loss does, so the drain goes ahead only if
 * it is expected to lose fewer packets than keeping the traffic where it is; when both lose, the smaller is chosen and
 * said loudly. Undefined when loads are not known or nothing overflows.
 */
export function capacityCheck(ctx: Ctx, carriers: readonly string[]): { refusal?: GuardNote; note?: string } | undefined {
  const own = ctx.view.statusOf(ctx.id);
  if (!own?.load || carriers.length === 0) return undefined;
  const survivors = carriers.flatMap((t) => {
    const s = ctx.view.statusOf(t);
    return s ? [capacityOf(ctx, s)] : [];
  });
  const oneTunnel = cloudOfId(ctx.id) === 'aws';
  const { moved, steeredPps } = movedLoad(ctx, own.load);
  const over = oneTunnel ? Math.max(...survivors.map((s) => overloadPps(moved, [s]) ?? Number.NaN)) : overloadPps(moved, survivors);
  if (over === undefined || !Number.isFinite(over) || over <= 0) return undefined;
  const loss = lossOf(ctx, ctx.id);
  const keep = loss ? steeredPps * loss.ratio : undefined;
  const figures = `moving ${Math.round(moved).toLocaleString('en-US')} pps onto ${carriers.join(', ')} would drop about ${Math.round(over).toLocaleString('en-US')} pps over capacity; keeping it loses ${keep === undefined ? 'an unmeasured share' : `about ${Math.round(keep).toLocaleString('en-US')} pps (${percent(loss!.ratio)} ${DIRECTION_LABEL[directionOf(ctx.id)]})`}`;
  if (keep !== undefined && over < keep) return { note: `capacity: ${figures}: draining loses less; add tunnels or move load` };
  return { refusal: { guard: 'capacity', reason: `not drained: ${figures}; add tunnels or move load`, urgent: true } };
}

/**
 * Loss measured only in the direction this end's lever does not steer, while the steered direction is measured
 * clean: moving this end's routes would move healthy traffic. The other end's lever moves the lossy direction.
 */
export function otherDirectionOnly(ctx: Ctx, s: Signal): string | undefined {
  const steered = directionOf(ctx.id);
  if (!s.measure || s.measure.span === steered) return undefined;
  const mine = lossOf(ctx, ctx.id);
  if (!mine || mine.ratio >= ctx.input.policy.lossBetterMargin) return undefined;
  // A round trip cannot tell the directions apart; a clean figure of the steered direction itself can.
  if (s.measure.span === 'round-trip')
    return explains(ctx, mine, s.measure.ratio) ? steeredClean(ctx, mine.ratio, s.measure.ratio) : undefined;
  return `${ctx.id}: ${percent(s.measure.ratio)} lost ${DIRECTION_LABEL[s.measure.span]}, while ${DIRECTION_LABEL[steered]} — the direction this end's routes steer — loses ${percent(mine.ratio)}: not drained here; the other end's routes steer the lossy direction`;
}

/**
 * The steered direction's clean figure accounts for a lossy round trip: measured on its own, or what is left of the
 * round trip once the other direction's measured loss is taken out.
 */
const explains = (ctx: Ctx, mine: Loss, roundTrip: number): boolean =>
  mine.from === directionOf(ctx.id) || mine.ratio + ctx.input.policy.lossBetterMargin <= roundTrip;

const steeredClean = (ctx: Ctx, mine: number, roundTrip: number): string =>
  `${ctx.id}: ${percent(roundTrip)} lost on the round trip, while ${DIRECTION_LABEL[directionOf(ctx.id)]} — the direction this end's routes steer — measures ${percent(mine)}: the loss is in the other direction; not drained here, the other end's routes steer it`;

/**
 * Degraded by a round trip, but the direction this end steers is measured clean on its own: the loss is the other
 * direction's, for the other end's lever. Undefined when no such figure says so.
 */
export function lossElsewhere(ctx: Ctx, base: LedgerRecord): string | undefined {
  const mine = lossOf(ctx, ctx.id, base);
  const rt = base.loss?.['round-trip'];
  if (!mine || !rt || mine.ratio >= ctx.input.policy.lossBetterMargin || !explains(ctx, mine, rt.ratio)) return undefined;
  return steeredClean(ctx, mine.ratio, rt.ratio);
}

/**
 * The other end put the link back, but the direction this end steers is measurably worse here than on the tunnels
 * carrying it now: following would move this direction into the loss. Undefined: follow.
 */
export function worseThanCarriers(ctx: Ctx, withdrawn: readonly PathSnapshot[]): string | undefined {
  const own = lossOf(ctx, ctx.id);
  const carriers = carriersOf(ctx, withdrawn).flatMap((t) => {
    const l = lossOf(ctx, t);
    return l ? [{ t, l }] : [];
  });
  if (!own || carriers.length === 0) return undefined;
  const best = carriers.reduce((a, b) => (b.l.ratio < a.l.ratio ? b : a));
  if (!clearlyBetter(best.l.ratio, own.ratio, ctx.input.policy)) return undefined;
  return `not following the other end: ${compared(ctx.id, own.ratio, best.t, best.l.ratio, directionOf(ctx.id))}`;
}

/** A carrier that throttled since this tunnel was drained: the drain filled it. Undefined: none did. */
export function overfilledCarrier(ctx: Ctx, base: LedgerRecord): string | undefined {
  const since = base.updatedAt ?? base.drains.at(-1) ?? '';
  const full = carriersOf(ctx, base.withdrawn).find((t) => {
    const at = ctx.view.recordOf(t)?.throttledAt;
    return !!at && at >= since && ageSeconds(ctx, at) <= ctx.input.policy.lossMaxAgeSeconds;
  });
  return full
    ? `the drain filled ${full}: it drops packets over its packet-rate limit (throttled at ${ctx.view.recordOf(full)!.throttledAt}); a lossy tunnel with room beats a full one`
    : undefined;
}

/**
 * Without figures, labels: every tunnel now carrying a drained tunnel's traffic is degraded too. Nothing says which is
 * worse, and doing nothing would have kept both in service — so sharing the traffic again is never worse than doing
 * nothing, while piling it on one degraded tunnel may be. Applies only to a tunnel nothing measures better or worse.
 */
export function noBetterByLabel(ctx: Ctx, base: LedgerRecord): string | undefined {
  if (ctx.view.healthOf(ctx.id) === 'down') return undefined;
  const carriers = carriersOf(ctx, base.withdrawn);
  if (carriers.length === 0 || !carriers.every((t) => ctx.view.healthOf(t) === 'degraded')) return undefined;
  // Where every figure is known, the figures decide (betterThanCarriers), not the labels. A drained tunnel's figure
  // that only stands because nothing could renew it (older than the figures' age limit) keeps it out only beside a
  // carrier measurably better than it: it may have healed since, and beside an equal carrier, sharing is what doing
  // nothing would do.
  const own = lossOf(ctx, ctx.id);
  const renewed = !!own && !!lossOf(ctx, ctx.id, undefined, ctx.input.now);
  if (own && renewed && carriers.every((t) => lossOf(ctx, t))) return undefined;
  if (own && !renewed && clearlyBetterCarriers(ctx, carriers).length > 0) return undefined;
  return `every tunnel carrying its traffic is degraded too (${carriers.join(', ')}) and no figure says which is worse: sharing the traffic again is what doing nothing would do`;
}

/** The carriers that throttled recently: no room for more load. */
export function fullCarriers(ctx: Ctx, carriers: readonly string[]): string[] {
  return carriers.filter((t) => {
    const at = ctx.view.recordOf(t)?.throttledAt;
    return !!at && ageSeconds(ctx, at) <= ctx.input.policy.flapWindowSeconds;
  });
}

const ageSeconds = (ctx: Ctx, at: string): number => (ctx.input.now.getTime() - Date.parse(at)) / 1000;
