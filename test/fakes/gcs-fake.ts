/**
 * A small fake of the Cloud Storage JSON API for the real `@google-cloud/storage` client: object metadata
 * (GET), media download (`alt=media`), multipart upload with generation preconditions (`ifGenerationMatch`,
 * 0 = must not exist → 412), list with `prefix`, delete. Plain HTTP on 127.0.0.1, port 0.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CRC32C } from '@google-cloud/storage';

export interface FakeObject {
  data: Buffer;
  generation: number;
  metageneration: number;
  contentType: string;
  metadata?: Record<string, string>;
  updated: string;
}

export class GcsFake {
  readonly objects = new Map<string, FakeObject>(); // key bucket/name
  readonly requests: { method: string; path: string; query: URLSearchParams }[] = [];
  /** Added to every request, as a round trip to the real service would (benchmarks). */
  latencyMs = 0;
  /** Answer the next N requests with this status (transient-failure tests). */
  failNext: { status: number; count: number } | undefined;
  private gen = 1_700_000_000_000_000;
  private server?: Server;
  port = 0;

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<number> {
    this.server = createServer(
      (req, res) =>
        void this.handle(req, res).catch((e: unknown) => {
          // A bug in the fake must fail the test quickly, not hang the client.
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 500, message: String(e) } }));
        }),
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this.port;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  put(bucket: string, name: string, data: string | Buffer, metadata?: Record<string, string>): FakeObject {
    const o: FakeObject = {
      data: Buffer.from(data),
      generation: ++this.gen,
      metageneration: 1,
      contentType: 'application/json',
      ...(metadata ? { metadata } : {}),
      updated: new Date().toISOString(),
    };
    this.objects.set(`${bucket}/${name}`, o);
    return o;
  }

  private resource(bucket: string, name: string, o: FakeObject) {
    return {
      kind: 'storage#object',
      id: `${bucket}/${name}/${o.generation}`,
      name,
      bucket,
      generation: String(o.generation),
      metageneration: String(o.metageneration),
      contentType: o.contentType,
      size: String(o.data.length),
      // The client validates uploads against these (and deletes the object on a mismatch), like real GCS.
      md5Hash: createHash('md5').update(o.data).digest('base64'),
      crc32c: crc32c(o.data),
      updated: o.updated,
      ...(o.metadata ? { metadata: o.metadata } : {}),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: url.searchParams });
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const json = (status: number, obj: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(obj));
    };
    const error = (status: number, message: string, reason: string) =>
      json(status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }] } });
    if (this.failNext && this.failNext.count > 0) {
      this.failNext.count--;
      return error(this.failNext.status, 'injected failure', 'backendError');
    }
    const q = url.searchParams;
    const precondition = (existing: FakeObject | undefined): boolean => {
      const want = q.get('ifGenerationMatch');
      if (want === null) return true;
      return Number(want) === (existing?.generation ?? 0);
    };

    // Upload: POST /upload/storage/v1/b/{bucket}/o?uploadType=multipart|media&name=…
    let m = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
    if (m && method === 'POST') {
      const bucket = decodeURIComponent(m[1]!);
      let name = q.get('name') ?? '';
      let data: Buffer = body;
      let metadata: Record<string, string> | undefined;
      let contentType = 'application/octet-stream';
      const ct = req.headers['content-type'] ?? '';
      const boundary = /boundary="?([^";]+)"?/.exec(ct)?.[1];
      if (q.get('uploadType') === 'multipart' && boundary) {
        const parts = splitMultipart(body, boundary);
        const meta = JSON.parse(parts[0]!.body.toString('utf8')) as {
          name?: string;
          metadata?: Record<string, string>;
          contentType?: string;
        };
        name = meta.name ?? name;
        metadata = meta.metadata;
        data = parts[1]!.body;
        contentType = meta.contentType ?? parts[1]!.headers['content-type'] ?? contentType;
      }
      if (!name) return error(400, 'object name required', 'required');
      const existing = this.objects.get(`${bucket}/${name}`);
      if (!precondition(existing)) return error(412, 'At least one of the pre-conditions you specified did not hold.', 'conditionNotMet');
      const o = this.put(bucket, name, data, metadata);
      o.contentType = contentType;
      return json(200, this.resource(bucket, name, o));
    }

    m = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
    if (m) {
      const bucket = decodeURIComponent(m[1]!);
      const name = m[2] !== undefined ? decodeURIComponent(m[2]) : undefined;
      if (name === undefined && method === 'GET') {
        const prefix = q.get('prefix') ?? '';
        const items = [...this.objects.entries()]
          .filter(([k]) => k.startsWith(`${bucket}/${prefix}`))
          .map(([k, o]) => this.resource(bucket, k.slice(bucket.length + 1), o));
        return json(200, { kind: 'storage#objects', items });
      }
      if (name !== undefined) {
        const o = this.objects.get(`${bucket}/${name}`);
        if (method === 'GET') {
          if (!o) return error(404, `No such object: ${bucket}/${name}`, 'notFound');
          const wantGen = q.get('generation');
          if (wantGen && Number(wantGen) !== o.generation) return error(404, `No such object: ${bucket}/${name}#${wantGen}`, 'notFound');
          if (q.get('alt') === 'media') {
            res.writeHead(200, {
              'content-type': o.contentType,
              'x-goog-generation': String(o.generation),
              'content-length': String(o.data.length),
            });
            return void res.end(o.data);
          }
          return json(200, this.resource(bucket, name, o));
        }
        if (method === 'DELETE') {
          if (!o) return error(404, `No such object: ${bucket}/${name}`, 'notFound');
          if (!precondition(o)) return error(412, 'precondition failed', 'conditionNotMet');
          this.objects.delete(`${bucket}/${name}`);
          res.writeHead(204);
          return void res.end();
        }
      }
    }
    // Media download through the XML-style path some versions use: GET /{bucket}/{object}
    m = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (m && method === 'GET') {
      const o = this.objects.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`);
      if (!o) return error(404, 'No such object', 'notFound');
      res.writeHead(200, { 'content-type': o.contentType, 'x-goog-generation': String(o.generation) });
      return void res.end(o.data);
    }
    return error(404, `unsupported ${method} ${url.pathname}`, 'notFound');
  }
}

function crc32c(data: Buffer): string {
  const c = new CRC32C();
  c.update(data);
  return c.toString();
}

function splitMultipart(body: Buffer, boundary: string): { headers: Record<string, string>; body: Buffer }[] {
  const text = body.toString('latin1');
  const parts = text.split(`--${boundary}`).slice(1, -1);
  return parts.map((p) => {
    const trimmed = p.replace(/^\r\n/, '').replace(/\r\n$/, '');
    const i = trimmed.indexOf('\r\n\r\n');
    const head = trimmed.slice(0, i);
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const c = line.indexOf(':');
      if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
    }
    return { headers, body: Buffer.from(trimmed.slice(i + 4), 'latin1') };
  });
}
