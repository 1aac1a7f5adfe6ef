/**
 * One read of the region's Site-to-Site VPN connections (`DescribeVpnConnections`), reduced to what the
 * adapters need: tunnels (from `VgwTelemetry`) and static routes (from `Routes`). Shared by the VGW path table,
 * the TGW path table and the tunnel health view, so each invocation describes the connections once per use.
 */
import { DescribeVpnConnectionsCommand, type EC2Client, type VpnConnection } from '@aws-sdk/client-ec2';
import { awsTunnelId, type ReportedStatus } from '../../shared/types';
import { translateAwsError } from './aws-errors';

export interface VpnTunnelInfo {
  id: string;
  outsideIpAddress: string;
  status: ReportedStatus;
  detail?: string;
}

export interface VpnStaticRouteInfo {
  destinationCidrBlock: string;
  /** `pending` | `available` | `deleting` | `deleted` */
  state: string;
}

export interface VpnConnectionInfo {
  vpnConnectionId: string;
  region: string;
  /** Set for connections on a virtual private gateway: their static routes are the VGW lever. */
  vpnGatewayId?: string;
  /** Set for connections on a Transit Gateway: their lever is the TGW route tables. */
  transitGatewayId?: string;
  tunnels: VpnTunnelInfo[];
  staticRoutes: VpnStaticRouteInfo[];
  /** The connection's tags: tunnel-guard marks a de-preferred static route with one (clouds/aws/vgw-standby.ts). */
  tags: Record<string, string>;
}

export interface VpnInventoryOptions {
  region: string;
  /** Only these connections (TUNNEL_GUARD_AWS_VPN_IDS); all available connections of the region otherwise. */
  vpnConnectionIds?: string[];
  /**
   * Called when configured connections are not there (deleted, or in another region). They are left out and the
   * rest is read as usual; one stale id must not stop every invocation.
   */
  onMissing?: (vpnConnectionIds: string[]) => void;
}

const reportedStatus = (s: string | undefined): ReportedStatus => (s === 'UP' ? 'up' : s === 'DOWN' ? 'down' : 'unknown');

export function toConnectionInfo(c: VpnConnection, region: string): VpnConnectionInfo | undefined {
  if (!c.VpnConnectionId) return undefined;
  const vpnConnectionId = c.VpnConnectionId;
  return {
    vpnConnectionId,
    region,
    vpnGatewayId: c.VpnGatewayId || undefined,
    transitGatewayId: c.TransitGatewayId || undefined,
    tunnels: (c.VgwTelemetry ?? [])
      .filter((t) => t.OutsideIpAddress)
      .map((t) => ({
        id: awsTunnelId({ region, vpnConnectionId, outsideIpAddress: t.OutsideIpAddress! }),
        outsideIpAddress: t.OutsideIpAddress!,
        status: reportedStatus(t.Status),
        detail: t.StatusMessage || undefined,
      })),
    staticRoutes: (c.Routes ?? [])
      .filter((r) => r.DestinationCidrBlock && (r.Source ?? 'Static').toLowerCase() === 'static')
      .map((r) => ({ destinationCidrBlock: r.DestinationCidrBlock!, state: r.State ?? 'available' })),
    tags: Object.fromEntries((c.Tags ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ''])),
  };
}

/** Reads the VPN connections in scope. */
export class VpnInventory {
  constructor(
    private readonly ec2: EC2Client,
    readonly options: VpnInventoryOptions,
  ) {}

  /** Connections that exist (state `available`, or `pending` ones so a new connection is seen early). */
  async list(): Promise<VpnConnectionInfo[]> {
    const wanted = this.options.vpnConnectionIds ?? [];
    const found = (await this.describe(wanted)).filter((c): c is VpnConnectionInfo => c !== undefined);
    if (wanted.length) {
      const seen = new Set(found.map((c) => c.vpnConnectionId));
      const missing = wanted.filter((id) => !seen.has(id));
      if (missing.length) this.options.onMissing?.(missing);
    }
    return found;
  }

  /** One connection as it is now (used to wait for a route change), or undefined when it is gone. */
  async get(vpnConnectionId: string): Promise<VpnConnectionInfo | undefined> {
    return (await this.describe([vpnConnectionId]))[0];
  }

  /**
   * A `vpn-connection-id` filter, never `VpnConnectionIds`: with explicit ids EC2 fails the whole call with
   * `InvalidVpnConnectionID.NotFound` as soon as one of them is gone, while a filter simply returns the ones that
   * exist. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeVpnConnections.html
   */
  private async describe(ids: string[] | undefined): Promise<(VpnConnectionInfo | undefined)[]> {
    try {
      const out = await this.ec2.send(
        new DescribeVpnConnectionsCommand({
          Filters: [
            ...(ids?.length ? [{ Name: 'vpn-connection-id', Values: ids }] : []),
            { Name: 'state', Values: ['available', 'pending'] },
          ],
        }),
      );
      return (out.VpnConnections ?? []).map((c) => toConnectionInfo(c, this.options.region));
    } catch (e) {
      throw translateAwsError(e, 'DescribeVpnConnections');
    }
  }
}
