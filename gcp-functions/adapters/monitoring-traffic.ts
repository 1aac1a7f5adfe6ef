/**
 * The traffic port on GCP: Cloud Monitoring's `projects.timeSeries.list` for the per-tunnel packet counters of the
 * last `windowSeconds`, aligned to 1-minute rates (`ALIGN_RATE`), every page of both counters. The figures lag the
 * traffic by up to a few minutes (GCP samples these counters every 60 s and shows them up to 60 s later): good enough
 * for a load that changes slowly and for a loss that persists; a drain decided seconds ago is not in them yet.
 * Runtime permission: `monitoring.timeSeries.list` (roles/monitoring.viewer).
 */
import { PermanentError, TransientError } from '../../shared/errors';
import type { TrafficView } from '../../shared/ports';
import type { GcpTunnelNative, TunnelRef, TunnelTraffic } from '../../shared/types';
import { RECEIVED, SENT, timeSeriesPage, trafficFromSeries, type TimeSeries } from '../../clouds/gcp/counters';

/** An authorised GET of a Cloud Monitoring URL with query parameters, answering the parsed JSON body. */
export type MonitoringGet = (url: string, params: Record<string, string>) => Promise<unknown>;

export interface MonitoringTrafficOptions {
  project: string;
  now: () => Date;
  /** How far back the peak load looks (default 15 minutes). */
  windowSeconds?: number;
  /** Default `https://monitoring.googleapis.com` (tests and the game day point it elsewhere). */
  endpoint?: string;
  /** Pages per counter at most: a project with thousands of tunnels is read in part, never forever. */
  maxPages?: number;
}

export const DEFAULT_TRAFFIC_WINDOW_S = 900;

export class MonitoringTraffic implements TrafficView {
  constructor(
    private readonly get: MonitoringGet,
    private readonly o: MonitoringTrafficOptions,
  ) {}

  async read(tunnels: readonly TunnelRef[]): Promise<TunnelTraffic[]> {
    const mine = tunnels.flatMap((t) =>
      t.cloud === 'gcp' && t.native.project === this.o.project ? [{ id: t.id, native: t.native as GcpTunnelNative }] : [],
    );
    if (mine.length === 0) return [];
    const [sent, received] = await Promise.all([this.series(SENT), this.series(RECEIVED)]);
    return trafficFromSeries([...sent, ...received], mine);
  }

  private async series(metricType: string): Promise<TimeSeries[]> {
    const end = this.o.now();
    const start = new Date(end.getTime() - (this.o.windowSeconds ?? DEFAULT_TRAFFIC_WINDOW_S) * 1000);
    const url = `${this.o.endpoint ?? 'https://monitoring.googleapis.com'}/v3/projects/${encodeURIComponent(this.o.project)}/timeSeries`;
    const out: TimeSeries[] = [];
    let pageToken: string | undefined;
    for (let page = 0; page < (this.o.maxPages ?? 10); page++) {
      const params: Record<string, string> = {
        filter: `metric.type = "${metricType}" AND resource.type = "vpn_gateway"`,
        'interval.startTime': start.toISOString(),
        'interval.endTime': end.toISOString(),
        'aggregation.alignmentPeriod': '60s',
        'aggregation.perSeriesAligner': 'ALIGN_RATE',
        view: 'FULL',
        ...(pageToken ? { pageToken } : {}),
      };
      const body = await this.get(url, params);
      const parsed = timeSeriesPage.safeParse(body);
      if (!parsed.success)
        throw new PermanentError(`Cloud Monitoring answered timeSeries.list with an unexpected shape: ${parsed.error.issues[0]?.message}`);
      out.push(...(parsed.data.timeSeries ?? []));
      pageToken = parsed.data.nextPageToken || undefined;
      if (!pageToken) break;
    }
    return out;
  }
}

/**
 * How long one read may take. The figures are advisory: a slow Monitoring API must not hold a drain back (the
 * function's own deadline is minutes), so a read that takes longer is given up and the decision goes on without them.
 */
export const MONITORING_TIMEOUT_MS = 10_000;

type AuthRequest = (o: { url: string; params: Record<string, string>; timeout: number }) => Promise<{ data: unknown }>;

/** The production GET: google-auth-library's client with Application Default Credentials (read-only scope). */
export function googleMonitoringGet(auth: { request: AuthRequest }, timeoutMs = MONITORING_TIMEOUT_MS): MonitoringGet {
  return async (url, params) => {
    try {
      return (await auth.request({ url, params, timeout: timeoutMs })).data;
    } catch (e) {
      const code = (e as { status?: number; code?: number | string }).status ?? Number((e as { code?: unknown }).code);
      if (code === 429 || (typeof code === 'number' && code >= 500)) throw new TransientError(`Cloud Monitoring: ${(e as Error).message}`);
      throw new PermanentError(`Cloud Monitoring: ${(e as Error).message}`);
    }
  };
}
