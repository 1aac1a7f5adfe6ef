/** The PromQL subset the shipped policies use, evaluated over the game day's metric store. */
import { emptyGcpMinute, MetricStore } from '../../gameday/model/metrics';
import { evaluatePromql, parsePromql, PromqlModelError, promName } from '../../gameday/model/promql';

const labels = { tunnelName: 't1', gatewayName: 'gw1', project: 'p', region: 'r', gatewayId: '1' };
const by = 'sum by (project_id, region, gateway_id, gateway_name, tunnel_name)';
const all = `${by} (rate(vpn_googleapis_com:network_received_packets_count{monitored_resource="vpn_gateway"}[2m]))`;
const bad = `${by} (rate(vpn_googleapis_com:network_received_packets_count{monitored_resource="vpn_gateway", status!="successful"}[2m]))`;

function store(minutes: { ok: number; lost: number }[]) {
  const s = new MetricStore();
  minutes.forEach((m, i) => s.writeGcp(labels, (i + 1) * 60, { ...emptyGcpMinute(), receivedOk: m.ok, receivedLost: m.lost }));
  return s;
}

describe('PromQL in the game day', () => {
  it('names Cloud Monitoring metrics as Cloud Monitoring does for PromQL', () => {
    expect(promName('vpn.googleapis.com/network/received_packets_count')).toBe('vpn_googleapis_com:network_received_packets_count');
  });

  it('computes the loss ratio over the window from the points visible at that moment', () => {
    const s = store([
      { ok: 6000, lost: 0 },
      { ok: 5700, lost: 300 },
    ]);
    const ratio = parsePromql(`${bad} / ${all}`);
    // At 180 s the 2-minute window (60 s, 180 s] holds the second sample, visible 60 s after its end: 300 of 6,000.
    expect([...evaluatePromql(ratio, s, 180).values()][0]!.value).toBeCloseTo(0.05);
    // At 120 s the second sample is not visible yet: only the first, which lost nothing.
    expect([...evaluatePromql(ratio, s, 120).values()][0]!.value).toBe(0);
  });

  it('keeps a series only where a comparison holds; `and` needs both sides, `or` either', () => {
    const s = store([
      { ok: 0, lost: 0 },
      { ok: 0, lost: 0 },
    ]);
    // Idle: the ratio is 0/0, so `> 0.002` drops it, and the floor side of `or` keeps it (too little traffic to tell).
    expect(evaluatePromql(parsePromql(`${bad} / ${all} > 0.002`), s, 180).size).toBe(0);
    expect(evaluatePromql(parsePromql(`${bad} / ${all} > 0.002 or ${all} < 10`), s, 180).size).toBe(1);
    expect(evaluatePromql(parsePromql(`${bad} / ${all} > 0.002 and ${all} >= 10`), s, 180).size).toBe(0);
  });

  it('`unless` drops what the right side has; an instant vector reads the latest visible point of a gauge', () => {
    const s = store([
      { ok: 6000, lost: 0 },
      { ok: 6000, lost: 0 },
      { ok: 6000, lost: 0 },
      { ok: 6000, lost: 0 },
    ]);
    const established = `${by} (vpn_googleapis_com:tunnel_established{monitored_resource="vpn_gateway"})`;
    // tunnel_established becomes visible 180 s after its sample.
    expect([...evaluatePromql(parsePromql(established), s, 300).values()][0]!.value).toBe(1);
    expect(evaluatePromql(parsePromql(`${established} unless ${all}`), s, 300).size).toBe(0);
    // A tunnel that writes no packet counts at all, only its state: every other series removed from the store.
    const stripped = new MetricStore();
    [60, 120].forEach((end) => stripped.writeGcp(labels, end, emptyGcpMinute()));
    const inner = (stripped as unknown as { series: Map<string, { metricType: string }> }).series;
    for (const [k, v] of [...inner]) if (!v.metricType.endsWith('tunnel_established')) inner.delete(k);
    const clear = `${bad} / ${all} > 0.002 or ${all} < 10`;
    expect(evaluatePromql(parsePromql(clear), stripped, 300).size).toBe(0); // no series: the incident would close
    expect(evaluatePromql(parsePromql(`${clear} or (${established} unless ${all})`), stripped, 300).size).toBe(1);
  });

  it.each(['avg(x)', `${all} offset 5m`, `sum by (a) (irate(m:x[2m]))`, `${all} > foo`])('refuses what it does not model: %s', (q) => {
    expect(() => parsePromql(q)).toThrow(PromqlModelError);
  });
});
