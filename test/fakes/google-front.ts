/**
 * One local endpoint for every Google API the operator CLI calls. It answers what the other fakes do not have —
 * Compute aggregated lists (vpnTunnels, routers: read from the Compute fake's state), Cloud Monitoring alert
 * policies and notification channels, Resource Manager and Cloud Storage `testIamPermissions` — and forwards
 * everything else unchanged to the Compute fake (`/compute/…`) or the Cloud Storage fake (`/storage/…`,
 * `/upload/…`). Plain HTTP on 127.0.0.1; shapes follow the REST references.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ComputeRestFake } from './compute-rest-fake';

type Json = Record<string, any>;

export class GoogleFront {
  alertPolicies: Json[] = [];
  notificationChannels: Json[] = [];
  /** What Cloud Monitoring's timeSeries.list answers (as the API shapes it), filtered by the asked metric type. */
  timeSeries: Json[] = [];
  /** Permissions testIamPermissions grants (project and bucket alike). */
  granted = new Set<string>();
  /** The project's number and IAM policy, and each Pub/Sub topic's IAM policy (getIamPolicy). */
  projectNumber = '123456789012';
  projectPolicy: Json = { bindings: [] };
  topicPolicies = new Map<string, Json>();
  /** Buckets that do not exist (the Cloud Storage fake has every bucket): 404 as GCS answers. */
  missingBuckets = new Set<string>();
  readonly requests: { method: string; path: string }[] = [];
  private server?: Server;
  port = 0;

  constructor(
    private readonly compute: ComputeRestFake,
    private readonly storagePort: number,
  ) {}

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.endpoint;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://front');
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const json = (status: number, obj: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(obj));
    };
    const p = url.pathname;

    const bucket = /^\/(?:upload\/)?storage\/v1\/b\/([^/]+)/.exec(p)?.[1];
    if (bucket && this.missingBuckets.has(decodeURIComponent(bucket))) {
      return json(404, {
        error: {
          code: 404,
          message: 'The specified bucket does not exist.',
          errors: [{ message: 'The specified bucket does not exist.', domain: 'global', reason: 'notFound' }],
        },
      });
    }
    let m = /^\/compute\/v1\/projects\/([^/]+)\/aggregated\/(vpnTunnels|routers)$/.exec(p);
    if (m && method === 'GET') return json(200, this.aggregated(decodeURIComponent(m[1]!), m[2] as 'vpnTunnels' | 'routers'));
    // The per-tunnel packet counters the function reads: the series of the asked metric type (none by default).
    if (/^\/v3\/projects\/[^/]+\/timeSeries$/.test(p) && method === 'GET') {
      const type = /metric\.type = "([^"]+)"/.exec(url.searchParams.get('filter') ?? '')?.[1];
      return json(200, { timeSeries: this.timeSeries.filter((s) => s.metric?.type === type) });
    }
    m = /^\/v3\/projects\/([^/]+)\/(alertPolicies|notificationChannels)$/.exec(p);
    if (m && method === 'GET') return json(200, { [m[2]!]: m[2] === 'alertPolicies' ? this.alertPolicies : this.notificationChannels });
    if (/^\/v1\/projects\/[^/:]+$/.test(p) && method === 'GET') return json(200, { projectNumber: this.projectNumber });
    if (/^\/v1\/projects\/[^/:]+:getIamPolicy$/.test(p) && method === 'POST') return json(200, this.projectPolicy);
    m = /^\/v1\/projects\/[^/]+\/topics\/([^/:]+):getIamPolicy$/.exec(p);
    if (m && method === 'GET') return json(200, this.topicPolicies.get(decodeURIComponent(m[1]!)) ?? {});
    if (/^\/v1\/projects\/[^/:]+:testIamPermissions$/.test(p) && method === 'POST') {
      const asked: string[] = JSON.parse(body.toString() || '{}').permissions ?? [];
      return json(200, { permissions: asked.filter((x) => this.granted.has(x)) });
    }
    if (/^\/storage\/v1\/b\/[^/]+\/iam\/testPermissions$/.test(p) && method === 'GET') {
      return json(200, {
        kind: 'storage#testIamPermissionsResponse',
        permissions: url.searchParams.getAll('permissions').filter((x) => this.granted.has(x)),
      });
    }
    const port = p.startsWith('/compute/')
      ? this.compute.port
      : p.startsWith('/storage/') || p.startsWith('/upload/')
        ? this.storagePort
        : 0;
    if (!port) return json(404, { error: { code: 404, message: `no fake for ${method} ${p}` } });
    const fwd = request(
      { host: '127.0.0.1', port, method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${port}` } },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on('error', (e) => json(502, { error: { code: 502, message: String(e) } }));
    fwd.end(body);
  }

  /** `{items: {"regions/x": {vpnTunnels|routers: [...]}}}`, built from the Compute fake's state. */
  private aggregated(project: string, kind: 'vpnTunnels' | 'routers'): Json {
    const source = kind === 'vpnTunnels' ? this.compute.state.tunnels : this.compute.state.routers;
    const items: Record<string, Json> = {};
    for (const [key, value] of source) {
      const [proj, region] = key.split('/');
      if (proj !== project) continue;
      (items[`regions/${region}`] ??= { [kind]: [] })[kind].push(value);
    }
    return {
      kind: `compute#${kind === 'vpnTunnels' ? 'vpnTunnel' : 'router'}AggregatedList`,
      id: `projects/${project}/aggregated/${kind}`,
      items,
    };
  }
}
