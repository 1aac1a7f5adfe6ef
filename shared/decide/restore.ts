/**
 * Putting a drained tunnel back: after the hold-down on evidence about the tunnel itself, at once as the last path of
 * its destinations, or never without evidence (said once, loudly). Pure.
 */
import { decisionOf, sec, type Ctx, type Decision } from './decision';
import { speakingMonitors } from './monitors';
import { betterThanCarriers, lossElsewhere, noBetterByLabel, overfilledCarrier } from './placement';
import { contains } from '../cidr';
import type { LedgerRecord, PathSnapshot } from '../types';

export function restore(ctx: Ctx, base: LedgerRecord, why: string, forced: boolean): Decision {
  const { id, input } = ctx;
  // A path shared with another tunnel that is still degraded stays out (AWS: the connection's routes feed both).
  const blockedBy = (p: PathSnapshot) => p.tunnelIds.filter((t) => t !== id && ctx.view.healthOf(t) === 'degraded');
  const blocked = forced ? [] : base.withdrawn.filter((p) => blockedBy(p).length > 0);
  if (blocked.length > 0) {
    const who = [...new Set(blocked.flatMap(blockedBy))].join(', ');
    const text = `restore of ${id} waits: its paths also feed ${who}, which is degraded`;
    return {
      ...decisionOf('refuse', text, base),
      next: { ...base, lastRefusal: text },
      refusals: [{ guard: 'shared-path', reason: text }],
      notify: base.lastRefusal !== text,
    };
  }
  // Monitors a probe set aside spoke for a tunnel without traffic: they start afresh once traffic is back.
  const monitors = base.monitors && !forced ? speakingMonitors('drained', base.monitors) : base.monitors;
  const next: LedgerRecord = {
    ...base,
    state: 'restoring',
    updatedAt: input.now.toISOString(),
    reason: why,
    lastRefusal: undefined,
    restoredUnhealthy: undefined,
    ...(monitors ? { monitors } : {}),
  };
  const dests = [...new Set(base.withdrawn.flatMap((p) => p.destinations))];
  return {
    kind: 'restore',
    // Only a restore earned by health vouches for the tunnel at the other end; an operator's `restore` on one end
    // says nothing about the other end — except to take back what the operator's own drain told it, so that the
    // other end is no longer held by a claim nobody makes any more.
    ...(input.trigger.type !== 'restore' || base.reason?.startsWith('operator:')
      ? { tell: { about: 'change' as const, health: 'healthy' as const } }
      : {}),
    summary: `restore ${id}: re-create ${base.withdrawn.length} path(s) for ${dests.join(', ') || 'nothing'} — ${why}`,
    severity: 'NOTICE',
    next,
    finalState: 'active',
    actions: base.withdrawn.map((p) => ({ type: 'restore' as const, path: p })),
    refusals: [],
    joinsFence: false,
    notify: true,
    forced,
  };
}

/**
 * The monitors holding a drained tunnel, when every one of them measures production traffic and no probe watches
 * the tunnel (here or through the link) — and it has been drained for at least the hold-down. Undefined otherwise.
 */
export function blindWhileDrained(r: LedgerRecord, now: Date, holdDownSeconds: number): string[] | undefined {
  if (r.state !== 'drained') return undefined;
  const monitors = Object.entries(r.monitors ?? {});
  if (monitors.some(([, m]) => m.basis === 'probe')) return undefined;
  const holding = monitors.filter(([, m]) => m.health !== 'healthy');
  if (holding.length === 0 || holding.some(([, m]) => m.basis !== 'traffic')) return undefined;
  const since = Date.parse(r.updatedAt ?? r.drains.at(-1) ?? '');
  if (!Number.isFinite(since) || now.getTime() - since < holdDownSeconds * 1000) return undefined;
  return holding.map(([k]) => k);
}

/**
 * The withdrawn destinations that nothing else can carry any more: no other path in service (or standing by)
 * whose tunnel the cloud reports up covers them, while this tunnel is up itself. The guard checked for a fallback
 * when the tunnel was drained; if that fallback has since gone down, the drained path is the last one left.
 */
export function orphanedDestinations(ctx: Ctx, base: LedgerRecord): string[] {
  const { input, id, view } = ctx;
  if (view.statusOf(id)?.status !== 'up') return [];
  const carriers = input.paths.filter(
    (p) =>
      (p.standbyFor !== undefined || p.tunnelIds.some((t) => t !== id && !view.unavailable.has(t))) &&
      p.tunnelIds.some((t) => view.statusOf(t)?.status === 'up'),
  );
  const out = new Set<string>();
  for (const w of base.withdrawn) {
    for (const d of w.destinations) {
      const covered = carriers.some((p) => (p.domain ?? '') === (w.domain ?? '') && p.destinations.some((c) => contains(c, d)));
      if (!covered) out.add(d);
    }
  }
  return [...out];
}

/**
 * A drained tunnel nothing will ever vouch for (its monitors cannot tell, or they measure only the traffic it no
 * longer carries): it stays drained, said once and loudly, so a human checks it.
 */
export function staysDrainedWithoutEvidence(base: LedgerRecord, text: string, changed: boolean): Decision {
  return {
    ...decisionOf('refuse', text, base),
    next: base.lastRefusal === text && !changed ? undefined : { ...base, lastRefusal: text },
    refusals: [{ guard: 'no-evidence', reason: text, urgent: true }],
    severity: 'CRITICAL',
    notify: base.lastRefusal !== text,
  };
}

