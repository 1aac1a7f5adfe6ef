/**
 * The vocabulary of tunnel-guard. Plain data only: every cloud shape is turned into these
 * types at an edge, and the core never sees anything else.
 */

import type { CountedLoss, DropReason, LossEstimate, LossMeasure, SignalBasis, Span, TunnelLoad } from './quantity';

export type {
  CountedLoss,
  Direction,
  DropReason,
  LossEstimate,
  LossMeasure,
  SignalBasis,
  Span,
  TunnelLoad,
  TunnelTraffic,
} from './quantity';
export { SPANS } from './quantity';

export type Cloud = 'aws' | 'gcp';

/** Normalised health of one tunnel. `unknown` never causes an action. */
export type Health = 'healthy' | 'degraded' | 'down' | 'unknown';
export const HEALTHS: readonly Health[] = ['healthy', 'degraded', 'down', 'unknown'];

/** The cloud's own identifiers of a tunnel (the `native` object of `status --json`). */
export interface AwsTunnelNative {
  vpnConnectionId: string;
  outsideIpAddress: string;
  region: string;
  /** Set when the connection is attached to a Transit Gateway instead of a virtual private gateway. */
  transitGatewayAttachmentId?: string;
}
export interface GcpTunnelNative {
  project: string;
  region: string;
  /** Tunnel name (the `tunnel_name` metric label). */
  name: string;
  /** VPN gateway name (`gateway_id` resource label / `gateway_name` metric label). */
  gateway: string;
  /** Remote (AWS) outside IP of the tunnel: the key that links both ends. */
  peerIp?: string;
  /** HA VPN: the Cloud Router and BGP peer bound to this tunnel. */
  router?: string;
  bgpPeer?: string;
}

export type TunnelRef = { id: string; cloud: 'aws'; native: AwsTunnelNative } | { id: string; cloud: 'gcp'; native: GcpTunnelNative };

/** Canonical tunnel ids. They are stable, readable and unique across both clouds. */
export const awsTunnelId = (n: Pick<AwsTunnelNative, 'region' | 'vpnConnectionId' | 'outsideIpAddress'>): string =>
  `aws:${n.region}:${n.vpnConnectionId}:${n.outsideIpAddress}`;
export const gcpTunnelId = (n: Pick<GcpTunnelNative, 'project' | 'region' | 'name'>): string => `gcp:${n.project}:${n.region}:${n.name}`;

/** What the cloud itself reports about a tunnel (IKE/IPsec up or down), independent of our signals. */
export type ReportedStatus = 'up' | 'down' | 'unknown';

export interface TunnelStatus {
  ref: TunnelRef;
  status: ReportedStatus;
  /**
   * Packets per second through the tunnel, sent plus received (the unit of the clouds' per-tunnel limits): the peak
   * of the recent 1-minute rates, and when it was read. Absent where no adapter reads it.
   */
  load?: TunnelLoad;
  /** The loss the cloud's own counters show on what this tunnel received, where an adapter reads them. */
  counted?: CountedLoss;
  /** The tunnel's packet-rate limit (sent plus received), from the configuration or the cloud's documented default. */
  capacityPps?: number;
  /** Free text from the cloud (e.g. VgwTelemetry StatusMessage, vpnTunnels.detailedStatus). */
  detail?: string;
}

/** How a path is withdrawn and restored; decides which adapter owns it. */
export type PathKind = 'aws-vgw-static' | 'aws-tgw-route' | 'gcp-static-route' | 'gcp-bgp-peer';

/**
 * One withdrawable lever that sends traffic for some destinations into one or more tunnels.
 * - AWS VGW static route: a connection's static route; it feeds BOTH tunnels of the connection.
 * - AWS TGW route: a static TGW route to a VPN attachment; withdrawing may re-point it to `fallbackTunnelIds`.
 * - GCP static route: a `Route` with `nextHopVpnTunnel` (one tunnel).
 * - GCP BGP peer: the Cloud Router peer on an HA VPN tunnel; it carries every learned prefix.
 */
