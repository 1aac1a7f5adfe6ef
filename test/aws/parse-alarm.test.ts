import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alarmToSignal, normaliseTimestamp, parseAlarmEvent, type ParseContext, type Parsed } from '../../functions/parse-alarm';
import type { Signal } from '../../shared/types';

const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/aws', name), 'utf8'));
const ctx: ParseContext = { alarmTunnels: {} };
const VPN = 'vpn-0a1b2c3d4e5f60001';
const IP = '203.0.113.11';
const vpnDims = { VpnId: VPN, TunnelIpAddress: IP };

const only = (r: Parsed[]): Parsed => {
  expect(r).toHaveLength(1);
  return r[0]!;
};
const signalOf = (r: Parsed[]): Signal => {
  const p = only(r);
  if (!p.ok || p.value.kind !== 'signal') throw new Error(`expected a signal, got ${JSON.stringify(p)}`);
  return p.value.signal;
};
const reasonOf = (r: Parsed[]): string => {
  const p = only(r);
  if (p.ok) throw new Error(`expected a refusal, got ${JSON.stringify(p)}`);
  return p.reason;
};

/** The documented single-metric event, turned into an AWS/VPN alarm. */
function ebSingle(metric = 'TunnelState', value = 'ALARM') {
  const e = fixture('eventbridge-single-metric.json');
  e.detail.configuration.metrics[0].metricStat.metric = { namespace: 'AWS/VPN', name: metric, dimensions: { ...vpnDims } };
  e.detail.state.value = value;
  return e;
}

describe('EventBridge CloudWatch Alarm State Change', () => {
  it('maps ALARM on TunnelState to down for the tunnel in the dimensions', () => {
    const s = signalOf(parseAlarmEvent(ebSingle(), ctx));
    expect(s).toEqual({
      tunnelId: `aws:us-east-1:${VPN}:${IP}`,
      health: 'down',
      observedAt: '2019-10-02T17:04:40.989Z',
      source: 'aws-eventbridge',
      monitor: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh',
      // TunnelState says whether the tunnel is up, nothing about loss.
      basis: 'state',
      key: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServerCpuTooHigh:ALARM:2019-10-02T17:04:40.989Z',
      evidence: expect.stringContaining('Threshold Crossed'),
    });
  });

  it.each([
    ['TunnelDataIn', 'ALARM', 'degraded'],
    ['TunnelState', 'OK', 'healthy'],
    ['TunnelDataOut', 'OK', 'healthy'],
    ['TunnelState', 'INSUFFICIENT_DATA', 'unknown'],
  ])('maps %s in %s to %s', (metric, value, health) => {
    expect(signalOf(parseAlarmEvent(ebSingle(metric, value), ctx)).health).toBe(health);
  });

  it('ignores the documented EC2 CPU alarm: no AWS/VPN dimensions and not mapped', () => {
    expect(reasonOf(parseAlarmEvent(fixture('eventbridge-single-metric.json'), ctx))).toMatch(
      /no AWS\/VPN VpnId\+TunnelIpAddress dimensions/,
    );
  });

  it('uses the configured mapping for an alarm without VPN dimensions', () => {
    const s = signalOf(
      parseAlarmEvent(fixture('eventbridge-single-metric.json'), { alarmTunnels: { ServerCpuTooHigh: 'aws:us-east-1:vpn-x:192.0.2.1' } }),
    );
    expect(s.tunnelId).toBe('aws:us-east-1:vpn-x:192.0.2.1');
    expect(s.health).toBe('degraded');
  });

  it('takes the tunnel from the metric of a metric-math alarm that carries VPN dimensions', () => {
    const e = fixture('eventbridge-metric-math.json');
    for (const m of e.detail.configuration.metrics.slice(1))
      m.metricStat.metric = { namespace: 'AWS/VPN', name: 'TunnelDataIn', dimensions: { ...vpnDims } };
    const s = signalOf(parseAlarmEvent(e, ctx));
    expect(s).toMatchObject({ tunnelId: `aws:us-east-1:${VPN}:${IP}`, health: 'degraded', observedAt: '2019-10-02T17:20:48.554Z' });
  });

  it('refuses to guess when a metric-math alarm spans two tunnels', () => {
    const e = fixture('eventbridge-metric-math.json');
    e.detail.configuration.metrics[1].metricStat.metric = { namespace: 'AWS/VPN', name: 'TunnelState', dimensions: { ...vpnDims } };
    e.detail.configuration.metrics[2].metricStat.metric = {
      namespace: 'AWS/VPN',
      name: 'TunnelState',
      dimensions: { VpnId: VPN, TunnelIpAddress: '203.0.113.12' },
    };
    expect(reasonOf(parseAlarmEvent(e, ctx))).toMatch(/spans 2 tunnels/);
  });

  it('maps an anomaly-detection alarm on a tunnel metric', () => {
    const e = fixture('eventbridge-anomaly-detection.json');
    e.detail.configuration.metrics[0].metricStat.metric = { namespace: 'AWS/VPN', name: 'TunnelDataOut', dimensions: { ...vpnDims } };
    expect(signalOf(parseAlarmEvent(e, ctx))).toMatchObject({
      tunnelId: `aws:us-east-1:${VPN}:${IP}`,
      health: 'degraded',
      observedAt: '2019-10-03T16:00:04.653Z',
    });
  });

  it('maps a composite alarm only by configuration or by its tunnel-guard:tunnel tag', () => {
    const e = fixture('eventbridge-composite.json');
    expect(reasonOf(parseAlarmEvent(e, ctx))).toMatch(/ServiceAggregatedAlarm.*not mapped/);
    const tagged = structuredClone(e);
    tagged.detail.alarmTags = { 'tunnel-guard:tunnel': 'aws:us-east-1:vpn-t:192.0.2.9' };
    expect(signalOf(parseAlarmEvent(tagged, ctx))).toMatchObject({ tunnelId: 'aws:us-east-1:vpn-t:192.0.2.9', health: 'degraded' });
    const mapped = signalOf(parseAlarmEvent(e, { alarmTunnels: { ServiceAggregatedAlarm: 'aws:us-east-1:vpn-c:192.0.2.2' } }));
    expect(mapped).toMatchObject({ tunnelId: 'aws:us-east-1:vpn-c:192.0.2.2', observedAt: '2022-07-22T15:57:45.394Z' });
  });

  it('ignores configuration-change events', () => {
    expect(reasonOf(parseAlarmEvent(fixture('eventbridge-configuration-change.json'), ctx))).toMatch(
      /Configuration Change.*not an alarm state change/,
    );
  });

  it('gives the same key to the same state change, and a new key to a new one', () => {
    const a = signalOf(parseAlarmEvent(ebSingle(), ctx));
    const b = signalOf(parseAlarmEvent(structuredClone(ebSingle()), ctx));
    const later = ebSingle();
    later.detail.state.timestamp = '2019-10-02T17:09:40.989+0000';
    expect(b.key).toBe(a.key);
    expect(signalOf(parseAlarmEvent(later, ctx)).key).not.toBe(a.key);
  });
});

