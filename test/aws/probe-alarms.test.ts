/**
 * Probe alarms (CloudWatch Network Synthetic Monitor `PacketLoss`), two per link: the trip alarm's ALARM drains,
 * the clear alarm's OK recovers, and the other two transitions say nothing — hysteresis out of two alarms.
 */
import { parseAlarmEvent } from '../../functions/parse-alarm';
import ev from '../fixtures/aws/eventbridge-single-metric.json';

const VPN = 'vpn-0a1b2c3d4e5f60001';
const IP = '203.0.113.11';
const ctx = { alarmTunnels: {}, defaultRegion: 'ap-northeast-1' };

/** The documented single-metric event, re-pointed at a probe alarm of the deploy tooling. */
function probeEvent(role: 'trip' | 'clear', value: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA', at = '2026-11-25T01:00:00.000+0000') {
  const e = structuredClone(ev) as Record<string, any>;
  const name = `tunnel-guard-probe-${VPN}-${IP}-${role}`;
  e.region = 'ap-northeast-1';
  e.resources = [`arn:aws:cloudwatch:ap-northeast-1:123456789012:alarm:${name}`];
  e.detail.alarmName = name;
  e.detail.configuration.metrics = [
    {
      id: 'm1',
      metricStat: {
        metric: { namespace: 'AWS/NetworkMonitor', name: 'PacketLoss', dimensions: { Monitor: 'tunnel-guard-probes', Probe: 'probe-abc' } },
        period: 30,
        stat: 'Average',
      },
      returnData: true,
    },
  ];
  e.detail.state = { ...e.detail.state, value, timestamp: at };
  return e;
}

const only = (r: ReturnType<typeof parseAlarmEvent>) => {
  expect(r).toHaveLength(1);
  return r[0]!;
};

describe('probe alarms', () => {
  it('drains on the trip alarm, as a probe measurement of the tunnel named in the alarm', () => {
    const r = only(parseAlarmEvent(probeEvent('trip', 'ALARM'), ctx));
    expect(r).toMatchObject({
      ok: true,
      value: {
        kind: 'signal',
        signal: {
          tunnelId: `aws:ap-northeast-1:${VPN}:${IP}`,
          health: 'degraded',
          basis: 'probe',
          monitor: `probe:aws:ap-northeast-1:${VPN}:${IP}`,
        },
      },
    });
  });

  it('recovers on the clear alarm going OK, on the same monitor as the trip alarm', () => {
    const trip = only(parseAlarmEvent(probeEvent('trip', 'ALARM'), ctx));
    const clear = only(parseAlarmEvent(probeEvent('clear', 'OK', '2026-11-25T01:20:00.000+0000'), ctx));
    expect(clear).toMatchObject({ ok: true, value: { signal: { health: 'healthy', basis: 'probe' } } });
    const m = (x: typeof trip) => (x.ok && x.value.kind === 'signal' ? x.value.signal.monitor : undefined);
    expect(m(clear)).toBe(m(trip));
  });

  it.each([
    ['trip', 'OK', /below the trip threshold/],
    ['clear', 'ALARM', /above the clear threshold/],
  ] as const)('says nothing when the %s alarm goes %s, with the reason', (role, value, reason) => {
    const r = only(parseAlarmEvent(probeEvent(role, value), ctx));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('a probe that stops reporting cannot vouch for the tunnel', () => {
    expect(only(parseAlarmEvent(probeEvent('clear', 'INSUFFICIENT_DATA'), ctx))).toMatchObject({
      ok: true,
      value: { signal: { health: 'unknown' } },
    });
  });
});
