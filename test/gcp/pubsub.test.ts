/**
 * `tunnelIncidentPubSub` (the Cloud Monitoring Pub/Sub channel's function) through the real Functions Framework
 * (getTestServer + supertest), with CloudEvents shaped like Eventarc's Pub/Sub deliveries (binary content mode,
 * `ce-*` headers, `MessagePublishedData` body), acting on a simulator file with the real engine.
 * Acknowledged = 2xx (Pub/Sub forgets the message); redelivered = an error status (Pub/Sub tries again).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudEvent } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { composeGcp, type GcpEdge } from '../../gcp-functions/compose';
import { decodeMessage, makePubSubIncidentHandler } from '../../gcp-functions/pubsub';
import { handleSignal, reconcile } from '../../shared/engine';
import { TransientError } from '../../shared/errors';
import { memoryLogger } from '../../shared/log';
import { openSimulator } from '../../simulator';

const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/gcp', name), 'utf8'));
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');

let dir: string;
let env: Record<string, string | undefined>;
let edge: GcpEdge | undefined;
let logger: ReturnType<typeof memoryLogger>;
let failCore: Error | undefined;

const core = {
  handleSignal: (deps: any, s: any) => (failCore ? Promise.reject(failCore) : handleSignal(deps, s)),
  reconcile: (deps: any) => reconcile(deps),
};
const getEdge = () => (edge ??= composeGcp(env, { logger }));
cloudEvent('tunnelIncidentPubSub', makePubSubIncidentHandler(getEdge, { core }));

const sim = () => openSimulator(env.TUNNEL_GUARD_SIMULATOR!);
const gcpRoutes = async () => (await sim().read()).gcp.routes.map((r) => r.name).sort();
const ALL = ['route-to-aws-via-tunnel-aws-1', 'route-to-aws-via-tunnel-aws-2'];
/** Drained, whatever the lever (withdrawn, or de-preferred to a standby copy): the original route is gone. */
const drained = async () => {
  const names = await gcpRoutes();
  expect(names).not.toContain('route-to-aws-via-tunnel-aws-1');
  expect(names).toContain('route-to-aws-via-tunnel-aws-2');
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-gcp-pubsub-'));
  // No webhook credentials at all: the Pub/Sub path is authorised by IAM, not by the webhook token.
  env = { TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'), TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0' };
  edge = undefined;
  failCore = undefined;
  logger = memoryLogger();
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  jest.restoreAllMocks();
});
/** The framework prints the stack of every error it turns into a 500 (the redelivery we want): keep test output clean. */
const quietFramework = () => jest.spyOn(console, 'error').mockImplementation(() => undefined);

let seq = 0;
/** One Eventarc Pub/Sub delivery of `data` (binary content mode, as Eventarc sends it). */
const deliver = (data: unknown, id = `msg-${++seq}`, publishTime?: string) => {
  const envelope = structuredClone(fixture('pubsub-message-published-open.json'));
  envelope.message.data = typeof data === 'string' ? data : b64(data);
  envelope.message.messageId = envelope.message.message_id = id;
  // Published just now: messages older than TUNNEL_GUARD_PUBSUB_MAX_AGE_SECONDS are acknowledged unhandled.
  envelope.message.publishTime = publishTime ?? new Date().toISOString();
  return request(getTestServer('tunnelIncidentPubSub'))
    .post('/')
    .set('content-type', 'application/json')
    .set('ce-id', id)
    .set('ce-specversion', '1.0')
    .set('ce-type', 'google.cloud.pubsub.topic.v1.messagePublished')
    .set('ce-source', '//pubsub.googleapis.com/projects/example-project/topics/tunnel-guard-incidents')
    .set('ce-time', envelope.message.publishTime)
    .send(JSON.stringify(envelope));
};
const last = () => logger.entries.filter((e) => e.handler === 'tunnelIncidentPubSub').at(-1)!;

