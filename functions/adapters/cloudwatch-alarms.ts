/** `AlarmDescriber` over CloudWatch `DescribeAlarms` (needs `cloudwatch:DescribeAlarms`; serverless.yml scopes it to this account's alarms). */
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmDescriber, DescribedAlarm } from '../alarm-confirmation';
import type { MetricRef } from '../parse-alarm';
import { translateAwsError } from './aws-errors';

const dimensionsOf = (d: { Name?: string; Value?: string }[] | undefined): Record<string, string> =>
  Object.fromEntries((d ?? []).filter((x) => x.Name && x.Value !== undefined).map((x) => [x.Name!, x.Value!]));

function metricsOf(a: MetricAlarm): MetricRef[] {
  if (a.MetricName || a.Namespace) return [{ namespace: a.Namespace, name: a.MetricName, dimensions: dimensionsOf(a.Dimensions) }];
  return (a.Metrics ?? []).flatMap((m) =>
    m.MetricStat?.Metric
      ? [
          {
            namespace: m.MetricStat.Metric.Namespace,
            name: m.MetricStat.Metric.MetricName,
            dimensions: dimensionsOf(m.MetricStat.Metric.Dimensions),
          },
        ]
      : [],
  );
}

export class CloudWatchAlarms implements AlarmDescriber {
  constructor(private readonly client: CloudWatchClient) {}

  async describe(alarmName: string): Promise<DescribedAlarm | undefined> {
    let r: DescribeAlarmsCommandOutput;
    try {
      r = await this.client.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
    } catch (e) {
      throw translateAwsError(e, `DescribeAlarms ${alarmName}`);
    }
    const m = r.MetricAlarms?.find((a) => a.AlarmName === alarmName);
    if (m)
      return {
        kind: 'metric',
        name: alarmName,
        ...(m.AlarmArn ? { arn: m.AlarmArn } : {}),
        state: (m.StateValue ?? 'INSUFFICIENT_DATA') as DescribedAlarm['state'],
        ...(m.StateTransitionedTimestamp || m.StateUpdatedTimestamp
          ? { transitionedAt: m.StateTransitionedTimestamp ?? m.StateUpdatedTimestamp }
          : {}),
        metrics: metricsOf(m),
      };
    const c = r.CompositeAlarms?.find((a) => a.AlarmName === alarmName);
    if (c)
      return {
        kind: 'composite',
        name: alarmName,
        ...(c.AlarmArn ? { arn: c.AlarmArn } : {}),
        state: (c.StateValue ?? 'INSUFFICIENT_DATA') as DescribedAlarm['state'],
        ...(c.StateTransitionedTimestamp || c.StateUpdatedTimestamp
          ? { transitionedAt: c.StateTransitionedTimestamp ?? c.StateUpdatedTimestamp }
          : {}),
        metrics: [],
      };
    return undefined;
  }
}