/** Drained: restore once it has been healthy for the hold-down — or at once as the last path left. */
export function maybeRestore(ctx: Ctx, base: LedgerRecord, changed: boolean): Decision {
  const { input, id } = ctx;
  const health = ctx.view.healthOf(id);
  // Never be worse than doing nothing: a lossy path beats no path. An operator's drain stays the operator's.
  const orphaned = base.reason?.startsWith('operator:') ? [] : orphanedDestinations(ctx, base);
  if (orphaned.length > 0) {
    const d = restore(
      ctx,
      base,
      `last resort: ${orphaned.join(', ')} ${orphaned.length === 1 ? 'has' : 'have'} no other path in service (the fallback went down); a lossy path beats none`,
      false,
    );
    return d.kind === 'restore'
      ? {
          ...d,
          next: { ...d.next!, restoredUnhealthy: true },
          severity: 'CRITICAL',
          // Restored although unhealthy, as the last path of its destinations: it vouches for nothing.
          tell: undefined,
          refusals: [
            { guard: 'last-resort', reason: `restored although ${health}: ${orphaned.join(', ')} had no other path`, urgent: true },
          ],
        }
      : d;
  }
  if (base.suppressed) {
    const text = `${id} stays drained until an operator releases it (${base.reason ?? 'suppressed'})`;
    return decisionOf('suppress', text, base, { next: changed ? base : undefined, notify: changed && base.health === 'healthy' });
  }
  // Measurably less lossy than the tunnel carrying its traffic: back now, whatever its label and hold-down say —
  // keeping it out would keep the traffic in the worse tunnel. An operator's drain stays the operator's.
  const operators = base.reason?.startsWith('operator:');
  const better = operators
    ? undefined
    : (overfilledCarrier(ctx, base) ?? betterThanCarriers(ctx, base.withdrawn) ?? noBetterByLabel(ctx, base));
  const settled =
    health === 'healthy' &&
    !!base.healthySince &&
    input.now.getTime() - Date.parse(base.healthySince) >= input.policy.restoreHoldDownSeconds * 1000;
  if (better && !settled) {
    const d = restore(ctx, base, better, false);
    if (d.kind !== 'restore') return d;
    const unhealthy = health !== 'healthy';
    // The other end carries the same link: it follows the same placement at once (its own guards permitting) —
    // unless the link's round trip loses more than this end's direction explains: the rest is lost in the direction
    // the other end steers, which this placement says nothing about. The other end then keeps its own placement (it
    // still hears this end's probe), instead of putting its direction back into the loss.
    const otherWayLossy = !!lossElsewhere(ctx, base);
    return {
      ...d,
      next: { ...d.next!, ...(unhealthy ? { restoredUnhealthy: true } : {}) },
      severity: 'WARNING',
      tell: otherWayLossy ? undefined : { about: 'change', health: 'healthy', follow: true },
    };
  }
  if (health === 'unknown' && Object.values(base.monitors ?? {}).some((m) => m.health === 'unknown')) {
    // Held only by monitors that cannot tell (an incident cancelled, insufficient data): say so once, loudly —
    // nothing will ever arrive to restore it.
    const text = `${id} stays drained: its monitors cannot tell whether it is healthy (${
      Object.entries(base.monitors ?? {})
        .filter(([, m]) => m.health === 'unknown')
        .map(([k]) => k)
        .join(', ') || 'unknown'
    }); restore --force once a human has checked it`;
    return staysDrainedWithoutEvidence(base, text, changed);
  }
  if (health !== 'healthy' || !base.healthySince) {
    const blind = blindWhileDrained(base, input.now, input.policy.restoreHoldDownSeconds);
    if (blind) {
      // Only traffic metrics hold it, and a drained tunnel has no traffic: nothing will ever say it healed. Say so
      // once, loudly, instead of restoring into a tunnel that may still be lossy.
      const text = `${id} stays drained: only traffic metrics watch it (${blind.join(', ')}), and a drained tunnel carries no traffic, so none of them can show that it healed; check it and restore it by hand, or deploy a probe for this link`;
      return staysDrainedWithoutEvidence(base, text, changed);
    }
    return decisionOf(changed ? 'record' : 'ignore', `${id} is drained and ${health}: stays drained`, base, {
      next: changed ? base : undefined,
    });
  }
  const healthyFor = input.now.getTime() - Date.parse(base.healthySince);
  const needed = input.policy.restoreHoldDownSeconds * 1000;
  if (healthyFor < needed) {
    const at = new Date(Date.parse(base.healthySince) + needed).toISOString();
    return decisionOf(
      changed ? 'record' : 'ignore',
      `${id} healthy for ${sec(healthyFor)}s; hold-down ${input.policy.restoreHoldDownSeconds}s: restore not before ${at}`,
      base,
      {
        next: changed ? base : undefined,
        refusals: [{ guard: 'hold-down', reason: `healthy for ${sec(healthyFor)}s of ${input.policy.restoreHoldDownSeconds}s` }],
      },
    );
  }
  return restore(ctx, base, `healthy since ${base.healthySince} (hold-down ${input.policy.restoreHoldDownSeconds}s passed)`, false);
}
