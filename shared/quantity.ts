/**
 * The quantities of health: directions, what a loss figure covers, why packets drop. Plain data.
 */
/** What a monitor measures: the tunnel itself (a probe), production traffic through it, or whether it is up. */
export type SignalBasis = 'probe' | 'traffic' | 'state';

/**
 * Which way packets cross a link. Each cloud's lever steers one direction only: GCP routes (and Cloud Router
 * preferences) choose the tunnel for GCP→AWS traffic, AWS routes for AWS→GCP traffic.
 */
export type Direction = 'gcp-to-aws' | 'aws-to-gcp';
/** What a loss figure covers: one direction, or both together (a probe's echo crosses the link twice). */
export type Span = Direction | 'round-trip';
export const SPANS: readonly Span[] = ['gcp-to-aws', 'aws-to-gcp', 'round-trip'];

/**
 * Why packets drop, as far as the monitor can tell: `path` (lost in transit: sequence gaps, a probe's missing
 * echoes) — moving traffic helps; `throttled` (the tunnel is over its packet-rate limit) — only moving load onto room
 * helps, and adding tunnels; `mtu` (too big for the tunnel) — configuration: no route change helps.
 */
export type DropReason = 'path' | 'throttled' | 'mtu';

/** A measured loss ratio (0..1) with what it covers, carried by a signal from the monitor that measured it. */
export interface LossMeasure {
  ratio: number;
  span: Span;
}

/** The latest loss figure of a tunnel for one span, in the ledger: its value, when, and which monitor said it. */
export interface LossEstimate {
  ratio: number;
  at: string;
  monitor: string;
  basis?: SignalBasis;
  /** Measured by a probe between its clear and trip thresholds: the figure of a window that is not clean yet. */
  hold?: true;
}

/**
 * What a cloud's own per-tunnel counters show: the loss on the packets a tunnel received (GCP's received counters by
 * `status`: the direction into that cloud), counted over the newest minutes. Only path-loss statuses count as loss;
 * `packets` says how much traffic the ratio rests on.
 */
export interface CountedLoss {
  ratio: number;
  span: Direction;
  at: string;
  packets: number;
}

/** A tunnel's load: the peak of the recent 1-minute rates in packets per second, sent plus received, and per direction. */
export interface TunnelLoad {
  pps: number;
  /** Peak per direction, where the counters tell them apart (GCP: sent is GCP→AWS, received AWS→GCP). */
  byDirection?: Partial<Record<Direction, number>>;
  /** End of the newest minute counted (ISO). */
  at?: string;
}

/** What a cloud's metrics say about one tunnel's traffic over the recent minutes (the traffic port's answer). */
export interface TunnelTraffic {
  tunnelId: string;
  load: TunnelLoad;
  /** Absent when too little traffic arrived to tell. */
  counted?: CountedLoss;
}
