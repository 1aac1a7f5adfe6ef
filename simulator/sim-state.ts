/**
 * The shape of a simulator file: both clouds in one JSON document, modelled on the clouds' own API objects
 * (EC2 `VpnConnection` with `Routes` and `VgwTelemetry`; Compute `Route`, `VpnTunnel`, `Router.bgpPeers`), so
 * the ports map them to the core exactly as the real adapters do. Validated with zod on every read.
 */
import { z } from 'zod';
import type { TunnelStatus } from '../shared/types';

const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'must be a CIDR block like 10.0.0.0/16');
const ip = z.string().regex(/^[0-9a-fA-F:.]+$/, 'must be an IP address');

/** One static route of a VPN connection, like EC2's `VpnConnection.Routes[]`. */
export const awsVpnRouteSchema = z.object({
  destinationCidrBlock: cidr,
  source: z.literal('Static'),
  state: z.enum(['pending', 'available', 'deleting', 'deleted']),
});

/**
 * Optional on every tunnel: the load it carries (packets/s, sent plus received — the unit of the clouds' per-tunnel
 * limits) and its limit, as an adapter that reads the clouds' per-tunnel packet counts would report them. They let the
 * capacity guard project a drain onto the tunnels that take its load.
 */
function measuredLoad() {
  return { loadPps: z.number().min(0).optional(), capacityPps: z.number().int().min(1).optional() };
}

/** One tunnel of a VPN connection, like EC2's `VgwTelemetry[]`. */
export const awsTunnelSchema = z.object({
  outsideIpAddress: ip,
  status: z.enum(['UP', 'DOWN']),
  statusMessage: z.string().default(''),
  ...measuredLoad(),
});

export const awsVpnConnectionSchema = z.object({
  vpnConnectionId: z.string().regex(/^vpn-[0-9a-z]+$/),
  customerGatewayId: z.string().optional(),
  vpnGatewayId: z.string().optional(),
  transitGatewayId: z.string().optional(),
  /** The customer gateway's IP: here, a GCP VPN gateway's public IP. */
  customerGatewayIp: ip.optional(),
  state: z.enum(['pending', 'available', 'deleting', 'deleted']).default('available'),
  /** AWS always gives two tunnels per VPN connection. */
  tunnels: z.array(awsTunnelSchema).length(2),
  routes: z.array(awsVpnRouteSchema),
  /**
   * `bgp`: dynamic routing — no static routes; the connection learns `learnedPrefixes` from its peer over each
   * tunnel whose BGP session is up (simulator-only: what the GCP Cloud Router advertises).
   */
  routing: z.enum(['static', 'bgp']).optional(),
  learnedPrefixes: z.array(cidr).optional(),
  /** The connection's tags, like EC2's `Tags[]` as key → value (tunnel-guard marks a de-preferred route with one). */
  tags: z.record(z.string(), z.string()).optional(),
});

