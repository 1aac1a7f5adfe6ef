/**
 * AWS → GCP over the real transport: the AWS edge (`tunnelAlarm`, composed by `composeAws` with
 * `TUNNEL_GUARD_GCP_LINK_URL`) acts on a CloudWatch alarm, and its `HttpLinkPublisher` POSTs the signed link message
 * with Node's `fetch` to the REAL Functions Framework stack (`getTestServer('tunnelIncident')` listening on
 * 127.0.0.1:0) — so the request crosses a real socket, Express's body parsing and `gcp-functions/auth.ts`. Both
 * edges act on ONE simulator file (the AWS end on its AWS side, the GCP end on its GCP side).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { HttpLinkPublisher } from '../../functions/adapters/http-link-publisher';
import { composeAws, httpLinkFromEnv, type AwsEdge } from '../../functions/compose';
import { makeTunnelAlarmHandler } from '../../functions/handlers';
import { composeGcp, type GcpEdge } from '../../gcp-functions/compose';
import { makeIncidentHandler } from '../../gcp-functions/handlers';
import { PermanentError } from '../../shared/errors';
import { signLinkMessage, type LinkMessage } from '../../shared/links/message';
import { memoryLogger } from '../../shared/log';
import { ledgerFileFor, openSimulator, type SimulatorLink } from '../../simulator';
import { AWS_ROUTES_WITH_VPN1_DEPREFERRED } from '../support/aws-deprefer';

const A11 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11';
const G1 = 'gcp:example-project:asia-northeast1:tunnel-aws-1';
const SECRET = 'link-secret-shared-by-both-ends-0123';
const TOKEN = 'gcp-webhook-token-0123456789abcdef';
const LINKS = JSON.stringify({ links: [{ gcp: G1, aws: A11 }] });
const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/aws', name), 'utf8'));

let dir: string;
let simFile: string;
let gcpEdge: GcpEdge | undefined;
let gcpLogger: ReturnType<typeof memoryLogger>;
let server: Server;
let url: string;

// The GCP function as deployed, registered with the real framework; its edge is composed per test (below).
http(
  'tunnelIncident',
  makeIncidentHandler(() => gcpEdge!),
);

beforeAll(async () => {
  server = getTestServer('tunnelIncident');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-aws-to-gcp-'));
  simFile = join(dir, 'world.json');
  gcpLogger = memoryLogger();
  gcpEdge = composeGcp(
    {
      TUNNEL_GUARD_SIMULATOR: simFile,
      TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
      TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept', // this test drives the deprecated query token on purpose
      TUNNEL_GUARD_LINK_SECRET: SECRET,
      TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0',
      TUNNEL_GUARD_CONFIG_JSON: LINKS,
    },
    { logger: gcpLogger, cwd: dir },
  );
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

function awsEdge(extra: Record<string, string> = {}): { edge: AwsEdge; logger: ReturnType<typeof memoryLogger> } {
  const logger = memoryLogger();
  const edge = composeAws(
    {
      TUNNEL_GUARD_SIMULATOR: simFile,
      TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0',
      TUNNEL_GUARD_LINK_SECRET: SECRET,
      TUNNEL_GUARD_CONFIG_JSON: LINKS,
      TUNNEL_GUARD_GCP_LINK_URL: url,
      TUNNEL_GUARD_GCP_LINK_TOKEN: TOKEN,
      ...extra,
    },
    { logger, cwd: dir },
  );
  return { edge, logger };
}

async function world() {
  const s = await openSimulator(simFile).read();
  return {
    aws: s.aws.vpnConnections
      .flatMap((c) => c.routes.filter((r) => r.state === 'available').map((r) => `${c.vpnConnectionId}:${r.destinationCidrBlock}`))
      .sort(),
    gcp: s.gcp.routes.map((r) => r.name).sort(),
  };
}
/** Both files byte for byte. */
const files = () => [
  readFileSync(simFile, 'utf8'),
  existsSync(ledgerFileFor(simFile)) ? readFileSync(ledgerFileFor(simFile), 'utf8') : '(no ledger)',
];

