/**
 * `PathTable` over static Transit Gateway routes that point at VPN attachments.
 *
 * A TGW route table holds one static route per prefix, so redundancy between two VPN connections on a TGW means
 * re-pointing: withdrawing a route re-points it to a healthy alternate VPN attachment on the same TGW (its
 * tunnels become `fallbackTunnelIds`, which the black-hole guard checks), or deletes it when there is none
 * (then the guard only allows it when another route covers the prefix). Restore points it back / re-creates it.
 *
 * The path key names the attachment (`tgw-rtb-1:10.0.0.0/16->tgw-attach-1`): after a re-point the same prefix
 * appears as a different path (to the alternate), so the withdrawn and the re-pointed route are never confused.
 */
import { definitionOf, type TgwRouteDefinition } from '../../clouds/path-definitions';
import {
  CreateTransitGatewayRouteCommand,
  DeleteTransitGatewayRouteCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewayRouteTablesCommand,
  ReplaceTransitGatewayRouteCommand,
  SearchTransitGatewayRoutesCommand,
  type EC2Client,
  type TransitGatewayRoute,
} from '@aws-sdk/client-ec2';
import ipaddr from 'ipaddr.js';
import { PermanentError } from '../../shared/errors';
import type { PathTable } from '../../shared/ports';
import type { Path, PathSnapshot } from '../../shared/types';
import type { Outcome } from '../../shared/report-types';
import { awsErrorCode, translateAwsError } from './aws-errors';
import type { VpnConnectionInfo, VpnInventory } from './vpn-inventory';

export const TGW_ROUTE = 'aws-tgw-route' satisfies Path['kind'];
export type { TgwRouteDefinition };

export interface TgwPathTableOptions {
  /** The TGW route tables to manage (TUNNEL_GUARD_AWS_TGW_ROUTE_TABLE_IDS). */
  routeTableIds: string[];
  /** `MaxResults` of each SearchTransitGatewayRoutes call (default and EC2's maximum: 1000; tests use less). */
  searchMaxResults?: number;
  /** The /32 routes that pin link probes to their attachment: not paths, never withdrawn (as on VGW connections). */
  probeTargets?: ReadonlySet<string>;
}

const SEARCH_MAX_RESULTS = 1000;

/** `10.0.0.0/8` → [`10.0.0.0/9`, `10.128.0.0/9`]; undefined for a host prefix (/32, /128). */
export function splitCidr(cidr: string): [string, string] | undefined {
  const [addr, len] = ipaddr.parseCIDR(cidr);
  const bits = addr.kind() === 'ipv4' ? 32 : 128;
  if (len >= bits) return undefined;
  const bytes = addr.toByteArray();
  const upper = [...bytes];
  upper[Math.floor(len / 8)]! |= 0x80 >> (len % 8);
  const fmt = (b: number[]) => ipaddr.fromByteArray(b).toString();
  return [`${fmt(bytes)}/${len + 1}`, `${fmt(upper)}/${len + 1}`];
}

interface VpnAttachment {
  attachmentId: string;
  vpnConnectionId: string;
  transitGatewayId: string;
}

export const tgwPathKey = (
  d: Pick<TgwRouteDefinition, 'transitGatewayRouteTableId' | 'destinationCidrBlock' | 'transitGatewayAttachmentId'>,
): string => `${d.transitGatewayRouteTableId}:${d.destinationCidrBlock}->${d.transitGatewayAttachmentId}`;

const upCount = (c: VpnConnectionInfo | undefined): number => c?.tunnels.filter((t) => t.status === 'up').length ?? 0;

export class TgwPathTable implements PathTable {
  constructor(
    private readonly ec2: EC2Client,
    private readonly inventory: Pick<VpnInventory, 'list'>,
    private readonly options: TgwPathTableOptions,
  ) {}

  /** VPN attachments of the region, by VPN connection id. */
  async vpnAttachments(): Promise<VpnAttachment[]> {
    try {
      const out: VpnAttachment[] = [];
      let NextToken: string | undefined;
      do {
        const r = await this.ec2.send(
          new DescribeTransitGatewayAttachmentsCommand({ Filters: [{ Name: 'resource-type', Values: ['vpn'] }], NextToken }),
        );
        for (const a of r.TransitGatewayAttachments ?? []) {
          if (a.TransitGatewayAttachmentId && a.ResourceId && a.TransitGatewayId && a.ResourceType === 'vpn' && a.State !== 'deleted') {
            out.push({ attachmentId: a.TransitGatewayAttachmentId, vpnConnectionId: a.ResourceId, transitGatewayId: a.TransitGatewayId });
          }
        }
        NextToken = r.NextToken;
      } while (NextToken);
      return out;
    } catch (e) {
      throw translateAwsError(e, 'DescribeTransitGatewayAttachments');
    }
  }

