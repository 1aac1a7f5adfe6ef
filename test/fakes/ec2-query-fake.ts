/**
 * An in-repo fake of the EC2 Query API for what moto does not implement: `DescribeVpnConnections` with
 * `routes`, `vgwTelemetry` and `tagSet`, `CreateVpnConnectionRoute`, `DeleteVpnConnectionRoute`, and `CreateTags` /
 * `DeleteTags` on VPN connections. The real
 * `@aws-sdk/client-ec2` talks to it over HTTP on 127.0.0.1 (form-encoded `POST /` with `Action=…`, plain XML
 * answers), so the adapters' wire behaviour is tested, not a mock of the SDK.
 *
 * Realism knobs: route changes are asynchronous (`pending`/`deleting` for `settlePolls` describes), and faults
 * can be injected per action (throttling `RequestLimitExceeded`, 5xx, any error code).
 *
 * Like EC2: `DescribeVpnConnections` with `VpnConnectionId.N` fails the whole call with
 * `InvalidVpnConnectionID.NotFound` when one id does not exist, while a `vpn-connection-id` filter just returns the
 * ones that do; `SearchTransitGatewayRoutes` honours `MaxResults` (capped by `searchRouteLimit`), answers
 * `additionalRoutesAvailable` when it cut the list, and implements the `type`, `route-search.exact-match` and
 * `route-search.subnet-of-match` filters.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface FakeTunnel {
  outsideIpAddress: string;
  status: 'UP' | 'DOWN';
  statusMessage?: string;
}
export interface FakeRoute {
  destinationCidrBlock: string;
  state: 'pending' | 'available' | 'deleting' | 'deleted';
  /** Describes left before a pending/deleting route settles. */
  settleIn?: number;
}
export interface FakeVpnConnection {
  vpnConnectionId: string;
  state?: 'available' | 'pending' | 'deleting' | 'deleted';
  vpnGatewayId?: string;
  transitGatewayId?: string;
  customerGatewayId?: string;
  tunnels: FakeTunnel[];
  routes: FakeRoute[];
  /** Tags (key → value), as `CreateTags`/`DeleteTags` leave them. */
  tags?: Record<string, string>;
}
export interface FakeTgwAttachment {
  transitGatewayAttachmentId: string;
  transitGatewayId: string;
  resourceType: 'vpn' | 'vpc';
  resourceId: string;
}
export interface FakeTgwRouteTable {
  transitGatewayRouteTableId: string;
  transitGatewayId: string;
  /** Static routes: prefix → attachment. */
  routes: { destinationCidrBlock: string; transitGatewayAttachmentId: string }[];
}
export interface FakeFault {
  action: string;
  status: number;
  code: string;
  /** How many calls fail (default 1). */
  times?: number;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const tag = (name: string, value: string | undefined): string => (value === undefined ? '' : `<${name}>${esc(value)}</${name}>`);

export class Ec2QueryFake {
  connections: FakeVpnConnection[] = [];
  tgwAttachments: FakeTgwAttachment[] = [];
  tgwRouteTables: FakeTgwRouteTable[] = [];
  /** Every request received: action and decoded form parameters. */
  calls: { action: string; params: Record<string, string> }[] = [];
  /** Describes a new/deleted route stays `pending`/`deleting` (0 = immediate). */
  settlePolls = 0;
  /** Most routes one SearchTransitGatewayRoutes answer carries (EC2: `MaxResults`, at most 1000). */
  searchRouteLimit = 1000;
  /** Runs before each request is answered (tests use it to simulate a concurrent change). */
  beforeAction?: (action: string, params: Record<string, string>) => void;
  private faults: FakeFault[] = [];
  private server?: Server;
  private requestCounter = 0;

  /** Start on 127.0.0.1 and a free port; returns the endpoint URL. */
  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  fail(fault: FakeFault): void {
    this.faults.push({ times: 1, ...fault });
  }

  count(action: string): number {
    return this.calls.filter((c) => c.action === action).length;
  }

