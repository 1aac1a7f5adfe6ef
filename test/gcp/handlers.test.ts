/**
 * The `tunnelIncident` and `reconcile` functions through the real Functions Framework stack (getTestServer +
 * supertest), acting on a simulator file with the real engine.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { composeGcp, type GcpEdge } from '../../gcp-functions/compose';
import { makeIncidentHandler, makeReconcileHandler } from '../../gcp-functions/handlers';
import { handleSignal, reconcile } from '../../shared/engine';
import { PermanentError, TransientError } from '../../shared/errors';
import { memoryLogger } from '../../shared/log';
import { openSimulator } from '../../simulator';
import { signLinkMessage } from '../../shared/links/message';
import { awsTunnelId, gcpTunnelId } from '../../shared/types';

const TOKEN = 'tg-test-token-0123456789abcdef';
const T1 = gcpTunnelId({ project: 'example-project', region: 'asia-northeast1', name: 'tunnel-aws-1' });
const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/gcp', name), 'utf8'));

let dir: string;
let env: Record<string, string | undefined>;
let edge: GcpEdge | undefined;
let logger: ReturnType<typeof memoryLogger>;
let failCore: Error | undefined;

const core = {
  handleSignal: (deps: any, s: any) => (failCore ? Promise.reject(failCore) : handleSignal(deps, s)),
  reconcile: (deps: any) => (failCore ? Promise.reject(failCore) : reconcile(deps)),
};
const getEdge = () => (edge ??= composeGcp(env, { logger }));
http('tunnelIncident', makeIncidentHandler(getEdge, { core }));
http('reconcile', makeReconcileHandler(getEdge, { core }));

const sim = () => openSimulator(env.TUNNEL_GUARD_SIMULATOR!);
const gcpRoutes = async () => (await sim().read()).gcp.routes.map((r) => r.name).sort();
const ALL = ['route-to-aws-via-tunnel-aws-1', 'route-to-aws-via-tunnel-aws-2'];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-gcp-handlers-'));
  env = {
    TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'),
    TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
    // These tests drive the handler with the (deprecated) query token; auth.test.ts covers Basic and the default refusal.
    TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept',
    TUNNEL_GUARD_WEBHOOK_USERNAME: 'monitoring',
    TUNNEL_GUARD_WEBHOOK_PASSWORD: 'basic-secret-password',
    TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0',
    TUNNEL_GUARD_CONFIG_JSON: JSON.stringify({ policyTunnels: { 'tunnel-aws-1 dropped packets': T1 } }),
  };
  edge = undefined;
  failCore = undefined;
  logger = memoryLogger();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const post = (body: unknown, query = `?auth_token=${TOKEN}`) =>
  request(getTestServer('tunnelIncident'))
    .post(`/${query}`)
    .set('content-type', 'application/json')
    .send(typeof body === 'string' ? body : JSON.stringify(body));

describe('tunnelIncident through the Functions Framework', () => {
  it('drains the tunnel on an open incident and restores exactly the same route on the real recovery', async () => {
    const before = (await sim().read()).gcp.routes;
    const open = await post(fixture('incident-open-dropped-packets.json'));
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({
      status: 'handled',
      signal: { tunnelId: T1, health: 'degraded' },
      report: { decision: 'drain', stateAfter: 'drained' },
    });
    expect(await gcpRoutes()).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby', 'route-to-aws-via-tunnel-aws-2']); // de-preferred: its standby stays

    const closed = await post(fixture('incident-closed-recovered.json'));
    expect(closed.status).toBe(200);
    expect(closed.body.report).toMatchObject({ decision: 'restore', stateAfter: 'active' });
    const after = (await sim().read()).gcp.routes;
    const writable = (r: any) => ({
      name: r.name,
      network: r.network,
      destRange: r.destRange,
      priority: r.priority,
      tags: r.tags,
      description: r.description,
      nextHopVpnTunnel: r.nextHopVpnTunnel,
    });
    expect(after.map(writable).sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      before.map(writable).sort((a, b) => a.name.localeCompare(b.name)),
    );
    // One invocation line per request, with a severity.
    expect(logger.entries.filter((e) => e.handler === 'tunnelIncident')).toHaveLength(2);
  });

  it('a cancellation (policy edited while open) does not restore', async () => {
    await post(fixture('incident-open-dropped-packets.json'));
    const res = await post(fixture('incident-closed-cancelled.json'));
    expect(res.status).toBe(200);
    expect(res.body.signal.health).toBe('unknown');
    expect(res.body.report.stateAfter).toBe('drained');
    expect(await gcpRoutes()).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby', 'route-to-aws-via-tunnel-aws-2']); // de-preferred: its standby stays
  });

  it('a closed incident for missing data does not restore either', async () => {
    await post(fixture('incident-open-dropped-packets.json'));
    await post(fixture('incident-closed-no-data.json'));
    expect(await gcpRoutes()).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby', 'route-to-aws-via-tunnel-aws-2']); // de-preferred: its standby stays
  });

  it('acknowledges a test notification with 200 and changes nothing', async () => {
    const res = await post(fixture('notification-test.json'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/test notification/) });
    expect(await gcpRoutes()).toEqual(ALL);
  });

  it('maps a schema 1.1 notification through policyTunnels', async () => {
    const res = await post(fixture('incident-v1.1-open.json'));
    expect(res.body).toMatchObject({ status: 'handled', report: { decision: 'drain' } });
    const other = fixture('incident-v1.1-open.json');
    other.incident.policy_name = 'someone else';
    expect((await post(other)).body).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/not mapped/) });
  });

  it('accepts HTTP Basic credentials', async () => {
    const res = await request(getTestServer('tunnelIncident'))
      .post('/')
      .auth('monitoring', 'basic-secret-password')
      .send(fixture('incident-open-dropped-packets.json'));
    expect(res.status).toBe(200);
    expect(res.body.report.decision).toBe('drain');
  });

  it.each([
    ['no credentials', (r: request.Test) => r, ''],
    ['a wrong token', (r: request.Test) => r, '?auth_token=tg-test-token-0123456789abcdeX'],
    ['a wrong Basic password', (r: request.Test) => r.auth('monitoring', 'wrong'), ''],
    ['a wrong Basic user', (r: request.Test) => r.auth('someone', 'basic-secret-password'), ''],
  ])('refuses %s with 401 and changes nothing', async (_what, decorate, query) => {
    const res = await decorate(request(getTestServer('tunnelIncident')).post(`/${query}`)).send(
      fixture('incident-open-dropped-packets.json'),
    );
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/Basic/);
    expect(await gcpRoutes()).toEqual(ALL);
    expect(JSON.stringify(logger.entries)).not.toContain('basic-secret-password');
    expect(JSON.stringify(logger.entries)).not.toContain(TOKEN);
  });

  it('fails closed: with no credentials configured every request is refused', async () => {
    delete env.TUNNEL_GUARD_WEBHOOK_TOKEN;
    delete env.TUNNEL_GUARD_WEBHOOK_USERNAME;
    delete env.TUNNEL_GUARD_WEBHOOK_PASSWORD;
    const res = await post(fixture('incident-open-dropped-packets.json'));
    expect(res.status).toBe(401);
    expect(res.body.reason).toMatch(/no webhook credentials configured/);
    expect(await gcpRoutes()).toEqual(ALL);
  });

  it('accepts unauthenticated requests only with TUNNEL_GUARD_WEBHOOK_AUTH=none', async () => {
    env = { ...env, TUNNEL_GUARD_WEBHOOK_AUTH: 'none', TUNNEL_GUARD_WEBHOOK_TOKEN: undefined };
    const res = await post(fixture('incident-open-dropped-packets.json'), '');
    expect(res.status).toBe(200);
  });

  it('answers 400 to malformed JSON (the framework itself rejects it for a JSON content type)', async () => {
    expect((await post('{"incident": ')).status).toBe(400);
    const res = await request(getTestServer('tunnelIncident'))
      .post(`/?auth_token=${TOKEN}`)
      .set('content-type', 'text/plain')
      .send('{"incident": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 'invalid', reason: 'body is not valid JSON' });
    expect(await gcpRoutes()).toEqual(ALL);
  });

  it('answers 400 to JSON that is not a notification', async () => {
    const res = await post({ hello: 'world' });
    expect(res.status).toBe(400);
    expect(res.body.status).toBe('invalid');
    expect(await gcpRoutes()).toEqual(ALL);
  });

  it('answers 413 to an oversized body, before anything else', async () => {
    const big = fixture('incident-open-dropped-packets.json');
    big.incident.documentation.content = 'x'.repeat(70 * 1024);
    const res = await post(big);
    expect(res.status).toBe(413);
    expect(await gcpRoutes()).toEqual(ALL);
  });

  it('answers 405 to anything but POST', async () => {
    const res = await request(getTestServer('tunnelIncident')).get(`/?auth_token=${TOKEN}`);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });

  it('answers 503 on transient trouble, so Cloud Monitoring retries', async () => {
    failCore = new TransientError('compute: 503 backend error');
    const res = await post(fixture('incident-open-dropped-packets.json'));
    expect(res.status).toBe(503);
    expect(logger.entries.at(-1)).toMatchObject({ severity: 'ERROR', httpStatus: 503 });
  });

  it('answers 503 on an error nothing classified (the decision is idempotent: another delivery is safe), 500 on a permanent one or a bug', async () => {
    failCore = new Error('socket hang up');
    expect((await post(fixture('incident-open-dropped-packets.json'))).status).toBe(503);
    failCore = new PermanentError('compute: 403 permission denied');
    expect((await post(fixture('incident-open-dropped-packets.json'))).status).toBe(500);
    // A programming error repeats on every delivery: never a reason to redeliver.
    failCore = new TypeError("Cannot read properties of undefined (reading 'Routes')");
    expect((await post(fixture('incident-open-dropped-packets.json'))).status).toBe(500);
  });

  it('answers 500 with the reason when the configuration is broken', async () => {
    env.TUNNEL_GUARD_CONFIG_JSON = '{"policy": {"maxFlaps": -1}}';
    const res = await post(fixture('incident-open-dropped-packets.json'));
    expect(res.status).toBe(500);
    expect(res.body.reason).toMatch(/configuration/);
  });
});

describe('link messages from the AWS end on the same authenticated endpoint', () => {
  const A1 = awsTunnelId({ region: 'ap-northeast-1', vpnConnectionId: 'vpn-0a1b2c3d4e5f60001', outsideIpAddress: '203.0.113.11' });
  const SECRET = 'link-secret-for-tests';
  const message = {
    v: 1 as const,
    id: 'aws-drain-1',
    origin: 'aws' as const,
    fromTunnelId: A1,
    toTunnelId: T1,
    health: 'degraded' as const,
    observedAt: '2026-11-25T10:00:00Z',
    reason: 'AWS end drained',
  };
  beforeEach(() => {
    env.TUNNEL_GUARD_LINK_SECRET = SECRET;
    env.TUNNEL_GUARD_CONFIG_JSON = JSON.stringify({ links: [{ gcp: T1, aws: A1 }] });
  });

  it('drains the GCP end on a signed message; a replay is a no-op', async () => {
    const signed = signLinkMessage(message, SECRET);
    const res = await post(signed);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'handled', signal: { tunnelId: T1, source: 'link:aws' }, report: { decision: 'drain' } });
    expect(await gcpRoutes()).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby', 'route-to-aws-via-tunnel-aws-2']); // de-preferred: its standby stays
    const again = await post(signed);
    expect(again.body.report.decision).toBe('ignore');
  });

  it.each([
    ['forged (wrong key)', () => signLinkMessage(message, 'not-the-secret')],
    [
      'altered after signing',
      () => ({ ...signLinkMessage(message, SECRET), message: JSON.stringify({ ...message, toTunnelId: T1, id: 'x' }) }),
    ],
    ['unsigned', () => ({ message: JSON.stringify(message), signature: '' })],
  ])('refuses a %s message with 401 and changes nothing', async (_what, make) => {
    const res = await post(make());
    expect(res.status).toBe(401);
    expect(res.body.reason).toMatch(/link message refused/);
    expect(await gcpRoutes()).toEqual(ALL);
  });
});

describe('reconcile through the Functions Framework', () => {
  it('needs credentials, then converges and reports', async () => {
    expect((await request(getTestServer('reconcile')).post('/')).status).toBe(401);
    await post(fixture('incident-open-dropped-packets.json'));
    const res = await request(getTestServer('reconcile')).post(`/?auth_token=${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('handled');
    expect(Array.isArray(res.body.reports)).toBe(true);
  });
});
