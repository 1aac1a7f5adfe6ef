/**
 * `TunnelHealthView` from `DescribeVpnConnections` → `VgwTelemetry` (`UP`/`DOWN` per tunnel outside IP).
 * Telemetry says whether IKE/IPsec is up, not whether packets get through: loss is only visible in alarms.
 */
import type { TunnelHealthView } from '../../shared/ports';
import type { TunnelStatus } from '../../shared/types';
import type { VpnInventory } from './vpn-inventory';

export class VpnTunnelHealthView implements TunnelHealthView {
  constructor(
    private readonly inventory: VpnInventory,
    /** VPN connection id → TGW attachment id, for connections on a Transit Gateway (optional). */
    private readonly attachmentOf?: () => Promise<Map<string, string>>,
  ) {}

  async list(): Promise<TunnelStatus[]> {
    const [connections, attachments] = await Promise.all([
      this.inventory.list(),
      this.attachmentOf ? this.attachmentOf() : Promise.resolve(new Map<string, string>()),
    ]);
    return connections.flatMap((c) =>
      c.tunnels.map((t): TunnelStatus => {
        const att = attachments.get(c.vpnConnectionId);
        return {
          ref: {
            id: t.id,
            cloud: 'aws',
            native: {
              vpnConnectionId: c.vpnConnectionId,
              outsideIpAddress: t.outsideIpAddress,
              region: c.region,
              ...(att ? { transitGatewayAttachmentId: att } : {}),
            },
          },
          status: t.status,
          ...(t.detail ? { detail: t.detail } : {}),
        };
      }),
    );
  }
}
