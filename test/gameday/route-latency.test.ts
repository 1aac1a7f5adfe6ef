/**
 * Route latency: a route change carries traffic only once the cloud has programmed it (DEFAULT_GCP_ROUTE_S,
 * DEFAULT_AWS_ROUTE_S, or the scenario's `clouds`); until then traffic still flows the old way, and is lost there.
 */
import { DEFAULT_AWS_ROUTE_S, DEFAULT_GCP_ROUTE_S, runScenario, STEP_S } from '../../gameday/run';
import type { Scenario } from '../../gameday/scenario';
import { deployed, scenario } from './scenarios';

// seed-incident: tunnel-aws-1 loses 5 % both ways; tunnel-guard drains its GCP end, then its AWS end a step later.
const run = async (clouds?: Scenario['clouds']) => {
  const { result, timelines } = await runScenario(scenario('seed-incident', clouds ? { clouds } : {}), deployed, ['tunnel-guard']);
  const tl = timelines['tunnel-guard'];
  const drainOf = (end: string) => tl.decisions.find((d) => d.kind === 'drain' && d.tunnelId.startsWith(`${end}:`))!.t;
  return { lost: result.strategies['tunnel-guard'].lostPackets, minutes: tl.minutes, gcp: drainOf('gcp'), aws: drainOf('aws') };
};

describe('route latency', () => {
  it('keeps traffic on the old path until the change is programmed, then moves it', async () => {
    const slow = await run({ gcpRouteSeconds: 300, awsRouteSeconds: 300 });
    const link0 = (t: number) => slow.minutes.find((m) => m.t === t)!;
    // Every whole minute between the drain and its taking effect: traffic as before (GCP splits, AWS all on link 0).
    const waiting = slow.minutes.filter((m) => m.t >= slow.gcp && m.t + 60 <= Math.min(slow.gcp, slow.aws) + 300);
    expect(waiting.length).toBeGreaterThanOrEqual(3);
    for (const m of waiting) expect([m.gcpToAws[0], m.awsToGcp[0]]).toEqual([5_000, 10_000]);
    // Once programmed, nothing is left on it.
    const after = Math.ceil((Math.max(slow.gcp, slow.aws) + 300) / 60) * 60;
    expect([link0(after).gcpToAws[0], link0(after).awsToGcp[0]]).toEqual([0, 0]);
  });

  it('costs exactly the loss of the old path for the latency, each direction with its own cloud', async () => {
    const instant = await run({ gcpRouteSeconds: 0, awsRouteSeconds: 0 });
    const slow = await run({ gcpRouteSeconds: 120, awsRouteSeconds: 200 });
    // The decisions do not move: only where the traffic goes meanwhile.
    expect([slow.gcp, slow.aws]).toEqual([instant.gcp, instant.aws]);
    // GCP→AWS: 5,000 pps (its ECMP share) lose 5 % for 120 s longer; AWS→GCP: 10,000 pps for 200 s longer.
    expect(slow.lost.gcpToAws - instant.lost.gcpToAws).toBe(5_000 * 0.05 * 120);
    expect(slow.lost.awsToGcp - instant.lost.awsToGcp).toBe(10_000 * 0.05 * 200);
  });

  it('takes the assumed latencies when a scenario says nothing', async () => {
    expect(DEFAULT_GCP_ROUTE_S % STEP_S).toBe(0);
    expect(DEFAULT_AWS_ROUTE_S % STEP_S).toBe(0);
    const instant = await run({ gcpRouteSeconds: 0, awsRouteSeconds: 0 });
    const byDefault = await run();
    expect(byDefault.lost.gcpToAws - instant.lost.gcpToAws).toBe(5_000 * 0.05 * DEFAULT_GCP_ROUTE_S);
    expect(byDefault.lost.awsToGcp - instant.lost.awsToGcp).toBe(10_000 * 0.05 * DEFAULT_AWS_ROUTE_S);
  });
});