/** The SNS fixtures' topic, allow-listed: SNS-wrapped alarms are read only from listed topics. */
const SNS_TOPIC = 'arn:aws:sns:EXAMPLE';
const snsCtx: ParseContext = { ...ctx, alarmTopicArns: [SNS_TOPIC] };

describe('SNS-wrapped alarm notification', () => {
  const ctx = snsCtx;
  const snsWith = (name: string, edit: (m: any) => void) => {
    const e = fixture(name);
    const m = JSON.parse(e.Records[0].Sns.Message);
    edit(m);
    e.Records[0].Sns.Message = JSON.stringify(m);
    return e;
  };

  it('reads Trigger.Dimensions as a list and the region from the alarm ARN', () => {
    const e = snsWith('sns-single-metric.json', (m) => {
      m.AlarmArn = 'arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:vpn-tunnel-1';
      m.Trigger.Namespace = 'AWS/VPN';
      m.Trigger.MetricName = 'TunnelState';
      m.Trigger.Dimensions = [
        { value: VPN, name: 'VpnId' },
        { value: IP, name: 'TunnelIpAddress' },
      ];
    });
    expect(signalOf(parseAlarmEvent(e, ctx))).toMatchObject({
      tunnelId: `aws:ap-northeast-1:${VPN}:${IP}`,
      health: 'down',
      source: 'aws-sns',
      observedAt: '2015-06-03T17:43:27.123Z',
    });
  });

  it('falls back to the default region when the ARN has a placeholder', () => {
    const e = snsWith(
      'sns-single-metric.json',
      (m) =>
        (m.Trigger.Dimensions = [
          { value: VPN, name: 'VpnId' },
          { value: IP, name: 'TunnelIpAddress' },
        ]),
    );
    expect(signalOf(parseAlarmEvent(e, { ...ctx, defaultRegion: 'eu-west-1' })).tunnelId).toBe(`aws:eu-west-1:${VPN}:${IP}`);
    expect(reasonOf(parseAlarmEvent(e, ctx))).toMatch(/no region/);
  });

  it('reads metric-math Trigger.Metrics', () => {
    const e = snsWith('sns-multiple-metrics.json', (m) => {
      m.AlarmArn = 'arn:aws:cloudwatch:us-west-2:123456789012:alarm:x';
      m.Trigger.Metrics[1].MetricStat.Metric = {
        Dimensions: [
          { value: VPN, name: 'VpnId' },
          { value: IP, name: 'TunnelIpAddress' },
        ],
        MetricName: 'TunnelDataIn',
        Namespace: 'AWS/VPN',
      };
    });
    expect(signalOf(parseAlarmEvent(e, ctx))).toMatchObject({ tunnelId: `aws:us-west-2:${VPN}:${IP}`, health: 'degraded' });
  });

  it('ignores the documented EC2 examples with a reason', () => {
    expect(reasonOf(parseAlarmEvent(fixture('sns-single-metric.json'), ctx))).toMatch(/no AWS\/VPN/);
    expect(reasonOf(parseAlarmEvent(fixture('sns-multiple-metrics.json'), ctx))).toMatch(/no AWS\/VPN/);
  });

  it('passes a signed link message on, unverified, as a link', () => {
    const e = fixture('sns-single-metric.json');
    // A signature that cannot be valid: the parser does not verify, the handler does (with the link secret).
    e.Records[0].Sns.Message = JSON.stringify({ message: '{}', signature: 'ab' });
    expect(only(parseAlarmEvent(e, ctx))).toEqual({
      ok: true,
      value: { kind: 'link', envelope: { message: '{}', signature: 'ab' }, source: 'aws-sns' },
    });
  });

  it('gives one result per record', () => {
    const e = fixture('sns-single-metric.json');
    e.Records.push(structuredClone(e.Records[0]));
    e.Records[1].Sns.Message = 'not json';
    const r = parseAlarmEvent(e, ctx);
    // In record order, each with its own reason: the documented EC2 alarm, then the garbled message.
    expect(r).toEqual([
      { ok: false, reason: expect.stringMatching(/^alarm "EXAMPLE" has no AWS\/VPN VpnId\+TunnelIpAddress dimensions/) },
      { ok: false, reason: expect.stringMatching(/^SNS message is not JSON/) },
    ]);
  });
});

