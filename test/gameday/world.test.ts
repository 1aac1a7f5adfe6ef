/**
 * The world as it is: each part of the model has a test here that fails without it — capacity and throttling,
 * flow hashing, drop reasons, what a receiver can see of total loss, dead-peer detection, sampled probes,
 * fractional times, the counters that charge for mistakes, and the oracle as the yardstick.
 */
import { join } from 'node:path';
import { incidentTopology } from '../../simulator/topology';
import { loadDeployed } from '../../gameday/deployed';
import { builtInScenarioFiles } from '../../gameday/main';
import { fateOf } from '../../gameday/model/delivery';
import { emptyGcpMinute, GCP_METRIC, MetricStore } from '../../gameday/model/metrics';
import { binomial, mulberry32 } from '../../gameday/model/random';
import { destinationsOf, gcpChoice } from '../../gameday/model/traffic';
import { AWS_TUNNEL_PPS, World } from '../../gameday/model/world';
import { runScenario } from '../../gameday/run';
import { loadScenarioFile, parseScenario, type Scenario } from '../../gameday/scenario';

const ROOT = join(__dirname, '..', '..');
const deployed = loadDeployed(ROOT);
const scenario = (name: string) => loadScenarioFile(join(ROOT, 'gameday', 'scenarios', `${name}.json`));
const make = (over: Record<string, unknown>): Scenario =>
  parseScenario({ name: 'x', minutes: 60, traffic: { gcpToAwsPps: 10_000, awsToGcpPps: 10_000 }, events: [], ...over });

describe('capacity and throttling', () => {
  it('binds the smaller end of a link by default, and takes a scenario default and a per-tunnel figure', () => {
    expect(new World(incidentTopology(), make({})).capacity).toEqual([AWS_TUNNEL_PPS, AWS_TUNNEL_PPS]);
    const w = new World(incidentTopology(), make({ capacity: { default: { pps: 1000 }, 'tunnel-aws-2': { pps: 500 } } }));
    expect(w.capacity).toEqual([1000, 500]);
  });

  it('drops the excess over capacity in both directions in proportion', () => {
    const w = new World(incidentTopology(), make({ capacity: { default: { pps: 30_000 } } }));
    const f = fateOf(w, 0, { gcpToAws: 10_000, awsToGcp: 30_000 }, 0, 10);
    expect(f.gcpToAws.throttled).toBeCloseTo(2_500);
    expect(f.awsToGcp.throttled).toBeCloseTo(7_500);
  });

  it('counts throttled packets as lost, and shows them on GCP as status="throttled"', async () => {
    // AWS sends its 40,000 pps over tunnel-aws-1, GCP half of its 40,000: 60,000 on a 50,000 pps tunnel.
    const { result } = await runScenario(scenario('overload'), deployed, ['none']);
    expect(result.strategies.none.throttledPackets).toBe(10_000 * 120 * 60);
    expect(result.strategies.none.lostPackets.total).toBe(result.strategies.none.throttledPackets);
    const store = new MetricStore();
    const labels = { tunnelName: 't', gatewayName: 'g', project: 'p', region: 'r', gatewayId: '1' };
    store.writeGcp(labels, 60, { ...emptyGcpMinute(), receivedThrottled: 5, sentThrottled: 7 });
    const throttled = store.all().filter((s) => s.metricLabels.status === 'throttled');
    expect(throttled.map((s) => [s.metricType, s.points[0]!.value])).toEqual([
      [GCP_METRIC.received, 5],
      [GCP_METRIC.sent, 7],
    ]);
  });
});

describe('flows', () => {
  it('spreads equal GCP routes by a seeded hash over the flows when a scenario sets them: uneven, reproducible', () => {
    const s = incidentTopology();
    const d = destinationsOf(s).gcpToAws[0]!;
    expect([...gcpChoice(s, d).values()]).toEqual([0.5, 0.5]);
    const a = [...gcpChoice(s, d, { flows: 7, seed: 1 }).values()];
    expect(a.reduce((x, y) => x + y, 0)).toBeCloseTo(1);
    expect(a).not.toEqual([0.5, 0.5]);
    expect([...gcpChoice(s, d, { flows: 7, seed: 1 }).values()]).toEqual(a);
  });
});