describe('tunnelIncidentPubSub', () => {
  it('drains on the shipped fixture (base64 of the webhook JSON), then restores on a recovery', async () => {
    const r = await request(getTestServer('tunnelIncidentPubSub'))
      .post('/')
      .set('content-type', 'application/json')
      .set('ce-id', '13195891364729011')
      .set('ce-specversion', '1.0')
      .set('ce-type', 'google.cloud.pubsub.topic.v1.messagePublished')
      .set('ce-source', '//pubsub.googleapis.com/projects/example-project/topics/tunnel-guard-incidents')
      .send(
        // The shipped fixture as published, re-dated to now (an old message is acknowledged unhandled, below).
        readFileSync(join(__dirname, '../fixtures/gcp/pubsub-message-published-open.json'), 'utf8').replace(
          '2026-11-25T01:03:12.345Z',
          new Date().toISOString(),
        ),
      );
    expect(r.status).toBeGreaterThanOrEqual(200);
    expect(r.status).toBeLessThan(300);
    await drained();
    expect(last()).toMatchObject({ severity: expect.any(String), redeliver: false, outcome: 'handled', messageId: '13195891364729011' });

    expect((await deliver(fixture('incident-closed-recovered.json'))).status).toBeLessThan(300);
    expect(await gcpRoutes()).toEqual(ALL);
  });

  it('acknowledges a message older than the bound with a CRITICAL line, and changes nothing', async () => {
    const old = new Date(Date.now() - 2 * 3600_000).toISOString();
    const r = await deliver(fixture('incident-open-dropped-packets.json'), 'old-1', old);
    expect(r.status).toBeLessThan(300); // acknowledged: no week of redeliveries
    expect(await gcpRoutes()).toEqual(ALL);
    expect(last()).toMatchObject({ severity: 'CRITICAL', outcome: 'expired', messageId: 'old-1' });
  });

  it('is idempotent under redelivery: the same message twice changes the cloud once', async () => {
    const open = fixture('incident-open-dropped-packets.json');
    expect((await deliver(open, 'dup-1')).status).toBeLessThan(300);
    const after = await sim().read();
    expect((await deliver(open, 'dup-1')).status).toBeLessThan(300);
    expect(await sim().read()).toEqual(after);
  });

  it.each([
    ['data that is not base64 JSON', '%%% not base64 json %%%'],
    ['an empty message', ''],
    ['JSON that is not a notification', b64({ hello: 'world' })],
    ['a test notification', b64(fixture('notification-test.json'))],
  ])('acknowledges %s (a redelivery would carry the same bytes) and changes nothing', async (_name, data) => {
    const r = await deliver(data);
    expect(r.status).toBeLessThan(300);
    expect(await gcpRoutes()).toEqual(ALL);
    expect(last()).toMatchObject({ redeliver: false, message: expect.stringMatching(/acknowledged (invalid|ignored)/) });
  });

  it('throws on transient trouble so Pub/Sub redelivers, and the redelivery then drains', async () => {
    quietFramework();
    failCore = new TransientError('compute: 503 backendError');
    const r = await deliver(fixture('incident-open-dropped-packets.json'), 'retry-1');
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(await gcpRoutes()).toEqual(ALL);
    expect(last()).toMatchObject({ severity: 'ERROR', redeliver: true });
    failCore = undefined;
    expect((await deliver(fixture('incident-open-dropped-packets.json'), 'retry-1')).status).toBeLessThan(300);
    await drained();
  });

  it('keeps the message (redelivery) while the configuration is broken, with the reason logged', async () => {
    quietFramework();
    env.TUNNEL_GUARD_CONFIG_JSON = '{not json';
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((l: string) => void lines.push(l));
    try {
      const r = await deliver(fixture('incident-open-dropped-packets.json'));
      expect(r.status).toBeGreaterThanOrEqual(500);
    } finally {
      spy.mockRestore();
    }
    expect(lines.join('\n')).toMatch(/"severity":"ERROR".*configuration error, message kept for redelivery: tunnel-guard configuration/);
  });

  it('decodes what Cloud Monitoring publishes: base64 JSON in message.data', () => {
    expect(decodeMessage(fixture('pubsub-message-published-open.json'))).toEqual({
      ok: true,
      body: fixture('incident-open-dropped-packets.json'),
    });
    expect(decodeMessage({})).toMatchObject({ ok: false, reason: expect.stringMatching(/no data/) });
  });
});
