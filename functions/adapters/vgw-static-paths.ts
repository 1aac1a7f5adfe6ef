/**
 * `PathTable` over the static routes of VPN connections on a virtual private gateway.
 *
 * AWS cannot steer between the two tunnels of one connection: it uses one UP tunnel of its choosing and fails
 * over only when that tunnel goes DOWN. The only lever is the connection's static routes, so each route is one
 * `Path` whose `tunnelIds` are BOTH tunnels of the connection: draining either tunnel takes it out.
 *
 * Two ways out: withdraw deletes the route; de-preference (`lever: 'deprefer'`, clouds/aws/vgw-standby.ts) keeps it,
 * tags it, and adds both halves of its prefix to the gateway's other connections that route it, so AWS prefers them
 * while they are up and falls back on the drained route by itself when they are not. Every step is idempotent (a tag
 * set twice, a route that already exists or is already gone), creates come before removals, and every change is
 * waited for, so a run that dies between two calls leaves traffic routed and the next run finishes from the ledger.
 */
import { definitionOf, type VgwRouteDefinition } from '../../clouds/path-definitions';
import {
  CreateTagsCommand,
  CreateVpnConnectionRouteCommand,
  DeleteTagsCommand,
  DeleteVpnConnectionRouteCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { vgwPathKey, vgwPathsOfAll, VGW_STATIC, type VgwConnectionPaths } from '../../clouds/aws/vgw-paths';
import {
  coverChanges,
  noDepreferReason,
  STANDBY_TAG_VALUE,
  standbyCidrsOf,
  standbyTagKey,
  withChange,
  type RouteChange,
  type VgwConnectionView,
} from '../../clouds/aws/vgw-standby';
import { PermanentError } from '../../shared/errors';
import type { PathTable } from '../../shared/ports';
import { isDeprefer, type Path, type PathSnapshot } from '../../shared/types';
import type { Outcome } from '../../shared/report-types';
import { awsErrorCode, translateAwsError } from './aws-errors';
import type { VpnConnectionInfo, VpnInventory } from './vpn-inventory';
import { DEFAULT_WAIT, waitUntil, type WaitOptions } from './wait';

export { VGW_STATIC, vgwPathKey };
export type { VgwRouteDefinition };

/** A route that is gone, or going: withdrawing it again is a no-op. */
const GONE = new Set(['deleting', 'deleted']);

/**
 * The routing domain of a connection's static routes: the virtual private gateway it ends on (paths back each
 * other up only within one VGW, i.e. one VPC), or its transit gateway.
 */
export const vpnDomainOf = (c: Pick<VpnConnectionInfo, 'vpnGatewayId' | 'transitGatewayId'>): string | undefined =>
  c.vpnGatewayId ? `vgw:${c.vpnGatewayId}` : c.transitGatewayId ? `tgw:${c.transitGatewayId}` : undefined;

/** Static routes are this table's lever only on a virtual private gateway; a Transit Gateway's are its route tables. */
const onVgw = (c: VpnConnectionInfo): boolean => !!c.vpnGatewayId && !c.transitGatewayId;

/** A connection as the VGW lever sees it (routes that exist or are being created; its de-preference tags). */
export function vgwViewOf(c: VpnConnectionInfo): VgwConnectionPaths {
  return {
    id: c.vpnConnectionId,
    domain: vpnDomainOf(c),
    routes: c.staticRoutes.filter((r) => !GONE.has(r.state)).map((r) => r.destinationCidrBlock),
    standby: standbyCidrsOf(c.tags),
    tunnelIds: c.tunnels.map((t) => t.id),
  };
}

/**
 * The paths of one connection. `probeTargets`: the /32 routes that pin the link probes to their connection. They are
 * not paths: tunnel-guard never withdraws them (a drained tunnel must stay measured) and never counts them as
 * coverage. `gateway`: the other connections of its gateway, to recognise de-preferences and their halves.
 */
export function vgwPathsOf(
  c: VpnConnectionInfo,
  probeTargets: ReadonlySet<string> = new Set(),
  gateway: readonly VpnConnectionInfo[] = [],
): Path[] {
  const views = [c, ...gateway.filter((o) => o.vpnConnectionId !== c.vpnConnectionId)].filter(onVgw).map(vgwViewOf);
  return vgwPathsOfAll(views, probeTargets).filter((p) => p.definition.vpnConnectionId === c.vpnConnectionId);
}

export class VgwStaticPathTable implements PathTable {
  constructor(
    private readonly ec2: EC2Client,
    private readonly inventory: VpnInventory,
    private readonly wait: WaitOptions = DEFAULT_WAIT,
    private readonly probeTargets: ReadonlySet<string> = new Set(),
  ) {}

  async list(): Promise<Path[]> {
    return vgwPathsOfAll((await this.inventory.list()).filter(onVgw).map(vgwViewOf), this.probeTargets);
  }

  private async views(): Promise<VgwConnectionView[]> {
    return (await this.inventory.list()).map(vgwViewOf);
  }

  private async connection(d: VgwRouteDefinition): Promise<VpnConnectionInfo> {
    const c = await this.inventory.get(d.vpnConnectionId);
    if (!c) throw new PermanentError(`VPN connection ${d.vpnConnectionId} does not exist (or is being deleted)`);
    return c;
  }

  private async routeState(d: VgwRouteDefinition): Promise<string | undefined> {
    return (await this.connection(d)).staticRoutes.find((r) => r.destinationCidrBlock === d.destinationCidrBlock)?.state;
  }

  /** Delete the route; or de-prefer it (make-before-break) when the path says so. */
  async withdraw(path: Path): Promise<Outcome> {
    const d = definitionOf(path, VGW_STATIC);
    if (isDeprefer(path)) return this.deprefer(d);
    // Halves this connection carries for another connection's de-preference go first: they would keep pulling the
    // prefix's traffic into it after its own route is gone.
    const before = await this.views();
    const covers = await this.settle(before, withChange(before, d.vpnConnectionId, { route: { cidr: d.destinationCidrBlock, on: false } }));
    const removed = await this.deleteRoute(d);
    return covers === 'applied' || removed === 'applied' ? 'applied' : 'already-in-state';
  }

  /** Re-create the route; a de-preferred one is preferred again (its halves elsewhere removed, its tag dropped). */
  async restore(snapshot: PathSnapshot): Promise<Outcome> {
    const d = definitionOf(snapshot, VGW_STATIC);
    const created = await this.createRoute(d);
    const now = await this.views();
    const back = isDeprefer(snapshot) ? { standby: { cidr: d.destinationCidrBlock, on: false } } : {};
    const covers = await this.settle(now, withChange(now, d.vpnConnectionId, back));
    const untagged = isDeprefer(snapshot) ? await this.untag(d) : 'already-in-state';
    return [created, covers, untagged].includes('applied') ? 'applied' : 'already-in-state';
  }

  private async deprefer(d: VgwRouteDefinition): Promise<Outcome> {
    const before = await this.views();
    const own = before.find((c) => c.id === d.vpnConnectionId);
    if (!own) throw new PermanentError(`VPN connection ${d.vpnConnectionId} does not exist (or is being deleted)`);
    const why = noDepreferReason(before, own, d.destinationCidrBlock);
    if (why) throw new PermanentError(`route ${vgwPathKey(d)} cannot be de-preferred: ${why}`);
    // The route itself must be there: it is what AWS falls back on.
    const created = await this.createRoute(d);
    const tagged = await this.tag(d);
    // Planned on the gateway as it is now (route and tag there): a route someone had deleted is back, and its halves
    // belong to it like any other's.
    const now = await this.views();
    const covers = await this.settle(now, withChange(now, d.vpnConnectionId, { standby: { cidr: d.destinationCidrBlock, on: true } }));
    return [created, tagged, covers].includes('applied') ? 'applied' : 'already-in-state';
  }

  private async tag(d: VgwRouteDefinition): Promise<Outcome> {
    const key = standbyTagKey(d.destinationCidrBlock);
    if ((await this.connection(d)).tags[key] !== undefined) return 'already-in-state';
    try {
      await this.ec2.send(new CreateTagsCommand({ Resources: [d.vpnConnectionId], Tags: [{ Key: key, Value: STANDBY_TAG_VALUE }] }));
    } catch (e) {
      throw translateAwsError(e, `CreateTags ${d.vpnConnectionId} ${key}`);
    }
    // Tags are eventually consistent: the standby must be visible before anyone reads the paths back.
    await waitUntil(`tag ${key} on ${d.vpnConnectionId}`, async () => (await this.connection(d)).tags[key] !== undefined, this.wait);
    return 'applied';
  }

  private async untag(d: VgwRouteDefinition): Promise<Outcome> {
    const key = standbyTagKey(d.destinationCidrBlock);
    if ((await this.connection(d)).tags[key] === undefined) return 'already-in-state';
    try {
      await this.ec2.send(new DeleteTagsCommand({ Resources: [d.vpnConnectionId], Tags: [{ Key: key }] }));
    } catch (e) {
      throw translateAwsError(e, `DeleteTags ${d.vpnConnectionId} ${key}`);
    }
    await waitUntil(`tag ${key} off ${d.vpnConnectionId}`, async () => (await this.connection(d)).tags[key] === undefined, this.wait);
    return 'applied';
  }

  /** Bring the halves from `current` to what `target` wants: create the missing ones, then remove the unwanted, and wait. */
  private async settle(current: readonly VgwConnectionView[], target: readonly VgwConnectionView[]): Promise<Outcome> {
    const { create, remove } = coverChanges(current, target);
    for (const r of create) await this.send('create', r);
    for (const r of remove) await this.send('delete', r);
    if (!create.length && !remove.length) return 'already-in-state';
    await waitUntil(
      `halves ${[...create, ...remove].map((r) => vgwPathKey({ vpnConnectionId: r.vpnConnectionId, destinationCidrBlock: r.cidr })).join(', ')} to settle`,
      async () => {
        const now = await this.inventory.list();
        const state = (r: RouteChange) =>
          now.find((c) => c.vpnConnectionId === r.vpnConnectionId)?.staticRoutes.find((x) => x.destinationCidrBlock === r.cidr)?.state;
        return create.every((r) => state(r) === 'available') && remove.every((r) => state(r) === undefined || state(r) === 'deleted');
      },
      this.wait,
    );
    return 'applied';
  }

  private async send(op: 'create' | 'delete', r: RouteChange): Promise<void> {
    const input = { VpnConnectionId: r.vpnConnectionId, DestinationCidrBlock: r.cidr };
    try {
      await this.ec2.send(op === 'create' ? new CreateVpnConnectionRouteCommand(input) : new DeleteVpnConnectionRouteCommand(input));
    } catch (e) {
      const code = awsErrorCode(e) ?? '';
      if (op === 'create' ? /AlreadyExists|Duplicate/i.test(code) : /NotFound/i.test(code)) return;
      throw translateAwsError(e, `${op === 'create' ? 'Create' : 'Delete'}VpnConnectionRoute ${r.vpnConnectionId}:${r.cidr}`);
    }
  }

  private async deleteRoute(d: VgwRouteDefinition): Promise<Outcome> {
    const before = await this.routeState(d);
    if (before === undefined || before === 'deleted') return 'already-in-state';
    // Someone else removing it between our read and our delete is fine: the goal is reached.
    if (before !== 'deleting') await this.send('delete', { vpnConnectionId: d.vpnConnectionId, cidr: d.destinationCidrBlock });
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

  private async createRoute(d: VgwRouteDefinition): Promise<Outcome> {
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
    if (before !== 'pending') await this.send('create', { vpnConnectionId: d.vpnConnectionId, cidr: d.destinationCidrBlock });
    await waitUntil(`route ${vgwPathKey(d)} to be available`, async () => (await this.routeState(d)) === 'available', this.wait);
    return 'applied';
  }
}
