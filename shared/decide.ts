/**
 * The decision: a pure function of (trigger, ledger, observed paths and tunnel status, policy,
 * now). All branching lives here; `engine.ts` only carries out what this returns.
 */
import { depreferGaps, drainGuards, nativeFailoverCovers } from './guards';
import { contains } from './cidr';
import { buildView, type View } from './health';
import type { Policy } from './policy';
import type {
  Action,
  Health,
  DecisionKind,
  LedgerRecord,
  Path,
  PathSnapshot,
  Refusal,
  Severity,
  Signal,
  TunnelState,
  TunnelStatus,
} from './types';
import { isDeprefer } from './types';

export type Trigger =
  | { type: 'signal'; signal: Signal }
  | { type: 'drain'; reason: string; force: boolean }
  | { type: 'restore'; force: boolean }
  | { type: 'release' }
  | { type: 'tick' };

export interface DecisionInput {
  trigger: Trigger;
  /** The tunnel's record (or `emptyRecord`). */
  record: LedgerRecord;
  /** All records of the tunnel's cloud (fences excluded), used for the other tunnels' health and state. */
  records: readonly LedgerRecord[];
  /** The cloud fence's members: tunnels of this cloud that are draining, drained or restoring. */
  members: readonly string[];
  tunnels: readonly TunnelStatus[];
  /** Paths currently present in the cloud. */
  paths: readonly Path[];
  policy: Policy;
  now: Date;
}

export interface Decision {
  kind: DecisionKind;
  summary: string;
  severity: Severity;
  /** The record to write before acting (write-ahead); `undefined` = write nothing. */
  next?: LedgerRecord;
  /** The state the record reaches once every action is confirmed. */
  finalState: TunnelState;
  actions: Action[];
  refusals: Refusal[];
  /** Does this decision change fence membership (drain commit)? */
  joinsFence: boolean;
  notify: boolean;
  forced: boolean;
  /** A local signal made every one of the tunnel's own monitors healthy again (tell the other end). */
  localRecovered?: boolean;
  /** Restored although unhealthy, as the last path of its destinations: it vouches for nothing. */
  lastResort?: boolean;
}

const MAX_KEYS = 50;
const MAX_DRAINS = 100;

const sec = (ms: number) => Math.round(ms / 1000);

/** Paths that send traffic into the tunnel. A standby left by a de-preference is not one: it only waits. */
export const pathsOfTunnel = (paths: readonly Path[], tunnelId: string): Path[] =>
  paths.filter((p) => p.tunnelIds.includes(tunnelId) && !p.standbyFor);

/** The path as this drain takes it out: by de-preference where the policy asks for it and the lever allows it. */
export const withLever = (p: Path, policy: Pick<Policy, 'drainMode'>): Path =>
  policy.drainMode === 'deprefer' && p.canDeprefer ? { ...p, lever: 'deprefer' } : p;

const RANK: Record<Health, number> = { healthy: 0, unknown: 1, degraded: 2, down: 3 };
const worstOf = (hs: Health[]): Health => hs.reduce<Health>((a, b) => (RANK[b] > RANK[a] ? b : a), 'healthy');
const monitorOf = (s: Signal): string => s.monitor ?? s.source;
const isLinkMonitor = (m: string): boolean => m.startsWith('link:');

/** Older than the newest signal already applied *from the same monitor*: another monitor's news is no reason. */
export function staleFor(record: LedgerRecord, s: Signal): string | undefined {
  const last = record.monitors?.[monitorOf(s)]?.at ?? (record.monitors ? undefined : record.lastSignalAt);
  return last && s.observedAt < last ? last : undefined;
}

type Monitors = NonNullable<LedgerRecord['monitors']>;

/**
 * The monitors that speak for a tunnel now. A drained tunnel carries no production traffic, so the monitors that
 * measure traffic (loss ratios, drop counters) can no longer tell whether it healed: when a probe — which keeps
 * measuring the tunnel itself — reports it healthy (here or through the link), they are set aside. While the
 * tunnel is in service, every monitor counts, and the worst wins.
 */