  /** VPN connection id → attachment id (for the tunnel health view's `native`). */
  async attachmentByConnection(): Promise<Map<string, string>> {
    return new Map((await this.vpnAttachments()).map((a) => [a.vpnConnectionId, a.attachmentId]));
  }

  private async tableTgw(): Promise<Map<string, string>> {
    try {
      const r = await this.ec2.send(
        new DescribeTransitGatewayRouteTablesCommand({ TransitGatewayRouteTableIds: this.options.routeTableIds }),
      );
      return new Map(
        (r.TransitGatewayRouteTables ?? []).flatMap((t) =>
          t.TransitGatewayRouteTableId && t.TransitGatewayId ? [[t.TransitGatewayRouteTableId, t.TransitGatewayId] as const] : [],
        ),
      );
    } catch (e) {
      throw translateAwsError(e, 'DescribeTransitGatewayRouteTables');
    }
  }

  private async search(tableId: string, filter?: { name: 'route-search.exact-match' | 'route-search.subnet-of-match'; cidr: string }) {
    try {
      const r = await this.ec2.send(
        new SearchTransitGatewayRoutesCommand({
          TransitGatewayRouteTableId: tableId,
          Filters: [{ Name: 'type', Values: ['static'] }, ...(filter ? [{ Name: filter.name, Values: [filter.cidr] }] : [])],
          MaxResults: this.options.searchMaxResults ?? SEARCH_MAX_RESULTS,
        }),
      );
      return {
        routes: (r.Routes ?? []).filter((x) => x.State !== 'deleted' && x.State !== 'deleting'),
        truncated: r.AdditionalRoutesAvailable === true,
      };
    } catch (e) {
      throw translateAwsError(e, `SearchTransitGatewayRoutes ${tableId}`);
    }
  }

  /** The static route for exactly this prefix (at most one per table, so never truncated). */
  private async staticRoutes(tableId: string, exactCidr: string): Promise<TransitGatewayRoute[]> {
    return (await this.search(tableId, { name: 'route-search.exact-match', cidr: exactCidr })).routes;
  }

  /**
   * Every static route of a table. SearchTransitGatewayRoutes has no pagination token: it returns at most
   * `MaxResults` (≤ 1000) routes and says `AdditionalRoutesAvailable` when there were more. So a truncated answer is
   * narrowed by prefix range instead — `route-search.subnet-of-match` on each half of the range, plus an exact match
   * on the range itself (a route equal to the range lies in neither half) — recursively until no answer is cut.
   * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SearchTransitGatewayRoutes.html
   */
  async allStaticRoutes(tableId: string): Promise<TransitGatewayRoute[]> {
    const out = new Map<string, TransitGatewayRoute>();
    const add = (routes: TransitGatewayRoute[]) => {
      for (const r of routes) if (r.DestinationCidrBlock) out.set(r.DestinationCidrBlock, r);
    };
    const first = await this.search(tableId);
    add(first.routes);
    if (!first.truncated) return [...out.values()];
    const narrow = async (cidr: string): Promise<void> => {
      const r = await this.search(tableId, { name: 'route-search.subnet-of-match', cidr });
      add(r.routes);
      if (!r.truncated) return;
      const halves = splitCidr(cidr);
      if (!halves) throw new PermanentError(`SearchTransitGatewayRoutes ${tableId}: still truncated at ${cidr}`);
      add((await this.search(tableId, { name: 'route-search.exact-match', cidr })).routes);
      for (const half of halves) await narrow(half);
    };
    for (const all of ['0.0.0.0/0', '::/0']) await narrow(all);
    return [...out.values()];
  }

  /** The attachment a prefix currently points at in a table (undefined: no such route). */
  private async currentTarget(tableId: string, cidr: string): Promise<string | null | undefined> {
    const route = (await this.staticRoutes(tableId, cidr)).find((r) => r.DestinationCidrBlock === cidr);
    if (!route) return undefined;
    return route.TransitGatewayAttachments?.[0]?.TransitGatewayAttachmentId ?? null;
  }

