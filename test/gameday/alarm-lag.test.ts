/**
 * Alarm lag: a CloudWatch or Network Synthetic Monitor data point is visible only after its ingestion delay, and a
 * GCP counter only after its sampling and visibility delay; no alarm or alert changes state on data it cannot see yet.
 */
import { AwsAlarmEvaluator, type AlarmDefinition } from '../../gameday/model/aws-alarms';
import { CLOUDWATCH_VISIBLE_S, MetricStore, PROBE_VISIBLE_S } from '../../gameday/model/metrics';
import { runScenario } from '../../gameday/run';
import { deployed, scenario } from './scenarios';

/** A probe's loss (breaching above 2 %) or a tunnel's state (breaching below 1), as one-period alarms. */
const CASES = {
  probe: {
    namespace: 'AWS/NetworkMonitor',
    metric: 'PacketLoss',
    dims: { Probe: 'p' },
    ok: 0,
    bad: 50,
    op: 'GreaterThanThreshold',
    threshold: 2,
  },
  vpn: {
    namespace: 'AWS/VPN',
    metric: 'TunnelState',
    dims: { VpnId: 'vpn-1', TunnelIpAddress: '203.0.113.1' },
    ok: 1,
    bad: 0,
    op: 'LessThanThreshold',
    threshold: 1,
  },
} as const;
type Case = (typeof CASES)[keyof typeof CASES];

const alarm = (c: Case, period: number): AlarmDefinition => ({
  AlarmName: c.metric,
  Namespace: c.namespace,
  MetricName: c.metric,
  Dimensions: Object.entries(c.dims).map(([Name, Value]) => ({ Name, Value })),
  Statistic: 'Maximum',
  Period: period,
  EvaluationPeriods: 1,
  Threshold: c.threshold,
  ComparisonOperator: c.op,
  TreatMissingData: 'missing',
});

/** Data points every `period` s up to 600 s, breaching from the one that ends at 300 s, each visible `delay` s later. */
function storeOf(c: Case, period: number, delay: number, breachFrom = 300): MetricStore {
  const store = new MetricStore();
  for (let t = period; t <= 600; t += period)
    store.writeCloudWatch(c.namespace, c.metric, { ...c.dims }, t, t >= breachFrom ? c.bad : c.ok, delay);
  return store;
}

/** The evaluation times (every `every` s up to `until`) at which the alarm changed, with the state it took. */
function changes(evaluator: AwsAlarmEvaluator, store: MetricStore, every: number, until: number): [number, string][] {
  const seen: [number, string][] = [];
  for (let t = every; t <= until; t += every) for (const c of evaluator.evaluate(t, store)) seen.push([t, c.state]);
  return seen;
}

describe('alarm lag', () => {
  it.each([
    ['a probe data point', CASES.probe, 30, PROBE_VISIBLE_S],
    ['an AWS/VPN data point', CASES.vpn, 60, CLOUDWATCH_VISIBLE_S],
  ])('%s becomes visible only after its ingestion delay, and the alarm changes no earlier', (_what, c, period, delay) => {
    const store = storeOf(c, period, delay);
    expect(store.all()[0]!.points.find((p) => p.end === 300)!.visibleAt).toBe(300 + delay);
    // The first breaching point ends at 300: the alarm trips when it is visible, not before.
    expect(changes(new AwsAlarmEvaluator([alarm(c, period)], () => delay), store, period, 600)).toEqual([[300 + delay, 'ALARM']]);
  });

  it('would lapse into missing data if it judged the newest period before its data could have arrived', () => {
    const store = storeOf(CASES.probe, 30, PROBE_VISIBLE_S, Number.POSITIVE_INFINITY);
    expect(changes(new AwsAlarmEvaluator([alarm(CASES.probe, 30)]), store, 30, 600)[0]).toEqual([30, 'INSUFFICIENT_DATA']);
    expect(changes(new AwsAlarmEvaluator([alarm(CASES.probe, 30)], () => PROBE_VISIBLE_S), store, 30, 600)).toEqual([]);
  });

  it.each([
    ['seed-incident', 'GCP incident open', 'tunnel-aws-1'],
    ['seed-incident-probes', 'AWS alarm ALARM', '203.0.113.11'],
  ])('in a run (%s), the first signal about the loss comes exactly when the floor says it can, not before', async (name, what, tunnel) => {
    const { result, timelines } = await runScenario(scenario(name), deployed, ['none']);
    const onset = timelines.none.onset!;
    const floor = result.floorSeconds!;
    expect(floor).toBeGreaterThan(0);
    const first = timelines.none.signals.find((s) => s.trip && s.text.startsWith(what) && s.text.includes(tunnel) && s.t >= onset);
    expect(first?.t).toBe(onset + floor);
  });

  it('in a run, a probe alarm judges a period once its point can have arrived: no lapse into missing data, a trip on time', async () => {
    const { timelines } = await runScenario(scenario('seed-incident-probes'), deployed, ['none'], { probeMissing: 0 });
    const { signals, onset } = timelines.none;
    // Evaluated before its newest point is visible, an alarm would see that period missing every time.
    expect(signals.filter((s) => s.text.includes('INSUFFICIENT_DATA'))).toEqual([]);
    // The trip alarm wants 5 breaching periods of 30 s: the first ends 30 s after the onset, the fifth 120 s later,
    // and it is visible PROBE_VISIBLE_S after that.
    const trip = signals.find((s) => s.trip && s.text.endsWith('203.0.113.11-trip'));
    expect(trip?.t).toBe(onset! + 30 + 4 * 30 + PROBE_VISIBLE_S);
  });
});
