/**
 * Small topologies in core terms. `incident()` is the original incident: on AWS two VPN connections with two
 * tunnels each (the second tunnel of each has no GCP peer and is down), on GCP two Classic VPN tunnels, static
 * routes on both sides.
 */
import { awsTunnelId, gcpTunnelId, type Path, type TunnelStatus } from '../../shared/types';

export const REGION = 'ap-northeast-1';
export const aws = (vpn: string, ip: string) => awsTunnelId({ region: REGION, vpnConnectionId: vpn, outsideIpAddress: ip });
export const gcp = (name: string) => gcpTunnelId({ project: 'example-project', region: 'asia-northeast1', name });

export const awsTunnel = (vpn: string, ip: string, status: TunnelStatus['status'] = 'up'): TunnelStatus => ({
  ref: { id: aws(vpn, ip), cloud: 'aws', native: { vpnConnectionId: vpn, outsideIpAddress: ip, region: REGION } },
  status,
});
export const gcpTunnel = (name: string, status: TunnelStatus['status'] = 'up'): TunnelStatus => ({
  ref: { id: gcp(name), cloud: 'gcp', native: { project: 'example-project', region: 'asia-northeast1', name, gateway: `${name}-gw` } },
  status,
});

export const vgwRoute = (vpn: string, tunnels: string[], cidr: string): Path => ({
  key: `${vpn}:${cidr}`,
  kind: 'aws-vgw-static',
  cloud: 'aws',
  destinations: [cidr],
  tunnelIds: tunnels,
  definition: { vpnConnectionId: vpn, destinationCidrBlock: cidr },
});

export const NETWORK = 'https://www.googleapis.com/compute/v1/projects/example-project/global/networks/default';
export const gcpRoute = (name: string, tunnel: string, cidr: string, priority = 1000): Path => ({
  key: `projects/example-project/global/routes/${name}`,
  kind: 'gcp-static-route',
  cloud: 'gcp',
  destinations: [cidr],
  tunnelIds: [gcp(tunnel)],
  domain: NETWORK,
  definition: {
    name,
    network: NETWORK,
    destRange: cidr,
    priority,
    tags: [],
    description: `to AWS via ${tunnel}`,
    nextHopVpnTunnel: `https://www.googleapis.com/compute/v1/projects/example-project/regions/asia-northeast1/vpnTunnels/${tunnel}`,
  },
});

export function incident() {
  const awsTunnels = [
    awsTunnel('vpn-1', '203.0.113.10'),
    awsTunnel('vpn-1', '203.0.113.11', 'down'),
    awsTunnel('vpn-2', '203.0.113.20'),
    awsTunnel('vpn-2', '203.0.113.21', 'down'),
  ];
  const awsPaths = [
    vgwRoute('vpn-1', [aws('vpn-1', '203.0.113.10'), aws('vpn-1', '203.0.113.11')], '10.240.0.0/16'),
    vgwRoute('vpn-2', [aws('vpn-2', '203.0.113.20'), aws('vpn-2', '203.0.113.21')], '10.240.0.0/16'),
  ];
  const gcpTunnels = [gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')];
  const gcpPaths = [gcpRoute('to-aws-1', 'tunnel-1', '10.0.0.0/16'), gcpRoute('to-aws-2', 'tunnel-2', '10.0.0.0/16')];
  return { awsTunnels, awsPaths, gcpTunnels, gcpPaths };
}
