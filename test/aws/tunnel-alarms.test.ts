/**
 * The generated `TunnelState` alarms (functions/deploy/tunnel-alarms.js). AWS does not document how often `AWS/VPN`
 * metrics are published, so the alarm must stay OK on a healthy tunnel whether data points arrive every 60 s or every
 * 300 s (with some jitter), and still go to ALARM on a tunnel that reports 0. The evaluator below is a deliberately
 * small model of CloudWatch's period / M-of-N / missing-data rules, enough to tell a good definition from a bad one.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { tunnelAlarms, TUNNEL_STATE_EVALUATION } = require('../../functions/deploy/tunnel-alarms.js');

interface Evaluation {
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  Threshold: number;
  TreatMissingData: 'breaching' | 'notBreaching' | 'missing' | 'ignore';
}
type State = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** Data points (time in seconds, value) → the alarm state at `at`, with the `Maximum` statistic and `<` threshold. */
function evaluate(def: Evaluation, points: { t: number; v: number }[], at: number): State {
  const end = Math.floor(at / def.Period) * def.Period; // the last complete period ends here
  const periods: (boolean | undefined)[] = []; // breaching? undefined = no data
  for (let i = def.EvaluationPeriods; i >= 1; i--) {
    const from = end - i * def.Period;
    const inside = points.filter((p) => p.t >= from && p.t < from + def.Period);
    periods.push(inside.length ? Math.max(...inside.map((p) => p.v)) < def.Threshold : undefined);
  }
  const filled = periods.map((b) =>
    b !== undefined ? b : def.TreatMissingData === 'breaching' ? true : def.TreatMissingData === 'notBreaching' ? false : undefined,
  );
  const present = filled.filter((b): b is boolean => b !== undefined);
  if (present.length === 0) return 'INSUFFICIENT_DATA';
  return present.filter(Boolean).length >= def.DatapointsToAlarm ? 'ALARM' : 'OK';
}

/** A tunnel's `TunnelState` series: one point every `interval` s with up to `jitter` s of delay (seeded). */
function series(interval: number, hours: number, value: (t: number) => number, jitter = 0, seed = 7): { t: number; v: number }[] {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: { t: number; v: number }[] = [];
  for (let t = 0; t < hours * 3600; t += interval) out.push({ t: t + Math.floor(rnd() * jitter), v: value(t) });
  return out;
}

/** Every minute of the run: was the alarm ever in ALARM? */
const everAlarms = (def: Evaluation, points: { t: number; v: number }[], hours: number): boolean => {
  for (let at = 3600; at < hours * 3600; at += 60) if (evaluate(def, points, at) === 'ALARM') return true;
  return false;
};

const generated = () =>
  tunnelAlarms('vpn-0a1b2c3d4e5f60001:203.0.113.11').Resources.TunnelStateAlarmvpn0a1b2c3d4e5f60001203011311.Properties;

describe('the generated TunnelState alarm', () => {
  it('has the documented shape: 300 s periods, 2 of 2 below 1 (Maximum), missing data neither breaching nor OK', () => {
    expect(generated()).toEqual({
      AlarmName: 'tunnel-guard-vpn-0a1b2c3d4e5f60001-203.0.113.11-TunnelState',
      AlarmDescription: expect.stringContaining('203.0.113.11'),
      Namespace: 'AWS/VPN',
      MetricName: 'TunnelState',
      Dimensions: [
        { Name: 'VpnId', Value: 'vpn-0a1b2c3d4e5f60001' },
        { Name: 'TunnelIpAddress', Value: '203.0.113.11' },
      ],
      Statistic: 'Maximum',
      Period: 300,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'missing',
    });
    expect(generated()).toMatchObject(TUNNEL_STATE_EVALUATION);
  });

  it.each([
    ['every 60 s', 60, 0],
    ['every 60 s, up to 50 s late', 60, 50],
    ['every 300 s', 300, 0],
    ['every 300 s, up to 120 s late', 300, 120],
    ['every 300 s, up to 290 s late (periods left empty)', 300, 290],
  ])('never alarms on a healthy tunnel published %s', (_name, interval, jitter) => {
    expect(
      everAlarms(
        generated(),
        series(interval, 24, () => 1, jitter),
        24,
      ),
    ).toBe(false);
  });

  it.each([60, 300])('alarms on a tunnel that reports 0 (published every %i s)', (interval) => {
    const down = series(interval, 4, (t) => (t >= 2 * 3600 ? 0 : 1));
    expect(evaluate(generated(), down, 3 * 3600)).toBe('ALARM');
    expect(evaluate(generated(), down, 2 * 3600 - 60)).toBe('OK');
  });

  it('says INSUFFICIENT_DATA (never acted on) rather than ALARM when data stops altogether', () => {
    const stops = series(300, 4, () => 1).filter((p) => p.t < 2 * 3600);
    expect(evaluate(generated(), stops, 3 * 3600)).toBe('INSUFFICIENT_DATA');
  });

  it('the old definition (60 s, 3 of 3, missing = breaching) would alarm on a healthy tunnel published every 300 s', () => {
    const old: Evaluation = { Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 3, Threshold: 1, TreatMissingData: 'breaching' };
    expect(
      everAlarms(
        old,
        series(300, 24, () => 1),
        24,
      ),
    ).toBe(true);
  });
});
