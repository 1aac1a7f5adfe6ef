/**
 * The simulated AWS side: VGW static routes of Site-to-Site VPN connections. AWS has no per-tunnel lever — a
 * connection's static route feeds BOTH of its tunnels — so each route is one `Path` whose `tunnelIds` are both
 * tunnels of the connection, exactly like the EC2 adapter.
 */
import { PermanentError } from '../shared/errors';
import { definitionOf } from '../clouds/path-definitions';
import type { CloudPorts } from '../shared/ports';
import { awsTunnelId, type Path, type TunnelStatus } from '../shared/types';
import type { SimCalls } from './sim-calls';
import { loadOf, type AwsVpnConnection, type SimState } from './sim-state';

export const awsPathKey = (vpnConnectionId: string, cidr: string): string => `${vpnConnectionId}:${cidr}`;

const tunnelIdsOf = (state: SimState, c: AwsVpnConnection): string[] =>
  c.tunnels.map((t) => awsTunnelId({ region: state.aws.region, vpnConnectionId: c.vpnConnectionId, outsideIpAddress: t.outsideIpAddress }));

/** A connection's routing domain: its virtual private gateway, or its transit gateway (undefined if neither). */
const domainOf = (c: AwsVpnConnection): string | undefined =>
  c.vpnGatewayId ? `vgw:${c.vpnGatewayId}` : c.transitGatewayId ? `tgw:${c.transitGatewayId}` : undefined;

export function awsPorts(calls: SimCalls): CloudPorts {
  return {
    paths: {
      list: () =>
        calls.read((state): Path[] =>
          state.aws.vpnConnections
            .filter((c) => c.state === 'available')
            .flatMap((c) =>
              c.routes
                // The /32s that pin link probes to their connection are not paths.
                .filter(
                  (r) =>
                    (r.state === 'available' || r.state === 'pending') && !(state.aws.probeTargets ?? []).includes(r.destinationCidrBlock),
                )
                .map((r) => ({
                  key: awsPathKey(c.vpnConnectionId, r.destinationCidrBlock),
                  kind: 'aws-vgw-static' as const,
                  cloud: 'aws' as const,
                  destinations: [r.destinationCidrBlock],
                  tunnelIds: tunnelIdsOf(state, c),
                  definition: { vpnConnectionId: c.vpnConnectionId, destinationCidrBlock: r.destinationCidrBlock },
                  domain: domainOf(c),
                })),
            ),
        ),

      withdraw: async (path) => {
        const def = definitionOf(path, 'aws-vgw-static');
        return calls.mutate('aws', 'withdraw', path.key, (state) => {
          const c = state.aws.vpnConnections.find((x) => x.vpnConnectionId === def.vpnConnectionId);
          const i = c?.routes.findIndex((r) => r.destinationCidrBlock === def.destinationCidrBlock) ?? -1;
          if (!c || i < 0) return 'already-in-state';
          c.routes.splice(i, 1);
          return 'applied';
        });
      },

      restore: async (snapshot) => {
        const def = definitionOf(snapshot, 'aws-vgw-static');
        return calls.mutate('aws', 'restore', snapshot.key, (state) => {
          const c = state.aws.vpnConnections.find((x) => x.vpnConnectionId === def.vpnConnectionId);
          // Like EC2's InvalidVpnConnectionID.NotFound: a retry cannot fix it.
          if (!c || c.state !== 'available')
            throw new PermanentError(`simulator (aws): VPN connection ${def.vpnConnectionId} does not exist`);
          if (c.routes.some((r) => r.destinationCidrBlock === def.destinationCidrBlock)) return 'already-in-state';
          c.routes.push({ destinationCidrBlock: def.destinationCidrBlock, source: 'Static', state: 'available' });
          return 'applied';
        });
      },
    },

    tunnels: {
      list: () =>
        calls.read((state): TunnelStatus[] =>
          state.aws.vpnConnections.flatMap((c) =>
            c.tunnels.map((t) => ({
              ref: {
                id: awsTunnelId({ region: state.aws.region, vpnConnectionId: c.vpnConnectionId, outsideIpAddress: t.outsideIpAddress }),
                cloud: 'aws' as const,
                native: { vpnConnectionId: c.vpnConnectionId, outsideIpAddress: t.outsideIpAddress, region: state.aws.region },
              },
              status: t.status === 'UP' ? ('up' as const) : ('down' as const),
              ...(t.statusMessage ? { detail: t.statusMessage } : {}),
              ...loadOf(t),
            })),
          ),
        ),
    },
  };
}
