/**
 * Ports: the only ways the core touches the world. Adapters for AWS, GCP, the simulator and
 * the in-memory test fakes implement these; the core depends on nothing else.
 */
import type { Cloud, LedgerRecord, Path, PathSnapshot, TunnelRef, TunnelStatus, TunnelTraffic } from './types';
import type { Outcome, Report, Severity } from './report-types';
import type { LinkMessage } from './links/message';

/** The paths (routes, BGP peers) of one cloud. Every mutation is idempotent by contract. */
export interface PathTable {
  /** Every path of this cloud that sends traffic into a tunnel tunnel-guard can see. */
  list(): Promise<Path[]>;
  /**
   * Withdraw (delete, disable or re-point) one path and wait until the cloud confirms.
   * Returns `already-in-state` when it is already gone. Throws `TransientError` for throttling/5xx,
   * `PermanentError` for anything a retry cannot fix.
   */
  withdraw(path: Path): Promise<Outcome>;
  /** Re-create exactly the saved definition and wait until confirmed. `already-in-state` when it exists. */
  restore(snapshot: PathSnapshot): Promise<Outcome>;
}

/** Current status of the tunnels of one cloud, as the cloud itself reports it. */
export interface TunnelHealthView {
  list(): Promise<TunnelStatus[]>;
}

/**
 * What a cloud's metrics say about its tunnels' traffic: load (for the capacity guard) and the loss its own counters
 * show (for the direction only they can see). Read on every run; advisory: a failed read leaves the figures out and
 * the decision goes on without them. Tunnels the metrics do not cover are left out of the answer.
 */
export interface TrafficView {
  read(tunnels: readonly TunnelRef[]): Promise<TunnelTraffic[]>;
}

/**
 * Durable per-tunnel state. `put` is conditional: it succeeds only when the stored version equals
 * `record.version` (0 = absent) and stores `version + 1`; otherwise it throws `LedgerConflictError`.
 */
export interface Ledger {
  /** One record; `CorruptStateError` when the stored item cannot be read back as this tunnel's record. */
  get(tunnelId: string): Promise<LedgerRecord | undefined>;
  /** Every readable record. An unreadable item is left out (and named by `scan`): one bad item never hides the rest. */
  list(): Promise<LedgerRecord[]>;
  /** The readable records and the items that cannot be read, in one read of the store. */
  scan(): Promise<LedgerScan>;
  put(record: LedgerRecord): Promise<LedgerRecord>;
}

/**
 * A stored item that does not parse as a record (not JSON, not a record, another tunnel's id inside). It is never
 * overwritten and never acted on: the core refuses decisions for its tunnel and reports it; a human must look.
 */
export interface UnreadableRecord {
  tunnelId: string;
  problem: string;
}

export interface LedgerScan {
  records: LedgerRecord[];
  unreadable: UnreadableRecord[];
}

export interface Notifier {
  /** Publish one decision. Must not throw for delivery problems that a retry of the whole run cannot fix. */
  notify(report: Report): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface LogEntry {
  severity: Severity;
  message: string;
  [key: string]: unknown;
}
export interface Logger {
  log(entry: LogEntry): void;
}

/** Tells the other cloud's end of a link what this side did. */
export interface LinkPublisher {
  publish(message: LinkMessage): Promise<void>;
}

export interface CloudPorts {
  paths: PathTable;
  tunnels: TunnelHealthView;
  /** Optional: where the cloud publishes per-tunnel packet counters (GCP). */
  traffic?: TrafficView;
}

/** Everything the core needs; built once per cold start by an edge's composition root. */
export interface CoreDeps {
  clouds: Partial<Record<Cloud, CloudPorts>>;
  ledger: Ledger;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
  policy: import('./policy').Policy;
  /** Optional: the link to the other cloud, and the configured pairs. Absent means links are off. */
  link?: LinkPublisher;
  links?: import('./policy').Config['links'];
  /** Optional sleep (tests pass a no-op to keep retries instant). */
  sleep?: (ms: number) => Promise<void>;
}
