/**
 * One rule per trigger: a monitor's signal, an operator's drain / restore / release, and the scheduled reconcile. Pure.
 */
import { decisionOf, pathsOfTunnel, type Ctx, type Decision } from './decision';
import { drain, driftOf } from './drain';
import { LAG, monitorOf, staleFor, stateLagsCloud } from './monitors';
import { maybeRestore, restore } from './restore';
import { nativeFailoverCovers } from '../guards';
import type { LedgerRecord, Signal } from '../types';
import type { GuardNote } from '../report-types';
import { lossElsewhere, otherDirectionOnly, worseThanCarriers } from './placement';

/** A monitor's news: `before` is the record as read, `ctx` the record with the signal applied. */
export function onSignal(before: Ctx, ctx: Ctx, s: Signal): Decision {
  const { record } = before;
  const { id, input } = ctx;
  if (record.recentKeys.some((k) => k.key === s.key)) {
    return decisionOf('ignore', `duplicate signal ${s.key}: already applied`, record, {
      refusals: [{ guard: 'duplicate', reason: `signal ${s.key} was already applied` }],
    });
  }
  const newer = staleFor(record, s);
  if (newer) {
    return decisionOf(
      'ignore',
      `stale signal observed ${s.observedAt}, older than the newest applied from ${monitorOf(s)} (${newer})`,
      record,
      {
        refusals: [{ guard: 'stale', reason: `observed ${s.observedAt} < newest applied ${newer} (${monitorOf(s)})` }],
      },
    );
  }
  const base = ctx.record;
  const others = base.health !== s.health ? ` (another monitor still says ${base.health})` : '';
  if (s.health === 'unknown') {
    return decisionOf('record', `${id}: health unknown (${s.evidence}); no action`, base, { next: base });
  }
  const aside = setAside(before, ctx, s);
  if (aside) return aside;
  if (record.state === 'drained') {
    // The other end put the link back as a placement decision: follow now, not after a hold-down (its guards —
    // a path shared with a degraded tunnel — still apply). An operator's drain stays the operator's.
    const stay = s.viaLink && s.follow ? worseThanCarriers(ctx, base.withdrawn) : undefined;
    if (stay)
      return decisionOf('record', `${id} stays drained: ${stay}`, base, {
        next: { ...base, lastRefusal: stay },
        notify: base.lastRefusal !== stay,
      });
    if (s.viaLink && s.follow && s.health === 'healthy' && !base.suppressed && ctx.view.healthOf(id) !== 'down') {
      const d = restore(ctx, base, `the other end of the link put it back: ${s.evidence}`, false);
      return d.kind === 'restore' ? { ...d, next: { ...d.next!, restoredUnhealthy: true } } : d;
    }
    if (base.health === 'healthy') return maybeRestore(ctx, base, true);
    // Still unhealthy, but perhaps far less lossy than the tunnel that carries its traffic now.
    const better = maybeRestore(ctx, base, true);
    if (better.kind === 'restore') return better;
    return decisionOf('record', `${id} is already drained; ${s.health} noted${others}`, base, { next: base });
  }
  if (base.health === 'healthy') return decisionOf('record', `${id} healthy`, base, { next: { ...base, lastRefusal: undefined } });
  // Only a tunnel-state monitor says down (this news, or earlier news) while the cloud already reports the
  // tunnel up: the metric lags the cloud, and cutting a tunnel that is back only keeps it out for a hold-down.
  if ((s.health !== 'down' || s.basis === 'state') && stateLagsCloud(base, ctx.view, id))
    return decisionOf('record', `${id}: ${s.health} noted; ${LAG}`, base, { next: base });
  if (base.health === 'down' && nativeFailoverCovers(ctx.view, id, pathsOfTunnel(input.paths, id))) {
    return decisionOf(
      'record',
      `${id} is down; its paths also use a healthy sibling tunnel, which the cloud fails over to on its own: recorded, not drained`,
      base,
      { next: base, notify: true, severity: 'WARNING' },
    );
  }
  return drain(ctx, base, s.health === 'healthy' ? `still ${base.health}${others}` : `${s.health}: ${s.evidence}`, {
    force: false,
    by: 'monitor',
  });
}

export function onOperatorDrain(ctx: Ctx, reason: string, force: boolean): Decision {
  const { record, id } = ctx;
  if (record.state === 'drained' || record.state === 'restoring') {
    // The operator's intent is recorded even when the tunnel is already (being) drained: no automatic restore.
    const pinned: LedgerRecord = { ...record, state: 'drained', suppressed: true, reason: `operator: ${reason}` };
    const drift = driftOf({ ...ctx, record: pinned }, pinned, 'operator drain');
    if (drift) return drift;
    return decisionOf('record', `${id} is already drained; it now stays drained until an operator restores or releases it`, pinned, {
      next: pinned,
      finalState: 'drained',
      notify: true,
    });
  }
  return drain(ctx, record, `operator: ${reason}`, { force, by: 'operator' });
}