export function speakingMonitors(state: LedgerRecord['state'], monitors: Monitors): Monitors {
  if (state === 'active') return monitors;
  const probes = Object.values(monitors).filter((m) => m.basis === 'probe');
  if (probes.length === 0 || probes.some((m) => m.health !== 'healthy')) return monitors;
  return Object.fromEntries(Object.entries(monitors).filter(([, m]) => m.basis !== 'traffic'));
}

/** Worst health of the tunnel's own monitors (not the other end's link messages). */
export const localHealthOf = (r: LedgerRecord): Health =>
  worstOf(
    Object.entries(speakingMonitors(r.state, r.monitors ?? {}))
      .filter(([m]) => !isLinkMonitor(m))
      .map(([, v]) => v.health),
  );

/**
 * Apply a signal to the record: its monitor's latest health, and the tunnel's health as the worst of all its
 * monitors, so one alarm clearing cannot restore a tunnel that another alarm still reports degraded.
 */
export function withSignalMark(record: LedgerRecord, signal: Signal): LedgerRecord {
  const keys = [...record.recentKeys, { key: signal.key, at: signal.observedAt }].slice(-MAX_KEYS);
  // A monitor keeps what it measures when a message does not say (a restore after the hold-down carries no signal).
  const basis = signal.basis ?? record.monitors?.[monitorOf(signal)]?.basis;
  const entry = { health: signal.health, at: signal.observedAt, ...(basis ? { basis } : {}) };
  const monitors = { ...(record.monitors ?? {}), [monitorOf(signal)]: entry };
  const health = worstOf(Object.values(speakingMonitors(record.state, monitors)).map((m) => m.health));
  const wasHealthy = record.health === 'healthy' && record.healthySince;
  return {
    ...record,
    recentKeys: keys,
    monitors,
    health,
    lastSignalViaLink: !!signal.viaLink,
    lastSignalAt: record.lastSignalAt && record.lastSignalAt > signal.observedAt ? record.lastSignalAt : signal.observedAt,
    healthySince: health === 'healthy' ? (wasHealthy ? record.healthySince : signal.observedAt) : undefined,
  };
}

const mergeSnapshots = (held: readonly PathSnapshot[], more: readonly Path[]): PathSnapshot[] => {
  const byKey = new Map(held.map((p) => [p.key, p]));
  for (const p of more) if (!byKey.has(p.key)) byKey.set(p.key, structuredClone(p));
  return [...byKey.values()];
};

function nothing(kind: DecisionKind, summary: string, record: LedgerRecord, extra: Partial<Decision> = {}): Decision {
  return {
    kind,
    summary,
    severity: kind === 'refuse' ? 'WARNING' : 'INFO',
    finalState: record.state,
    actions: [],
    refusals: [],
    joinsFence: false,
    notify: false,
    forced: false,
    ...extra,
  };
}

interface Ctx {
  input: DecisionInput;
  view: View;
  record: LedgerRecord;
  id: string;
}

/**
 * Who asks for the drain. A monitor's drain counts towards flapping; an operator's is never undone automatically;
 * re-withdrawing drift keeps the tunnel's drain history, suppression and reason as they were (it is the same drain).
 */
type DrainBy = 'monitor' | 'operator' | 'drift';

