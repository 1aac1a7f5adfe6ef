import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeTransitGatewayRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsPathTable } from '../../functions/adapters/aws-path-table';
import { DynamoDbLedger } from '../../functions/adapters/dynamodb-ledger';
import { SnsNotifier } from '../../functions/adapters/sns-notifier';
import { VpnTunnelHealthView } from '../../functions/adapters/vpn-tunnel-health';
import { composeAws, type AwsEdge } from '../../functions/compose';
import { makeReconcileHandler, makeTunnelAlarmHandler } from '../../functions/handlers';
import { invokeAwsLocal } from '../../functions/local';
import { TransientError, PermanentError } from '../../shared/errors';
import { signLinkMessage, type LinkMessage } from '../../shared/links/message';
import { MemoryLedger } from '../../simulator/memory-ledger';
import { memoryLogger } from '../../shared/log';
import { DEFAULT_POLICY, configSchema } from '../../shared/policy';
import type { CoreDeps, PathTable } from '../../shared/ports';
import { openSimulator } from '../../simulator';
import { signSnsRecord, testSnsVerifier } from './support/sns-signing';
import { AWS_ROUTES_WITH_VPN1_DEPREFERRED } from '../support/aws-deprefer';

const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/aws', name), 'utf8'));
const VPN1 = 'vpn-0a1b2c3d4e5f60001';
const T1 = `aws:ap-northeast-1:${VPN1}:203.0.113.11`;
const SECRET = 'link-secret-for-tests';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tg-aws-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The simulator's AWS static routes, as `vpn:cidr` strings. */
async function awsRoutes(file: string): Promise<string[]> {
  const s = await openSimulator(file).read();
  return s.aws.vpnConnections
    .flatMap((c) => c.routes.filter((r) => r.state === 'available').map((r) => `${c.vpnConnectionId}:${r.destinationCidrBlock}`))
    .sort();
}

