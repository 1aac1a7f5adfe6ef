/**
 * The clouds' metric pipelines as the game day models them: what each cloud writes per tunnel, when, and when an
 * alert evaluation can first see it. Parameters are the documented ones where a document exists:
 *
 * - GCP `vpn.googleapis.com` (https://cloud.google.com/monitoring/api/metrics_gcp_p_z#gcp-vpn): every metric is
 *   sampled every 60 s. `network/received_packets_count` and `network/sent_packets_count` (labelled `status`:
 *   `successful`, `sequence_number_lost`, …) are visible up to 60 s after sampling; `network/dropped_*_packets_count`
 *   and `tunnel_established` up to 180 s. The model uses the bounds (the pessimistic end).
 * - Path loss on AWS→GCP shows in GCP's received counters as `sequence_number_lost`: GCP infers gaps in the peer's
 *   ESP sequence numbers from the packets that do arrive, so a step in which nothing arrives (100 % loss) shows no
 *   gap, only missing traffic. In this model the gaps also count in `dropped_received_packets_count` (the original
 *   incident saw them there). Loss on GCP→AWS happens after GCP sent the packet: no GCP gateway metric sees it.
 * - Throttling (a tunnel over its packets-per-second capacity) shows as `status="throttled"` on the sent counter
 *   (GCP→AWS) and the received counter (AWS→GCP) of that tunnel; AWS publishes nothing about it.
 * - An MTU problem shows as `exceeds_mtu` on the sent counter (GCP→AWS) and `dont_fragment_icmp` on the received
 *   counter (AWS→GCP): which of the `dont_fragment_*` statuses a too-large packet from the peer gets is not
 *   documented; the model takes one.
 * - An idle tunnel reports zeros, not missing data (GCP keeps writing its counters while the tunnel exists): this
 *   is a modelling choice, and the reason an alert on drop counts closes once a drain has taken the traffic away.
 * - AWS `AWS/VPN` `TunnelState` (1 up, 0 down; for a BGP connection 1 only while the BGP session is up),
 *   `TunnelDataIn`/`TunnelDataOut` (https://docs.aws.amazon.com/vpn/latest/s2svpn/monitoring-cloudwatch-vpn.html):
 *   AWS does not document how often it publishes them, so the interval is a scenario parameter (60 s or 300 s);
 *   a data point becomes visible `CLOUDWATCH_VISIBLE_S` after its sample (CloudWatch does not document its
 *   ingestion delay: an assumption). Network Synthetic Monitor's probe data points likewise (`PROBE_VISIBLE_S`).
 */

/** One sample: the value over the minute (or the gauge at the sample time) ending at `end`. */
export interface Point {
  end: number;
  value: number;
  visibleAt: number;
}

/** One time series, with the labels a Cloud Monitoring filter or a CloudWatch alarm selects on. */
export interface Series {
  metricType: string;
  metricLabels: Record<string, string>;
  resourceType: string;
  resourceLabels: Record<string, string>;
  points: Point[];
}

export const GCP_STATUS_VISIBLE_S = 60;
export const GCP_OTHER_VISIBLE_S = 180;
export const GCP_SAMPLE_S = 60;
/** Assumed ingestion delay of AWS/VPN data points (not documented). */
export const CLOUDWATCH_VISIBLE_S = 60;
/** Assumed delay before a Network Synthetic Monitor data point is visible to alarms (not documented). */
export const PROBE_VISIBLE_S = 30;

export const GCP_METRIC = {
  received: 'vpn.googleapis.com/network/received_packets_count',
  sent: 'vpn.googleapis.com/network/sent_packets_count',
  droppedReceived: 'vpn.googleapis.com/network/dropped_received_packets_count',
  droppedSent: 'vpn.googleapis.com/network/dropped_sent_packets_count',
  established: 'vpn.googleapis.com/tunnel_established',
} as const;

/** What one GCP tunnel counted over one minute. */
export interface GcpMinute {
  receivedOk: number;
  /** Sequence-number gaps seen in what arrived (not every lost packet: see the header). */
  receivedLost: number;
  receivedThrottled: number;
  receivedMtu: number;
  sent: number;
  sentThrottled: number;
  sentMtu: number;
  established: boolean;
}

export const emptyGcpMinute = (): GcpMinute => ({
  receivedOk: 0,
  receivedLost: 0,
  receivedThrottled: 0,
  receivedMtu: 0,
  sent: 0,
  sentThrottled: 0,
  sentMtu: 0,
  established: true,
});