describe('SNS topic allow-list (an SNS message is unsigned)', () => {
  const LINK_TOPIC = 'arn:aws:sns:ap-northeast-1:123456789012:tunnel-guard-prod-link';
  /** A VPN alarm in the SNS envelope, delivered on `topicArn`. */
  const vpnAlarmOn = (topicArn: string | undefined) => {
    const e = fixture('sns-single-metric.json');
    const m = JSON.parse(e.Records[0].Sns.Message);
    m.AlarmArn = 'arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:vpn-tunnel-1';
    m.Trigger.Namespace = 'AWS/VPN';
    m.Trigger.Dimensions = [
      { value: VPN, name: 'VpnId' },
      { value: IP, name: 'TunnelIpAddress' },
    ];
    e.Records[0].Sns.Message = JSON.stringify(m);
    if (topicArn === undefined) delete e.Records[0].Sns.TopicArn;
    else e.Records[0].Sns.TopicArn = topicArn;
    return e;
  };

  it('refuses every SNS-wrapped alarm when the allow-list is empty, naming the variable', () => {
    for (const c of [ctx, { ...ctx, alarmTopicArns: [] }]) {
      expect(reasonOf(parseAlarmEvent(vpnAlarmOn(SNS_TOPIC), c))).toMatch(/TUNNEL_GUARD_ALARM_TOPIC_ARNS is empty/);
    }
  });

  it('reads an alarm only from a listed topic', () => {
    const listed = { ...ctx, alarmTopicArns: ['arn:aws:sns:ap-northeast-1:123456789012:vpn-alarms'] };
    expect(signalOf(parseAlarmEvent(vpnAlarmOn('arn:aws:sns:ap-northeast-1:123456789012:vpn-alarms'), listed))).toMatchObject({
      health: 'degraded',
      source: 'aws-sns',
    });
    expect(reasonOf(parseAlarmEvent(vpnAlarmOn('arn:aws:sns:ap-northeast-1:123456789012:other'), listed))).toMatch(
      /topic arn:aws:sns:ap-northeast-1:123456789012:other refused: not in TUNNEL_GUARD_ALARM_TOPIC_ARNS/,
    );
    expect(reasonOf(parseAlarmEvent(vpnAlarmOn(undefined), listed))).toMatch(/without TopicArn refused/);
  });

  it.each([
    ['its ARN', LINK_TOPIC],
    ['its name', 'tunnel-guard-prod-link'],
  ])('never reads an alarm from the link topic (known by %s), even if it is listed', (_how, linkTopic) => {
    const c = { ...ctx, alarmTopicArns: [LINK_TOPIC], linkTopic };
    expect(reasonOf(parseAlarmEvent(vpnAlarmOn(LINK_TOPIC), c))).toMatch(/on the link topic .* is not a signed link message: refused/);
    // The link topic still carries link envelopes (verified later by the handler).
    const link = vpnAlarmOn(LINK_TOPIC);
    link.Records[0].Sns.Message = JSON.stringify({ message: '{}', signature: 'ab' });
    const p = only(parseAlarmEvent(link, c));
    expect(p.ok && p.value.kind).toBe('link');
  });

  it('does not gate EventBridge events or direct alarm actions', () => {
    const strict = { ...ctx, alarmTopicArns: [], linkTopic: LINK_TOPIC };
    expect(signalOf(parseAlarmEvent(ebSingle(), strict)).health).toBe('down');
    const action = fixture('lambda-action-metric.json');
    action.alarmData.configuration.metrics[0].metricStat.metric = { namespace: 'AWS/VPN', name: 'TunnelState', dimensions: { ...vpnDims } };
    expect(signalOf(parseAlarmEvent(action, strict)).health).toBe('down');
  });
});

