/**
 * Bad input at both function handlers: 10,000 generated and mutated payloads each, seeded from the real fixtures.
 * Every payload must be answered without an uncaught exception, with a clear reason when nothing is done, and a
 * payload that yields no signal must change nothing (no cloud call, no ledger write).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTunnelAlarmHandler } from '../../functions/handlers';
import type { AwsEdge } from '../../functions/compose';
import { makeIncidentHandler, processNotification } from '../../gcp-functions/handlers';
import type { GcpEdge } from '../../gcp-functions/compose';
import { authConfigFromEnv } from '../../gcp-functions/auth';
import { MemoryLedger } from '../../simulator/memory-ledger';
import { memoryLogger } from '../../shared/log';
import { configSchema } from '../../shared/policy';
import { signLinkMessage } from '../../shared/links/message';
import { testDeps } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { awsTunnel, gcpRoute, gcpTunnel, vgwRoute, aws } from '../fakes/topology';
import { fuzzPayload } from '../support/mutate';

const fixtures = (cloud: string) =>
  readdirSync(join(__dirname, '..', 'fixtures', cloud))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', cloud, f), 'utf8')));
const SECRET = 'fuzz-link-secret';
const link = signLinkMessage(
  {
    v: 1,
    id: 'l1',
    origin: 'gcp',
    fromTunnelId: 'gcp:p:r:t',
    toTunnelId: 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11',
    health: 'degraded',
    observedAt: '2026-11-25T00:00:00Z',
    reason: 'x',
  },
  SECRET,
);
const snsLink = {
  Records: [
    {
      EventSource: 'aws:sns',
      Sns: {
        Type: 'Notification',
        MessageId: 'm',
        TopicArn: 'arn:aws:sns:ap-northeast-1:123456789012:tunnel-guard-prod-link',
        Message: JSON.stringify(link),
        Timestamp: '2026-11-25T00:00:00.000Z',
      },
    },
  ],
};

function counted() {
  const ledger = new MemoryLedger();
  return ledger;
}

describe('handler fuzzing', () => {
  const awsSeeds = [...fixtures('aws'), snsLink];
  const gcpSeeds = [...fixtures('gcp'), link];

  it('tunnelAlarm: 10,000 payloads, no uncaught exception, a reason every time, nothing changed without a signal', async () => {
    const VPN = 'vpn-0a1b2c3d4e5f60001';
    const tunnels = [
      awsTunnel(VPN, '203.0.113.11'),
      awsTunnel(VPN, '203.0.113.12', 'down'),
      awsTunnel('vpn-0a1b2c3d4e5f60002', '203.0.113.21'),
    ];
    const paths = [
      vgwRoute(VPN, [aws(VPN, '203.0.113.11'), aws(VPN, '203.0.113.12')], '10.240.0.0/16'),
      vgwRoute('vpn-0a1b2c3d4e5f60002', [aws('vpn-0a1b2c3d4e5f60002', '203.0.113.21')], '10.240.0.0/16'),
    ];
    let withSignal = 0;
    await fc.assert(
      fc.asyncProperty(fuzzPayload(awsSeeds), async (event) => {
        const cloud = new MemoryCloud(tunnels, paths);
        const ledger = counted();
        const { deps } = testDeps({ aws: portsOf(cloud) }, {}, ledger);
        deps.logger = memoryLogger();
        const edge: AwsEdge = { deps, config: configSchema.parse({}), region: 'ap-northeast-1', linkSecret: SECRET, target: 'fuzz' };
        const r = await makeTunnelAlarmHandler(edge)(event);
        expect(r.reports.length + r.ignored.length + r.failed.length).toBeGreaterThan(0);
        for (const reason of r.ignored) expect(reason).toMatch(/\w{3,}.*\w{3,}/);
        if (r.reports.length === 0) {
          expect(cloud.calls).toEqual([]);
          expect(ledger.writes).toBe(0);
        } else withSignal++;
      }),
      { numRuns: 10_000, seed: 101 },
    );
    expect(withSignal).toBeGreaterThan(100); // the fuzzer also reaches the core, not only the parser
  }, 120_000);

  function gcpEdge() {
    const cloud = new MemoryCloud(
      [gcpTunnel('tunnel-aws-1'), gcpTunnel('tunnel-aws-2')],
      [gcpRoute('r1', 'tunnel-aws-1', '10.0.0.0/16'), gcpRoute('r2', 'tunnel-aws-2', '10.0.0.0/16')],
    );
    const ledger = counted();
    const { deps } = testDeps({ gcp: portsOf(cloud) }, {}, ledger);
    deps.logger = memoryLogger();
    const edge: GcpEdge = {
      deps,
      config: configSchema.parse({}),
      auth: authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_TOKEN: 'a-long-enough-webhook-token', TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept' }),
      linkSecret: SECRET,
      target: 'fuzz',
    };
    return { edge, cloud, ledger };
  }

  it('tunnelIncident logic: 10,000 payloads, a status and a reason every time, nothing changed unless handled', async () => {
    let handled = 0;
    await fc.assert(
      fc.asyncProperty(fuzzPayload(gcpSeeds), async (body) => {
        const { edge, cloud, ledger } = gcpEdge();
        const r = await processNotification(edge, body);
        expect([200, 400, 401]).toContain(r.status);
        if (r.body.status !== 'handled') {
          expect(r.body.reason).toMatch(/\w{3,}/);
          expect(cloud.calls).toEqual([]);
          expect(ledger.writes).toBe(0);
        } else handled++;
      }),
      { numRuns: 10_000, seed: 202 },
    );
    expect(handled).toBeGreaterThan(100);
  }, 120_000);

  it('tunnelIncident HTTP handler: 10,000 raw bodies (bytes, sizes, credentials), never throws, never acts unauthenticated', async () => {
    const body = fc.oneof(
      fuzzPayload(gcpSeeds).map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.string().map((s) => Buffer.from(s)),
    );
    const token = fc.constantFrom(undefined, 'a-long-enough-webhook-token', 'wrong-token-wrong-token', '');
    await fc.assert(
      fc.asyncProperty(body, token, fc.constantFrom('POST', 'GET', 'PUT'), async (raw, auth, method) => {
        const { edge, cloud, ledger } = gcpEdge();
        let status = 0;
        let sent: any;
        const res: any = { status: (s: number) => ((status = s), res), json: (b: unknown) => ((sent = b), res), set: () => res };
        const req: any = {
          method,
          headers: { 'content-type': 'application/json', 'content-length': String(raw.length) },
          query: auth === undefined ? {} : { auth_token: auth },
          rawBody: raw,
          body: undefined,
        };
        await makeIncidentHandler(() => edge)(req, res);
        expect(status).toBeGreaterThanOrEqual(200);
        expect(sent.reason ?? sent.report?.summary ?? sent.status).toBeTruthy();
        if (auth !== 'a-long-enough-webhook-token' || method !== 'POST') {
          expect([401, 405]).toContain(status);
          expect(cloud.calls).toEqual([]);
          expect(ledger.writes).toBe(0);
        }
      }),
      { numRuns: 10_000, seed: 303 },
    );
  }, 120_000);
});
