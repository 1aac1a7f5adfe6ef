/**
 * The public function's front door, through the real Functions Framework server (getTestServer + the framework's own
 * Express): unauthenticated requests are refused before their body is read, so a flood of them does not keep a real
 * webhook out; a malformed body gets a JSON 400 without a stack, after authentication, logged as one JSON line without
 * the raw body.
 */
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { composeGcp, type GcpEdge } from '../../gcp-functions/compose';
import { frameworkExpress, installFrontDoor } from '../../gcp-functions/front-door';
import { MAX_BODY_BYTES, makeIncidentHandler } from '../../gcp-functions/handlers';
import { memoryLogger } from '../../shared/log';
import { openSimulator } from '../../simulator';

const USER = 'tunnel-guard';
const PASSWORD = 'front-door-password-0123456789';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;
const fixture = (name: string): string => readFileSync(join(__dirname, '../fixtures/gcp', name), 'utf8');

let dir: string;
let env: Record<string, string>;
let edge: GcpEdge | undefined;
let logger: ReturnType<typeof memoryLogger>;
let uninstall: () => void;
const getEdge = () => (edge ??= composeGcp(env, { logger }));
// Registered under its own name so this file's server is independent of other suites'.
http('frontDoorIncident', makeIncidentHandler(getEdge));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-front-door-'));
  env = {
    TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'),
    TUNNEL_GUARD_WEBHOOK_USERNAME: USER,
    TUNNEL_GUARD_WEBHOOK_PASSWORD: PASSWORD,
    TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0',
  };
  edge = undefined;
  logger = memoryLogger();
  uninstall = installFrontDoor(frameworkExpress().application, {
    auth: () => getEdge().auth,
    authenticateFirst: true,
    maxBodyBytes: MAX_BODY_BYTES,
    logger,
    handler: 'tunnelIncident',
  });
});
afterEach(() => {
  uninstall();
  rmSync(dir, { recursive: true, force: true });
});

const routes = async () => (await openSimulator(env.TUNNEL_GUARD_SIMULATOR).read()).gcp.routes.map((r) => JSON.stringify(r)).sort();

describe('bad bodies', () => {
  it('answers a malformed JSON body with a JSON 400, no stack, one log line without the body', async () => {
    const server = getTestServer('frontDoorIncident');
    const secret = '{"incident": "SENSITIVE-RAW-BODY-MARKER", ';
    const res = await request(server)
      .post('/')
      .set('content-type', 'application/json')
      .set('authorization', basic(USER, PASSWORD))
      .send(secret);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ status: 'invalid', reason: 'body is not valid JSON' });
    expect(res.text).not.toMatch(/<html|<pre|at .*\.js:\d+|SyntaxError/i);
    const lines = logger.entries.filter((e) => e.httpStatus === 400);
    expect(lines).toHaveLength(1);
    expect(JSON.stringify(lines[0])).not.toContain('SENSITIVE-RAW-BODY-MARKER');
    expect(JSON.stringify(lines[0]).split('\n')).toHaveLength(1);
  });

  it('checks credentials first: a malformed body without them is a 401, not a parse error', async () => {
    const res = await request(getTestServer('frontDoorIncident')).post('/').set('content-type', 'application/json').send('{"incident": ');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 'refused' });
  });

  it('refuses a query-string token by default, even the right one', async () => {
    env.TUNNEL_GUARD_WEBHOOK_TOKEN = 'the-old-query-token-0123456789';
    const res = await request(getTestServer('frontDoorIncident'))
      .post(`/?auth_token=${env.TUNNEL_GUARD_WEBHOOK_TOKEN}`)
      .set('content-type', 'application/json')
      .send(fixture('incident-open-dropped-packets.json'));
    expect(res.status).toBe(401);
  });
});

describe('no starvation', () => {
  it('refuses an unauthenticated request before its body is read (the body never finishes)', async () => {
    const server = getTestServer('frontDoorIncident').listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const status = await new Promise<number>((resolve, reject) => {
        const req = httpRequest(
          { port, method: 'POST', path: '/', headers: { 'content-type': 'application/json', 'content-length': '60000' } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.write('{"incident": '); // and never the rest
      });
      expect(status).toBe(401);
    } finally {
      server.close();
    }
  });

  it('handles a real webhook while 200 unauthenticated requests arrive', async () => {
    const server = getTestServer('frontDoorIncident').listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const before = await routes();
      const body = fixture('incident-open-dropped-packets.json');
      const flood = Array.from({ length: 200 }, (_, i) =>
        fetch(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(i % 2 ? { authorization: basic(USER, 'wrong') } : {}) },
          body,
        }).then((r) => r.status),
      );
      const real = fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: basic(USER, PASSWORD) },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
      const [statuses, handled] = await Promise.all([Promise.all(flood), real]);
      expect(new Set(statuses)).toEqual(new Set([401]));
      expect(handled.status).toBe(200);
      expect(handled.body).toMatchObject({ status: 'handled', report: { decision: 'drain' } });
      expect(await routes()).not.toEqual(before);
      // The refusals wrote no line each: only the real webhook's.
      expect(logger.entries.filter((e) => e.handler === 'tunnelIncident' && e.httpStatus === 401)).toHaveLength(0);
    } finally {
      server.close();
    }
  }, 30_000);
});