export function onOperatorRestore(ctx: Ctx, force: boolean): Decision {
  const { record, id } = ctx;
  if (record.state === 'active' && record.withdrawn.length === 0)
    return decisionOf('ignore', `${id} is not drained: nothing to restore`, record);
  const h = ctx.view.healthOf(id);
  if (!force && (h === 'degraded' || h === 'down')) {
    const text = `restore of ${id} refused: it is ${h}, so traffic would go back into it (restore --force overrides; the hold-down does not apply to an operator)`;
    return { ...decisionOf('refuse', text, record), refusals: [{ guard: 'unhealthy', reason: text }], notify: false };
  }
  // A forced restore overrides what the monitors said: they start from scratch.
  const base: LedgerRecord = force
    ? { ...record, suppressed: false, monitors: {}, health: 'unknown', healthySince: undefined, lastFailure: undefined }
    : { ...record, suppressed: false };
  return restore(ctx, base, force ? 'operator restore (--force)' : 'operator restore', force);
}

export function onRelease(ctx: Ctx): Decision {
  const { record, id } = ctx;
  if (!record.suppressed) return decisionOf('ignore', `${id} is not suppressed: nothing to release`, record);
  const released: LedgerRecord = { ...record, suppressed: false, drains: [], reason: 'released by operator' };
  const then = record.state === 'drained' ? maybeRestore(ctx, released, true) : undefined;
  if (then && then.kind === 'restore') return { ...then, summary: `released ${id}; ${then.summary}` };
  return decisionOf('release', `released ${id}: automatic restore allowed again${then ? ` (${then.summary})` : ''}`, released, {
    next: released,
    notify: true,
  });
}

/** The scheduled reconcile: re-withdraw drift, restore after the hold-down, retry a refused drain. */
export function onReconcile(ctx: Ctx): Decision {
  const { record, id, input, view } = ctx;
  if (record.state === 'drained') return driftOf(ctx, record) ?? maybeRestore(ctx, record, false);
  // Active but degraded or down: a refused drain is retried when conditions change (the other tunnel recovered).
  const own = pathsOfTunnel(input.paths, id);
  if ((record.health === 'degraded' || record.health === 'down') && own.length > 0) {
    if (record.health === 'down' && nativeFailoverCovers(view, id, own))
      return decisionOf('ignore', `${id} is down; the cloud fails over to its sibling`, record);
    if (stateLagsCloud(record, view, id)) return decisionOf('ignore', `${id}: ${LAG}`, record);
    const elsewhere = record.health === 'degraded' ? lossElsewhere(ctx, record) : undefined;
    if (elsewhere) return decisionOf('ignore', elsewhere, record);
    return drain(ctx, record, `still ${record.health} (retry of an earlier decision)`, { force: false, by: 'monitor' });
  }
  return decisionOf('ignore', `${id}: nothing to do`, record);
}

/**
 * News that is noted but moves no route: packets dropped for a reason no route change fixes (an MTU problem affects
 * every tunnel alike; a throttled tunnel is full — draining it fills its sibling), loss only in the direction the
 * other end's lever steers, and a monitor between its clear and trip thresholds on a tunnel in service. Such a signal
 * does not become the tunnel's health (a reconcile would otherwise retry a drain it must not make); it is recorded as
 * seen, and said once.
 */
function setAside(before: Ctx, ctx: Ctx, s: Signal): Decision | undefined {
  const { record } = before;
  const seen: LedgerRecord = { ...ctx.record, monitors: record.monitors, health: record.health, healthySince: record.healthySince };
  const note = (text: string, guard: GuardNote['guard'], extra: Partial<Decision> = {}): Decision =>
    decisionOf('record', text, seen, {
      next: { ...seen, lastRefusal: text },
      refusals: [{ guard, reason: text }],
      notify: record.lastRefusal !== text,
      severity: 'WARNING',
      ...extra,
    });
  if (s.health !== 'degraded' && s.health !== 'down') return undefined;
  if (s.hold && record.state !== 'drained')
    return decisionOf('ignore', `${ctx.id}: ${s.evidence} — above the clear threshold, below the trip threshold: no drain`, record);
  if (s.reason === 'mtu')
    return note(
      `${ctx.id}: packets dropped as too big for the tunnel (${s.evidence}); no route change helps — every tunnel has the same MTU. Clamp the TCP MSS (1360 bytes is safe for IPsec) or lower the MTU on the sending side`,
      'drop-reason',
    );
  if (s.reason === 'throttled')
    return note(
      `${ctx.id}: packets dropped because the tunnel is over its packet-rate limit (${s.evidence}); draining it would fill the tunnels that take its load. Add tunnels (more ECMP paths) or move load`,
      'capacity',
      {
        severity: 'CRITICAL',
        refusals: [{ guard: 'capacity', reason: `${ctx.id} is throttled: add tunnels or move load`, urgent: true }],
        // Remembered: a tunnel that throttles has no room for another tunnel's load (drains onto it are refused, and a
        // drain that filled it is rolled back).
        next: { ...seen, lastRefusal: record.lastRefusal, throttledAt: s.observedAt },
      },
    );
  const other = record.state === 'active' ? otherDirectionOnly(ctx, s) : undefined;
  if (other) return note(other, 'direction', { tell: { about: 'measure', health: s.health } });
  return undefined;
}