/** Every POST the AWS side made, as it crossed the wire (URL with the token, and the exact body). */
function recordFetch() {
  const calls: Array<{ url: string; body: string; authorization?: string }> = [];
  const real = globalThis.fetch;
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({
      url: String(input),
      body: String(init?.body),
      ...(headers.authorization ? { authorization: headers.authorization } : {}),
    });
    return real(input, init);
  });
  return calls;
}

const post = (body: string, query = `?auth_token=${TOKEN}`) =>
  fetch(`${url}${query}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

describe('AWS → GCP: an AWS alarm drains the GCP end through the real Functions Framework stack', () => {
  it('drains both ends on ALARM, restores both on OK, and a replayed POST is a no-op', async () => {
    const calls = recordFetch();
    const { edge, logger } = awsEdge();
    expect(edge.deps.link).toBeInstanceOf(HttpLinkPublisher);
    const handler = makeTunnelAlarmHandler(edge);
    const initial = await world();
    expect(initial.gcp).toEqual(['route-to-aws-via-tunnel-aws-1', 'route-to-aws-via-tunnel-aws-2']);

    const r = await handler(fixture('example-tunnel-degraded-alarm.json'));
    expect(r.reports[0]).toMatchObject({ tunnelId: A11, decision: 'drain', stateAfter: 'drained', ok: true });
    // One POST, to the function URL with the webhook token, carrying a signed v1 message for the paired tunnel.
    expect(calls).toHaveLength(1);
    expect(new URL(calls[0]!.url).searchParams.get('auth_token')).toBe(TOKEN);
    const envelope = JSON.parse(calls[0]!.body);
    expect(Object.keys(envelope).sort()).toEqual(['message', 'signature']);
    expect(JSON.parse(envelope.message)).toMatchObject({ v: 1, origin: 'aws', fromTunnelId: A11, toTunnelId: G1, health: 'degraded' });
    // The GCP end handled it with its own engine: the paired tunnel's route is withdrawn.
    const drained = await world();
    // Make-before-break on AWS: vpn-1 keeps its routes as standbys; vpn-2 holds both halves of each prefix.
    expect(drained.aws).toEqual(AWS_ROUTES_WITH_VPN1_DEPREFERRED);
    expect(drained.gcp).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby', 'route-to-aws-via-tunnel-aws-2']);
    const gcpLine = gcpLogger.entries.find((e) => e.handler === 'tunnelIncident');
    expect(gcpLine).toMatchObject({
      httpStatus: 200,
      outcome: 'handled',
      signal: { tunnelId: G1, source: 'link:aws', key: `link:${JSON.parse(envelope.message).id}` },
    });
    expect(logger.entries.map((e) => e.message)).toContain(`told the other end of the link: ${G1} degraded`);
    // No echo: the GCP end's report was caused by the link, so its own publisher (to the AWS end) sent nothing.
    expect((gcpEdge!.deps.link as SimulatorLink).wire).toEqual([]);

    // Replay the exact request: the GCP end answers 200 and does nothing (same message id = duplicate).
    const before = files();
    const replay = await post(calls[0]!.body);
    expect(replay.status).toBe(200);
    const replayBody = (await replay.json()) as any;
    expect(replayBody.status).toBe('handled');
    expect(replayBody.report.results).toEqual([]);
    expect(await world()).toEqual(drained);
    expect(files()[0]).toBe(before[0]);

    // Recovery: OK → the AWS end restores and tells the GCP end "healthy" → both back exactly as they were.
    const ok = await handler(fixture('example-tunnel-recovered-ok.json'));
    expect(ok.reports[0]).toMatchObject({ decision: 'restore', stateAfter: 'active' });
    expect(calls).toHaveLength(3); // the replay above went through the same (recorded) fetch
    expect(JSON.parse(JSON.parse(calls[2]!.body).message)).toMatchObject({ health: 'healthy', toTunnelId: G1 });
    expect(await world()).toEqual(initial);

    // Replaying the old "degraded" message after the recovery is stale: still nothing changes.
    const afterRecovery = files();
    const stale = await post(calls[0]!.body);
    expect(stale.status).toBe(200);
    expect(((await stale.json()) as any).report.results).toEqual([]);
    expect(await world()).toEqual(initial);
    expect(files()).toEqual(afterRecovery);
  });

  it('also authenticates with HTTP Basic when that is what the function is configured with', async () => {
    gcpEdge = composeGcp(
      {
        TUNNEL_GUARD_SIMULATOR: simFile,
        TUNNEL_GUARD_WEBHOOK_USERNAME: 'aws-link',
        TUNNEL_GUARD_WEBHOOK_PASSWORD: 'basic-password-for-link',
        TUNNEL_GUARD_LINK_SECRET: SECRET,
        TUNNEL_GUARD_CONFIG_JSON: LINKS,
      },
      { logger: gcpLogger, cwd: dir },
    );
    const calls = recordFetch();
    const { edge } = awsEdge({
      TUNNEL_GUARD_GCP_LINK_TOKEN: '',
      TUNNEL_GUARD_GCP_LINK_USERNAME: 'aws-link',
      TUNNEL_GUARD_GCP_LINK_PASSWORD: 'basic-password-for-link',
    });
    await makeTunnelAlarmHandler(edge)(fixture('example-tunnel-degraded-alarm.json'));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url).not.toMatch(/auth_token/);
    expect(calls[0]!.authorization).toMatch(/^Basic /);
    expect((await world()).gcp).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby', 'route-to-aws-via-tunnel-aws-2']);
  });
});

describe('AWS → GCP: what the GCP end refuses changes nothing', () => {
  const message: LinkMessage = {
    v: 1,
    id: 'aws:test:drain:1',
    origin: 'aws',
    fromTunnelId: A11,
    toTunnelId: G1,
    health: 'degraded',
    observedAt: '2026-11-25T01:00:00.000Z',
    reason: 'AWS end drained: test',
  };

  it('wrong credentials: 401, the publisher reports a permanent error after ONE attempt, nothing changed', async () => {
    await world(); // create the files
    const before = files();
    const calls = recordFetch();
    const publisher = httpLinkFromEnv(
      { TUNNEL_GUARD_GCP_LINK_URL: url, TUNNEL_GUARD_GCP_LINK_TOKEN: 'not-the-right-token-at-all' },
      SECRET,
    )!;
    const err = await publisher.publish(message).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(String((err as Error).message)).toMatch(/HTTP 401: invalid credentials/);
    expect(String((err as Error).message)).not.toContain('not-the-right-token'); // no secret in the error (it is logged)
    expect(calls).toHaveLength(1);
    expect(files()).toEqual(before);
  });

  it('a forged signature (right credentials, wrong secret): 401 refused, and the publisher says so; nothing changed', async () => {
    await world();
    const before = files();
    const forged = await post(JSON.stringify(signLinkMessage(message, 'an-attacker-guess')));
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ status: 'refused', reason: expect.stringMatching(/signature does not match/) });

    const wrongSecret = new HttpLinkPublisher({ url, secret: 'an-attacker-guess', token: TOKEN });
    await expect(wrongSecret.publish(message)).rejects.toThrow(PermanentError);
    expect(files()).toEqual(before);
  });

  it('an unsigned message (bare, or with an empty signature) changes nothing', async () => {
    await world();
    const before = files();
    const bare = await post(JSON.stringify(message));
    expect(bare.status).toBe(400); // not a Cloud Monitoring notification either
    const empty = await post(JSON.stringify({ message: JSON.stringify(message), signature: '' }));
    expect(empty.status).toBe(401);
    expect(files()).toEqual(before);
  });

  it('a message for a pair the GCP end does not know is ignored, and the publisher reports it as permanent', async () => {
    await world();
    const before = files();
    const publisher = new HttpLinkPublisher({ url, secret: SECRET, token: TOKEN });
    const other = { ...message, id: 'aws:test:drain:2', toTunnelId: 'gcp:example-project:asia-northeast1:tunnel-aws-2' };
    await expect(publisher.publish(other)).rejects.toThrow(/ignored link message .*no configured link pairs/);
    expect(files()).toEqual(before);
  });
});