export interface GcpTunnelLabels {
  tunnelName: string;
  gatewayName: string;
  project: string;
  region: string;
  gatewayId: string;
}

/** Every series of the model, by a stable key. */
export class MetricStore {
  private readonly series = new Map<string, Series>();

  private get(key: string, make: () => Omit<Series, 'points'>): Series {
    let s = this.series.get(key);
    if (!s) {
      s = { ...make(), points: [] };
      this.series.set(key, s);
    }
    return s;
  }

  /** Write one minute of one GCP tunnel, sampled at `end`. */
  writeGcp(t: GcpTunnelLabels, end: number, m: GcpMinute): void {
    const resourceLabels = { project_id: t.project, region: t.region, gateway_id: t.gatewayId };
    const put = (metricType: string, extra: Record<string, string>, value: number, delay: number) => {
      const metricLabels = { tunnel_name: t.tunnelName, gateway_name: t.gatewayName, ...extra };
      const key = `${metricType}|${JSON.stringify(metricLabels)}|${JSON.stringify(resourceLabels)}`;
      this.get(key, () => ({ metricType, metricLabels, resourceType: 'vpn_gateway', resourceLabels })).points.push({
        end,
        value,
        visibleAt: end + delay,
      });
    };
    put(GCP_METRIC.received, { status: 'successful' }, m.receivedOk, GCP_STATUS_VISIBLE_S);
    put(GCP_METRIC.received, { status: 'sequence_number_lost' }, m.receivedLost, GCP_STATUS_VISIBLE_S);
    // The other statuses are written only once they have counted something, as a labelled series appears.
    if (m.receivedThrottled > 0 || this.has(GCP_METRIC.received, t, 'throttled'))
      put(GCP_METRIC.received, { status: 'throttled' }, m.receivedThrottled, GCP_STATUS_VISIBLE_S);
    if (m.receivedMtu > 0 || this.has(GCP_METRIC.received, t, 'dont_fragment_icmp'))
      put(GCP_METRIC.received, { status: 'dont_fragment_icmp' }, m.receivedMtu, GCP_STATUS_VISIBLE_S);
    put(GCP_METRIC.sent, { status: 'successful' }, m.sent, GCP_STATUS_VISIBLE_S);
    if (m.sentThrottled > 0 || this.has(GCP_METRIC.sent, t, 'throttled'))
      put(GCP_METRIC.sent, { status: 'throttled' }, m.sentThrottled, GCP_STATUS_VISIBLE_S);
    if (m.sentMtu > 0 || this.has(GCP_METRIC.sent, t, 'exceeds_mtu'))
      put(GCP_METRIC.sent, { status: 'exceeds_mtu' }, m.sentMtu, GCP_STATUS_VISIBLE_S);
    put(GCP_METRIC.droppedReceived, {}, m.receivedLost + m.receivedThrottled + m.receivedMtu, GCP_OTHER_VISIBLE_S);
    put(GCP_METRIC.droppedSent, {}, m.sentThrottled + m.sentMtu, GCP_OTHER_VISIBLE_S);
    put(GCP_METRIC.established, {}, m.established ? 1 : 0, GCP_OTHER_VISIBLE_S);
  }

  private has(metricType: string, t: GcpTunnelLabels, status: string): boolean {
    return this.all().some(
      (s) => s.metricType === metricType && s.metricLabels.tunnel_name === t.tunnelName && s.metricLabels.status === status,
    );
  }

  /** Publish one AWS/VPN data point of one tunnel (the sample at `at`, visible `visibleAfter` seconds later). */
  writeAws(vpnId: string, tunnelIp: string, metricName: string, at: number, value: number, visibleAfter = 0): void {
    this.writeCloudWatch('AWS/VPN', metricName, { VpnId: vpnId, TunnelIpAddress: tunnelIp }, at, value, visibleAfter);
  }

  /** Publish one CloudWatch data point (namespace, metric, dimensions) for the interval ending at `at`. */
  writeCloudWatch(
    namespace: string,
    metricName: string,
    dimensions: Record<string, string>,
    at: number,
    value: number,
    visibleAfter = 0,
  ): void {
    const key = `${namespace}|${metricName}|${JSON.stringify(dimensions)}`;
    this.get(key, () => ({
      metricType: `${namespace}/${metricName}`,
      metricLabels: { ...dimensions },
      resourceType: 'aws',
      resourceLabels: {},
    })).points.push({ end: at, value, visibleAt: at + visibleAfter });
  }

  all(): Series[] {
    return [...this.series.values()];
  }
}
