/**
 * Health as quantities: how lossy a tunnel is, in which direction, measured by whom and how long ago — and what a
 * move of traffic from one tunnel to another is expected to cost. Labels (`degraded`) say that something is wrong;
 * these figures say which of two wrong things is worse. Pure.
 */
import type { Cloud, Direction, LedgerRecord, LossEstimate, Signal, Span, TunnelStatus } from './types';

/** The direction whose tunnel a cloud's routes choose: GCP routes steer GCP→AWS, AWS routes AWS→GCP. */
export const steeredBy = (cloud: Cloud): Direction => (cloud === 'gcp' ? 'gcp-to-aws' : 'aws-to-gcp');

export const DIRECTION_LABEL: Record<Span, string> = { 'gcp-to-aws': 'GCP→AWS', 'aws-to-gcp': 'AWS→GCP', 'round-trip': 'round trip' };

/** The settings of a comparison; defaults are the policy's. */
export interface Comparing {
  /** Figures older than this no longer describe the tunnel (a drained tunnel's traffic monitors fall silent). */
  lossMaxAgeSeconds: number;
  /** A move must at least divide the loss by this factor ... */
  lossBetterFactor: number;
  /** ... and save at least this much loss ratio: two similar tunnels never ping-pong. */
  lossBetterMargin: number;
}

/**
 * Keep the loss a signal measured, per span. A healthy probe verdict without a figure says "below the clear
 * threshold": close enough to no loss to compare with, and better than keeping a stale trip figure.
 */
export function withMeasure(record: LedgerRecord, s: Signal, monitor: string): LedgerRecord {
  const figure = s.measure ?? (s.health === 'healthy' && s.basis === 'probe' ? { ratio: 0, span: 'round-trip' as const } : undefined);
  let next = withLoads(record, s.loads);
  if (figure)
    next = withEstimate(next, figure.span, {
      ratio: figure.ratio,
      at: s.observedAt,
      monitor,
      ...(s.basis ? { basis: s.basis } : {}),
      ...(s.hold ? { hold: true as const } : {}),
    });
  // What the other end's counters showed rides along with its news: the direction this end steers, measured there.
  if (s.counted)
    next = withEstimate(next, s.counted.span, {
      ratio: s.counted.ratio,
      at: s.counted.at,
      monitor: `${monitor}:counters`,
      basis: 'traffic',
    });
  return next;
}

function withEstimate(record: LedgerRecord, span: Span, e: LossEstimate): LedgerRecord {
  if (!Number.isFinite(e.ratio)) return record;
  const held = record.loss?.[span];
  if (held && held.at > e.at) return record;
  return { ...record, loss: { ...(record.loss ?? {}), [span]: { ...e, ratio: Math.min(1, Math.max(0, e.ratio)) } } };
}

/** Loads are kept for a bounded number of tunnels (a message can name many); newer figures replace older ones. */
export const MAX_KEPT_LOADS = 64;

function withLoads(record: LedgerRecord, loads: Signal['loads']): LedgerRecord {
  if (!loads || Object.keys(loads).length === 0) return record;
  const kept = { ...(record.loads ?? {}) };
  for (const [id, l] of Object.entries(loads)) if (!kept[id] || (l.at ?? '') >= (kept[id].at ?? '')) kept[id] = l;
  const newest = Object.entries(kept)
    .sort((a, b) => (b[1].at ?? '').localeCompare(a[1].at ?? ''))
    .slice(0, MAX_KEPT_LOADS);
  return { ...record, loads: Object.fromEntries(newest) };
}

/**
 * The record's loss figures with what the cloud's own counters show now (from the tunnel's status) laid over the
 * figure they cover, when newer: counters read on this run describe the tunnel better than an older signal.
 */
export function withCounted(
  record: Pick<LedgerRecord, 'loss'> | undefined,
  status: Pick<TunnelStatus, 'counted'> | undefined,
): Pick<LedgerRecord, 'loss'> | undefined {
  const c = status?.counted;
  if (!c) return record;
  const held = record?.loss?.[c.span];
  if (held && held.at > c.at) return record;
  return {
    ...(record ?? {}),
    loss: { ...(record?.loss ?? {}), [c.span]: { ratio: c.ratio, at: c.at, monitor: 'counters', basis: 'traffic' } },
  };
}

/** What the core knows of a tunnel's loss in one direction, and from what. */
export interface Loss {
  ratio: number;
  /** Which figure it came from: the direction itself, a round trip (an upper bound on each direction), or the opposite direction standing in. */
  from: Span;
  /** From a probe's hold (above its clear threshold, below its trip threshold): see `LossEstimate.hold`. */
  hold?: true;
  ageSeconds: number;
}

/** Two figures taken this close together describe the same minutes (see `lossToward`). */
export const COINCIDENT_S = 300;

const fresh = (e: LossEstimate | undefined, now: Date, maxAge: number): e is LossEstimate =>
  !!e && (now.getTime() - Date.parse(e.at)) / 1000 <= maxAge;

