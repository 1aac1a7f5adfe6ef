/**
 * A small in-memory fake of the Compute Engine REST API (v1), enough for the real `@google-cloud/compute`
 * clients to run against it: routes (list with `:*` filter and pagination, insert, delete), global and region
 * operations (`wait`, including RUNNING polls and FAILED operations), routers (get, list, patch with
 * fingerprint, getRouterStatus), BGP route policies (getRoutePolicy, updateRoutePolicy, deleteRoutePolicy; applied
 * policies must exist and need a private peer ASN) and vpnTunnels (get, list). Plain HTTP on 127.0.0.1, port 0.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, any>;

export interface FakeOperationFault {
  /** Which mutation fails: the next insert/delete of a route or patch of a router. */
  method: 'routes.insert' | 'routes.delete' | 'routers.patch';
  /** `operation`: the call succeeds but the operation ends DONE with `error.errors` (nothing changes).
   *  `http`: the call itself answers with this HTTP status. */
  kind: 'operation' | 'http';
  status?: number;
  message?: string;
  /** `http` faults: the `errors[].reason` of the error body (e.g. Google's `rateLimitExceeded`, sent with 403). */
  reason?: string;
}

export interface ComputeFakeState {
  routes: Map<string, Json>; // key project/name
  routers: Map<string, Json>; // key project/region/name
  routerStatus: Map<string, Json>; // key project/region/name → RouterStatusResponse.result
  tunnels: Map<string, Json>; // key project/region/name
  routePolicies: Map<string, Map<string, Json>>; // key project/region/router → policy name → RoutePolicy
}

export const BASE = 'https://www.googleapis.com/compute/v1';

export class ComputeRestFake {
  readonly state: ComputeFakeState = {
    routes: new Map(),
    routers: new Map(),
    routerStatus: new Map(),
    tunnels: new Map(),
    routePolicies: new Map(),
  };
  /** Every request as `METHOD path` (no query), for assertions. */
  readonly requests: { method: string; path: string; query: URLSearchParams; body?: Json }[] = [];
  /** Faults consumed one by one, in order, by matching mutations. */
  readonly faults: FakeOperationFault[] = [];
  /** Number of `wait` calls that answer RUNNING before an operation reports DONE (`Infinity`: never done). */
  runningPolls = 1;
  /** How long a `wait` call blocks before answering RUNNING (the real one blocks up to about 2 minutes). */
  waitHoldMs = 0;
  /** Page size for routes.list (small, so pagination is exercised). */
  pageSize = 2;
  private readonly operations = new Map<string, { op: Json; pollsLeft: number; apply?: () => void }>();
  private seq = 0;
  private server?: Server;
  port = 0;

  async start(): Promise<number> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    // Held `wait` calls must not keep the server (and the test) open.
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  // ---- seeding helpers -------------------------------------------------------------------------------------------

  addRoute(project: string, route: Json): Json {
    const full = {
      kind: 'compute#route',
      id: String(1000 + ++this.seq),
      creationTimestamp: '2026-01-01T00:00:00.000-08:00',
      selfLink: `${BASE}/projects/${project}/global/routes/${route.name}`,
      ...route,
    };
    this.state.routes.set(`${project}/${route.name}`, full);
    return full;
  }

  addTunnel(project: string, region: string, tunnel: Json): Json {
    const full = {
      kind: 'compute#vpnTunnel',
      id: String(2000 + ++this.seq),
      region: `${BASE}/projects/${project}/regions/${region}`,
      selfLink: `${BASE}/projects/${project}/regions/${region}/vpnTunnels/${tunnel.name}`,
      ...tunnel,
    };
    this.state.tunnels.set(`${project}/${region}/${tunnel.name}`, full);
    return full;
  }

  addRouter(project: string, region: string, router: Json, status?: Json): Json {
    const full = {
      kind: 'compute#router',
      id: String(3000 + ++this.seq),
      region: `${BASE}/projects/${project}/regions/${region}`,
      selfLink: `${BASE}/projects/${project}/regions/${region}/routers/${router.name}`,
      fingerprint: this.fingerprint(),
      ...router,
    };
    this.state.routers.set(`${project}/${region}/${router.name}`, full);
    if (status) this.state.routerStatus.set(`${project}/${region}/${router.name}`, status);
    return full;
  }

  route(project: string, name: string): Json | undefined {
    return this.state.routes.get(`${project}/${name}`);
  }

  router(project: string, region: string, name: string): Json | undefined {
    return this.state.routers.get(`${project}/${region}/${name}`);
  }

  mutations(): string[] {
    return this.requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/wait')).map((r) => `${r.method} ${r.path}`);
  }

  // ---- HTTP ------------------------------------------------------------------------------------------------------