describe('monitor: which alarm said it', () => {
  const ARN = 'arn:aws:cloudwatch:us-east-1:444455556666:alarm:lambda-demo-metric-alarm';
  const TUNNEL = `aws:us-east-1:${VPN}:${IP}`;
  const eb = (value: string, arn = ARN, metric = 'TunnelDataIn') => {
    const e = ebSingle(metric, value);
    e.resources = [arn];
    e.detail.alarmName = arn.split(':').at(-1);
    return e;
  };
  const action = (value: string) => {
    // The documented payload, whose alarmArn has a space after the region: still the same alarm.
    const e = fixture('lambda-action-metric.json');
    expect(e.alarmArn).toMatch(/ /);
    e.alarmData.configuration.metrics[0].metricStat.metric = { namespace: 'AWS/VPN', name: 'TunnelDataIn', dimensions: { ...vpnDims } };
    e.alarmData.state.value = value;
    return e;
  };
  const sns = (value: string) => {
    const e = fixture('sns-single-metric.json');
    const m = JSON.parse(e.Records[0].Sns.Message);
    Object.assign(m, { AlarmName: 'lambda-demo-metric-alarm', AlarmArn: ARN, NewStateValue: value });
    Object.assign(m.Trigger, {
      Namespace: 'AWS/VPN',
      MetricName: 'TunnelDataIn',
      Dimensions: [
        { value: VPN, name: 'VpnId' },
        { value: IP, name: 'TunnelIpAddress' },
      ],
    });
    e.Records[0].Sns.Message = JSON.stringify(m);
    return e;
  };

  it('is the alarm ARN, identical across EventBridge, SNS and the Lambda alarm action', () => {
    const all = [
      signalOf(parseAlarmEvent(eb('ALARM'), ctx)),
      signalOf(parseAlarmEvent(sns('ALARM'), snsCtx)),
      signalOf(parseAlarmEvent(action('ALARM'), ctx)),
    ];
    expect(all.map((s) => s.source)).toEqual(['aws-eventbridge', 'aws-sns', 'aws-alarm-action']);
    for (const s of all) expect(s).toMatchObject({ tunnelId: TUNNEL, monitor: ARN });
  });

  it('is shared by ALARM and OK of one alarm, and differs between two alarms on the same tunnel', () => {
    const alarm = signalOf(parseAlarmEvent(eb('ALARM'), ctx));
    const ok = signalOf(parseAlarmEvent(eb('OK'), ctx));
    const okViaSns = signalOf(parseAlarmEvent(sns('OK'), snsCtx));
    const other = signalOf(
      parseAlarmEvent(eb('ALARM', 'arn:aws:cloudwatch:us-east-1:444455556666:alarm:tunnel-state', 'TunnelState'), ctx),
    );
    expect([alarm.health, ok.health, other.health]).toEqual(['degraded', 'healthy', 'down']);
    expect(ok.monitor).toBe(alarm.monitor);
    expect(okViaSns.monitor).toBe(alarm.monitor);
    expect(other.tunnelId).toBe(alarm.tunnelId);
    expect(other.monitor).not.toBe(alarm.monitor);
  });

  it('falls back to alarm:<name> when the envelope carries no ARN', () => {
    const e = eb('ALARM');
    delete e.resources;
    expect(signalOf(parseAlarmEvent(e, ctx)).monitor).toBe('alarm:lambda-demo-metric-alarm');
  });
});

