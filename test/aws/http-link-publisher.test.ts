/**
 * `HttpLinkPublisher` (AWS → GCP link messages) against a scripted local HTTP server on 127.0.0.1:0: what is
 * retried (5xx, 429, timeouts, a closed port), what is not (4xx), and how `composeAws` wires it from the environment.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpLinkPublisher } from '../../functions/adapters/http-link-publisher';
import { composeAws, httpLinkFromEnv } from '../../functions/compose';
import { PermanentError, TransientError } from '../../shared/errors';
import { verifyLinkMessage, type LinkMessage } from '../../shared/links/message';
import { memoryLogger } from '../../shared/log';

const SECRET = 'link-secret-for-publisher-tests';
const message: LinkMessage = {
  v: 1,
  id: 'aws:aws:ap-northeast-1:vpn-1:203.0.113.11:drain:2026-11-25T01:00:00.000Z',
  origin: 'aws',
  fromTunnelId: 'aws:ap-northeast-1:vpn-1:203.0.113.11',
  toTunnelId: 'gcp:p:asia-northeast1:t1',
  health: 'degraded',
  observedAt: '2026-11-25T01:00:00.000Z',
  reason: 'AWS end drained',
};

type Reply = { status: number; body?: unknown; delayMs?: number };
let server: Server;
let url: string;
let script: Reply[];
let seen: Array<{ url: string; body: string; headers: IncomingMessage['headers'] }>;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ url: req.url ?? '', body, headers: req.headers });
      const r = script.shift() ?? { status: 200, body: { status: 'handled' } };
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(r.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(r.body ?? {}));
      }, r.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  script = [];
  seen = [];
});

const noSleep = async () => undefined;
const publisher = (extra: Partial<ConstructorParameters<typeof HttpLinkPublisher>[0]> = {}) =>
  new HttpLinkPublisher({ url, secret: SECRET, token: 'webhook-token-0123456789', sleep: noSleep, ...extra });

describe('HttpLinkPublisher', () => {
  it('POSTs the signed envelope as JSON with the token in auth_token, once, when the GCP end handles it', async () => {
    await publisher().publish(message);
    expect(seen).toHaveLength(1);
    expect(new URL(seen[0]!.url, url).searchParams.get('auth_token')).toBe('webhook-token-0123456789');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    const verified = verifyLinkMessage(JSON.parse(seen[0]!.body), SECRET);
    expect(verified).toEqual({ ok: true, value: message });
  });

  it('sends HTTP Basic credentials in the Authorization header (and no token in the URL)', async () => {
    await publisher({ token: undefined, basic: { username: 'aws-link', password: 'p:ss word' } }).publish(message);
    expect(seen[0]!.url).toBe('/');
    expect(seen[0]!.headers.authorization).toBe(`Basic ${Buffer.from('aws-link:p:ss word').toString('base64')}`);
  });

  it.each([500, 502, 503, 429])('retries HTTP %i and succeeds when a later attempt is handled', async (status) => {
    script = [{ status }, { status }];
    await publisher().publish(message);
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((s) => s.body)).size).toBe(1); // the same signed bytes every time (receiver de-duplicates)
  });

  it('gives up after the configured attempts with a TransientError, backing off between them', async () => {
    script = [{ status: 503, body: { status: 'error', reason: 'ledger busy' } }, { status: 503 }, { status: 503 }];
    const sleeps: number[] = [];
    const p = publisher({ attempts: 3, backoffMs: 100, sleep: async (ms) => void sleeps.push(ms) });
    const err = await p.publish(message).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/after 3 attempt\(s\): HTTP 503/);
    expect(sleeps).toEqual([100, 200]);
    expect(seen).toHaveLength(3);
  });

  it.each([
    [400, 'invalid'],
    [401, 'refused'],
    [403, 'refused'],
    [413, 'invalid'],
  ])('HTTP %i is permanent: one attempt, PermanentError', async (status, s) => {
    script = [{ status, body: { status: s, reason: 'because' } }];
    const err = await publisher()
      .publish(message)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as Error).message).toContain(`HTTP ${status}: because`);
    expect((err as Error).message).not.toContain('webhook-token'); // the URL in the message carries no credentials
    expect(seen).toHaveLength(1);
  });

  it('a 200 "ignored" (the GCP end does not know the pair) is a permanent failure, not a silent success', async () => {
    script = [{ status: 200, body: { status: 'ignored', reason: 'no configured link pairs a with b' } }];
    await expect(publisher().publish(message)).rejects.toThrow(/ignored link message .*no configured link pairs/);
  });

  it('a timeout is retried, then transient', async () => {
    script = [
      { status: 200, delayMs: 500 },
      { status: 200, delayMs: 500 },
    ];
    const err = await publisher({ timeoutMs: 50, attempts: 2 })
      .publish(message)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/TimeoutError/);
  });

  it('a closed port (connection refused) is transient', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const p = new HttpLinkPublisher({
      url: `http://127.0.0.1:${port}/`,
      secret: SECRET,
      token: 'x'.repeat(16),
      sleep: noSleep,
      attempts: 2,
    });
    await expect(p.publish(message)).rejects.toThrow(TransientError);
  });

  it('refuses to exist without a secret', () => {
    expect(() => new HttpLinkPublisher({ url, secret: '' })).toThrow(PermanentError);
  });
});

describe('composeAws wiring of the AWS → GCP link', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tg-aws-link-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const deployed = {
    TUNNEL_GUARD_TABLE: 't',
    TUNNEL_GUARD_TOPIC_ARN: 'arn:aws:sns:ap-northeast-1:123456789012:d',
    AWS_REGION: 'ap-northeast-1',
  };
  const link = {
    TUNNEL_GUARD_GCP_LINK_URL: 'https://tunnelincident-abc-an.a.run.app/',
    TUNNEL_GUARD_GCP_LINK_TOKEN: 't'.repeat(20),
    TUNNEL_GUARD_LINK_SECRET: SECRET,
  };

  it('deployed: no link publisher unless TUNNEL_GUARD_GCP_LINK_URL is set; the configured links are passed on', () => {
    const off = composeAws(deployed, { logger: memoryLogger() });
    expect(off.deps.link).toBeUndefined();
    const cfg = JSON.stringify({ links: [{ gcp: 'gcp:p:r:t', aws: 'aws:r:vpn-1:203.0.113.1' }] });
    const on = composeAws({ ...deployed, ...link, TUNNEL_GUARD_CONFIG_JSON: cfg }, { logger: memoryLogger() });
    expect(on.deps.link).toBeInstanceOf(HttpLinkPublisher);
    expect((on.deps.link as HttpLinkPublisher).target).toBe('https://tunnelincident-abc-an.a.run.app/');
    expect(on.deps.links).toEqual([{ gcp: 'gcp:p:r:t', aws: 'aws:r:vpn-1:203.0.113.1' }]);
  });

  it('simulator: the in-process delivery, unless a URL says otherwise', () => {
    const sim = composeAws({ TUNNEL_GUARD_SIMULATOR: join(dir, 's.json') }, { logger: memoryLogger() });
    expect(sim.deps.link).toHaveProperty('wire');
    const real = composeAws({ TUNNEL_GUARD_SIMULATOR: join(dir, 's.json'), ...link }, { logger: memoryLogger() });
    expect(real.deps.link).toBeInstanceOf(HttpLinkPublisher);
  });

  it.each([
    [{ TUNNEL_GUARD_LINK_SECRET: '' }, /TUNNEL_GUARD_LINK_SECRET is not/],
    [{ TUNNEL_GUARD_GCP_LINK_TOKEN: '' }, /needs the GCP webhook credentials/],
    [{ TUNNEL_GUARD_GCP_LINK_USERNAME: 'u' }, /must be set together/],
    [{ TUNNEL_GUARD_GCP_LINK_URL: 'http://example.com/' }, /must be https/],
    [{ TUNNEL_GUARD_GCP_LINK_URL: 'not a url' }, /not a URL/],
    [{ TUNNEL_GUARD_GCP_LINK_TIMEOUT_MS: '0' }, /TIMEOUT_MS/],
  ])('half a configuration is an error, not "links off": %j', (patch, error) => {
    expect(() => composeAws({ ...deployed, ...link, ...patch }, { logger: memoryLogger() })).toThrow(error);
  });

  it('plain http is accepted for loopback only', () => {
    expect(
      httpLinkFromEnv({ TUNNEL_GUARD_GCP_LINK_URL: 'http://127.0.0.1:8080/', TUNNEL_GUARD_GCP_LINK_TOKEN: 't'.repeat(16) }, SECRET),
    ).toBeInstanceOf(HttpLinkPublisher);
  });
});
