/**
 * Built-in topologies. `incidentTopology` is the setup of the original incident (a Japanese engineering blog
 * post this project grew from): AWS gives two tunnels per VPN connection, GCP Classic VPN one tunnel per gateway,
 * and both sides are configured twice. Each GCP tunnel peers with tunnel 1 of one AWS connection; tunnel 2 of
 * each AWS connection has no GCP peer, so it is DOWN — exactly as in that setup.
 *
 * Addresses are documentation ranges (RFC 5737): 203.0.113.0/24 for AWS outside IPs, 198.51.100.0/24 for GCP
 * gateway IPs. Timestamps and ids are fixed so that a fresh simulator is byte-for-byte reproducible.
 */
import { gcpNetworkUrl, gcpRouteUrl, gcpTunnelUrl } from '../clouds/gcp/urls';
import type { GcpRoute, SimState } from './sim-state';

export const INCIDENT = {
  awsRegion: 'ap-northeast-1',
  awsVpcCidr: '10.0.0.0/16',
  gcpProject: 'example-project',
  gcpRegion: 'asia-northeast1',
  gcpNetwork: 'vpc-main',
  /** The GCP network's subnets, routed statically on both AWS connections. */
  gcpPrefixes: ['10.240.0.0/16', '192.168.1.0/24'],
  vpn: [
    {
      id: 'vpn-0a1b2c3d4e5f60001',
      tunnelIps: ['203.0.113.11', '203.0.113.12'],
      gcpGatewayIp: '198.51.100.10',
      gcpGateway: 'gw-aws-1',
      gcpTunnel: 'tunnel-aws-1',
    },
    {
      id: 'vpn-0a1b2c3d4e5f60002',
      tunnelIps: ['203.0.113.21', '203.0.113.22'],
      gcpGatewayIp: '198.51.100.20',
      gcpGateway: 'gw-aws-2',
      gcpTunnel: 'tunnel-aws-2',
    },
  ],
} as const;

const CREATED = '2017-06-01T10:00:00.000-07:00';

/** A Compute route as the API returns it (output-only fields included). */
export function gcpRoute(
  project: string,
  def: Omit<GcpRoute, 'id' | 'selfLink' | 'creationTimestamp' | 'kind'>,
  id: number,
  created = CREATED,
): GcpRoute {
  return {
    ...def,
    id: String(7_000_000_000_000_000 + id),
    selfLink: gcpRouteUrl(project, def.name),
    creationTimestamp: created,
    kind: 'compute#route',
  };
}

/** The original incident: 2 AWS VPN connections × 2 tunnels, 2 GCP Classic VPN tunnels, static routes both sides. */
export function incidentTopology(): SimState {
  const I = INCIDENT;
  return {
    format: 'tunnel-guard-simulator/1',
    aws: {
      region: I.awsRegion,
      vpnConnections: I.vpn.map((v, i) => ({
        vpnConnectionId: v.id,
        customerGatewayId: `cgw-0a1b2c3d4e5f6000${i + 1}`,
        vpnGatewayId: 'vgw-0a1b2c3d4e5f60000',
        customerGatewayIp: v.gcpGatewayIp,
        state: 'available' as const,
        tunnels: [
          { outsideIpAddress: v.tunnelIps[0], status: 'UP' as const, statusMessage: '' },
          // No GCP tunnel peers with tunnel 2: IKE never comes up (as in the original setup).
          { outsideIpAddress: v.tunnelIps[1], status: 'DOWN' as const, statusMessage: 'IPSEC IS DOWN' },
        ],
        routes: I.gcpPrefixes.map((p) => ({ destinationCidrBlock: p, source: 'Static' as const, state: 'available' as const })),
      })),
    },
    gcp: {
      project: I.gcpProject,
      vpnTunnels: I.vpn.map((v) => ({
        name: v.gcpTunnel,
        region: I.gcpRegion,
        gateway: v.gcpGateway,
        peerIp: v.tunnelIps[0],
        status: 'ESTABLISHED' as const,
        detailedStatus: 'Tunnel is up and running.',
      })),
      // Equal priority on both tunnels: GCP spreads flows over them (ECMP), so a lossy-but-up tunnel keeps
      // receiving a share of the traffic until its route is withdrawn.
      routes: I.vpn.map((v, i) =>
        gcpRoute(
          I.gcpProject,
          {
            name: `route-to-aws-via-${v.gcpTunnel}`,
            network: gcpNetworkUrl(I.gcpProject, I.gcpNetwork),
            destRange: I.awsVpcCidr,
            priority: 1000,
            tags: [],
            description: `AWS VPC via ${v.id} tunnel 1`,
            nextHopVpnTunnel: gcpTunnelUrl(I.gcpProject, I.gcpRegion, v.gcpTunnel),
          },
          i + 1,
        ),
      ),
      routers: [],
    },
    notifications: [],
    nextId: 100,
  };
}

/**
 * Adds an HA VPN gateway with two tunnels and a Cloud Router with one BGP peer per tunnel (dynamic routing),
 * for tests of the BGP-peer path kind. Returns the same object, changed.
 */
export function addHaVpn(state: SimState, opts: { router?: string; learned?: string[] } = {}): SimState {
  const project = state.gcp.project;
  const region = INCIDENT.gcpRegion;
  const router = opts.router ?? 'cr-aws-ha';
  const learned = opts.learned ?? ['10.1.0.0/16'];
  const tunnels = [0, 1].map((i) => ({
    name: `ha-tunnel-${i}`,
    region,
    gateway: 'ha-gw-aws',
    peerIp: `203.0.113.${31 + i}`,
    status: 'ESTABLISHED' as const,
    detailedStatus: 'Tunnel is up and running.',
    router,
  }));
  state.gcp.vpnTunnels.push(...tunnels);
  state.gcp.routers.push({
    name: router,
    region,
    network: gcpNetworkUrl(project, INCIDENT.gcpNetwork),
    asn: 65000,
    interfaces: tunnels.map((t, i) => ({
      name: `if-${t.name}`,
      linkedVpnTunnel: gcpTunnelUrl(project, region, t.name),
      ipRange: `169.254.${10 + i}.2/30`,
    })),
    bgpPeers: tunnels.map((t, i) => ({
      name: `peer-${t.name}`,
      interfaceName: `if-${t.name}`,
      peerIpAddress: `169.254.${10 + i}.1`,
      ipAddress: `169.254.${10 + i}.2`,
      peerAsn: 64512,
      advertisedRoutePriority: 100,
      advertiseMode: 'DEFAULT' as const,
      enable: 'TRUE' as const,
      learnedPrefixes: [...learned],
    })),
  });
  return state;
}