describe('direct Lambda alarm action (alarmData)', () => {
  it('maps the documented metric payload, whose timestamps contain spaces', () => {
    const e = fixture('lambda-action-metric.json');
    e.alarmData.configuration.metrics[0].metricStat.metric = { namespace: 'AWS/VPN', name: 'TunnelState', dimensions: { ...vpnDims } };
    expect(signalOf(parseAlarmEvent(e, ctx))).toMatchObject({
      tunnelId: `aws:us-east-1:${VPN}:${IP}`,
      health: 'down',
      source: 'aws-alarm-action',
      observedAt: '2023-08-04T12:36:15.490Z',
      key: 'arn:aws:cloudwatch:us-east-1:444455556666:alarm:lambda-demo-metric-alarm:ALARM:2023-08-04T12:36:15.490Z',
    });
  });

  it('maps the documented composite payload by configuration', () => {
    const e = fixture('lambda-action-composite.json');
    expect(reasonOf(parseAlarmEvent(e, ctx))).toMatch(/CompositeDemo.Main.*not mapped/);
    expect(signalOf(parseAlarmEvent(e, { alarmTunnels: { 'CompositeDemo.Main': 'aws:us-east-1:vpn-z:192.0.2.3' } })).tunnelId).toBe(
      'aws:us-east-1:vpn-z:192.0.2.3',
    );
  });
});

describe('garbage', () => {
  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'ALARM'],
    ['an empty object', {}],
    ['an empty SNS batch', { Records: [] }],
    ['another AWS service', { source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification', detail: {} }],
  ])('refuses %s with a reason, without throwing', (_name, event) => {
    expect(parseAlarmEvent(event, ctx)).toEqual([
      { ok: false, reason: 'not a CloudWatch alarm event (EventBridge, SNS or Lambda alarm action)' },
    ]);
  });

  it('refuses an alarm event without a state', () => {
    const e = ebSingle();
    delete e.detail.state;
    expect(reasonOf(parseAlarmEvent(e, ctx))).toMatch(/malformed.*detail\.state/);
  });

  it('refuses an unknown state value and a bad timestamp', () => {
    const e = ebSingle();
    e.detail.state.value = 'ON_FIRE';
    expect(reasonOf(parseAlarmEvent(e, ctx))).toMatch(/malformed \(detail\.state\.value/);
    const t = ebSingle();
    t.detail.state.timestamp = 'yesterday';
    expect(reasonOf(parseAlarmEvent(t, ctx))).toMatch(/not a time/);
  });
});

describe('configuration maps are looked up by own keys only', () => {
  it('an alarm named "constructor" is ignored with a reason, never crashes', () => {
    const ev = fixture('lambda-action-composite.json');
    ev.alarmData.alarmName = 'constructor';
    const items = parseAlarmEvent(ev, { alarmTunnels: {}, defaultRegion: 'ap-northeast-1' });
    expect(items.every((i) => !i.ok)).toBe(true);
  });
});

describe('timestamps', () => {
  it.each([
    ['2019-10-02T17:04:40.989+0000', '2019-10-02T17:04:40.989Z'],
    ['2023-08-04T12: 36: 15.490+0000', '2023-08-04T12:36:15.490Z'],
    ['2015-06-03T17:43:27.123Z', '2015-06-03T17:43:27.123Z'],
    ['2019-10-02T19:04:40+0200', '2019-10-02T17:04:40.000Z'],
  ])('normalises %s', (raw, iso) => expect(normaliseTimestamp(raw)).toBe(iso));
  it.each(['', 'now', '2019-13-45T99:99:99Z'])('rejects %j', (raw) => expect(normaliseTimestamp(raw)).toBeUndefined());
});

it('alarmToSignal never acts on INSUFFICIENT_DATA (maps it to unknown)', () => {
  const r = alarmToSignal(
    {
      source: 'aws-eventbridge',
      alarmName: 'a',
      region: 'us-east-1',
      value: 'INSUFFICIENT_DATA',
      timestamp: '2020-01-01T00:00:00Z',
      reason: '',
      metrics: [{ name: 'TunnelState', dimensions: vpnDims }],
      tags: {},
    },
    ctx,
  );
  expect(r.ok && r.value.health).toBe('unknown');
});
