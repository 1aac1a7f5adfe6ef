/**
 * The decision (DESIGN.md §5): a pure function of (trigger, ledger, observed paths and tunnel status, policy,
 * now). All branching lives here; `engine.ts` only carries out what this returns.
 */
import { drainGuards, nativeFailoverCovers } from './guards';
import { buildView, type View } from './health';
import type { Policy } from './policy';
import type {
  Action,
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
}

const MAX_KEYS = 50;
const MAX_DRAINS = 100;

const sec = (ms: number) => Math.round(ms / 1000);

/** Paths that send traffic into the tunnel. */
export const pathsOfTunnel = (paths: readonly Path[], tunnelId: string): Path[] =>
  paths.filter((p) => p.tunnelIds.includes(tunnelId));

function withSignalMark(record: LedgerRecord, signal: Signal): LedgerRecord {
  const keys = [...record.recentKeys, { key: signal.key, at: signal.observedAt }].slice(-MAX_KEYS);
  const wasHealthy = record.health === 'healthy' && record.healthySince;
  return {
    ...record,
    recentKeys: keys,
    health: signal.health,
    lastSignalViaLink: !!signal.viaLink,
    lastSignalAt: record.lastSignalAt && record.lastSignalAt > signal.observedAt ? record.lastSignalAt : signal.observedAt,
    healthySince: signal.health === 'healthy' ? (wasHealthy ? record.healthySince : signal.observedAt) : undefined,
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

function drain(ctx: Ctx, base: LedgerRecord, reason: string, opts: { force: boolean; manual: boolean }): Decision {
  const { input, id } = ctx;
  const own = pathsOfTunnel(input.paths, id);
  if (own.length === 0) {
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
  const drains = opts.manual ? base.drains : [...base.drains, nowIso].filter((t) => Date.parse(t) >= windowStart).slice(-MAX_DRAINS);
  const flapping = !opts.manual && drains.length > input.policy.maxFlaps;
  const next: LedgerRecord = {
    ...base,
    state: 'draining',
    withdrawn: mergeSnapshots(base.withdrawn, own),
    drains,
    // An operator's drain is never undone automatically; flapping tunnels wait for an operator too.
    suppressed: base.suppressed || opts.manual || flapping,
    reason: flapping
      ? `flapping: drained ${drains.length} times in ${input.policy.flapWindowSeconds}s (max ${input.policy.maxFlaps}); stays drained until released`
      : reason,
    updatedAt: nowIso,
    lastRefusal: undefined,
  };
  const dests = [...new Set(own.flatMap((p) => p.destinations))];
  return {
    kind: flapping ? 'suppress' : 'drain',
    summary: `drain ${id}: withdraw ${own.length} path(s) for ${dests.join(', ')} — ${reason}${flapping ? ` (${next.reason})` : ''}`,
    severity: opts.force ? 'CRITICAL' : 'WARNING',
    next,
    finalState: 'drained',
    actions: own.map((p) => ({ type: 'withdraw' as const, path: p })),
    refusals: refusalsToReport,
    joinsFence: true,
    notify: true,
    forced: opts.force && refusals.length > 0,
  };
}

function restore(ctx: Ctx, base: LedgerRecord, why: string, forced: boolean): Decision {
  const { id, input } = ctx;
  // A path shared with another tunnel that is still degraded stays out (AWS: the connection's routes feed both).
  const blockedBy = (p: PathSnapshot) => p.tunnelIds.filter((t) => t !== id && ctx.view.healthOf(t) === 'degraded');
  const blocked = forced ? [] : base.withdrawn.filter((p) => blockedBy(p).length > 0);
  if (blocked.length > 0) {
    const who = [...new Set(blocked.flatMap(blockedBy))].join(', ');
    const text = `restore of ${id} waits: its paths also feed ${who}, which is degraded`;
    return { ...nothing('refuse', text, base), next: { ...base, lastRefusal: text }, refusals: [{ guard: 'hold-down', reason: text }], notify: base.lastRefusal !== text };
  }
  const next: LedgerRecord = { ...base, state: 'restoring', updatedAt: input.now.toISOString(), reason: why, lastRefusal: undefined };
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

/** Drained and healthy: restore once the hold-down has passed (guard 5). */
function maybeRestore(ctx: Ctx, base: LedgerRecord, changed: boolean): Decision {
  const { input, id } = ctx;
  const health = ctx.view.healthOf(id);
  if (base.suppressed) {
    const text = `${id} stays drained until an operator releases it (${base.reason ?? 'suppressed'})`;
    return nothing('suppress', text, base, { next: changed ? base : undefined, notify: changed && base.health === 'healthy' });
  }
  if (health !== 'healthy' || !base.healthySince) {
    return nothing(changed ? 'record' : 'ignore', `${id} is drained and ${health}: stays drained`, base, { next: changed ? base : undefined });
  }
  const healthyFor = input.now.getTime() - Date.parse(base.healthySince);
  const needed = input.policy.restoreHoldDownSeconds * 1000;
  if (healthyFor < needed) {
    const at = new Date(Date.parse(base.healthySince) + needed).toISOString();
    return nothing(changed ? 'record' : 'ignore', `${id} healthy for ${sec(healthyFor)}s; hold-down ${input.policy.restoreHoldDownSeconds}s: restore not before ${at}`, base, {
      next: changed ? base : undefined,
      refusals: [{ guard: 'hold-down', reason: `healthy for ${sec(healthyFor)}s of ${input.policy.restoreHoldDownSeconds}s` }],
    });
  }
  return restore(ctx, base, `healthy since ${base.healthySince} (hold-down ${input.policy.restoreHoldDownSeconds}s passed)`, false);
}

/** A drained tunnel whose paths came back (someone re-added them): withdraw them again, guards permitting. */
function driftOf(ctx: Ctx, base: LedgerRecord): Decision | undefined {
  if (base.state !== 'drained') return undefined;
  const back = pathsOfTunnel(ctx.input.paths, ctx.id);
  if (back.length === 0) return undefined;
  const d = drain(ctx, { ...base, state: 'active' }, `drift: ${back.length} path(s) re-appeared while drained`, { force: false, manual: true });
  if (d.kind === 'drain' && d.next) d.next = { ...d.next, drains: base.drains, suppressed: base.suppressed };
  return d;
}

/** Decide what to do. Pure: no I/O, no clock, no environment. */
export function decide(input: DecisionInput): Decision {
  const record = input.record;
  const id = record.tunnelId;
  const view = buildView(input.tunnels, input.records.filter((r) => r.tunnelId !== id).concat([record]), input.members.filter((m) => m !== id));
  const ctx: Ctx = { input, view, record, id };
  const t = input.trigger;

  // Interrupted work is finished before anything else (crash safety, DESIGN.md §6).
  if (record.state === 'draining' && t.type !== 'restore') {
    const left = record.withdrawn;
    const s = t.type === 'signal' ? t.signal : undefined;
    const fresh = s && !record.recentKeys.some((k) => k.key === s.key) && !(record.lastSignalAt && s.observedAt < record.lastSignalAt);
    return {
      kind: 'drain',
      summary: `finish interrupted drain of ${id}: ${left.length} path(s)`,
      severity: 'WARNING',
      // A signal that arrives meanwhile is still noted (a recovery must start the hold-down).
      next: fresh ? withSignalMark(record, s) : undefined,
      finalState: 'drained',
      actions: left.map((p) => ({ type: 'withdraw', path: p })),
      refusals: [],
      joinsFence: false,
      notify: true,
      forced: false,
    };
  }
  if (record.state === 'restoring' && t.type !== 'drain') {
    return restore(ctx, record, 'finish interrupted restore', false);
  }

  switch (t.type) {
    case 'signal': {
      const s = t.signal;
      if (record.recentKeys.some((k) => k.key === s.key)) {
        return nothing('ignore', `duplicate signal ${s.key}: already applied`, record, { refusals: [{ guard: 'duplicate', reason: `signal ${s.key} was already applied` }] });
      }
      if (record.lastSignalAt && s.observedAt < record.lastSignalAt) {
        return nothing('ignore', `stale signal observed ${s.observedAt}, older than the newest applied (${record.lastSignalAt})`, record, {
          refusals: [{ guard: 'stale', reason: `observed ${s.observedAt} < newest applied ${record.lastSignalAt}` }],
        });
      }
      const base = withSignalMark(record, s);
      const nctx: Ctx = { ...ctx, record: base, view: buildView(input.tunnels, input.records.filter((r) => r.tunnelId !== id).concat([base]), input.members.filter((m) => m !== id)) };
      if (s.health === 'unknown') {
        return nothing('record', `${id}: health unknown (${s.evidence}); no action`, base, { next: base });
      }
      if (record.state === 'drained') {
        if (s.health === 'healthy') return maybeRestore(nctx, base, true);
        return nothing('record', `${id} is already drained; health ${s.health} noted`, base, { next: base });
      }
      // state active
      if (s.health === 'healthy') return nothing('record', `${id} healthy`, base, { next: { ...base, lastRefusal: undefined } });
      const own = pathsOfTunnel(input.paths, id);
      if (s.health === 'down' && nativeFailoverCovers(nctx.view, nctx.id, own)) {
        return nothing('record', `${id} is down; its paths also use a healthy sibling tunnel, which the cloud fails over to on its own: recorded, not drained`, base, {
          next: base,
          notify: true,
          severity: 'WARNING',
        });
      }
      return drain(nctx, base, `${s.health}: ${s.evidence}`, { force: false, manual: false });
    }
    case 'drain': {
      if (record.state === 'drained') {
        const drift = driftOf(ctx, record);
        if (drift) return drift;
        return nothing('ignore', `${id} is already drained`, record);
      }
      return drain(ctx, record, `operator: ${t.reason}`, { force: t.force, manual: true });
    }
    case 'restore': {
      if (record.state === 'active' && record.withdrawn.length === 0) return nothing('ignore', `${id} is not drained: nothing to restore`, record);
      return restore(ctx, { ...record, suppressed: false }, 'operator restore', t.force);
    }
    case 'release': {
      if (!record.suppressed) {
        return nothing('ignore', `${id} is not suppressed: nothing to release`, record);
      }
      const released: LedgerRecord = { ...record, suppressed: false, drains: [], reason: 'released by operator' };
      const then = record.state === 'drained' ? maybeRestore(ctx, released, true) : undefined;
      if (then && then.kind === 'restore') return { ...then, summary: `released ${id}; ${then.summary}` };
      return nothing('release', `released ${id}: automatic restore allowed again${then ? ` (${then.summary})` : ''}`, released, { next: released, notify: true });
    }
    case 'tick': {
      if (record.state === 'drained') return driftOf(ctx, record) ?? maybeRestore(ctx, record, false);
      // Active but degraded: a refused drain is retried when conditions change (e.g. the other tunnel recovered).
      if (record.health === 'degraded' && pathsOfTunnel(input.paths, id).length > 0) {
        return drain(ctx, record, `still degraded (retry of an earlier decision)`, { force: false, manual: false });
      }
      return nothing('ignore', `${id}: nothing to do`, record);
    }
  }
}
