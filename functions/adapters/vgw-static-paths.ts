/**
 * `PathTable` over the static routes of VPN connections on a virtual private gateway.
 *
 * AWS cannot steer between the two tunnels of one connection: it uses one UP tunnel of its choosing and fails
 * over only when that tunnel goes DOWN. The only lever is the connection's static routes, so each route is one
 * `Path` whose `tunnelIds` are BOTH tunnels of the connection: draining either tunnel withdraws it.
 */
import { definitionOf, type VgwRouteDefinition } from '../../clouds/path-definitions';
import { CreateVpnConnectionRouteCommand, DeleteVpnConnectionRouteCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { PermanentError } from '../../shared/errors';
import type { PathTable } from '../../shared/ports';
import type { Path, PathSnapshot } from '../../shared/types';
import type { Outcome } from '../../shared/report-types';
import { awsErrorCode, translateAwsError } from './aws-errors';
import type { VpnConnectionInfo, VpnInventory } from './vpn-inventory';
import { DEFAULT_WAIT, waitUntil, type WaitOptions } from './wait';

export const VGW_STATIC = 'aws-vgw-static' satisfies Path['kind'];
export type { VgwRouteDefinition };

/** `vpn-0a1:10.0.0.0/16` */
export const vgwPathKey = (d: VgwRouteDefinition): string => `${d.vpnConnectionId}:${d.destinationCidrBlock}`;

/** A route that is gone, or going: withdrawing it again is a no-op. */
const GONE = new Set(['deleting', 'deleted']);

/**
 * The routing domain of a connection's static routes: the virtual private gateway it ends on (paths back each
 * other up only within one VGW, i.e. one VPC), or its transit gateway.
 */
export const vpnDomainOf = (c: Pick<VpnConnectionInfo, 'vpnGatewayId' | 'transitGatewayId'>): string | undefined =>
  c.vpnGatewayId ? `vgw:${c.vpnGatewayId}` : c.transitGatewayId ? `tgw:${c.transitGatewayId}` : undefined;

/**
 * `probeTargets`: the /32 routes that pin the link probes to their connection. They are not paths: tunnel-guard
 * never withdraws them (a drained tunnel must stay measured) and never counts them as coverage.
 */
export function vgwPathsOf(c: VpnConnectionInfo, probeTargets: ReadonlySet<string> = new Set()): Path[] {
  if (!c.vpnGatewayId || c.transitGatewayId) return [];
  return c.staticRoutes
    .filter((r) => !GONE.has(r.state) && !probeTargets.has(r.destinationCidrBlock))
    .map((r) => {
      const definition: VgwRouteDefinition = { vpnConnectionId: c.vpnConnectionId, destinationCidrBlock: r.destinationCidrBlock };
      return {
        key: vgwPathKey(definition),
        kind: VGW_STATIC,
        cloud: 'aws' as const,
        destinations: [r.destinationCidrBlock],
        tunnelIds: c.tunnels.map((t) => t.id),
        definition: { ...definition },
        domain: vpnDomainOf(c),
      };
    });
}

export class VgwStaticPathTable implements PathTable {
  constructor(
    private readonly ec2: EC2Client,
    private readonly inventory: VpnInventory,
    private readonly wait: WaitOptions = DEFAULT_WAIT,
    private readonly probeTargets: ReadonlySet<string> = new Set(),
  ) {}

  async list(): Promise<Path[]> {
    return (await this.inventory.list()).flatMap((c) => vgwPathsOf(c, this.probeTargets));
  }

  private async routeState(d: VgwRouteDefinition): Promise<string | undefined> {
    const c = await this.inventory.get(d.vpnConnectionId);
    if (!c) throw new PermanentError(`VPN connection ${d.vpnConnectionId} does not exist (or is being deleted)`);
    return c.staticRoutes.find((r) => r.destinationCidrBlock === d.destinationCidrBlock)?.state;
  }

  async withdraw(path: Path): Promise<Outcome> {
    const d = definitionOf(path, VGW_STATIC);
    const before = await this.routeState(d);
    if (before === undefined || before === 'deleted') return 'already-in-state';
    if (before !== 'deleting') {
      try {
        await this.ec2.send(
          new DeleteVpnConnectionRouteCommand({ VpnConnectionId: d.vpnConnectionId, DestinationCidrBlock: d.destinationCidrBlock }),
        );
      } catch (e) {
        // Someone else removed it between our read and our delete: the goal is reached.
        if (!/NotFound/i.test(awsErrorCode(e) ?? '')) throw translateAwsError(e, `DeleteVpnConnectionRoute ${vgwPathKey(d)}`);
      }
    }
    await waitUntil(
      `route ${vgwPathKey(d)} to be deleted`,
      async () => {
        const s = await this.routeState(d);
        return s === undefined || s === 'deleted';
      },
      this.wait,
    );
    return 'applied';
  }

  async restore(snapshot: PathSnapshot): Promise<Outcome> {
    const d = definitionOf(snapshot, VGW_STATIC);
    const before = await this.routeState(d);
    if (before === 'available') return 'already-in-state';
    // A route still `deleting` cannot be re-created yet: wait for it to finish first.
    if (before === 'deleting') {
      await waitUntil(
        `route ${vgwPathKey(d)} to finish deleting`,
        async () => {
          const s = await this.routeState(d);
          return s === undefined || s === 'deleted';
        },
        this.wait,
      );
    }
    if (before !== 'pending') {
      try {
        await this.ec2.send(
          new CreateVpnConnectionRouteCommand({ VpnConnectionId: d.vpnConnectionId, DestinationCidrBlock: d.destinationCidrBlock }),
        );
      } catch (e) {
        if (!/AlreadyExists|Duplicate/i.test(awsErrorCode(e) ?? ''))
          throw translateAwsError(e, `CreateVpnConnectionRoute ${vgwPathKey(d)}`);
      }
    }
    await waitUntil(`route ${vgwPathKey(d)} to be available`, async () => (await this.routeState(d)) === 'available', this.wait);
    return 'applied';
  }
}