export interface Path {
  /** Unique, stable key of the lever (e.g. `vpn-0a1:10.0.0.0/16`, `projects/p/global/routes/r1`). */
  key: string;
  kind: PathKind;
  cloud: Cloud;
  /** Destination prefixes (CIDR) this path carries. Usually one; a BGP peer carries all learned prefixes. */
  destinations: string[];
  /** Tunnels this path sends traffic into. Draining any of them withdraws the whole path. */
  tunnelIds: string[];
  /**
   * Tunnels that keep carrying the destinations after this path is withdrawn *because the adapter re-points
   * it there* (TGW: re-point to an alternate attachment). Empty for plain deletes.
   */
  fallbackTunnelIds?: string[];
  /** The complete definition needed to re-create this path exactly. Cloud-specific, JSON. */
  definition: Record<string, unknown>;
  /**
   * Routing domain: paths back each other up only within one domain (a GCP VPC network, an AWS virtual private
   * gateway, a TGW route table). Undefined matches only undefined.
   */
  domain?: string;
  /** GCP instance tags the route applies to; empty or absent = every instance in the domain. */
  appliesTo?: string[];
  /**
   * Set by the adapter when the cloud has a preference for this path that can be made worse without removing it
   * (a GCP route's priority; route policies on a Cloud Router peer). Only such paths are drained by de-preference.
   */
  canDeprefer?: boolean;
  /** Set by the adapter when the lever has a preference but a precondition fails: why it is withdrawn instead. */
  noDeprefer?: string;
  /**
   * Set by the adapter on a standby left by a de-preference: the key of the path it stands in for. A standby carries
   * traffic only when nothing better exists, so it is never an active path of its tunnel, never counts as coverage,
   * and is never drained itself; the restore of the original removes it.
   */
  standbyFor?: string;
  /**
   * How a drain takes this path out of service, on actions and in the ledger: `deprefer` = make-before-break to a
   * standby (the path keeps carrying traffic when nothing better exists); absent = withdrawn outright.
   */
  lever?: 'deprefer';
}

/** A withdrawn path as held in the ledger: everything needed to put it back. */
export type PathSnapshot = Path;

/** Is this path taken out by de-preference (a standby stays) rather than withdrawn? */
export const isDeprefer = (p: Pick<Path, 'lever'>): boolean => p.lever === 'deprefer';

/** A normalised health observation, produced once at an edge. */
export interface Signal {
  tunnelId: string;
  health: Health;
  /** When the cloud observed it (ISO 8601). Orders signals (guard 4). */
  observedAt: string;
  /** Where it came from: `aws-eventbridge`, `gcp-webhook`, `cli`, `link:gcp`, ... */
  source: string;
  /** De-duplication key: the same key twice is a no-op (guard 4). */
  key: string;
  /** Human-readable evidence (alarm name and reason, incident summary). */
  evidence: string;
  /** Set when the signal came from the other cloud's end of a link: never echoed back. */
  viaLink?: boolean;
  /**
   * Which monitor said it (an alarm ARN, an alert policy + condition, `link:gcp`, `cli`). A tunnel watched by
   * several monitors is healthy only when every one of them says so: one alarm clearing must not restore a tunnel
   * another alarm still reports degraded. Defaults to `source`.
   */
  monitor?: string;
  /**
   * What the monitor measures: `probe` — the tunnel itself, with its own pinned packets, drained or not;
   * `traffic` — production traffic through it (loss ratios, drop counters), which a drained tunnel no longer
   * carries; `state` — whether it is up (IKE/BGP). Absent: not known (treated like any monitor).
   */
  basis?: SignalBasis;
  /** The loss the monitor measured, where the edge has a figure (an alarm's datapoint, an incident's observed value). */
  measure?: LossMeasure;
  /** Why the packets drop, where the monitor can tell (absent: path loss). */
  reason?: DropReason;
  /**
   * Not recovered, not tripped: the monitor is above its clear threshold but below its trip threshold (a probe's
   * clear alarm back in ALARM). It holds a drained tunnel out — the hold-down starts again — and never drains one.
   */
  hold?: boolean;
  /**
   * From the other end of the link: it put the link back as a placement decision (the drain filled a carrier, or the
   * drained tunnel is the lesser evil), not because the tunnel healed. This end follows at once, not after a hold-down.
   */
  follow?: boolean;
  /**
   * From the other end of a link: figures only — what its counters read, no news of health. It moves no monitor; it
   * may move traffic (a drained tunnel measured less lossy than its carriers comes back).
   */
  figures?: boolean;
  /** From the other end of a link: the loss its own counters show on what it receives (the direction this end steers). */
  counted?: CountedLoss;
  /** From the other end of a link: the loads its counters read for the tunnels of this end, by this end's tunnel id. */
  loads?: Record<string, TunnelLoad>;
}

