/**
 * GCP's per-tunnel packet counters (`vpn.googleapis.com/network/sent_packets_count` and `received_packets_count`,
 * labelled by `status`), read as Cloud Monitoring returns them from `timeSeries.list` aligned to 1-minute rates, and
 * turned into what the core decides with: each tunnel's load and the loss on what it received. Pure.
 *
 * - Load: sent is GCP→AWS, received is AWS→GCP; both count against the tunnel's packet-rate limit together. The peak
 *   of the 1-minute rates is taken, not the mean: a failover must fit the busy minute, not the average one.
 * - Loss: only path-loss statuses count (the ones the loss-ratio alert policy counts: everything but `successful`, the
 *   capacity status `throttled` and the MTU statuses). GCP infers lost packets from gaps in the sequence numbers of
 *   the packets that do arrive, so the figure describes AWS→GCP and needs traffic to exist: below `MIN_COUNTED_PACKETS`
 *   it is left out.
 */
import { z } from 'zod';
import { gcpTunnelId, type GcpTunnelNative, type TunnelTraffic } from '../../shared/types';

export const SENT = 'vpn.googleapis.com/network/sent_packets_count';
export const RECEIVED = 'vpn.googleapis.com/network/received_packets_count';

/** Statuses that are not path loss: delivered, dropped over the rate limit, or dropped as too big. */
export const NOT_PATH_LOSS = new Set([
  'successful',
  'throttled',
  'exceeds_mtu',
  'dont_fragment_icmp',
  'dont_fragment_nonfirst_fragment',
  'fragment_received',
]);

/** How many of the newest minutes the loss figure covers: enough packets, still recent. */
export const COUNTED_MINUTES = 3;
/** Fewer packets than this in those minutes say nothing about loss (one lost packet in 50 is not 2 %). */
export const MIN_COUNTED_PACKETS = 600;

const point = z.object({
  interval: z.object({ endTime: z.string() }),
  value: z.object({ doubleValue: z.number().optional(), int64Value: z.union([z.string(), z.number()]).optional() }),
});
const series = z.object({
  metric: z.object({ type: z.string(), labels: z.record(z.string(), z.string()).optional() }),
  resource: z.object({ labels: z.record(z.string(), z.string()).optional() }),
  points: z.array(point).optional(),
});
/** One page of `projects.timeSeries.list` (the fields read; others are ignored). */
export const timeSeriesPage = z.object({ timeSeries: z.array(series).optional(), nextPageToken: z.string().optional() });
export type TimeSeries = z.infer<typeof series>;

const rateOf = (p: z.infer<typeof point>): number => {
  const v = p.value.doubleValue ?? Number(p.value.int64Value ?? 0);
  return Number.isFinite(v) && v > 0 ? v : 0;
};

interface Minutes {
  sent: Map<string, number>;
  received: Map<string, number>;
  lost: Map<string, number>;
}

const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);

/** The tunnels' traffic from the series of both counters (any order, any pages). Tunnels with no series are left out. */
export function trafficFromSeries(
  all: readonly TimeSeries[],
  tunnels: readonly { id: string; native: GcpTunnelNative }[],
): TunnelTraffic[] {
  const ids = new Map(tunnels.map((t) => [t.id, t]));
  const per = new Map<string, Minutes>();
  for (const s of all) {
    const name = s.metric.labels?.tunnel_name;
    const project = s.resource.labels?.project_id;
    const region = s.resource.labels?.region;
    if (!name || !project || !region) continue;
    const id = gcpTunnelId({ project, region, name });
    if (!ids.has(id)) continue;
    const m = per.get(id) ?? { sent: new Map(), received: new Map(), lost: new Map() };
    per.set(id, m);
    const status = s.metric.labels?.status ?? 'successful';
    for (const p of s.points ?? []) {
      const at = new Date(p.interval.endTime).toISOString();
      if (s.metric.type === SENT) add(m.sent, at, rateOf(p));
      else if (s.metric.type === RECEIVED) {
        add(m.received, at, rateOf(p));
        if (!NOT_PATH_LOSS.has(status)) add(m.lost, at, rateOf(p));
      }
    }
  }
  return [...per.entries()].map(([tunnelId, m]) => trafficOf(tunnelId, m));
}

function trafficOf(tunnelId: string, m: Minutes): TunnelTraffic {
  const minutes = [...new Set([...m.sent.keys(), ...m.received.keys()])].sort();
  const newest = minutes.at(-1);
  const peak = (f: (at: string) => number) => minutes.reduce((x, at) => Math.max(x, f(at)), 0);
  const load = {
    pps: peak((at) => (m.sent.get(at) ?? 0) + (m.received.get(at) ?? 0)),
    byDirection: { 'gcp-to-aws': peak((at) => m.sent.get(at) ?? 0), 'aws-to-gcp': peak((at) => m.received.get(at) ?? 0) },
    ...(newest ? { at: newest } : {}),
  };
  const recent = minutes.slice(-COUNTED_MINUTES);
  // Rates are per second over 1-minute alignment periods: packets = rate × 60.
  const received = recent.reduce((x, at) => x + (m.received.get(at) ?? 0) * 60, 0);
  const lost = recent.reduce((x, at) => x + (m.lost.get(at) ?? 0) * 60, 0);
  const counted =
    newest && received >= MIN_COUNTED_PACKETS
      ? { ratio: Math.min(1, lost / received), span: 'aws-to-gcp' as const, at: newest, packets: Math.round(received) }
      : undefined;
  return { tunnelId, load, ...(counted ? { counted } : {}) };
}