/**
 * The tunnel's loss in direction `d` now, from the freshest figures: the direction's own, else a round trip less
 * what the opposite direction is known to lose (loss compounds: 1 − r = (1 − a)(1 − b)), else the round trip (the
 * direction may carry all of it). Undefined when nothing fresh measures it.
 *
 * `oppositeStands`: the opposite direction carries no traffic that could renew its figure — the other end of the
 * link holds the tunnel out of that direction — so its last figure still splits a round trip, however old. Without
 * it, the round trip of a link whose loss is all in the opposite direction would be charged whole to `d` once that
 * figure aged out, and a clean direction would look as lossy as the round trip.
 */
export function lossToward(
  record: Pick<LedgerRecord, 'loss'> | undefined,
  d: Direction,
  now: Date,
  maxAgeSeconds: number,
  opts: { oppositeStands?: boolean } = {},
): Loss | undefined {
  const loss = record?.loss ?? {};
  const age = (e: LossEstimate) => Math.max(0, Math.round((now.getTime() - Date.parse(e.at)) / 1000));
  const own = loss[d];
  const rt = loss['round-trip'];
  const opposite = loss[d === 'gcp-to-aws' ? 'aws-to-gcp' : 'gcp-to-aws'];
  const ownFresh = fresh(own, now, maxAgeSeconds) ? own : undefined;
  const rtFresh = fresh(rt, now, maxAgeSeconds) ? rt : undefined;
  // The direction's own figure wins unless a round trip was measured clearly after it (then it describes the tunnel
  // now). Figures within `COINCIDENT_S` of each other describe the same minutes: counters lag the traffic by a minute
  // or two, and a round trip above a clean direction means the loss is in the other direction, not that this one
  // turned lossy since.
  if (ownFresh && (!rtFresh || Date.parse(ownFresh.at) >= Date.parse(rtFresh.at) - COINCIDENT_S * 1000))
    return { ratio: ownFresh.ratio, from: d, ageSeconds: age(ownFresh) };
  const other = fresh(opposite, now, maxAgeSeconds) ? opposite : undefined;
  if (rtFresh) {
    const split = other ?? (opts.oppositeStands ? opposite : undefined);
    const ratio = split && split.ratio < 1 ? Math.max(0, 1 - (1 - rtFresh.ratio) / (1 - split.ratio)) : rtFresh.ratio;
    return {
      ratio,
      from: 'round-trip',
      ageSeconds: age(rtFresh),
      ...(rtFresh.hold ? { hold: true as const } : {}),
    };
  }
  // Nothing measures this direction: the opposite one stands in for it (most path faults lose both ways alike). Its
  // `from` says so: it never counts as this direction measured clean.
  if (other) return { ratio: other.ratio, from: d === 'gcp-to-aws' ? 'aws-to-gcp' : 'gcp-to-aws', ageSeconds: age(other) };
  return undefined;
}

/** Is `candidate` measurably better than `current`? By a factor and a margin both, so near-equals stay put. */
export function clearlyBetter(candidate: number, current: number, c: Pick<Comparing, 'lossBetterFactor' | 'lossBetterMargin'>): boolean {
  return candidate * c.lossBetterFactor <= current && current - candidate >= c.lossBetterMargin;
}

export const percent = (ratio: number): string => {
  const p = ratio * 100;
  return `${p >= 10 || p === 0 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p.toFixed(2)} %`;
};

/** `tunnel-aws-1 3 % vs tunnel-aws-2 20 % AWS→GCP`: the figures a decision compared, for its report. */
export const compared = (a: string, la: number, b: string, lb: number, d: Direction): string =>
  `${a} ${percent(la)} vs ${b} ${percent(lb)} ${DIRECTION_LABEL[d]}`;

/** The packet-rate limit a tunnel is held to: its own figure, else its cloud's documented limit (from the policy). */
export const capacityPpsOf = (
  s: Pick<TunnelStatus, 'capacityPps' | 'ref'>,
  p: { awsTunnelCapacityPps: number; gcpTunnelCapacityPps: number },
): number => s.capacityPps ?? (s.ref.cloud === 'aws' ? p.awsTunnelCapacityPps : p.gcpTunnelCapacityPps);

/**
 * What moving `movedPps` onto `survivors` is expected to cost per second in packets dropped over capacity: the
 * survivors share it (a static AWS connection sends everything over one tunnel — pass one survivor; equal-cost
 * routes spread by flow, unevenly: `unevenness` is the share the busiest gets above an even split). Undefined when
 * a survivor's load or capacity is not known: nothing can be projected.
 */
export function overloadPps(
  movedPps: number,
  survivors: readonly Pick<TunnelStatus, 'load' | 'capacityPps'>[],
  unevenness = 1.25,
): number | undefined {
  if (survivors.length === 0) return undefined;
  if (survivors.some((s) => s.load === undefined || s.capacityPps === undefined)) return undefined;
  const share = survivors.length === 1 ? 1 : Math.min(1, unevenness / survivors.length);
  // The busiest survivor sets the overload of the spread; the others carry their even part within their room.
  return survivors.reduce((worst, s) => Math.max(worst, s.load!.pps + movedPps * share - s.capacityPps!), 0);
}