  async list(): Promise<Path[]> {
    const [tables, attachments, connections] = await Promise.all([this.tableTgw(), this.vpnAttachments(), this.inventory.list()]);
    const byConn = new Map(connections.map((c) => [c.vpnConnectionId, c]));
    const byAttachment = new Map(attachments.map((a) => [a.attachmentId, a]));
    const paths: Path[] = [];
    for (const tableId of this.options.routeTableIds) {
      const tgw = tables.get(tableId);
      for (const route of await this.allStaticRoutes(tableId)) {
        const cidr = route.DestinationCidrBlock;
        const target = route.TransitGatewayAttachments?.find((a) => a.ResourceType === 'vpn');
        const att = target?.TransitGatewayAttachmentId ? byAttachment.get(target.TransitGatewayAttachmentId) : undefined;
        if (!cidr || !att) continue; // not a route into a VPN: not ours to drain
        if (this.options.probeTargets?.has(cidr)) continue; // a probe's pin: it must keep measuring the link
        const conn = byConn.get(att.vpnConnectionId);
        // The healthiest other VPN attachment on the same TGW is where traffic goes when this route is drained.
        const alternate = attachments
          .filter(
            (a) =>
              a.attachmentId !== att.attachmentId &&
              a.transitGatewayId === (tgw ?? att.transitGatewayId) &&
              upCount(byConn.get(a.vpnConnectionId)) > 0,
          )
          .sort(
            (a, b) =>
              upCount(byConn.get(b.vpnConnectionId)) - upCount(byConn.get(a.vpnConnectionId)) ||
              a.attachmentId.localeCompare(b.attachmentId),
          )[0];
        const definition: TgwRouteDefinition = {
          transitGatewayRouteTableId: tableId,
          destinationCidrBlock: cidr,
          transitGatewayAttachmentId: att.attachmentId,
          vpnConnectionId: att.vpnConnectionId,
          ...(alternate
            ? { fallback: { transitGatewayAttachmentId: alternate.attachmentId, vpnConnectionId: alternate.vpnConnectionId } }
            : {}),
        };
        paths.push({
          key: tgwPathKey(definition),
          kind: TGW_ROUTE,
          cloud: 'aws',
          destinations: [cidr],
          tunnelIds: conn?.tunnels.map((t) => t.id) ?? [],
          ...(alternate ? { fallbackTunnelIds: byConn.get(alternate.vpnConnectionId)?.tunnels.map((t) => t.id) ?? [] } : {}),
          definition: { ...definition },
          // One TGW route table is one routing domain: a route in another table backs nothing up here.
          domain: `tgw-rtb:${tableId}`,
        });
      }
    }
    return paths;
  }

  private async pointAt(d: TgwRouteDefinition, attachmentId: string, exists: boolean): Promise<void> {
    const args = { TransitGatewayRouteTableId: d.transitGatewayRouteTableId, DestinationCidrBlock: d.destinationCidrBlock };
    try {
      // ReplaceTransitGatewayRoute is atomic: the prefix is never without a route while it moves.
      if (exists) await this.ec2.send(new ReplaceTransitGatewayRouteCommand({ ...args, TransitGatewayAttachmentId: attachmentId }));
      else await this.ec2.send(new CreateTransitGatewayRouteCommand({ ...args, TransitGatewayAttachmentId: attachmentId }));
    } catch (e) {
      throw translateAwsError(e, `point ${d.transitGatewayRouteTableId}:${d.destinationCidrBlock} at ${attachmentId}`);
    }
  }

  private async verify(d: TgwRouteDefinition, expected: string | undefined): Promise<void> {
    const now = await this.currentTarget(d.transitGatewayRouteTableId, d.destinationCidrBlock);
    if ((now ?? undefined) !== expected) {
      throw new PermanentError(
        `TGW route ${d.transitGatewayRouteTableId}:${d.destinationCidrBlock} points at ${now ?? 'nothing'} after the change, expected ${expected ?? 'nothing'}`,
      );
    }
  }

  async withdraw(path: Path): Promise<Outcome> {
    const d = definitionOf(path, TGW_ROUTE);
    const now = await this.currentTarget(d.transitGatewayRouteTableId, d.destinationCidrBlock);
    if (now !== d.transitGatewayAttachmentId) return 'already-in-state'; // gone, or no longer into this attachment
    if (d.fallback) {
      await this.pointAt(d, d.fallback.transitGatewayAttachmentId, true);
      await this.verify(d, d.fallback.transitGatewayAttachmentId);
    } else {
      try {
        await this.ec2.send(
          new DeleteTransitGatewayRouteCommand({
            TransitGatewayRouteTableId: d.transitGatewayRouteTableId,
            DestinationCidrBlock: d.destinationCidrBlock,
          }),
        );
      } catch (e) {
        if (!/NotFound/i.test(awsErrorCode(e) ?? '')) throw translateAwsError(e, `DeleteTransitGatewayRoute ${path.key}`);
      }
      await this.verify(d, undefined);
    }
    return 'applied';
  }

  async restore(snapshot: PathSnapshot): Promise<Outcome> {
    const d = definitionOf(snapshot, TGW_ROUTE);
    const now = await this.currentTarget(d.transitGatewayRouteTableId, d.destinationCidrBlock);
    if (now === d.transitGatewayAttachmentId) return 'already-in-state';
    await this.pointAt(d, d.transitGatewayAttachmentId, now !== undefined);
    await this.verify(d, d.transitGatewayAttachmentId);
    return 'applied';
  }
}