function simEdge(file: string, extraEnv: Record<string, string> = {}) {
  const logger = memoryLogger();
  const edge = composeAws(
    { TUNNEL_GUARD_SIMULATOR: file, TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0', TUNNEL_GUARD_LINK_SECRET: SECRET, ...extraEnv },
    { logger, cwd: dir },
  );
  return { edge, logger };
}

describe('tunnelAlarm on the simulator (end to end)', () => {
  it('drains the connection on ALARM, restores on OK, and replays change nothing more', async () => {
    const file = join(dir, 'sim.json');
    const { edge, logger } = simEdge(file);
    const handler = makeTunnelAlarmHandler(edge);
    const before = await awsRoutes(file);
    expect(before).toEqual([
      `${VPN1}:10.240.0.0/16`,
      `${VPN1}:192.168.1.0/24`,
      'vpn-0a1b2c3d4e5f60002:10.240.0.0/16',
      'vpn-0a1b2c3d4e5f60002:192.168.1.0/24',
    ]);

    const alarm = fixture('example-tunnel-degraded-alarm.json');
    const r1 = await handler(alarm);
    expect(r1).toMatchObject({ ok: true, ignored: [], failed: [] });
    expect(r1.reports[0]).toMatchObject({ tunnelId: T1, decision: 'drain', stateAfter: 'drained' });
    const drained = await awsRoutes(file);
    // Make-before-break: the drained connection keeps its routes (AWS falls back on them if the other connection goes
    // down) and the other connection takes the traffic by the halves of each prefix, which AWS prefers.
    expect(drained).toEqual(AWS_ROUTES_WITH_VPN1_DEPREFERRED);
    const tags = (await openSimulator(file).read()).aws.vpnConnections.find((c) => c.vpnConnectionId === VPN1)?.tags;
    expect(Object.keys(tags ?? {}).sort()).toEqual(['tunnel-guard:standby:10.240.0.0/16', 'tunnel-guard:standby:192.168.1.0/24']);
    for (let i = 0; i < 3; i++) {
      const again = await handler(structuredClone(alarm));
      expect(again.reports[0]).toMatchObject({
        tunnelId: T1,
        decision: 'ignore',
        refusals: [expect.objectContaining({ guard: 'duplicate' })],
      });
      expect(again.reports[0]!.results).toEqual([]);
      expect(await awsRoutes(file)).toEqual(drained);
    }

    const ok = fixture('example-tunnel-recovered-ok.json');
    const r2 = await handler(ok);
    expect(r2.reports[0]).toMatchObject({ tunnelId: T1, decision: 'restore', stateAfter: 'active' });
    expect(await awsRoutes(file)).toEqual(before);
    for (let i = 0; i < 3; i++) {
      await handler(structuredClone(ok));
      await handler(structuredClone(alarm)); // an old ALARM replayed after the OK is stale: no re-drain
      expect(await awsRoutes(file)).toEqual(before);
    }
    // One structured line per invocation, with the decision in it.
    const lines = logger.entries.filter((e) => e.handler === 'tunnelAlarm');
    expect(lines).toHaveLength(1 + 3 + 1 + 3 * 2);
    expect(lines[0]).toMatchObject({
      severity: expect.any(String),
      target: `simulator:${file}`,
      reports: [expect.objectContaining({ decision: 'drain' })],
    });
  });

  it.each([
    ['garbage', { hello: 'world' }, /^not a CloudWatch alarm event/],
    [
      'an EC2 CPU alarm (no VPN dimensions)',
      fixture('eventbridge-single-metric.json'),
      /"ServerCpuTooHigh" has no AWS\/VPN VpnId\+TunnelIpAddress dimensions and is not mapped/,
    ],
    [
      'a configuration change',
      fixture('eventbridge-configuration-change.json'),
      /"CloudWatch Alarm Configuration Change" is not an alarm state change/,
    ],
    [
      'a malformed alarm event',
      { ...fixture('example-tunnel-degraded-alarm.json'), detail: { alarmName: 'x' } },
      /malformed \(detail\.state/,
    ],
    ['an SNS message that is not JSON', { Records: [{ EventSource: 'aws:sns', Sns: { Message: 'hi' } }] }, /^SNS message is not JSON/],
  ])('acknowledges %s: changes nothing, logs a reason, returns normally', async (_name, event, reason) => {
    const file = join(dir, 'sim.json');
    const { edge, logger } = simEdge(file);
    await openSimulator(file).read(); // create the simulated world, then prove the event leaves it untouched
    const before = readFileSync(file, 'utf8');
    const r = await makeTunnelAlarmHandler(edge)(event);
    // Returns normally: resolved, nothing failed, so Lambda does not retry an event that can never succeed.
    expect(r).toMatchObject({ ok: true, reports: [], failed: [] });
    expect(r.ignored).toEqual([expect.stringMatching(reason)]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(logger.entries.filter((e) => e.handler === 'tunnelAlarm')).toEqual([
      expect.objectContaining({ severity: 'WARNING', ignored: [expect.stringMatching(reason)] }),
    ]);
  });

  it('records a down tunnel with an UP sibling but does not drain its connection', async () => {
    const file = join(dir, 'sim.json');
    const { edge } = simEdge(file);
    const sim = openSimulator(file);
    // The cloud agrees: the alarmed tunnel is DOWN, its sibling in the connection UP (AWS fails over by itself).
    await sim.setTunnelStatus(T1, 'down');
    await sim.setTunnelStatus(`aws:ap-northeast-1:${VPN1}:203.0.113.12`, 'up');
    const before = await awsRoutes(file);
    const r = await makeTunnelAlarmHandler(edge)(fixture('example-tunnel-down-alarm.json'));
    expect(r.reports).toHaveLength(1);
    expect(r.reports[0]).toMatchObject({
      tunnelId: T1,
      decision: 'record',
      plan: [],
      results: [],
      stateAfter: 'active',
      signal: { health: 'down' },
    });
    expect(r.reports[0]!.summary).toMatch(/healthy sibling tunnel/);
    expect(await awsRoutes(file)).toEqual(before);
    // Recorded: the ledger knows the tunnel is down, so a later decision counts it as such.
    expect(await edge.deps.ledger.get(T1)).toMatchObject({ state: 'active', health: 'down', withdrawn: [] });
  });

  it('acts on a signed link message from the GCP side, and refuses a forged one or one for an unconfigured pair', async () => {
    const file = join(dir, 'sim.json');
    const links = { links: [{ gcp: 'gcp:example-project:asia-northeast1:tunnel-aws-1', aws: T1 }] };
    const unpaired = makeTunnelAlarmHandler(simEdge(file).edge);
    // The link topic is known: signed link messages on it still flow (only unsigned alarms on it are refused).
    const { edge } = simEdge(file, { TUNNEL_GUARD_CONFIG_JSON: JSON.stringify(links), TUNNEL_GUARD_LINK_TOPIC_NAME: 'tunnel-guard-link' });
    const handler = makeTunnelAlarmHandler(edge);
    const msg: LinkMessage = {
      v: 1,
      id: 'gcp-incident-0.abc',
      origin: 'gcp',
      fromTunnelId: 'gcp:example-project:asia-northeast1:tunnel-aws-1',
      toTunnelId: T1,
      health: 'degraded',
      observedAt: '2026-11-25T01:00:00Z',
      reason: 'dropped packets',
    };
    const sns = (body: unknown) => ({
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: { Message: JSON.stringify(body), TopicArn: 'arn:aws:sns:ap-northeast-1:123456789012:tunnel-guard-link' },
        },
      ],
    });
    const before = await awsRoutes(file);

    const notConfigured = await unpaired(sns(signLinkMessage(msg, SECRET)));
    expect(notConfigured.ignored[0]).toMatch(/no configured link pairs/);
    expect(await awsRoutes(file)).toEqual(before);

    const forged = { ...signLinkMessage(msg, 'wrong-secret') };
    const refused = await handler(sns(forged));
    expect(refused.ignored[0]).toMatch(/signature does not match/);
    expect(await awsRoutes(file)).toEqual(before);

    const r = await handler(sns(signLinkMessage(msg, SECRET)));
    expect(r.reports[0]).toMatchObject({ tunnelId: T1, decision: 'drain' });
    expect(r.reports[0]!.signal).toMatchObject({ viaLink: true, source: 'link:gcp', key: 'link:gcp-incident-0.abc' });
    expect(await awsRoutes(file)).not.toEqual(before);
    const replay = await handler(sns(signLinkMessage(msg, SECRET)));
    expect(replay.reports[0]!.results).toEqual([]);
  });

  describe('SNS-wrapped alarms: only from allow-listed topics, never from the link topic', () => {
    const ALARM_TOPIC = 'arn:aws:sns:ap-northeast-1:123456789012:vpn-alarms';
    const LINK_TOPIC = 'arn:aws:sns:ap-northeast-1:123456789012:tunnel-guard-link';
    /** An unsigned, well-formed CloudWatch alarm notification for T1, delivered by SNS on `topicArn`. */
    const alarmOn = (topicArn: string) => {
      const e = fixture('sns-single-metric.json');
      const m = JSON.parse(e.Records[0].Sns.Message);
      Object.assign(m, {
        AlarmName: 'forged',
        AlarmArn: 'arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:forged',
        StateChangeTime: '2026-11-25T01:00:00.000+0000',
      });
      Object.assign(m.Trigger, {
        Namespace: 'AWS/VPN',
        MetricName: 'TunnelDataIn',
        Dimensions: [
          { value: VPN1, name: 'VpnId' },
          { value: '203.0.113.11', name: 'TunnelIpAddress' },
        ],
      });
      e.Records[0].Sns.Message = JSON.stringify(m);
      e.Records[0].Sns.TopicArn = topicArn;
      e.Records[0].EventSubscriptionArn = `${topicArn}:0b6941c4-f150-4a2d-9d6a-6e4b9b4b0a01`;
      return e;
    };
    const unchanged = async (env: Record<string, string>, event: unknown, reason: RegExp) => {
      const file = join(dir, 'sim.json');
      const { edge, logger } = simEdge(file, env);
      await openSimulator(file).read();
      const before = readFileSync(file, 'utf8');
      const r = await makeTunnelAlarmHandler(edge)(event);
      expect(r.reports).toEqual([]);
      expect(r.ignored).toEqual([expect.stringMatching(reason)]);
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(logger.entries.at(-1)).toMatchObject({ severity: 'WARNING', handler: 'tunnelAlarm', ignored: r.ignored });
    };

    it('ignores an unsigned alarm on the link topic, with a reason, even when that topic is allow-listed', async () => {
      const reason = /link topic .*tunnel-guard-link is not a signed link message: refused/;
      await unchanged({ TUNNEL_GUARD_LINK_TOPIC_NAME: 'tunnel-guard-link' }, alarmOn(LINK_TOPIC), reason);
      await unchanged({ TUNNEL_GUARD_LINK_TOPIC_ARN: LINK_TOPIC, TUNNEL_GUARD_ALARM_TOPIC_ARNS: LINK_TOPIC }, alarmOn(LINK_TOPIC), reason);
    });

    it('ignores an alarm from a topic that is not allow-listed (default: none is)', async () => {
      await unchanged({}, alarmOn(ALARM_TOPIC), /TUNNEL_GUARD_ALARM_TOPIC_ARNS is empty/);
      await unchanged(
        { TUNNEL_GUARD_ALARM_TOPIC_ARNS: ALARM_TOPIC },
        alarmOn('arn:aws:sns:ap-northeast-1:123456789012:open-topic'),
        /not in TUNNEL_GUARD_ALARM_TOPIC_ARNS/,
      );
    });

    it('acts on the same alarm from an allow-listed topic, when SNS signed it', async () => {
      const file = join(dir, 'sim.json');
      const { edge } = simEdge(file, {
        TUNNEL_GUARD_ALARM_TOPIC_ARNS: `arn:aws:sns:ap-northeast-1:123456789012:x, ${ALARM_TOPIC}`,
        TUNNEL_GUARD_LINK_TOPIC_NAME: 'tunnel-guard-link',
      });
      const before = await awsRoutes(file);
      const event = alarmOn(ALARM_TOPIC);
      signSnsRecord(event.Records[0]);
      const r = await makeTunnelAlarmHandler({ ...edge, snsVerifier: testSnsVerifier() })(event);
      expect(r).toMatchObject({ ok: true, ignored: [] });
      expect(r.reports[0]).toMatchObject({
        tunnelId: T1,
        decision: 'drain',
        signal: { source: 'aws-sns', monitor: 'arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:forged' },
      });
      expect(await awsRoutes(file)).not.toEqual(before);
    });
  });

  it('invokeAwsLocal runs the same handler from an environment, and reconcile on a Scheduled Event', async () => {
    const file = join(dir, 'sim.json');
    const env = { TUNNEL_GUARD_SIMULATOR: file, TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0' };
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const r = (await invokeAwsLocal(fixture('example-tunnel-degraded-alarm.json'), env)) as any;
      expect(r.reports[0].decision).toBe('drain');
      const rec = (await invokeAwsLocal({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }, env)) as any;
      expect(rec.ok).toBe(true);
      // Reconcile looked at the drained tunnel (still degraded: it stays drained, nothing to do).
      expect(rec.reports).toEqual([
        expect.objectContaining({ tunnelId: T1, trigger: 'reconcile', decision: 'ignore', stateAfter: 'drained' }),
      ]);
      // Every invocation logged exactly one JSON line of its own.
      const lines = spy.mock.calls.map((c) => JSON.parse(String(c[0])));
      expect(lines.filter((l) => l.handler === 'tunnelAlarm')).toHaveLength(1);
      expect(lines.filter((l) => l.handler === 'reconcile')).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('error policy with fakes', () => {
  function edgeWith(paths: Partial<PathTable>): { edge: AwsEdge; logger: ReturnType<typeof memoryLogger> } {
    const logger = memoryLogger();
    const deps: CoreDeps = {
      clouds: {
        aws: {
          paths: { list: async () => [], withdraw: async () => 'applied' as const, restore: async () => 'applied' as const, ...paths },
          tunnels: { list: async () => [] },
        },
      },
      ledger: new MemoryLedger(),
      notifier: { notify: async () => undefined },
      clock: { now: () => new Date('2026-11-25T01:00:30Z') },
      logger,
      policy: { ...DEFAULT_POLICY, retryAttempts: 1, retryBaseMs: 0 },
      sleep: async () => undefined,
    };
    return { edge: { deps, config: configSchema.parse({}), region: 'ap-northeast-1', target: 'test' }, logger };
  }

  it('throws a transient cloud failure so Lambda retries, after logging it', async () => {
    const { edge, logger } = edgeWith({
      list: async () => {
        throw new TransientError('RequestLimitExceeded');
      },
    });
    await expect(makeTunnelAlarmHandler(edge)(fixture('example-tunnel-degraded-alarm.json'))).rejects.toBeInstanceOf(TransientError);
    expect(logger.entries.at(-1)).toMatchObject({
      severity: 'ERROR',
      handler: 'tunnelAlarm',
      failed: [expect.stringMatching(/will be retried/)],
    });
  });

  it('throws an error nothing classified too (another delivery is safe: the decision is idempotent)', async () => {
    const unknown = new Error('socket hang up');
    const { edge } = edgeWith({
      list: async () => {
        throw unknown;
      },
    });
    await expect(makeTunnelAlarmHandler(edge)(fixture('example-tunnel-degraded-alarm.json'))).rejects.toBe(unknown);
  });

  it('does not throw for a programming error (the same code fails the same way on every retry): reports it', async () => {
    const { edge } = edgeWith({
      list: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'Routes')");
      },
    });
    const r = await makeTunnelAlarmHandler(edge)(fixture('example-tunnel-degraded-alarm.json'));
    expect(r.ok).toBe(false);
    expect(r.failed).toEqual([expect.stringContaining('Cannot read properties of undefined')]);
  });

  it('does not throw for a permanent failure (a retry cannot fix it): reports it', async () => {
    const { edge } = edgeWith({
      list: async () => {
        throw new PermanentError('UnauthorizedOperation');
      },
    });
    const r = await makeTunnelAlarmHandler(edge)(fixture('example-tunnel-degraded-alarm.json'));
    expect(r.ok).toBe(false);
    expect(r.failed).toEqual([expect.stringContaining('UnauthorizedOperation')]);
    expect(r.failed[0]).not.toMatch(/retried/);
  });

  it('refuses link messages when no secret is configured', async () => {
    const { edge } = edgeWith({});
    const body = signLinkMessage(
      {
        v: 1,
        id: 'x',
        origin: 'gcp',
        fromTunnelId: 'gcp:p:r:t',
        toTunnelId: T1,
        health: 'degraded',
        observedAt: '2026-11-25T01:00:00Z',
        reason: '',
      },
      'anything',
    );
    const r = await makeTunnelAlarmHandler(edge)({ Records: [{ EventSource: 'aws:sns', Sns: { Message: JSON.stringify(body) } }] });
    expect(r.ignored[0]).toMatch(/no link secret configured/);
    expect(r.reports).toEqual([]);
  });

  it('reconcile handler logs one line and returns the reports', async () => {
    const { edge, logger } = edgeWith({});
    const r = await makeReconcileHandler(edge)({});
    expect(r).toEqual({ ok: true, target: 'test', reports: [] });
    expect(logger.entries.filter((e) => e.handler === 'reconcile')).toHaveLength(1);
  });
});

describe('composition', () => {
  it('refuses to start without a table and topic (and without the simulator)', () => {
    expect(() => composeAws({}, { logger: memoryLogger() })).toThrow(/TUNNEL_GUARD_TABLE and TUNNEL_GUARD_TOPIC_ARN/);
  });
  it('refuses a bad configuration with a clear reason', () => {
    expect(() => composeAws({ TUNNEL_GUARD_SIMULATOR: '/tmp/x.json', TUNNEL_GUARD_MAX_FLAPS: 'many' }, { logger: memoryLogger() })).toThrow(
      /TUNNEL_GUARD_MAX_FLAPS/,
    );
  });
  it('refuses an alarm topic allow-list entry that is not an SNS topic ARN', () => {
    expect(() =>
      composeAws({ TUNNEL_GUARD_SIMULATOR: '/tmp/x.json', TUNNEL_GUARD_ALARM_TOPIC_ARNS: 'vpn-alarms' }, { logger: memoryLogger() }),
    ).toThrow(/TUNNEL_GUARD_ALARM_TOPIC_ARNS must list SNS topic ARNs: "vpn-alarms"/);
    const edge = composeAws(
      { TUNNEL_GUARD_SIMULATOR: '/tmp/x.json', TUNNEL_GUARD_ALARM_TOPIC_ARNS: ' arn:aws:sns:eu-west-1:123456789012:a ,' },
      { logger: memoryLogger() },
    );
    expect(edge.alarmTopicArns).toEqual(['arn:aws:sns:eu-west-1:123456789012:a']);
  });
  it('builds the real adapters from the environment without calling AWS', async () => {
    const mocks = [mockClient(EC2Client), mockClient(DynamoDBClient), mockClient(SNSClient)];
    try {
      const edge = composeAws(
        {
          TUNNEL_GUARD_TABLE: 't',
          TUNNEL_GUARD_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:t',
          AWS_REGION: 'eu-west-1',
          TUNNEL_GUARD_AWS_TGW_ROUTE_TABLE_IDS: 'tgw-rtb-1',
        },
        { logger: memoryLogger() },
      );
      expect(edge.target).toBe('aws:eu-west-1');
      expect(edge.deps.ledger).toBeInstanceOf(DynamoDbLedger);
      expect(edge.deps.notifier).toBeInstanceOf(SnsNotifier);
      expect(edge.deps.clouds.aws?.paths).toBeInstanceOf(AwsPathTable);
      expect(edge.deps.clouds.aws?.tunnels).toBeInstanceOf(VpnTunnelHealthView);
      expect(edge.deps.clouds.gcp).toBeUndefined();
      // Composing (a cold start) sends nothing: clients are built, not used.
      for (const m of mocks) expect(m.calls()).toHaveLength(0);
      // The first use reads the configured TGW route table through the real EC2 adapter.
      mocks[0]!.resolves({});
      await edge.deps.clouds.aws!.paths.list();
      expect(mocks[0]).toHaveReceivedCommandWith(DescribeTransitGatewayRouteTablesCommand, { TransitGatewayRouteTableIds: ['tgw-rtb-1'] });
    } finally {
      for (const m of mocks) m.restore();
    }
  });
});

it('builds the decisions topic ARN from its name and the function ARN (no CloudFormation reference needed)', async () => {
  const { topicArnOf } = await import('../../functions/compose');
  expect(
    topicArnOf(
      { TUNNEL_GUARD_TOPIC_NAME: 'tg-decisions' },
      'ap-northeast-1',
      'arn:aws:lambda:ap-northeast-1:123456789012:function:tunnel-guard-prod-tunnelAlarm',
    ),
  ).toBe('arn:aws:sns:ap-northeast-1:123456789012:tg-decisions');
  expect(topicArnOf({ TUNNEL_GUARD_TOPIC_ARN: 'arn:aws:sns:x:1:t', TUNNEL_GUARD_TOPIC_NAME: 'n' }, 'r', undefined)).toBe(
    'arn:aws:sns:x:1:t',
  );
  expect(topicArnOf({ TUNNEL_GUARD_TOPIC_NAME: 'n' }, 'r', undefined)).toBeUndefined();
});