/** The tunnel's remediation state in the ledger. */
export type TunnelState = 'active' | 'draining' | 'drained' | 'restoring';

export interface SignalMark {
  key: string;
  at: string;
}

/** Durable record per tunnel (§6). */
export interface LedgerRecord {
  tunnelId: string;
  cloud: Cloud;
  /** Optimistic-concurrency version: every write is conditional on the version read. 0 = never written. */
  version: number;
  state: TunnelState;
  /** Health of the newest applied signal. */
  health: Health;
  /** observedAt of the newest applied signal (guard 4: anything older is stale). */
  lastSignalAt?: string;
  /** Recent de-duplication keys (bounded). */
  recentKeys: SignalMark[];
  /** Since when the tunnel has been continuously healthy (hold-down, guard 5). */
  healthySince?: string;
  /** Full definitions of withdrawn paths; written BEFORE the withdrawal (write-ahead). */
  withdrawn: PathSnapshot[];
  /** Times (ISO) at which drains started, for flap damping. */
  drains: string[];
  /** Flap damping tripped: stays drained until an operator releases it. */
  suppressed: boolean;
  /** Why the tunnel is in its state (drain reason, suppression reason). */
  reason?: string;
  /** When the state last changed. */
  updatedAt?: string;
  /** The newest applied signal came from the other end of a link: what follows is not echoed back. */
  lastSignalViaLink?: boolean;
  /** The latest measured loss per span (what the decision compares; `status` shows it with its age). */
  loss?: Partial<Record<Span, LossEstimate>>;
  /**
   * The last restore put back a tunnel that was still unhealthy — as the last path of its destinations, or as the
   * less lossy of two bad tunnels: the drain that follows is a change of placement, not a flap.
   */
  restoredUnhealthy?: boolean;
  /** When a monitor last saw this tunnel drop packets over its packet-rate limit (throttled): it has no room. */
  throttledAt?: string;
  /**
   * Loads of this cloud's tunnels as the other end's counters read them (this end's cloud may publish none: AWS counts
   * bytes, not packets), from the newest link message that carried them. The capacity guard reads them.
   */
  loads?: Record<string, TunnelLoad>;
  /** The latest health per monitor; `health` is the worst of them (see `Signal.monitor`). */
  monitors?: Record<string, { health: Health; at: string; basis?: SignalBasis }>;
  /** The last failure reported for this tunnel: a failure that repeats on every reconcile is notified once. */
  lastFailure?: string;
  /** The last refusal reported for this tunnel: the same refusal is not notified again on every reconcile. */
  lastRefusal?: string;
  /**
   * Only on a cloud's fence record (`fenceId(cloud)`): the tunnels of that cloud that are draining, drained or
   * restoring. Every drain commits by a conditional write of the fence, so two concurrent drains in one cloud
   * cannot both pass the black-hole guard on stale views (: a second writer fails loudly).
   */
  members?: string[];
}

/** Ledger key of a cloud's fence record. */
export const fenceId = (cloud: Cloud): string => `fence:${cloud}`;
export const isFenceId = (id: string): boolean => id.startsWith('fence:');

export const emptyRecord = (tunnelId: string, cloud: Cloud): LedgerRecord => ({
  tunnelId,
  cloud,
  version: 0,
  state: 'active',
  health: 'unknown',
  recentKeys: [],
  withdrawn: [],
  drains: [],
  suppressed: false,
});
