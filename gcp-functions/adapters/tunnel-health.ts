/**
 * `TunnelHealthView` over `vpnTunnels.list`: what GCP itself says about each tunnel (IKE/IPsec), for the guards.
 * Only ESTABLISHED carries traffic; every other status (handshaking, negotiation failure, no incoming packets,
 * provisioning, …) counts as down. GCP ignores routes through a tunnel without an IKE SA anyway.
 */
import type { VpnTunnelsClient } from '@google-cloud/compute/build/src/v1/vpn_tunnels_client';
import type { TunnelHealthView } from '../../shared/ports';
import { gcpTunnelId, type ReportedStatus, type TunnelStatus } from '../../shared/types';
import { classifyComputeError, lastSegment } from './compute-calls';

export interface TunnelHealthOptions {
  project: string;
  regions: string[];
}

type VpnTunnel = {
  name?: string | null;
  status?: string | number | null;
  detailedStatus?: string | null;
  peerIp?: string | null;
  targetVpnGateway?: string | null;
  vpnGateway?: string | null;
  router?: string | null;
};

/** ESTABLISHED → up; any other known status → down; missing → unknown. */
export function reportedStatusOf(status: string | number | null | undefined): ReportedStatus {
  if (status === undefined || status === null || status === '') return 'unknown';
  return status === 'ESTABLISHED' ? 'up' : 'down';
}

export class GcpTunnelHealth implements TunnelHealthView {
  constructor(
    private readonly client: Pick<VpnTunnelsClient, 'listAsync'>,
    private readonly opts: TunnelHealthOptions,
  ) {}

  async list(): Promise<TunnelStatus[]> {
    const out: TunnelStatus[] = [];
    for (const region of this.opts.regions) {
      try {
        for await (const t of this.client.listAsync(
          { project: this.opts.project, region },
          { autoPaginate: false },
        ) as AsyncIterable<VpnTunnel>) {
          if (!t.name) continue;
          const native = {
            project: this.opts.project,
            region,
            name: t.name,
            // Classic VPN tunnels name a target VPN gateway, HA VPN tunnels a VPN gateway (and a Cloud Router).
            gateway: lastSegment(t.targetVpnGateway ?? t.vpnGateway),
            ...(t.peerIp ? { peerIp: t.peerIp } : {}),
            ...(t.router ? { router: lastSegment(t.router) } : {}),
          };
          out.push({
            ref: { id: gcpTunnelId(native), cloud: 'gcp', native },
            status: reportedStatusOf(t.status),
            ...(t.detailedStatus ? { detail: `${t.status}: ${t.detailedStatus}` } : t.status ? { detail: String(t.status) } : {}),
          });
        }
      } catch (e) {
        throw classifyComputeError(`vpnTunnels.list ${region}`, e);
      }
    }
    return out;
  }
}
