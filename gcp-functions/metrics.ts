/**
 * The GCP edge's own metrics, as structured log lines: Cloud Functions (2nd gen) turns a JSON line on stdout into a
 * log entry's `jsonPayload`, and the log-based metrics that `npm run monitoring:gcp` declares
 * (deploy/gcp/log-metrics.json) count those entries or extract their values. No Monitoring API call and no extra
 * permission at run time. One line per subject, because a log-based metric reads one value (and its labels) per entry.
 */
import type { MetricSet } from '../shared/metrics';
import type { LogEntry, Logger } from '../shared/ports';

/** The field the log-based metrics filter on: `jsonPayload.tunnelGuardMetric="tunnel"` and so on. */
export const KIND_FIELD = 'tunnelGuardMetric';

/** The log line of one set: its kind, its labels (`cloud`, `tunnel`, `tunnelName`, `guard`) and its values by name. */
export function metricLogEntry(set: MetricSet): LogEntry {
  const { Cloud, Tunnel, Guard } = set.dimensions;
  return {
    severity: 'INFO',
    message: `metrics: ${set.kind}`,
    [KIND_FIELD]: set.kind,
    cloud: Cloud,
    ...(Tunnel ? { tunnel: Tunnel, tunnelName: tunnelName(Tunnel) } : {}),
    ...(Guard ? { guard: Guard } : {}),
    ...Object.fromEntries(Object.entries(set.values).map(([n, v]) => [n, v.value])),
  };
}

/**
 * `gcp:project:region:name` → `name`: the label Cloud VPN's own metrics use (`metric.label.tunnel_name`), so a chart
 * can put both side by side. Other ids are kept whole.
 */
export function tunnelName(tunnelId: string): string {
  const parts = tunnelId.split(':');
  return parts[0] === 'gcp' && parts.length === 4 ? parts[3]! : tunnelId;
}

/** Write the sets through the edge's logger. Never throws: metrics must not fail a request. */
export function publishMetrics(logger: Logger, sets: readonly MetricSet[]): void {
  try {
    for (const s of sets) logger.log(metricLogEntry(s));
  } catch {
    // Metrics are for people; they must never fail an invocation.
  }
}
