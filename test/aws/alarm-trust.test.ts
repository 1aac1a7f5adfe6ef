/**
 * Alarm events are claims: the Lambda believes one only after CloudWatch (DescribeAlarms, the real SDK client against
 * aws-sdk-client-mock) confirms the alarm, its metric and its state, after the event's account is the function's own,
 * and — for SNS — after SNS's signature verifies. Each refusal changes nothing in the (simulated) cloud.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAlarms } from '../../functions/adapters/cloudwatch-alarms';
import { type AwsEdge, composeAws } from '../../functions/compose';
import { makeTunnelAlarmHandler } from '../../functions/handlers';
import { memoryLogger } from '../../shared/log';
import { openSimulator } from '../../simulator';
import { signSnsRecord, testSnsVerifier } from './support/sns-signing';

const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/aws', name), 'utf8'));
const ACCOUNT = '123456789012';
const REGION = 'ap-northeast-1';
const VPN1 = 'vpn-0a1b2c3d4e5f60001';
const IP1 = '203.0.113.11';
const MONITOR = 'tunnel-guard-prod-probes';
const PROBE_NAME = `tunnel-guard-probe-${VPN1}-${IP1}-trip`;
const AT = '2026-11-25T01:00:00.000Z';
const ALARM_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:vpn-alarms`;

const cw = mockClient(CloudWatchClient);
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-trust-'));
  cw.reset();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => cw.restore());

/** An edge on the simulator with the production trust checks: CloudWatch confirmation, account, SNS signatures. */
function edge(extra: Record<string, string> = {}): { edge: AwsEdge; file: string } {
  const file = join(dir, 'sim.json');
  const e = composeAws(
    { TUNNEL_GUARD_SIMULATOR: file, TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0', ...extra },
    { logger: memoryLogger(), cwd: dir },
  );
  const client = new CloudWatchClient({ region: REGION });
  return {
    edge: { ...e, account: ACCOUNT, alarms: new CloudWatchAlarms(client), probeMonitor: MONITOR, snsVerifier: testSnsVerifier() },
    file,
  };
}

/** The documented EventBridge alarm event, turned into `name` in ALARM at AT on one metric. */
function eventFor(name: string, metric: { namespace: string; name: string; dimensions: Record<string, string> }, account = ACCOUNT) {
  const e = fixture('eventbridge-single-metric.json');
  const arn = `arn:aws:cloudwatch:${REGION}:${account}:alarm:${name}`;
  Object.assign(e, { account, region: REGION, resources: [arn] });
  e.detail.alarmName = name;
  e.detail.state = { ...e.detail.state, value: 'ALARM', timestamp: AT.replace('Z', '+0000') };
  e.detail.configuration.metrics[0].metricStat.metric = metric;
  return e;
}

/** What CloudWatch holds for `name`. */
const described = (name: string, m: Partial<MetricAlarm>): MetricAlarm => ({
  AlarmName: name,
  AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
  StateValue: 'ALARM',
  StateTransitionedTimestamp: new Date(AT),
  StateUpdatedTimestamp: new Date(AT),
  ...m,
});

const probeMetric = { namespace: 'AWS/NetworkMonitor', name: 'PacketLoss', dimensions: { Monitor: MONITOR, Probe: 'probe-0a1b2c3d4e5f6' } };
const vpnMetric = { namespace: 'AWS/VPN', name: 'TunnelState', dimensions: { VpnId: VPN1, TunnelIpAddress: IP1 } };

async function routes(file: string) {
  const s = await openSimulator(file).read();
  return JSON.stringify(s.aws.vpnConnections.map((c) => c.routes));
}

describe('probe alarms are confirmed by what they watch, not recognised by name', () => {
  it('drains on a probe alarm CloudWatch confirms (AWS/NetworkMonitor PacketLoss of the deployed monitor)', async () => {
    const { edge: e, file } = edge();
    cw.on(DescribeAlarmsCommand, { AlarmNames: [PROBE_NAME] }).resolves({
      MetricAlarms: [
        described(PROBE_NAME, {
          Namespace: 'AWS/NetworkMonitor',
          MetricName: 'PacketLoss',
          Dimensions: Object.entries(probeMetric.dimensions).map(([Name, Value]) => ({ Name, Value })),
        }),
      ],
    });
    const before = await routes(file);
    const r = await makeTunnelAlarmHandler(e)(eventFor(PROBE_NAME, probeMetric));
    expect(r.ignored).toEqual([]);
    expect(r.reports[0]).toMatchObject({ decision: 'drain' });
    expect(await routes(file)).not.toBe(before);
  });

  it('refuses a home-made alarm with a probe name on another namespace, and changes nothing', async () => {
    const { edge: e, file } = edge();
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        described(PROBE_NAME, { Namespace: 'Custom/Anything', MetricName: 'Whatever', Dimensions: [{ Name: 'Monitor', Value: MONITOR }] }),
      ],
    });
    const before = await routes(file);
    // The forger's event even claims the right metric: CloudWatch's own description is what counts.
    const r = await makeTunnelAlarmHandler(e)(eventFor(PROBE_NAME, probeMetric));
    expect(r.reports).toEqual([]);
    expect(r.ignored).toEqual([expect.stringMatching(/named like a probe alarm but watches Custom\/Anything Whatever.*refused/)]);
    expect(await routes(file)).toBe(before);
  });

  it('refuses an alarm that does not exist (a direct invocation with an alarm-action payload)', async () => {
    const { edge: e } = edge();
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], CompositeAlarms: [] });
    const action = fixture('lambda-action-metric.json');
    Object.assign(action, { accountId: ACCOUNT, region: REGION, alarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:tunnel-guard-x` });
    action.alarmData.alarmName = 'tunnel-guard-x';
    action.alarmData.state.timestamp = AT;
    action.alarmData.configuration.metrics[0].metricStat.metric = vpnMetric;
    const r = await makeTunnelAlarmHandler(e)(action);
    expect(r.reports).toEqual([]);
    expect(r.ignored).toEqual([expect.stringMatching(/does not exist in this account and region \(DescribeAlarms\): refused as forged/)]);
  });

  it('refuses an AWS/VPN claim on an alarm that watches something else', async () => {
    const { edge: e } = edge();
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [described('tunnel-guard-vpn', { Namespace: 'AWS/EC2', MetricName: 'CPUUtilization', Dimensions: [] })],
    });
    const r = await makeTunnelAlarmHandler(e)(eventFor('tunnel-guard-vpn', vpnMetric));
    expect(r.ignored).toEqual([expect.stringMatching(/does not watch AWS\/VPN metrics of vpn-0a1b2c3d4e5f60001:203.0.113.11/)]);
  });

  it('refuses a stale copy, and retries when CloudWatch has not caught up yet', async () => {
    const { edge: e } = edge();
    const dims = Object.entries(vpnMetric.dimensions).map(([Name, Value]) => ({ Name, Value }));
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        described('tunnel-guard-vpn', {
          Namespace: 'AWS/VPN',
          MetricName: 'TunnelState',
          Dimensions: dims,
          StateValue: 'OK',
          StateTransitionedTimestamp: new Date('2026-11-25T01:05:00Z'),
        }),
      ],
    });
    const stale = await makeTunnelAlarmHandler(e)(eventFor('tunnel-guard-vpn', vpnMetric));
    expect(stale.ignored).toEqual([expect.stringMatching(/stale event/)]);
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [
        described('tunnel-guard-vpn', {
          Namespace: 'AWS/VPN',
          MetricName: 'TunnelState',
          Dimensions: dims,
          StateValue: 'OK',
          StateTransitionedTimestamp: new Date('2026-11-25T00:50:00Z'),
        }),
      ],
    });
    await expect(makeTunnelAlarmHandler(e)(eventFor('tunnel-guard-vpn', vpnMetric))).rejects.toThrow(/CloudWatch says OK/);
  });
});

describe('the account', () => {
  it("refuses another account's event before asking CloudWatch", async () => {
    const { edge: e, file } = edge();
    const before = await routes(file);
    const r = await makeTunnelAlarmHandler(e)(eventFor('tunnel-guard-vpn', vpnMetric, '999999999999'));
    expect(r.reports).toEqual([]);
    expect(r.ignored).toEqual([
      expect.stringMatching(/event from account 999999999999, not this function's account 123456789012; refused/),
    ]);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
    expect(await routes(file)).toBe(before);
  });
});

describe('SNS: the allow-list is checked against a real delivery', () => {
  /** A CloudWatch alarm notification for the tunnel, on the allow-listed topic, as a direct invocation would forge it. */
  function snsEvent() {
    const e = fixture('sns-single-metric.json');
    const m = JSON.parse(e.Records[0].Sns.Message);
    Object.assign(m, {
      AlarmName: 'tunnel-guard-vpn',
      AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:tunnel-guard-vpn`,
      AWSAccountId: ACCOUNT,
      NewStateValue: 'ALARM',
      StateChangeTime: AT.replace('Z', '+0000'),
    });
    Object.assign(m.Trigger, {
      Namespace: 'AWS/VPN',
      MetricName: 'TunnelState',
      Dimensions: [
        { name: 'VpnId', value: VPN1 },
        { name: 'TunnelIpAddress', value: IP1 },
      ],
    });
    e.Records[0].Sns.Message = JSON.stringify(m);
    e.Records[0].Sns.TopicArn = ALARM_TOPIC;
    e.Records[0].EventSubscriptionArn = `${ALARM_TOPIC}:0b6941c4-f150-4a2d-9d6a-6e4b9b4b0a01`;
    return e;
  }

  beforeEach(() => {
    const dims = Object.entries(vpnMetric.dimensions).map(([Name, Value]) => ({ Name, Value }));
    cw.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [described('tunnel-guard-vpn', { Namespace: 'AWS/VPN', MetricName: 'TunnelState', Dimensions: dims })],
    });
  });

  it('refuses a direct invocation with an SNS-shaped payload naming an allow-listed topic', async () => {
    const { edge: e, file } = edge({ TUNNEL_GUARD_ALARM_TOPIC_ARNS: ALARM_TOPIC });
    const before = await routes(file);
    const forged = snsEvent();
    const r = await makeTunnelAlarmHandler(e)(forged);
    expect(r.reports).toEqual([]);
    expect(r.ignored).toEqual([
      expect.stringMatching(/SNS alarm notification "tunnel-guard-vpn" refused: SNS record names no signing certificate/),
    ]);
    // Changing one signed field after signing fails too.
    const altered = snsEvent();
    signSnsRecord(altered.Records[0]);
    altered.Records[0].Sns.TopicArn = ALARM_TOPIC.replace('vpn-alarms', 'vpn-alarms-2');
    const r2 = await makeTunnelAlarmHandler({ ...e, alarmTopicArns: [ALARM_TOPIC, ALARM_TOPIC.replace('vpn-alarms', 'vpn-alarms-2')] })(
      altered,
    );
    expect(r2.ignored).toEqual([expect.stringMatching(/SNS signature does not verify/)]);
    expect(await routes(file)).toBe(before);
  });

  it('acts on the same notification delivered (signed) by SNS', async () => {
    const { edge: e } = edge({ TUNNEL_GUARD_ALARM_TOPIC_ARNS: ALARM_TOPIC });
    const real = snsEvent();
    signSnsRecord(real.Records[0]);
    const r = await makeTunnelAlarmHandler(e)(real);
    expect(r.ignored).toEqual([]);
    expect(r.reports).toHaveLength(1);
  });
});