describe('drop reasons and what the receiver sees', () => {
  it('an MTU problem on every tunnel: no route change helps, so the oracle loses what doing nothing loses', async () => {
    const { result } = await runScenario(scenario('mtu-every-tunnel'), deployed, ['none', 'oracle']);
    expect(result.strategies.none.lostPackets.total).toBe(20_000 * 0.02 * 120 * 60);
    expect(result.strategies.oracle.lostPackets.total).toBe(result.strategies.none.lostPackets.total);
  });

  it('100 % path loss leaves no sequence gaps to see: no cloud metric sees a silent black hole, a probe does', async () => {
    const silent = await runScenario(scenario('silent-black-hole'), deployed, ['none']);
    expect(silent.result.floorSeconds).toBeNull();
    const probed = await runScenario(scenario('silent-black-hole-probes'), deployed, ['none']);
    expect(probed.result.floorSeconds).toBe(60);
  });
});

describe('signals as they are', () => {
  it('marks a dead tunnel down only after dead-peer detection, and back up when it heals', () => {
    const w = new World(incidentTopology(), make({ events: [{ at: 10, until: 20, tunnel: 'tunnel-aws-1', down: true }] }));
    expect([w.isDown(0, 600), w.reportedDown(0, 600), w.reportedDown(0, 629), w.reportedDown(0, 630), w.reportedDown(0, 1200)]).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
  });

  it('takes fault times in fractions of a minute, exactly within a step', () => {
    const w = new World(incidentTopology(), make({ events: [{ at: 10.25, until: 11, tunnel: 'tunnel-aws-1', loss: 0.1 }] }));
    expect(w.lossOver(0, 'gcpToAws', 610, 620)).toBeCloseTo(0.05);
    expect(w.lossAt(0, 'gcpToAws', 614)).toBe(0);
  });

  it('samples probe loss with a seeded generator: noisy, and the same for the same seed', () => {
    const draw = (seed: number) => {
      const r = mulberry32(seed);
      return Array.from({ length: 20 }, () => binomial(30, 0.05, r));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(new Set(draw(1)).size).toBeGreaterThan(1);
  });

  it('gives the same numbers for the same scenario and seed', async () => {
    const a = await runScenario(scenario('brownout-probes'), deployed, ['tunnel-guard']);
    const b = await runScenario(scenario('brownout-probes'), deployed, ['tunnel-guard']);
    expect(b.result).toEqual(a.result);
  });
});

describe('the costs of mistakes', () => {
  it('charges lost redundancy, disagreement and exposure', async () => {
    const { result } = await runScenario(scenario('seed-incident'), deployed, ['none', 'naive', 'tunnel-guard']);
    // Doing nothing leaves traffic in the lossy tunnel for the whole two hours while the other is clean.
    expect(result.strategies.none).toMatchObject({ exposureSeconds: 120 * 60, healthyDrainedMinutes: 0, disagreeMinutes: 0 });
    // The naive script drains only the GCP end (AWS sees nothing): the ends disagree.
    expect(result.strategies.naive.disagreeMinutes).toBeGreaterThan(60);
    // tunnel-guard keeps the tunnel drained after it heals (no evidence to restore on without probes).
    expect(result.strategies['tunnel-guard'].healthyDrainedMinutes).toBeGreaterThan(30);
    expect(result.strategies['tunnel-guard'].exposureSeconds).toBeLessThan(600);
  });

  it('counts restores after which the loss resumes within the hold-down', async () => {
    // The naive script restores on every clear: the counter must see its relapses (tunnel-guard no longer makes any here).
    const { result } = await runScenario(scenario('relapse-hold-down-probes'), deployed, ['naive', 'none']);
    expect(result.strategies.naive.restoresIntoLoss).toBeGreaterThan(0);
    expect(result.strategies.none.restoresIntoLoss).toBe(0);
  });
});

describe('the oracle', () => {
  it.each(builtInScenarioFiles(ROOT).map((f) => [f.split('/').at(-1)!, f]))(
    'never loses more than doing nothing and never black-holes: %s',
    async (_name, file) => {
      const { result } = await runScenario(loadScenarioFile(file), deployed, ['none', 'oracle']);
      expect(result.strategies.oracle.unreachablePackets).toBe(0);
      expect(result.strategies.oracle.lostPackets.total).toBeLessThanOrEqual(result.strategies.none.lostPackets.total);
    },
  );

  it('puts each direction where the fewest packets are lost within capacity (overload alone: nothing lost)', async () => {
    const { result } = await runScenario(scenario('overload'), deployed, ['oracle']);
    expect(result.strategies.oracle.lostPackets.total).toBe(0);
  });
});