  private fingerprint(): string {
    return Buffer.from(`fp-${++this.seq}`).toString('base64');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    // An empty query still ends in `?` — parse with URL, never split by hand.
    const url = new URL(req.url ?? '/', 'http://fake');
    let body: Json | undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return this.error(res, 400, 'invalid JSON', 'parseError');
    }
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: url.searchParams, body });
    const send = (status: number, json: Json) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(json));
    };
    const p = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // p = ['compute','v1','projects',P, ...]
    if (p[0] !== 'compute' || p[1] !== 'v1' || p[2] !== 'projects') return this.error(res, 404, `no route ${url.pathname}`);
    const project = p[3]!;
    const rest = p.slice(4);
    try {
      // global/routes
      if (rest[0] === 'global' && rest[1] === 'routes') {
        const name = rest[2];
        if (method === 'GET' && !name) return send(200, this.listRoutes(project, url.searchParams));
        if (method === 'GET' && name) {
          const r = this.route(project, name);
          return r
            ? send(200, r)
            : this.error(res, 404, `The resource 'projects/${project}/global/routes/${name}' was not found`, 'notFound');
        }
        if (method === 'POST' && !name) return this.insertRoute(project, body ?? {}, res, send);
        if (method === 'DELETE' && name) return this.deleteRoute(project, name, res, send);
      }
      if (rest[0] === 'global' && rest[1] === 'operations' && rest[3] === 'wait' && method === 'POST') {
        return this.waitOp(rest[2]!, res, send);
      }
      if (rest[0] === 'regions') {
        const region = rest[1]!;
        const coll = rest[2];
        const name = rest[3];
        if (coll === 'operations' && rest[4] === 'wait' && method === 'POST') return this.waitOp(name!, res, send);
        if (coll === 'vpnTunnels') {
          if (method === 'GET' && name) {
            const t = this.state.tunnels.get(`${project}/${region}/${name}`);
            return t
              ? send(200, t)
              : this.error(res, 404, `The resource 'projects/${project}/regions/${region}/vpnTunnels/${name}' was not found`, 'notFound');
          }
          if (method === 'GET') {
            const items = [...this.state.tunnels.entries()].filter(([k]) => k.startsWith(`${project}/${region}/`)).map(([, v]) => v);
            return send(200, { kind: 'compute#vpnTunnelList', id: 'x', items, selfLink: `${BASE}${url.pathname}` });
          }
        }
        if (coll === 'routers') {
          const key = `${project}/${region}/${name}`;
          if (method === 'GET' && name && rest[4] === 'getRouterStatus') {
            const r = this.state.routers.get(key);
            if (!r) return this.error(res, 404, `router ${name} not found`, 'notFound');
            const status = this.state.routerStatus.get(key) ?? { network: r.network, bestRoutes: [], bgpPeerStatus: [] };
            // A disabled peer learns nothing: drop its routes, as the real Cloud Router would.
            const disabledIps = new Set((r.bgpPeers ?? []).filter((bp: Json) => bp.enable === 'FALSE').map((bp: Json) => bp.peerIpAddress));
            return send(200, {
              kind: 'compute#routerStatusResponse',
              result: { ...status, bestRoutes: (status.bestRoutes ?? []).filter((br: Json) => !disabledIps.has(br.nextHopIp)) },
            });
          }
          // BGP route policies: router subresources (get / updateRoutePolicy creates or replaces / delete).
          if (name && rest[4] && /RoutePolic/.test(rest[4]))
            return this.routePolicyCall(project, region, name, rest[4], method, url.searchParams, body ?? {}, res, send);
          if (method === 'GET' && name) {
            const r = this.state.routers.get(key);
            return r ? send(200, r) : this.error(res, 404, `router ${name} not found`, 'notFound');
          }
          if (method === 'GET') {
            const items = [...this.state.routers.entries()].filter(([k]) => k.startsWith(`${project}/${region}/`)).map(([, v]) => v);
            return send(200, { kind: 'compute#routerList', id: 'x', items, selfLink: `${BASE}${url.pathname}` });
          }
          if (method === 'PATCH' && name) return this.patchRouter(project, region, name, body ?? {}, res, send);
        }
      }
      return this.error(res, 404, `unsupported ${method} ${url.pathname}`);
    } catch (e) {
      return this.error(res, 500, e instanceof Error ? e.message : String(e), 'backendError');
    }
  }

  private error(res: ServerResponse, code: number, message: string, reason = 'invalid'): void {
    res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify({ error: { code, message, errors: [{ message, domain: 'global', reason }] } }));
  }

  private listRoutes(project: string, q: URLSearchParams): Json {
    let items = [...this.state.routes.entries()].filter(([k]) => k.startsWith(`${project}/`)).map(([, v]) => v);
    const filter = q.get('filter');
    if (filter) {
      // Only the form the adapter uses: `field:*` ("has the field").
      const m = /^\s*(\w+):\*\s*$/.exec(filter);
      if (!m) throw new Error(`fake supports only 'field:*' filters, got ${filter}`);
      items = items.filter((r) => r[m[1]!] !== undefined && r[m[1]!] !== '');
    }
    items.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    const start = Number(q.get('pageToken') ?? '0');
    const page = items.slice(start, start + this.pageSize);
    const next = start + this.pageSize < items.length ? String(start + this.pageSize) : undefined;
    return { kind: 'compute#routeList', id: `projects/${project}/global/routes`, items: page, ...(next ? { nextPageToken: next } : {}) };
  }

  private takeFault(method: FakeOperationFault['method']): FakeOperationFault | undefined {
    const i = this.faults.findIndex((f) => f.method === method);
    return i >= 0 ? this.faults.splice(i, 1)[0] : undefined;
  }

  private newOp(project: string, scope: string, type: string, target: string, apply?: () => void, fault?: FakeOperationFault): Json {
    const name = `operation-${Date.now()}-${++this.seq}`;
    const op: Json = {
      kind: 'compute#operation',
      id: String(9000 + this.seq),
      name,
      operationType: type,
      targetLink: target,
      status: 'RUNNING',
      progress: 0,
      selfLink: `${BASE}/projects/${project}/${scope}/operations/${name}`,
    };
    const entry = {
      op,
      pollsLeft: this.runningPolls,
      apply: fault
        ? () => {
            op.error = { errors: [{ code: 'RESOURCE_OPERATION_FAILED', message: fault.message ?? 'injected operation failure' }] };
            op.httpErrorStatusCode = fault.status ?? 400;
          }
        : apply,
    };
    this.operations.set(name, entry);
    return op;
  }

  private waitOp(name: string, res: ServerResponse, send: (s: number, j: Json) => void): void {
    const entry = this.operations.get(name);
    if (!entry) return this.error(res, 404, `operation ${name} not found`, 'notFound');
    if (entry.pollsLeft > 0) {
      entry.pollsLeft--;
      if (this.waitHoldMs > 0) {
        const t = setTimeout(() => !res.writableEnded && !res.destroyed && send(200, entry.op), this.waitHoldMs);
        res.on('close', () => clearTimeout(t));
        return;
      }
      return send(200, entry.op);
    }
    if (entry.op.status !== 'DONE') {
      entry.apply?.();
      entry.op.status = 'DONE';
      entry.op.progress = 100;
    }
    return send(200, entry.op);
  }

  private insertRoute(project: string, body: Json, res: ServerResponse, send: (s: number, j: Json) => void): void {
    const fault = this.takeFault('routes.insert');
    if (fault?.kind === 'http') return this.error(res, fault.status ?? 503, fault.message ?? 'injected', fault.reason ?? 'backendError');
    if (!body.name || !body.network || !body.destRange) return this.error(res, 400, 'Required field missing', 'required');
    if (this.route(project, body.name)) {
      return this.error(res, 409, `The resource 'projects/${project}/global/routes/${body.name}' already exists`, 'alreadyExists');
    }
    for (const k of [
      'id',
      'selfLink',
      'creationTimestamp',
      'kind',
      'warnings',
      'routeStatus',
      'routeType',
      'asPaths',
      'nextHopPeering',
      'nextHopHub',
    ]) {
      if (k in body) return this.error(res, 400, `Invalid value for field 'resource.${k}': output-only`, 'invalid');
    }
    const op = this.newOp(
      project,
      'global',
      'insert',
      `${BASE}/projects/${project}/global/routes/${body.name}`,
      () => this.addRoute(project, body),
      fault,
    );
    send(200, op);
  }

  private deleteRoute(project: string, name: string, res: ServerResponse, send: (s: number, j: Json) => void): void {
    const fault = this.takeFault('routes.delete');
    if (fault?.kind === 'http') return this.error(res, fault.status ?? 503, fault.message ?? 'injected', fault.reason ?? 'backendError');
    if (!this.route(project, name)) {
      return this.error(res, 404, `The resource 'projects/${project}/global/routes/${name}' was not found`, 'notFound');
    }
    const op = this.newOp(
      project,
      'global',
      'delete',
      `${BASE}/projects/${project}/global/routes/${name}`,
      () => this.state.routes.delete(`${project}/${name}`),
      fault,
    );
    send(200, op);
  }

  /** getRoutePolicy (`?policy=`), updateRoutePolicy (body: the policy, created or replaced), deleteRoutePolicy (`?policy=`). */
  private routePolicyCall(
    project: string,
    region: string,
    router: string,
    verb: string,
    method: string,
    query: URLSearchParams,
    body: Json,
    res: ServerResponse,
    send: (s: number, j: Json) => void,
  ): void {
    const key = `${project}/${region}/${router}`;
    if (!this.state.routers.has(key)) return this.error(res, 404, `router ${router} not found`, 'notFound');
    const policies = this.state.routePolicies.get(key) ?? new Map<string, Json>();
    this.state.routePolicies.set(key, policies);
    const target = `${BASE}/projects/${project}/regions/${region}/routers/${router}`;
    const regional = (op: Json) => send(200, { ...op, region: `${BASE}/projects/${project}/regions/${region}` });
    if (verb === 'getRoutePolicy' && method === 'GET') {
      const p = policies.get(query.get('policy') ?? '');
      return p ? send(200, { resource: p }) : this.error(res, 404, `route policy ${query.get('policy')} not found`, 'notFound');
    }
    if (verb === 'updateRoutePolicy' && method === 'POST') {
      if (!body.name || !/^ROUTE_POLICY_TYPE_(IMPORT|EXPORT)$/.test(String(body.type)))
        return this.error(res, 400, 'a route policy needs a name and a type', 'invalid');
      return regional(
        this.newOp(
          project,
          `regions/${region}`,
          'updateRoutePolicy',
          target,
          () => void policies.set(body.name, { ...body, fingerprint: this.fingerprint() }),
        ),
      );
    }
    if (verb === 'deleteRoutePolicy' && method === 'POST') {
      const name = query.get('policy') ?? '';
      if (!policies.has(name)) return this.error(res, 404, `route policy ${name} not found`, 'notFound');
      const inUse = (this.state.routers.get(key)?.bgpPeers ?? []).some((bp: Json) =>
        [...(bp.importPolicies ?? []), ...(bp.exportPolicies ?? [])].includes(name),
      );
      if (inUse) return this.error(res, 400, `route policy ${name} is in use`, 'resourceInUseByAnotherResource');
      return regional(this.newOp(project, `regions/${region}`, 'deleteRoutePolicy', target, () => void policies.delete(name)));
    }
    return this.error(res, 404, `unsupported ${method} ${verb}`);
  }

  private patchRouter(
    project: string,
    region: string,
    name: string,
    body: Json,
    res: ServerResponse,
    send: (s: number, j: Json) => void,
  ): void {
    const fault = this.takeFault('routers.patch');
    if (fault?.kind === 'http') return this.error(res, fault.status ?? 503, fault.message ?? 'injected', fault.reason ?? 'backendError');
    const key = `${project}/${region}/${name}`;
    const current = this.state.routers.get(key);
    if (!current) return this.error(res, 404, `router ${name} not found`, 'notFound');
    if (body.fingerprint !== undefined && body.fingerprint !== current.fingerprint) {
      return this.error(res, 412, 'Supplied fingerprint does not match current metadata fingerprint.', 'conditionNotMet');
    }
    const interfaces = new Set((current.interfaces ?? []).map((i: Json) => i.name));
    const policies = this.state.routePolicies.get(key) ?? new Map<string, Json>();
    for (const bp of body.bgpPeers ?? []) {
      if (bp.interfaceName && !interfaces.has(bp.interfaceName))
        return this.error(res, 400, `interface ${bp.interfaceName} does not exist`, 'invalid');
      // As the API: applied policies must exist, and need a private peer ASN (RFC 6996).
      const applied = [...(bp.importPolicies ?? []), ...(bp.exportPolicies ?? [])] as string[];
      const missing = applied.filter((n) => !policies.has(n));
      if (missing.length) return this.error(res, 400, `route policy ${missing.join(', ')} does not exist`, 'invalid');
      const asn = Number(bp.peerAsn);
      if (applied.length && !((asn >= 64512 && asn <= 65534) || (asn >= 4200000000 && asn <= 4294967294)))
        return this.error(res, 400, `BGP route policies need a private peer ASN, not ${asn}`, 'invalid');
    }
    const apply = () => {
      // PATCH semantics: every field present replaces the stored one — a `bgpPeers` list replaces the whole list.
      const { fingerprint: _fp, ...fields } = body;
      void _fp;
      this.state.routers.set(key, { ...current, ...fields, fingerprint: this.fingerprint() });
    };
    const op = this.newOp(
      project,
      `regions/${region}`,
      'patch',
      `${BASE}/projects/${project}/regions/${region}/routers/${name}`,
      apply,
      fault,
    );
    op.region = `${BASE}/projects/${project}/regions/${region}`;
    send(200, op);
  }
}
