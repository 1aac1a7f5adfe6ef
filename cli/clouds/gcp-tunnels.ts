/**
 * Every VPN tunnel of a project in one aggregated list (all regions), with the Cloud Router BGP peer bound to
 * each HA VPN tunnel (a router interface names the tunnel, a peer names the interface). Same ids and shape as the
 * function's `GcpTunnelHealth`, so discovery and status agree.
 */
import { RoutersClient } from '@google-cloud/compute/build/src/v1/routers_client';
import { VpnTunnelsClient } from '@google-cloud/compute/build/src/v1/vpn_tunnels_client';
import type { Env } from '../../config/source';
import { gcpTunnelId, type TunnelStatus } from '../../shared/types';
import { reportedStatusOf } from '../../gcp-functions/adapters/tunnel-health';
import { callTimeoutMs, withTimeout } from './bounded';
import type { GcpAuth } from './gcp-api';

const last = (s: string | null | undefined): string => (s ?? '').split('/').filter(Boolean).pop() ?? '';

/** Client options for a plain-HTTP fake (`http://127.0.0.1:PORT`) or the real endpoint. */
/** An item of an aggregated list: a protobuf object, read field by field below (typing it fully adds nothing). */
// biome-ignore lint/suspicious/noExplicitAny: protobuf list items, narrowed where they are read
type ProtoItem = Record<string, any>;

export function computeClientOptions(env: Env, auth: GcpAuth): Record<string, unknown> {
  const url = env.TUNNEL_GUARD_COMPUTE_ENDPOINT;
  if (!url) return { authClient: auth.client };
  const u = new URL(url);
  return {
    apiEndpoint: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
    protocol: u.protocol.replace(':', ''),
    authClient: auth.client,
  };
}

async function collect<T>(it: AsyncIterable<[string, T]>): Promise<[string, T][]> {
  const out: [string, T][] = [];
  for await (const e of it) out.push(e);
  return out;
}

export async function listGcpTunnels(env: Env, auth: GcpAuth, project: string): Promise<TunnelStatus[]> {
  const opts = computeClientOptions(env, auth) as never;
  const tunnelsClient = new VpnTunnelsClient(opts);
  const routersClient = new RoutersClient(opts);
  const ms = callTimeoutMs(env) * 4;
  const call = { timeout: callTimeoutMs(env), maxRetries: 0, autoPaginate: false };
  try {
    const [tunnelScopes, routerScopes] = await withTimeout(
      Promise.all([
        collect(tunnelsClient.aggregatedListAsync({ project }, call) as AsyncIterable<[string, { vpnTunnels?: ProtoItem[] }]>),
        collect(routersClient.aggregatedListAsync({ project }, call) as AsyncIterable<[string, { routers?: ProtoItem[] }]>),
      ]),
      ms,
      `aggregated lists of ${project}`,
    );
    const peerOf = new Map<string, { router: string; bgpPeer?: string }>();
    for (const [, scoped] of routerScopes) {
      for (const r of scoped.routers ?? []) {
        for (const i of r.interfaces ?? []) {
          if (!i.linkedVpnTunnel) continue;
          const peer = (r.bgpPeers ?? []).find((p: { interfaceName?: string }) => p.interfaceName === i.name);
          peerOf.set(`${last(r.region)}/${last(i.linkedVpnTunnel)}`, { router: r.name, ...(peer?.name ? { bgpPeer: peer.name } : {}) });
        }
      }
    }
    const out: TunnelStatus[] = [];
    for (const [scope, scoped] of tunnelScopes) {
      for (const t of scoped.vpnTunnels ?? []) {
        if (!t.name) continue;
        const region = last(t.region) || last(scope);
        const bound = peerOf.get(`${region}/${t.name}`);
        const native = {
          project,
          region,
          name: t.name as string,
          gateway: last(t.targetVpnGateway ?? t.vpnGateway),
          ...(t.peerIp ? { peerIp: t.peerIp as string } : {}),
          ...(t.router ? { router: last(t.router) } : bound ? { router: bound.router } : {}),
          ...(bound?.bgpPeer ? { bgpPeer: bound.bgpPeer } : {}),
        };
        out.push({
          ref: { id: gcpTunnelId(native), cloud: 'gcp', native },
          status: reportedStatusOf(t.status),
          ...(t.status ? { detail: String(t.status) } : {}),
        });
      }
    }
    return out.sort((a, b) => a.ref.id.localeCompare(b.ref.id));
  } finally {
    await Promise.allSettled([tunnelsClient.close(), routersClient.close()]);
  }
}
