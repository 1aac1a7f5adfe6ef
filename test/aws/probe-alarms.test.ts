/**
 * Probe alarms (CloudWatch Network Synthetic Monitor `PacketLoss`), two per link: the trip alarm's ALARM drains,
 * the clear alarm's OK recovers, the clear alarm's ALARM holds a drained tunnel out (the hold-down starts again), and
 * the trip alarm's OK says nothing — hysteresis out of two alarms. Each carries the loss it evaluated.
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

  it('drains on the heavy-loss alarm too, on the same monitor', () => {
    expect(only(parseAlarmEvent(probeEvent('fast' as 'trip', 'ALARM'), ctx))).toMatchObject({
      ok: true,
      value: { signal: { health: 'degraded', basis: 'probe', monitor: `probe:aws:ap-northeast-1:${VPN}:${IP}` } },
    });
    expect(only(parseAlarmEvent(probeEvent('fast' as 'trip', 'OK'), ctx)).ok).toBe(false);
  });

  it('says nothing when the trip alarm goes OK, with the reason', () => {
    const r = only(parseAlarmEvent(probeEvent('trip', 'OK'), ctx));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/below the trip threshold/);
  });

  it('the clear alarm going ALARM is a hold: not recovered, and never a reason to drain', () => {
    expect(only(parseAlarmEvent(probeEvent('clear', 'ALARM'), ctx))).toMatchObject({
      ok: true,
      value: { signal: { health: 'degraded', hold: true, basis: 'probe', evidence: expect.stringMatching(/above the clear threshold/) } },
    });
    const trip = only(parseAlarmEvent(probeEvent('trip', 'ALARM'), ctx));
    expect(trip.ok && trip.value.kind === 'signal' && trip.value.signal.hold).toBeFalsy();
  });

  it('carries the loss the alarm evaluated (PacketLoss is in percent; the echo crosses the link both ways)', () => {
    const e = probeEvent('trip', 'ALARM');
    e.detail.state.reasonData = JSON.stringify({
      version: '1.0',
      statistic: 'Average',
      period: 30,
      recentDatapoints: [1.5, 12.5],
      threshold: 2,
    });
    // The mean of the evaluated periods: one period of a few dozen echoes is too coarse to compare tunnels on.
    expect(only(parseAlarmEvent(e, ctx))).toMatchObject({ ok: true, value: { signal: { measure: { ratio: 0.07, span: 'round-trip' } } } });
    e.detail.state.reasonData = 'not json';
    const bad = only(parseAlarmEvent(e, ctx));
    expect(bad.ok && bad.value.kind === 'signal' && bad.value.signal.measure).toBeFalsy();
  });

  it('a probe that stops reporting cannot vouch for the tunnel', () => {
    expect(only(parseAlarmEvent(probeEvent('clear', 'INSUFFICIENT_DATA'), ctx))).toMatchObject({
      ok: true,
      value: { signal: { health: 'unknown' } },
    });
  });
});