  route(vpnConnectionId: string, cidr: string): FakeRoute | undefined {
    return this.connections.find((c) => c.vpnConnectionId === vpnConnectionId)?.routes.find((r) => r.destinationCidrBlock === cidr);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const action = params.Action ?? '';
    this.calls.push({ action, params });
    const requestId = `req-${++this.requestCounter}`;
    this.beforeAction?.(action, params);

    const fault = this.faults.find((f) => f.action === action && (f.times ?? 1) > 0);
    if (fault) {
      fault.times = (fault.times ?? 1) - 1;
      return this.error(res, fault.status, fault.code, `injected ${fault.code}`, requestId);
    }
    switch (action) {
      case 'DescribeVpnConnections': {
        const ids = Object.entries(params)
          .filter(([k]) => /^VpnConnectionId\.\d+$/.test(k))
          .map(([, v]) => v);
        const unknown = ids.filter((id) => !this.connections.some((c) => c.vpnConnectionId === id));
        if (unknown.length) {
          return this.error(res, 400, 'InvalidVpnConnectionID.NotFound', `The vpnConnection ID '${unknown[0]}' does not exist`, requestId);
        }
        return this.xml(
          res,
          action,
          `${tag('requestId', requestId)}<vpnConnectionSet>${this.describe(params).join('')}</vpnConnectionSet>`,
        );
      }
      case 'CreateVpnConnectionRoute':
      case 'DeleteVpnConnectionRoute': {
        const conn = this.connections.find((c) => c.vpnConnectionId === params.VpnConnectionId);
        if (!conn)
          return this.error(
            res,
            400,
            'InvalidVpnConnectionID.NotFound',
            `The vpnConnection ID '${params.VpnConnectionId}' does not exist`,
            requestId,
          );
        const cidr = params.DestinationCidrBlock ?? '';
        const existing = conn.routes.find((r) => r.destinationCidrBlock === cidr && r.state !== 'deleted');
        if (action === 'DeleteVpnConnectionRoute') {
          if (!existing) return this.error(res, 400, 'InvalidRoute.NotFound', `no route ${cidr}`, requestId);
          Object.assign(existing, this.settlePolls ? { state: 'deleting', settleIn: this.settlePolls } : { state: 'deleted' });
          if (!this.settlePolls) conn.routes = conn.routes.filter((r) => r !== existing);
        } else if (!existing) {
          conn.routes.push(
            this.settlePolls
              ? { destinationCidrBlock: cidr, state: 'pending', settleIn: this.settlePolls }
              : { destinationCidrBlock: cidr, state: 'available' },
          );
        }
        return this.xml(res, action, `${tag('requestId', requestId)}<return>true</return>`);
      }
      case 'CreateTags':
      case 'DeleteTags': {
        const ids = Object.entries(params)
          .filter(([k]) => /^ResourceId\.\d+$/.test(k))
          .map(([, v]) => v);
        const conns = ids.map((id) => this.connections.find((c) => c.vpnConnectionId === id));
        if (conns.some((c) => !c))
          return this.error(
            res,
            400,
            'InvalidVpnConnectionID.NotFound',
            `The vpnConnection ID '${ids.join(',')}' does not exist`,
            requestId,
          );
        for (const [k, key] of Object.entries(params)) {
          const m = /^Tag\.(\d+)\.Key$/.exec(k);
          if (!m) continue;
          for (const c of conns) {
            c!.tags ??= {};
            if (action === 'CreateTags') c!.tags[key] = params[`Tag.${m[1]}.Value`] ?? '';
            else delete c!.tags[key];
          }
        }
        return this.xml(res, action, `${tag('requestId', requestId)}<return>true</return>`);
      }
      case 'DescribeTransitGatewayAttachments':
        return this.xml(
          res,
          action,
          `${tag('requestId', requestId)}<transitGatewayAttachments>${this.tgwAttachments
            .filter(
              (a) =>
                !this.filterValues(params, 'resource-type').length || this.filterValues(params, 'resource-type').includes(a.resourceType),
            )
            .map(
              (a) =>
                `<item>${tag('transitGatewayAttachmentId', a.transitGatewayAttachmentId)}${tag('transitGatewayId', a.transitGatewayId)}` +
                `${tag('resourceType', a.resourceType)}${tag('resourceId', a.resourceId)}${tag('state', 'available')}</item>`,
            )
            .join('')}</transitGatewayAttachments>`,
        );
      case 'DescribeTransitGatewayRouteTables': {
        const ids = Object.entries(params)
          .filter(([k]) => /^TransitGatewayRouteTableIds\.\d+$/.test(k))
          .map(([, v]) => v);
        return this.xml(
          res,
          action,
          `${tag('requestId', requestId)}<transitGatewayRouteTables>${this.tgwRouteTables
            .filter((t) => !ids.length || ids.includes(t.transitGatewayRouteTableId))
            .map(
              (t) =>
                `<item>${tag('transitGatewayRouteTableId', t.transitGatewayRouteTableId)}${tag('transitGatewayId', t.transitGatewayId)}${tag('state', 'available')}</item>`,
            )
            .join('')}</transitGatewayRouteTables>`,
        );
      }
      case 'SearchTransitGatewayRoutes': {
        const table = this.tgwRouteTables.find((t) => t.transitGatewayRouteTableId === params.TransitGatewayRouteTableId);
        if (!table)
          return this.error(res, 400, 'InvalidRouteTableID.NotFound', `no route table ${params.TransitGatewayRouteTableId}`, requestId);
        const exact = this.filterValues(params, 'route-search.exact-match');
        const subnetOf = this.filterValues(params, 'route-search.subnet-of-match');
        const types = this.filterValues(params, 'type');
        const matching = table.routes.filter(
          (r) =>
            (!exact.length || exact.includes(r.destinationCidrBlock)) &&
            (!subnetOf.length || subnetOf.some((c) => subnetOfMatch(r.destinationCidrBlock, c))) &&
            (!types.length || types.includes('static')),
        );
        const limit = Math.min(Number(params.MaxResults ?? 1000), this.searchRouteLimit);
        const shown = matching.slice(0, limit);
        return this.xml(
          res,
          action,
          `${tag('requestId', requestId)}<routeSet>${shown
            .map((r) => {
              const a = this.tgwAttachments.find((x) => x.transitGatewayAttachmentId === r.transitGatewayAttachmentId);
              return (
                `<item>${tag('destinationCidrBlock', r.destinationCidrBlock)}<transitGatewayAttachments><item>${tag('resourceId', a?.resourceId)}` +
                `${tag('transitGatewayAttachmentId', r.transitGatewayAttachmentId)}${tag('resourceType', a?.resourceType)}</item></transitGatewayAttachments>` +
                `${tag('type', 'static')}${tag('state', 'active')}</item>`
              );
            })
            .join('')}</routeSet>${tag('additionalRoutesAvailable', String(matching.length > shown.length))}`,
        );
      }
      case 'CreateTransitGatewayRoute':
      case 'DeleteTransitGatewayRoute':
      case 'ReplaceTransitGatewayRoute': {
        const table = this.tgwRouteTables.find((t) => t.transitGatewayRouteTableId === params.TransitGatewayRouteTableId);
        if (!table)
          return this.error(res, 400, 'InvalidRouteTableID.NotFound', `no route table ${params.TransitGatewayRouteTableId}`, requestId);
        const cidr = params.DestinationCidrBlock ?? '';
        const existing = table.routes.find((r) => r.destinationCidrBlock === cidr);
        if (action === 'CreateTransitGatewayRoute') {
          if (existing) return this.error(res, 400, 'RouteAlreadyExists', `route ${cidr} already exists`, requestId);
          table.routes.push({ destinationCidrBlock: cidr, transitGatewayAttachmentId: params.TransitGatewayAttachmentId ?? '' });
        } else if (!existing) {
          return this.error(res, 400, 'InvalidRoute.NotFound', `no route ${cidr}`, requestId);
        } else if (action === 'DeleteTransitGatewayRoute') {
          table.routes = table.routes.filter((r) => r !== existing);
        } else {
          existing.transitGatewayAttachmentId = params.TransitGatewayAttachmentId ?? '';
        }
        return this.xml(
          res,
          action,
          `${tag('requestId', requestId)}<route>${tag('destinationCidrBlock', cidr)}${tag('state', 'active')}</route>`,
        );
      }
      default:
        return this.error(res, 400, 'InvalidAction', `The action ${action} is not valid for this web service.`, requestId);
    }
  }