function drain(ctx: Ctx, base: LedgerRecord, reason: string, opts: { force: boolean; by: DrainBy }): Decision {
  const { input, id } = ctx;
  const own = pathsOfTunnel(input.paths, id).map((p) => withLever(p, input.policy));
  if (own.length === 0) {
    const covered = coveredByOtherEnd(base, id);
    if (covered) return nothing('record', covered, base, { next: base, finalState: base.state, notify: true });
    return nothing('record', `${id}: no active paths send traffic into it (already withdrawn or none configured); health noted`, base, {
      next: base,
      finalState: base.state,
      notify: true,
    });
  }
  const refusals = drainGuards(ctx.input, ctx.view, ctx.id, own);
  const refusalsToReport = opts.force ? refusals.map((r) => ({ ...r, reason: `overridden by --force: ${r.reason}` })) : refusals;
  if (refusals.length > 0 && !opts.force) {
    const text = refusals.map((r) => r.reason).join('; ');
    const next = { ...base, lastRefusal: text };
    return {
      ...nothing('refuse', `refused to drain ${id}: ${text}`, base),
      next,
      refusals,
      severity: refusals.some((r) => r.urgent) ? 'CRITICAL' : 'WARNING',
      // The same refusal is reported once, not on every reconcile.
      notify: base.lastRefusal !== text,
    };
  }
  const nowIso = input.now.toISOString();
  const windowStart = input.now.getTime() - input.policy.flapWindowSeconds * 1000;
  const byMonitor = opts.by === 'monitor';
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
  };
  const dests = [...new Set(own.flatMap((p) => p.destinations))];
  const standbyNote = depreferNote(ctx, own);
  return {
    kind: flapping ? 'suppress' : 'drain',
    summary: `drain ${id}: ${leverSummary(own)} for ${dests.join(', ')} — ${reason}${flapping ? ` (${next.reason})` : ''}${standbyNote ? `; ${standbyNote}` : ''}`,
    // Every tunnel of a destination de-preferred: nothing refused, but a human should know its traffic has no healthy path.
    severity: opts.force || standbyNote ? 'CRITICAL' : 'WARNING',
    next,
    finalState: 'drained',
    actions: own.map((p) => ({ type: 'withdraw' as const, path: p })),
    refusals: refusalsToReport,
    joinsFence: true,
    notify: true,
    forced: opts.force && refusals.length > 0,
  };
}

