/**
 * Cloud Monitoring's `projects.timeSeries.list` as the game day serves it: the GCP counters of the model's metric
 * store, each point only once it is visible (the store keeps when each becomes so), aligned the way the traffic
 * adapter asks — 1-minute rates (`ALIGN_RATE`: a minute's count / 60), newest point first, as the API returns them.
 * The real adapter (the one the Cloud Function runs) reads it through its injected GET: the same code path as on GCP.
 * Only what the adapter asks is understood; anything else is an error, so a change on either side shows.
 */
import type { MonitoringGet } from '../../gcp-functions/adapters/monitoring-traffic';
import type { MetricStore } from './metrics';
import { simDate, simSeconds } from './payloads';

const FILTER = /^metric\.type = "([^"]+)" AND resource\.type = "vpn_gateway"$/;

export function monitoringApi(store: MetricStore, now: () => number): MonitoringGet {
  return async (url, params) => {
    const type = FILTER.exec(params.filter ?? '')?.[1];
    if (!url.endsWith('/timeSeries') || !type) throw new Error(`the game day's Monitoring API does not answer ${url} ${params.filter}`);
    if (params['aggregation.perSeriesAligner'] !== 'ALIGN_RATE' || params['aggregation.alignmentPeriod'] !== '60s')
      throw new Error('the game day serves 1-minute rates only');
    const start = simSeconds(params['interval.startTime']);
    const end = simSeconds(params['interval.endTime']);
    const t = now();
    const timeSeries = store
      .all()
      .filter((s) => s.metricType === type)
      .map((s) => ({
        metric: { type: s.metricType, labels: s.metricLabels },
        resource: { type: s.resourceType, labels: s.resourceLabels },
        metricKind: 'GAUGE',
        valueType: 'DOUBLE',
        points: s.points
          .filter((p) => p.visibleAt <= t && p.end > start && p.end <= end)
          .sort((a, b) => b.end - a.end)
          .map((p) => ({
            interval: { startTime: simDate(p.end - 60).toISOString(), endTime: simDate(p.end).toISOString() },
            value: { doubleValue: p.value / 60 },
          })),
      }))
      .filter((s) => s.points.length > 0);
    return { timeSeries };
  };
}