  /** Values of `Filter.N.Value.M` for the filter named `name`. */
  private filterValues(params: Record<string, string>, name: string): string[] {
    const out: string[] = [];
    for (const [k, v] of Object.entries(params)) {
      const m = /^Filter\.(\d+)\.Name$/.exec(k);
      if (m && v === name) for (const [k2, v2] of Object.entries(params)) if (k2.startsWith(`Filter.${m[1]}.Value.`)) out.push(v2);
    }
    return out;
  }

  private describe(params: Record<string, string>): string[] {
    const ids = Object.entries(params)
      .filter(([k]) => /^VpnConnectionId\.\d+$/.test(k))
      .map(([, v]) => v);
    const idFilter = this.filterValues(params, 'vpn-connection-id');
    const stateFilter = this.filterValues(params, 'state');
    // Reading settles asynchronous changes, like time passing between polls.
    for (const c of this.connections) {
      for (const r of c.routes) {
        if (r.settleIn !== undefined && --r.settleIn <= 0) {
          r.state = r.state === 'pending' ? 'available' : 'deleted';
          delete r.settleIn;
        }
      }
      c.routes = c.routes.filter((r) => r.state !== 'deleted');
    }
    return this.connections
      .filter(
        (c) =>
          (!ids.length || ids.includes(c.vpnConnectionId)) &&
          (!idFilter.length || idFilter.includes(c.vpnConnectionId)) &&
          (!stateFilter.length || stateFilter.includes(c.state ?? 'available')),
      )
      .map(
        (c) =>
          `<item>${tag('vpnConnectionId', c.vpnConnectionId)}${tag('state', c.state ?? 'available')}${tag('type', 'ipsec.1')}` +
          `${tag('customerGatewayId', c.customerGatewayId ?? 'cgw-0000000000000000a')}${tag('vpnGatewayId', c.vpnGatewayId)}${tag('transitGatewayId', c.transitGatewayId)}` +
          `<tagSet>${Object.entries(c.tags ?? {})
            .map(([k, v]) => `<item>${tag('key', k)}${tag('value', v)}</item>`)
            .join('')}</tagSet>` +
          `<routes>${c.routes.map((r) => `<item>${tag('destinationCidrBlock', r.destinationCidrBlock)}${tag('source', 'Static')}${tag('state', r.state)}</item>`).join('')}</routes>` +
          `<vgwTelemetry>${c.tunnels
            .map(
              (t) =>
                `<item>${tag('outsideIpAddress', t.outsideIpAddress)}${tag('status', t.status)}${tag('statusMessage', t.statusMessage ?? '')}` +
                `${tag('lastStatusChange', '2026-11-01T00:00:00.000Z')}${tag('acceptedRouteCount', '0')}</item>`,
            )
            .join('')}</vgwTelemetry></item>`,
      );
  }

  private xml(res: ServerResponse, action: string, inner: string): void {
    res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">${inner}</${action}Response>`,
    );
  }

  private error(res: ServerResponse, status: number, code: string, message: string, requestId: string): void {
    res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${tag('Code', code)}${tag('Message', message)}</Error></Errors>${tag('RequestID', requestId)}</Response>`,
    );
  }
}

/** `route-search.subnet-of-match`: the route's prefix lies within the filter's CIDR (an equal prefix included). */
function subnetOfMatch(route: string, filter: string): boolean {
  try {
    const [addr, len] = ipaddr.parseCIDR(route);
    const [net, netLen] = ipaddr.parseCIDR(filter);
    return addr.kind() === net.kind() && len >= netLen && addr.match(net, netLen);
  } catch {
    return false;
  }
}
