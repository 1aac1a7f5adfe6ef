/**
 * The traffic port on GCP: what it asks Cloud Monitoring (`projects.timeSeries.list`, 1-minute rates of both
 * per-tunnel counters, every page) and what it makes of the answer (peak load per direction, loss on what arrived,
 * path-loss statuses only), with answers shaped as the API returns them.
 */
import { COUNTED_MINUTES, MIN_COUNTED_PACKETS, RECEIVED, SENT } from '../../clouds/gcp/counters';
import { googleMonitoringGet, MonitoringTraffic, type MonitoringGet } from '../../gcp-functions/adapters/monitoring-traffic';
import { PermanentError, TransientError } from '../../shared/errors';
import { gcpTunnelId, type TunnelRef } from '../../shared/types';

const PROJECT = 'example-project';
const REGION = 'asia-northeast1';
const NOW = new Date('2026-11-25T01:00:00Z');
const ref = (name: string, project = PROJECT): TunnelRef => ({
  id: gcpTunnelId({ project, region: REGION, name }),
  cloud: 'gcp',
  native: { project, region: REGION, name, gateway: 'gw-1' },
});
const minute = (ago: number) => new Date(NOW.getTime() - ago * 60_000).toISOString();

/** One series as timeSeries.list returns it (FULL view, ALIGN_RATE: DOUBLE rates per second, newest point first). */
function series(type: string, tunnel: string, status: string, ratesNewestFirst: number[]) {
  return {
    metric: { type, labels: { tunnel_name: tunnel, gateway_name: 'gw-1', status } },
    resource: { type: 'vpn_gateway', labels: { project_id: PROJECT, region: REGION, gateway_id: '1234567890' } },
    metricKind: 'GAUGE',
    valueType: 'DOUBLE',
    points: ratesNewestFirst.map((v, i) => ({
      interval: { startTime: minute(i + 2), endTime: minute(i + 1) },
      value: { doubleValue: v },
    })),
  };
}

function fakeApi(pages: Record<string, unknown[]>): { get: MonitoringGet; calls: { url: string; params: Record<string, string> }[] } {
  const calls: { url: string; params: Record<string, string> }[] = [];
  return {
    calls,
    get: async (url, params) => {
      calls.push({ url, params });
      const type = /metric\.type = "([^"]+)"/.exec(params.filter ?? '')?.[1] ?? '';
      const all = pages[type] ?? [];
      const page = Number(params.pageToken ?? 0);
      return page + 1 < all.length ? { ...(all[page] as object), nextPageToken: String(page + 1) } : (all[page] ?? {});
    },
  };
}

const traffic = (get: MonitoringGet) => new MonitoringTraffic(get, { project: PROJECT, now: () => NOW });

