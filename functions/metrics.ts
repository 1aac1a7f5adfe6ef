/**
 * The AWS edge's own metrics, in CloudWatch's embedded metric format (EMF): a JSON log line whose `_aws` member tells
 * CloudWatch Logs which of its members are metrics, under which namespace and dimensions. No SDK call, no
 * `cloudwatch:PutMetricData` permission, no latency on the invocation: the lines go out with the other logs and
 * CloudWatch extracts the metrics. Written by hand: the format is one object, and a library would add a dependency
 * to the bundle for it (docs/decisions.md).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { MetricSet } from '../shared/metrics';
import { METRIC_NAMES } from '../shared/metrics';
import type { LogEntry, Logger } from '../shared/ports';

/**
 * Which dimension sets each kind of line is published under. A decision also rolls up per cloud, so "all drains" is
 * one metric rather than a search over tunnels.
 */
const DIMENSION_SETS: Record<MetricSet['kind'], string[][]> = {
  decision: [['Cloud', 'Tunnel'], ['Cloud']],
  refusal: [['Cloud', 'Guard']],
  tunnel: [['Cloud', 'Tunnel']],
  cloud: [['Cloud']],
};

/** One EMF document per set (EMF carries one value per dimension per line). */
export function emfDocument(set: MetricSet, now: Date): LogEntry {
  const names = Object.keys(set.values);
  return {
    severity: 'INFO',
    message: `metrics: ${set.kind}`,
    _aws: {
      Timestamp: now.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMES.namespace,
          Dimensions: DIMENSION_SETS[set.kind],
          Metrics: names.map((Name) => ({ Name, Unit: set.values[Name]!.unit })),
        },
      ],
    },
    ...set.dimensions,
    ...Object.fromEntries(names.map((n) => [n, set.values[n]!.value])),
  };
}

/** Write the sets as EMF lines through the edge's logger (each one a single JSON line). Never throws. */
export function publishMetrics(logger: Logger, sets: readonly MetricSet[], now: Date): void {
  try {
    for (const s of sets) logger.log(emfDocument(s, now));
  } catch {
    // Metrics are for people; they must never fail an invocation.
  }
}
