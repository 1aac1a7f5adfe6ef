/**
 * CloudWatch alarm evaluation, as the game day models it, over the alarms the project ships (the definitions
 * `functions/deploy/tunnel-alarms.js` generates for `serverless.yml`): change the period or the missing-data rule
 * there and the game day changes with it.
 *
 * Modelled (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html): the alarm is
 * evaluated every minute over its last `EvaluationPeriods` periods of `Period` seconds; each period's value is the
 * `Statistic` of the data points in it; a period without data is missing and counts as `TreatMissingData` says
 * (`breaching`, `notBreaching`, `ignore` — keep the state —, `missing`); ALARM when at least `DatapointsToAlarm` of
 * the evaluated periods breach, OK otherwise, INSUFFICIENT_DATA when every period is missing and missing data is
 * `missing`. Each state change is delivered as an EventBridge "CloudWatch Alarm State Change" event.
 */
import type { MetricStore, Series } from './metrics';

export interface AlarmDefinition {
  AlarmName: string;
  AlarmDescription?: string;
  Namespace: string;
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Statistic: 'Maximum' | 'Minimum' | 'Average' | 'Sum' | 'SampleCount';
  Period: number;
  EvaluationPeriods: number;
  DatapointsToAlarm?: number;
  Threshold: number;
  ComparisonOperator: 'LessThanThreshold' | 'GreaterThanThreshold' | 'LessThanOrEqualToThreshold' | 'GreaterThanOrEqualToThreshold';
  TreatMissingData?: 'breaching' | 'notBreaching' | 'ignore' | 'missing';
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface AlarmChange {
  alarm: AlarmDefinition;
  previous: AlarmState;
  state: AlarmState;
  at: number;
  /** The evaluated periods' values, oldest first (`null` = missing). */
  datapoints: (number | null)[];
  reason: string;
}

export class AlarmModelError extends Error {}

/** The alarm resources of a CloudFormation `Resources` fragment, checked for what the model implements. */
export function alarmsFromResources(resources: Record<string, { Type: string; Properties: Record<string, unknown> }>): AlarmDefinition[] {
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
    .map((r) => {
      const p = r.Properties as unknown as AlarmDefinition & { Metrics?: unknown };
      if (p.Metrics) throw new AlarmModelError(`alarm ${p.AlarmName}: metric-math alarms are not modelled`);
      if (!['Maximum', 'Minimum', 'Average', 'Sum', 'SampleCount'].includes(p.Statistic))
        throw new AlarmModelError(`alarm ${p.AlarmName}: statistic ${p.Statistic} is not modelled`);
      if (!(p.Period > 0 && p.EvaluationPeriods > 0))
        throw new AlarmModelError(`alarm ${p.AlarmName}: Period and EvaluationPeriods must be positive`);
      return p;
    });
}

function statistic(values: number[], s: AlarmDefinition['Statistic']): number {
  switch (s) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'SampleCount':
      return values.length;
  }
}

const breaches = (a: AlarmDefinition, v: number): boolean =>
  a.ComparisonOperator === 'LessThanThreshold'
    ? v < a.Threshold
    : a.ComparisonOperator === 'GreaterThanThreshold'
      ? v > a.Threshold
      : a.ComparisonOperator === 'LessThanOrEqualToThreshold'
        ? v <= a.Threshold
        : v >= a.Threshold;

export class AwsAlarmEvaluator {
  private readonly state = new Map<string, AlarmState>();

  /**
   * Alarms start OK: the run begins long after deployment, with every watched tunnel up. `lag` is how far behind
   * the clock an alarm evaluates (its metric's ingestion delay): the newest periods are not judged before their
   * data can have arrived, or a delayed metric would always look one period short.
   */
  constructor(
    readonly alarms: readonly AlarmDefinition[],
    private readonly lag: (a: AlarmDefinition) => number = () => 0,
  ) {
    for (const a of alarms) this.state.set(a.AlarmName, 'OK');
  }

  stateOf(name: string): AlarmState | undefined {
    return this.state.get(name);
  }

  evaluate(now: number, store: MetricStore): AlarmChange[] {
    const changes: AlarmChange[] = [];
    const all = store.all();
    for (const a of this.alarms) {
      const dims = Object.fromEntries(a.Dimensions.map((d) => [d.Name, d.Value]));
      const series: Series | undefined = all.find(
        (s) => s.metricType === `${a.Namespace}/${a.MetricName}` && Object.entries(dims).every(([k, v]) => s.metricLabels[k] === v),
      );
      const P = a.Period;
      const lastEnd = Math.floor((now - this.lag(a)) / P) * P;
      const datapoints: (number | null)[] = [];
      for (let k = a.EvaluationPeriods - 1; k >= 0; k--) {
        const end = lastEnd - k * P;
        // Periods before the run began are not evaluated: the alarm was OK then, as the constructor says.
        if (end - P < 0) continue;
        // A data point stands for the interval that ends at its sample time, so it belongs to the period (end-P, end].
        const vs = (series?.points ?? []).filter((p) => p.end > end - P && p.end <= end && p.visibleAt <= now).map((p) => p.value);
        datapoints.push(vs.length ? statistic(vs, a.Statistic) : null);
      }
      const treat = a.TreatMissingData ?? 'missing';
      const evaluated = datapoints.flatMap((v) =>
        v === null ? (treat === 'breaching' ? [true] : treat === 'notBreaching' ? [false] : []) : [breaches(a, v)],
      );
      const previous = this.state.get(a.AlarmName)!;
      let next: AlarmState;
      if (datapoints.length === 0) next = previous;
      else if (evaluated.length === 0) next = treat === 'ignore' ? previous : 'INSUFFICIENT_DATA';
      else next = evaluated.filter(Boolean).length >= (a.DatapointsToAlarm ?? a.EvaluationPeriods) ? 'ALARM' : 'OK';
      if (next !== previous) {
        this.state.set(a.AlarmName, next);
        const shown = datapoints.map((v) => (v === null ? 'missing' : v.toFixed(1))).join(', ');
        changes.push({
          alarm: a,
          previous,
          state: next,
          at: now,
          datapoints,
          reason: `Threshold Crossed: datapoints [${shown}] (treat missing data as ${treat}) → ${next}`,
        });
      }
    }
    return changes;
  }
}
