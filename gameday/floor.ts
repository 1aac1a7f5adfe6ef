/** The floor: the earliest moment any alert could know about a scenario's first loss (no strategy can beat it). */
import type { SimState } from '../simulator/sim-state';
import { PROBE_PERIOD_S } from './assumptions';
import { GCP_SAMPLE_S, GCP_STATUS_VISIBLE_S, PROBE_VISIBLE_S } from './model/metrics';
import { destinationsOf, flowsOf } from './model/traffic';
import type { World } from './model/world';
import { probePackets, type Scenario } from './scenario';

/**
 * The earliest moment a signal about the first loss can be visible to an alert: a probe's data point at the end
 * of its aggregation period plus its ingestion delay; path loss on AWS→GCP that AWS actually sends through the link
 * (and that leaves something to arrive: at 100 % GCP sees no gaps, only silence) and an MTU problem on traffic the
 * link carries show in GCP's `status`-labelled counters, sampled at the end of the minute and visible up to 60 s
 * later. Path loss only on GCP→AWS shows in no cloud metric (probes would see it).
 */
export function floorOf(world: World, initial: SimState, scenario: Scenario): number | null {
  const first = world.firstLoss();
  if (!first) return null;
  const probeFloor = probePackets(scenario)
    ? (Math.floor(first.at / PROBE_PERIOD_S) + 1) * PROBE_PERIOD_S + PROBE_VISIBLE_S - first.at
    : null;
  const gcpFloor = gcpFloorOf(world, first, initial, scenario);
  const floors = [probeFloor, gcpFloor].filter((f): f is number => f !== null);
  return floors.length ? Math.round(Math.min(...floors)) : null;
}

function gcpFloorOf(
  world: World,
  first: NonNullable<ReturnType<World['firstLoss']>>,
  initial: SimState,
  scenario: Scenario,
): number | null {
  const flows = flowsOf(initial, destinationsOf(initial), scenario.traffic, () => true, {
    seed: scenario.seed,
    ...(scenario.flows ? { flows: scenario.flows } : {}),
  });
  const l = world.links[first.link]!;
  const seen =
    first.reason === 'mtu'
      ? (flows.awsToGcp.get(l.awsId) ?? 0) + (flows.gcpToAws.get(l.gcpId) ?? 0) > 0
      : first.directions.includes('awsToGcp') && first.loss < 1 && (flows.awsToGcp.get(l.awsId) ?? 0) > 0;
  if (!seen) return null;
  const sampleEnd = (Math.floor(first.at / GCP_SAMPLE_S) + 1) * GCP_SAMPLE_S;
  return sampleEnd + GCP_STATUS_VISIBLE_S - first.at;
}
