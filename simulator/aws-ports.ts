/**
 * The simulated AWS side: VGW static routes of Site-to-Site VPN connections. AWS has no per-tunnel lever — a
 * connection's static route feeds BOTH of its tunnels — so each route is one `Path` whose `tunnelIds` are both
 * tunnels of the connection, exactly like the EC2 adapter. De-preference works as there too: the route stays, a tag
 * marks it, and both halves of its prefix go on the gateway's other connections (clouds/aws/vgw-standby.ts).
 */
import { PermanentError } from '../shared/errors';
import { definitionOf } from '../clouds/path-definitions';
import type { CloudPorts } from '../shared/ports';
import { awsTunnelId, isDeprefer, type Path, type TunnelStatus } from '../shared/types';
import { vgwPathsOfAll, type VgwConnectionPaths } from '../clouds/aws/vgw-paths';
import {
  coverChanges,
  noDepreferReason,
  STANDBY_TAG_VALUE,
  standbyCidrsOf,
  standbyTagKey,
  withChange,
  type VgwConnectionView,
} from '../clouds/aws/vgw-standby';
import type { SimCalls } from './sim-calls';
import { loadOf, type AwsVpnConnection, type SimState } from './sim-state';

export const awsPathKey = (vpnConnectionId: string, cidr: string): string => `${vpnConnectionId}:${cidr}`;

const tunnelIdsOf = (state: SimState, c: AwsVpnConnection): string[] =>
  c.tunnels.map((t) => awsTunnelId({ region: state.aws.region, vpnConnectionId: c.vpnConnectionId, outsideIpAddress: t.outsideIpAddress }));

/** A connection's routing domain: its virtual private gateway, or its transit gateway (undefined if neither). */
const domainOf = (c: AwsVpnConnection): string | undefined =>
  c.vpnGatewayId ? `vgw:${c.vpnGatewayId}` : c.transitGatewayId ? `tgw:${c.transitGatewayId}` : undefined;

/** A connection as the VGW lever sees it: live routes, de-preference tags, both tunnels. */
const viewOf = (state: SimState, c: AwsVpnConnection): VgwConnectionPaths => ({
  id: c.vpnConnectionId,
  domain: domainOf(c),
  routes: c.routes.filter((r) => r.state === 'available' || r.state === 'pending').map((r) => r.destinationCidrBlock),
  standby: standbyCidrsOf(c.tags),
  tunnelIds: tunnelIdsOf(state, c),
});

const liveConnections = (state: SimState): AwsVpnConnection[] => state.aws.vpnConnections.filter((c) => c.state === 'available');

/** Apply what the halves of the gateways must become (creates first, then removals), as EC2 would in sequence. */
function settleCovers(state: SimState, current: readonly VgwConnectionView[], target: readonly VgwConnectionView[]): boolean {
  const { create, remove } = coverChanges(current, target);
  const conn = (id: string) => state.aws.vpnConnections.find((c) => c.vpnConnectionId === id);
  for (const r of create) conn(r.vpnConnectionId)?.routes.push({ destinationCidrBlock: r.cidr, source: 'Static', state: 'available' });
  for (const r of remove) {
    const c = conn(r.vpnConnectionId);
    if (c) c.routes = c.routes.filter((x) => x.destinationCidrBlock !== r.cidr);
  }
  return create.length + remove.length > 0;
}

function addRoute(c: AwsVpnConnection, cidr: string): boolean {
  if (c.routes.some((r) => r.destinationCidrBlock === cidr)) return false;
  c.routes.push({ destinationCidrBlock: cidr, source: 'Static', state: 'available' });
  return true;
}

function connectionOf(state: SimState, vpnConnectionId: string): AwsVpnConnection {
  const c = state.aws.vpnConnections.find((x) => x.vpnConnectionId === vpnConnectionId);
  // Like EC2's InvalidVpnConnectionID.NotFound: a retry cannot fix it.
  if (!c || c.state !== 'available') throw new PermanentError(`simulator (aws): VPN connection ${vpnConnectionId} does not exist`);
  return c;
}

export function awsPorts(calls: SimCalls): CloudPorts {
  const views = (state: SimState): VgwConnectionPaths[] => liveConnections(state).map((c) => viewOf(state, c));
  return {
    paths: {
      // The /32s that pin link probes to their connection are not paths.
      list: () => calls.read((state): Path[] => vgwPathsOfAll(views(state), new Set(state.aws.probeTargets ?? []))),

      withdraw: async (path) => {
        const def = definitionOf(path, 'aws-vgw-static');
        const cidr = def.destinationCidrBlock;
        return calls.mutate('aws', 'withdraw', path.key, (state) => {
          if (isDeprefer(path)) {
            const c = connectionOf(state, def.vpnConnectionId);
            const before = views(state);
            const why = noDepreferReason(before, before.find((v) => v.id === c.vpnConnectionId)!, cidr);
            if (why) throw new PermanentError(`simulator (aws): route ${path.key} cannot be de-preferred: ${why}`);
            const added = addRoute(c, cidr);
            const key = standbyTagKey(cidr);
            const tagged = c.tags?.[key] === undefined;
            c.tags = { ...c.tags, [key]: STANDBY_TAG_VALUE };
            const covers = settleCovers(state, before, views(state));
            return added || tagged || covers ? 'applied' : 'already-in-state';
          }
          const c = state.aws.vpnConnections.find((x) => x.vpnConnectionId === def.vpnConnectionId);
          if (!c) return 'already-in-state';
          // Halves this connection carries for another's de-preference go first (see the EC2 adapter).
          const now = views(state);
          const covers = settleCovers(state, now, withChange(now, c.vpnConnectionId, { route: { cidr, on: false } }));
          const i = c.routes.findIndex((r) => r.destinationCidrBlock === cidr);
          if (i >= 0) c.routes.splice(i, 1);
          return i >= 0 || covers ? 'applied' : 'already-in-state';
        });
      },

      restore: async (snapshot) => {
        const def = definitionOf(snapshot, 'aws-vgw-static');
        const cidr = def.destinationCidrBlock;
        return calls.mutate('aws', 'restore', snapshot.key, (state) => {
          const c = connectionOf(state, def.vpnConnectionId);
          const added = addRoute(c, cidr);
          const key = standbyTagKey(cidr);
          const preferAgain = isDeprefer(snapshot) && c.tags?.[key] !== undefined;
          const now = views(state);
          const target = isDeprefer(snapshot) ? withChange(now, c.vpnConnectionId, { standby: { cidr, on: false } }) : now;
          const covers = settleCovers(state, now, target);
          if (preferAgain) {
            const { [key]: _gone, ...rest } = c.tags!;
            c.tags = rest;
          }
          return added || covers || preferAgain ? 'applied' : 'already-in-state';
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