describe('MonitoringTraffic', () => {
  it('asks for 1-minute rates of both counters over the last 15 minutes, on the vpn_gateway resource', async () => {
    const api = fakeApi({});
    await traffic(api.get).read([ref('tunnel-1')]);
    expect(api.calls.map((c) => c.params.filter).sort()).toEqual([
      `metric.type = "${RECEIVED}" AND resource.type = "vpn_gateway"`,
      `metric.type = "${SENT}" AND resource.type = "vpn_gateway"`,
    ]);
    expect(api.calls[0]!.url).toBe(`https://monitoring.googleapis.com/v3/projects/${PROJECT}/timeSeries`);
    expect(api.calls[0]!.params).toMatchObject({
      'interval.startTime': '2026-11-25T00:45:00.000Z',
      'interval.endTime': NOW.toISOString(),
      'aggregation.alignmentPeriod': '60s',
      'aggregation.perSeriesAligner': 'ALIGN_RATE',
    });
  });

  it('takes the peak minute of sent plus received, and each direction apart (sent is GCP→AWS)', async () => {
    const api = fakeApi({
      [SENT]: [{ timeSeries: [series(SENT, 'tunnel-1', 'successful', [100, 900, 100])] }],
      [RECEIVED]: [{ timeSeries: [series(RECEIVED, 'tunnel-1', 'successful', [800, 50, 700])] }],
    });
    const [t] = await traffic(api.get).read([ref('tunnel-1')]);
    // Minutes: 900 (100 + 800), 950 (900 + 50), 800: the peak is 950, not the mean and not 900 + 800.
    expect(t!.load).toEqual({ pps: 950, byDirection: { 'gcp-to-aws': 900, 'aws-to-gcp': 800 }, at: minute(1) });
  });

  it('counts path loss on what arrived over the newest minutes; throttling and MTU drops are not path loss', async () => {
    const received = [
      series(RECEIVED, 'tunnel-1', 'successful', [95, 95, 95, 100]),
      series(RECEIVED, 'tunnel-1', 'sequence_number_lost', [5, 5, 5, 50]),
      series(RECEIVED, 'tunnel-1', 'throttled', [20, 20, 20, 0]),
      series(RECEIVED, 'tunnel-1', 'dont_fragment_icmp', [10, 10, 10, 0]),
    ];
    const api = fakeApi({ [RECEIVED]: [{ timeSeries: received }] });
    const [t] = await traffic(api.get).read([ref('tunnel-1')]);
    expect(COUNTED_MINUTES).toBe(3);
    // The newest three minutes: 5 lost of 130 received per second (the fourth, older minute is left out).
    expect(t!.counted).toEqual({ ratio: 15 / 390, span: 'aws-to-gcp', at: minute(1), packets: 390 * 60 });
  });

  it('says nothing about loss on too little traffic (a tunnel drained at the other end, or a black hole)', async () => {
    const perSecond = MIN_COUNTED_PACKETS / 60 / COUNTED_MINUTES / 2;
    const api = fakeApi({ [RECEIVED]: [{ timeSeries: [series(RECEIVED, 'tunnel-1', 'successful', [perSecond, perSecond, perSecond])] }] });
    const [t] = await traffic(api.get).read([ref('tunnel-1')]);
    expect(t!.counted).toBeUndefined();
    expect(t!.load.pps).toBeCloseTo(perSecond);
  });

  it('reads every page, and leaves out tunnels it was not asked about and tunnels with no series', async () => {
    const api = fakeApi({
      [SENT]: [
        { timeSeries: [series(SENT, 'tunnel-1', 'successful', [10])] },
        { timeSeries: [series(SENT, 'tunnel-2', 'successful', [20]), series(SENT, 'other', 'successful', [30])] },
      ],
    });
    const out = await traffic(api.get).read([ref('tunnel-1'), ref('tunnel-2'), ref('tunnel-3')]);
    expect(out.map((t) => [t.tunnelId, t.load.pps])).toEqual([
      [ref('tunnel-1').id, 10],
      [ref('tunnel-2').id, 20],
    ]);
    expect(api.calls.filter((c) => c.params.filter?.includes(SENT)).map((c) => c.params.pageToken)).toEqual([undefined, '1']);
  });

  it('asks nothing for tunnels of another project or cloud', async () => {
    const api = fakeApi({});
    expect(await traffic(api.get).read([ref('tunnel-1', 'someone-else')])).toEqual([]);
    expect(api.calls).toEqual([]);
  });

  it('an answer of another shape is a permanent error, named', async () => {
    await expect(traffic(async () => ({ timeSeries: 'nope' })).read([ref('tunnel-1')])).rejects.toThrow(PermanentError);
  });
});

describe('googleMonitoringGet', () => {
  const failing = (e: object) => googleMonitoringGet({ request: async () => Promise.reject(Object.assign(new Error('boom'), e)) });

  it('returns the body of the authorised request', async () => {
    const seen: unknown[] = [];
    const get = googleMonitoringGet({ request: async (o) => (seen.push(o), { data: { timeSeries: [] } }) });
    expect(await get('https://x/v3/projects/p/timeSeries', { filter: 'f' })).toEqual({ timeSeries: [] });
    // Bounded: a slow Monitoring API must not hold a decision back.
    expect(seen).toEqual([{ url: 'https://x/v3/projects/p/timeSeries', params: { filter: 'f' }, timeout: 10_000 }]);
  });

  it('quota and server errors are transient, the rest (403: no monitoring.viewer) permanent', async () => {
    await expect(failing({ status: 429 })('u', {})).rejects.toThrow(TransientError);
    await expect(failing({ status: 503 })('u', {})).rejects.toThrow(TransientError);
    await expect(failing({ status: 403 })('u', {})).rejects.toThrow(PermanentError);
  });
});