/** Compute `Route` (global): writable fields plus the output-only ones the cloud assigns. */
export const gcpRouteSchema = z.object({
  name: z.string().regex(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a valid GCP resource name'),
  network: z.string().min(1),
  destRange: cidr,
  priority: z.number().int().min(0).max(65535),
  tags: z.array(z.string()).default([]),
  description: z.string().default(''),
  nextHopVpnTunnel: z.string().min(1),
  // output-only
  id: z.string(),
  selfLink: z.string(),
  creationTimestamp: z.string(),
  kind: z.literal('compute#route').default('compute#route'),
});

/** Compute `VpnTunnel` (Classic or HA). `status` uses the API's values; ESTABLISHED means up. */
export const gcpTunnelSchema = z.object({
  ...measuredLoad(),
  name: z.string().min(1),
  region: z.string().min(1),
  /** Classic VPN: `targetVpnGateway` name; HA VPN: `vpnGateway` name. */
  gateway: z.string().min(1),
  peerIp: ip,
  status: z.enum([
    'ESTABLISHED',
    'NO_INCOMING_PACKETS',
    'NETWORK_ERROR',
    'FIRST_HANDSHAKE',
    'WAITING_FOR_FULL_CONFIG',
    'PROVISIONING',
    'AUTHORIZATION_ERROR',
    'NEGOTIATION_FAILURE',
    'DEPROVISIONING',
    'FAILED',
    'REJECTED',
    'STOPPED',
    'PEER_IDENTITY_MISMATCH',
    'TS_NARROWING_NOT_ALLOWED',
    'ALLOCATING_RESOURCES',
  ]),
  detailedStatus: z.string().default(''),
  /** HA VPN: the Cloud Router that runs BGP over this tunnel. */
  router: z.string().optional(),
});

/** Cloud Router `bgpPeers[]` entry; `learnedPrefixes` is simulator-only (what the peer advertises to us). */
export const gcpBgpPeerSchema = z
  .object({
    name: z.string().min(1),
    interfaceName: z.string().min(1),
    peerIpAddress: ip,
    ipAddress: ip.optional(),
    peerAsn: z.number().int().min(0),
    advertisedRoutePriority: z.number().int().min(0).max(65535),
    advertiseMode: z.enum(['DEFAULT', 'CUSTOM']).default('DEFAULT'),
    enable: z.enum(['TRUE', 'FALSE']),
    learnedPrefixes: z.array(cidr).default([]),
    /** Simulator-only: the priority GCP gives the learned routes (the MED the peer advertises). */
    learnedPriority: z.number().int().min(0).max(65535).optional(),
    /** BGP route policies applied to this peer, in order (names of the router's `routePolicies`), as in the API. */
    importPolicies: z.array(z.string().min(1)).optional(),
    exportPolicies: z.array(z.string().min(1)).optional(),
  })
  .loose();

/** A Cloud Router route policy (router subresource), as `routers.getRoutePolicy` returns it. */
export const gcpRoutePolicySchema = z.object({
  name: z.string().min(1),
  type: z.enum(['ROUTE_POLICY_TYPE_IMPORT', 'ROUTE_POLICY_TYPE_EXPORT']),
  description: z.string().optional(),
  terms: z.array(
    z.object({
      priority: z.number().int().min(0),
      match: z.object({ expression: z.string() }).optional(),
      actions: z.array(z.object({ expression: z.string() })),
    }),
  ),
});

export const gcpRouterSchema = z.object({
  name: z.string().min(1),
  region: z.string().min(1),
  network: z.string().min(1),
  asn: z.number().int().min(0),
  /** `interfaces[].linkedVpnTunnel` is the tunnel's URL, as in the Compute API. */
  interfaces: z.array(z.object({ name: z.string().min(1), linkedVpnTunnel: z.string().min(1), ipRange: z.string().optional() })),
  bgpPeers: z.array(gcpBgpPeerSchema),
  /** The router's BGP route policies (what `routers.listRoutePolicies` returns). */
  routePolicies: z.array(gcpRoutePolicySchema).optional(),
});

export const simStateSchema = z.object({
  format: z.literal('tunnel-guard-simulator/1'),
  aws: z.object({
    region: z.string().min(1),
    vpnConnections: z.array(awsVpnConnectionSchema),
    /** The /32 static routes that pin link probes to their connection (never paths). */
    probeTargets: z.array(cidr).optional(),
  }),
  gcp: z.object({
    project: z.string().min(1),
    vpnTunnels: z.array(gcpTunnelSchema),
    routes: z.array(gcpRouteSchema),
    routers: z.array(gcpRouterSchema).default([]),
  }),
  /** Last reports sent to the simulated notifier (newest last, bounded). */
  notifications: z.array(z.record(z.string(), z.unknown())).default([]),
  /** Monotonic counter for output-only ids (route `id`). */
  nextId: z.number().int().min(1).default(1),
  /**
   * The simulated world's clock, when an operator moved it with `--now` (time travel): real time plus `offsetMs`.
   * Every later command decides on this clock, so the ledger never holds times from a future the world has not
   * reached; `status` says so.
   */
  clock: z.object({ offsetMs: z.number().int(), setAt: z.string().min(1) }).optional(),
});

export type SimState = z.infer<typeof simStateSchema>;
export type AwsVpnConnection = z.infer<typeof awsVpnConnectionSchema>;
export type GcpRoute = z.infer<typeof gcpRouteSchema>;
export type GcpBgpPeer = z.infer<typeof gcpBgpPeerSchema>;

/** A simulated tunnel's configured load and limit, as the port reports them (nothing when the file gives none). */
export const loadOf = (t: { loadPps?: number; capacityPps?: number }): Pick<TunnelStatus, 'load' | 'capacityPps'> => ({
  ...(t.loadPps !== undefined ? { load: { pps: t.loadPps } } : {}),
  ...(t.capacityPps !== undefined ? { capacityPps: t.capacityPps } : {}),
});