/** `withdraw 2 path(s)`, `de-prefer 1 path(s) (a standby stays)`, or both. */
function leverSummary(paths: readonly Path[]): string {
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
function depreferNote(ctx: Ctx, paths: readonly Path[]): string | undefined {
  const gaps = depreferGaps(ctx.input, ctx.view, ctx.id, paths);
  if (gaps.length === 0) return undefined;
  return `no healthy path is left for ${gaps.map((g) => g.destination).join(', ')}: every path of it is de-preferred or unhealthy, so its traffic stays on the standby routes (no black hole); a human should look`;
}

/**
 * A tunnel with nothing of its own to drain (an AWS BGP connection has no static route to withdraw) whose other end
 * of the link took the link out of service: say that it is covered there. A down signal then is what the other end's
 * drain causes (a disabled Cloud Router peer ends the BGP session, so AWS reports TunnelState 0), not a new fault.
 */
function coveredByOtherEnd(record: LedgerRecord, id: string): string | undefined {
  const link = Object.entries(record.monitors ?? {}).find(([m, v]) => isLinkMonitor(m) && (v.health === 'degraded' || v.health === 'down'));
  if (!link) return undefined;
  const local = localHealthOf(record);
  const caused =
    local === 'down'
      ? `; its own monitors report it down, which is what that causes on a BGP connection (the session ends while the peer is disabled), not a new independent degradation`
      : '';
  return `${id}: nothing to drain on this side (no path of its own carries the link's traffic); covered by the other end of the link (${link[0]}), which took its paths into this tunnel out of service${caused}; health noted`;
}

function restore(ctx: Ctx, base: LedgerRecord, why: string, forced: boolean): Decision {
  const { id, input } = ctx;
  // A path shared with another tunnel that is still degraded stays out (AWS: the connection's routes feed both).
  const blockedBy = (p: PathSnapshot) => p.tunnelIds.filter((t) => t !== id && ctx.view.healthOf(t) === 'degraded');
  const blocked = forced ? [] : base.withdrawn.filter((p) => blockedBy(p).length > 0);
  if (blocked.length > 0) {
    const who = [...new Set(blocked.flatMap(blockedBy))].join(', ');
    const text = `restore of ${id} waits: its paths also feed ${who}, which is degraded`;
    return {
      ...nothing('refuse', text, base),
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
    ...(monitors ? { monitors } : {}),
  };
  const dests = [...new Set(base.withdrawn.flatMap((p) => p.destinations))];
  return {
    kind: 'restore',
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
function blindWhileDrained(r: LedgerRecord, now: Date, holdDownSeconds: number): string[] | undefined {
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
function orphanedDestinations(ctx: Ctx, base: LedgerRecord): string[] {
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

const LAG = 'a tunnel-state monitor still says down, but the cloud reports the tunnel up: waiting for the monitor to catch up';

/**
 * Only monitors of tunnel state say "down", and the cloud reports the tunnel up again: the state metric lags the
 * cloud (GCP's tunnel_established is visible up to three minutes late). Cutting a tunnel that is back would only
 * keep it out for a hold-down; a fresh "down" signal still drains as usual.
 */
function stateLagsCloud(r: LedgerRecord, view: View, id: string): boolean {
  if (r.health !== 'down' || view.statusOf(id)?.status !== 'up') return false;
  const holding = Object.values(r.monitors ?? {}).filter((m) => m.health !== 'healthy');
  return holding.length > 0 && holding.every((m) => m.basis === 'state');
}

/**
 * A drained tunnel nothing will ever vouch for (its monitors cannot tell, or they measure only the traffic it no
 * longer carries): it stays drained, said once and loudly, so a human checks it.
 */
function staysDrainedWithoutEvidence(base: LedgerRecord, text: string, changed: boolean): Decision {
  return {
    ...nothing('refuse', text, base),
    next: base.lastRefusal === text && !changed ? undefined : { ...base, lastRefusal: text },
    refusals: [{ guard: 'no-evidence', reason: text, urgent: true }],
    severity: 'CRITICAL',
    notify: base.lastRefusal !== text,
  };
}

/** Drained: restore once it has been healthy for the hold-down — or at once as the last path left. */
function maybeRestore(ctx: Ctx, base: LedgerRecord, changed: boolean): Decision {
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
          severity: 'CRITICAL',
          lastResort: true,
          refusals: [
            { guard: 'last-resort', reason: `restored although ${health}: ${orphaned.join(', ')} had no other path`, urgent: true },
          ],
        }
      : d;
  }
  if (base.suppressed) {
    const text = `${id} stays drained until an operator releases it (${base.reason ?? 'suppressed'})`;
    return nothing('suppress', text, base, { next: changed ? base : undefined, notify: changed && base.health === 'healthy' });
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
    return nothing(changed ? 'record' : 'ignore', `${id} is drained and ${health}: stays drained`, base, {
      next: changed ? base : undefined,
    });
  }
  const healthyFor = input.now.getTime() - Date.parse(base.healthySince);
  const needed = input.policy.restoreHoldDownSeconds * 1000;
  if (healthyFor < needed) {
    const at = new Date(Date.parse(base.healthySince) + needed).toISOString();
    return nothing(
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

/**
 * Finish a drain that was interrupted (a crash, a failed call): the guards run again on the paths still in the
 * cloud. If they refuse now, nothing more is withdrawn and the tunnel is left drained with what was already
 * withdrawn; reconcile retries under the guards and restores after the hold-down as usual.
 */
function finishDrain(ctx: Ctx, base: LedgerRecord): Decision {
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
      ...nothing('refuse', `interrupted drain of ${id} not finished: ${text}`, next),
      next,
      finalState: 'drained',
      refusals,
      severity: 'CRITICAL',
      notify: base.lastRefusal !== text,
    };
  }
  return {
    kind: 'drain',
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

/** A drained tunnel whose paths came back (someone re-added them, or a restore was cut short): withdraw them
 * again, guards permitting. A refusal leaves the tunnel drained — its other withdrawn paths stay in the ledger. */
function driftOf(ctx: Ctx, base: LedgerRecord, why = 'drift'): Decision | undefined {
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
      ...nothing('refuse', text, base),
      next: { ...base, lastRefusal: text },
      finalState: 'drained',
      refusals: [{ guard: 'conflict', reason: text, urgent: true }],
      severity: 'CRITICAL',
      notify: base.lastRefusal !== text,
    };
  }
  return drain(ctx, base, `${why}: ${back.length} path(s) present while drained`, { force: false, by: 'drift' });
}

/** Decide what to do. Pure: no I/O, no clock, no environment. */
export function decide(input: DecisionInput): Decision {
  const d = decideInner(input);
  const t = input.trigger;
  if (t.type !== 'signal' || t.signal.viaLink || !d.next) return d;
  // The tunnel's own monitors all healthy again (the other end's link message aside): the other end must hear it,
  // or each end could hold the other drained forever.
  const before = localHealthOf(input.record);
  const after = localHealthOf(d.next);
  return before !== 'healthy' && after === 'healthy' ? { ...d, localRecovered: true } : d;
}

function decideInner(input: DecisionInput): Decision {
  const record = input.record;
  const ctx = contextOf(input, record);
  const t = input.trigger;
  // A signal is applied to the record before anything is decided, unless it is a copy or older news.
  const signal = t.type === 'signal' ? t.signal : undefined;
  const fresh = !!signal && !record.recentKeys.some((k) => k.key === signal.key) && !staleFor(record, signal);
  const marked = fresh && signal ? contextOf(input, withSignalMark(record, signal)) : ctx;

  const resumed = resumeInterrupted(marked, fresh);
  if (resumed) return resumed;
  switch (t.type) {
    case 'signal':
      return onSignal(ctx, marked, t.signal);
    case 'drain':
      return onOperatorDrain(ctx, t.reason, t.force);
    case 'restore':
      return onOperatorRestore(ctx, t.force);
    case 'release':
      return onRelease(ctx);
    case 'tick':
      return onTick(ctx);
  }
}

/** The decision's view of the cloud: the other tunnels' records and fence membership, beside this record. */
function contextOf(input: DecisionInput, record: LedgerRecord): Ctx {
  const id = record.tunnelId;
  const view = buildView(
    input.tunnels,
    input.records.filter((r) => r.tunnelId !== id).concat([record]),
    input.members.filter((m) => m !== id),
  );
  return { input, view, record, id };
}

/**
 * Interrupted work is finished before anything else (crash safety) — but never blindly: the world may have changed
 * since the decision (the fallback tunnel may be down now, the tunnel degraded again). An operator's opposite
 * command goes first. Undefined when nothing was interrupted.
 */
function resumeInterrupted(ctx: Ctx, fresh: boolean): Decision | undefined {
  const { record, id } = ctx;
  const t = ctx.input.trigger;
  if (record.state === 'draining' && t.type !== 'restore') return finishDrain(ctx, record);
  if (record.state !== 'restoring' || t.type === 'drain') return undefined;
  if (fresh && (record.health === 'degraded' || record.health === 'down')) {
    // Degraded again before the restore finished: take back what was already restored, guards permitting.
    const drained: LedgerRecord = { ...record, state: 'drained' };
    return (
      driftOf(ctx, drained, 'degraded again during a restore') ??
      nothing('record', `${id} degraded again during a restore; stays drained`, drained, { next: drained, finalState: 'drained' })
    );
  }
  return restore(ctx, record, 'finish interrupted restore', false);
}

/** A monitor's news: `before` is the record as read, `ctx` the record with the signal applied. */
function onSignal(before: Ctx, ctx: Ctx, s: Signal): Decision {
  const { record } = before;
  const { id, input } = ctx;
  if (record.recentKeys.some((k) => k.key === s.key)) {
    return nothing('ignore', `duplicate signal ${s.key}: already applied`, record, {
      refusals: [{ guard: 'duplicate', reason: `signal ${s.key} was already applied` }],
    });
  }
  const newer = staleFor(record, s);
  if (newer) {
    return nothing(
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
    return nothing('record', `${id}: health unknown (${s.evidence}); no action`, base, { next: base });
  }
  if (record.state === 'drained') {
    if (base.health === 'healthy') return maybeRestore(ctx, base, true);
    return nothing('record', `${id} is already drained; ${s.health} noted${others}`, base, { next: base });
  }
  if (base.health === 'healthy') return nothing('record', `${id} healthy`, base, { next: { ...base, lastRefusal: undefined } });
  // Only a tunnel-state monitor says down (this news, or earlier news) while the cloud already reports the
  // tunnel up: the metric lags the cloud, and cutting a tunnel that is back only keeps it out for a hold-down.
  if ((s.health !== 'down' || s.basis === 'state') && stateLagsCloud(base, ctx.view, id))
    return nothing('record', `${id}: ${s.health} noted; ${LAG}`, base, { next: base });
  if (base.health === 'down' && nativeFailoverCovers(ctx.view, id, pathsOfTunnel(input.paths, id))) {
    return nothing(
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

function onOperatorDrain(ctx: Ctx, reason: string, force: boolean): Decision {
  const { record, id } = ctx;
  if (record.state === 'drained' || record.state === 'restoring') {
    // The operator's intent is recorded even when the tunnel is already (being) drained: no automatic restore.
    const pinned: LedgerRecord = { ...record, state: 'drained', suppressed: true, reason: `operator: ${reason}` };
    const drift = driftOf({ ...ctx, record: pinned }, pinned, 'operator drain');
    if (drift) return drift;
    return nothing('record', `${id} is already drained; it now stays drained until an operator restores or releases it`, pinned, {
      next: pinned,
      finalState: 'drained',
      notify: true,
    });
  }
  return drain(ctx, record, `operator: ${reason}`, { force, by: 'operator' });
}

function onOperatorRestore(ctx: Ctx, force: boolean): Decision {
  const { record, id } = ctx;
  if (record.state === 'active' && record.withdrawn.length === 0)
    return nothing('ignore', `${id} is not drained: nothing to restore`, record);
  const h = ctx.view.healthOf(id);
  if (!force && (h === 'degraded' || h === 'down')) {
    const text = `restore of ${id} refused: it is ${h}, so traffic would go back into it (restore --force overrides; the hold-down does not apply to an operator)`;
    return { ...nothing('refuse', text, record), refusals: [{ guard: 'unhealthy', reason: text }], notify: false };
  }
  // A forced restore overrides what the monitors said: they start from scratch.
  const base: LedgerRecord = force
    ? { ...record, suppressed: false, monitors: {}, health: 'unknown', healthySince: undefined, lastFailure: undefined }
    : { ...record, suppressed: false };
  return restore(ctx, base, force ? 'operator restore (--force)' : 'operator restore', force);
}

function onRelease(ctx: Ctx): Decision {
  const { record, id } = ctx;
  if (!record.suppressed) return nothing('ignore', `${id} is not suppressed: nothing to release`, record);
  const released: LedgerRecord = { ...record, suppressed: false, drains: [], reason: 'released by operator' };
  const then = record.state === 'drained' ? maybeRestore(ctx, released, true) : undefined;
  if (then && then.kind === 'restore') return { ...then, summary: `released ${id}; ${then.summary}` };
  return nothing('release', `released ${id}: automatic restore allowed again${then ? ` (${then.summary})` : ''}`, released, {
    next: released,
    notify: true,
  });
}

/** The scheduled reconcile: re-withdraw drift, restore after the hold-down, retry a refused drain. */
function onTick(ctx: Ctx): Decision {
  const { record, id, input, view } = ctx;
  if (record.state === 'drained') return driftOf(ctx, record) ?? maybeRestore(ctx, record, false);
  // Active but degraded or down: a refused drain is retried when conditions change (the other tunnel recovered).
  const own = pathsOfTunnel(input.paths, id);
  if ((record.health === 'degraded' || record.health === 'down') && own.length > 0) {
    if (record.health === 'down' && nativeFailoverCovers(view, id, own))
      return nothing('ignore', `${id} is down; the cloud fails over to its sibling`, record);
    if (stateLagsCloud(record, view, id)) return nothing('ignore', `${id}: ${LAG}`, record);
    return drain(ctx, record, `still ${record.health} (retry of an earlier decision)`, { force: false, by: 'monitor' });
  }
  return nothing('ignore', `${id}: nothing to do`, record);
}
