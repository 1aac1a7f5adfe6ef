/** The counters one strategy's run adds up step by step, and the result they make at the end. */
import type { SimState } from '../simulator/sim-state';
import { STEP_S } from './assumptions';
import { awsEndState, gcpEndState, inService, type EndState } from './model/ends';
import { DIRECTIONS, type Direction, type Link, type World } from './model/world';
import type { StrategyResult } from './results';
import type { Decision } from './strategies';

export interface Tally {
  lost: { gcpToAws: number; awsToGcp: number };
  unreachable: number;
  throttled: number;
  /** Minutes (fractional) a healthy link was out of service at either end. */
  healthyDrained: number;
  /** Minutes (fractional) the two ends of a link disagreed. */
  disagree: number;
  exposure: number;
}

export const emptyTally = (): Tally => ({
  lost: { gcpToAws: 0, awsToGcp: 0 },
  unreachable: 0,
  throttled: 0,
  healthyDrained: 0,
  disagree: 0,
  exposure: 0,
});

const round = (n: number): number => Math.round(n);

/**
 * Exposure, for the step at `t`: traffic into a lossy path while a less lossy one of the same domain, up and with
 * room, existed. Per link: what entered it each direction, its harm (loss plus downtime) each direction, its load.
 */
export function tallyExposure(
  tally: Tally,
  world: World,
  t: number,
  step: { into: Record<Direction, number>[]; harm: Record<Direction, number>[]; load: number[]; domains: string[] },
): void {
  const { into, harm, load, domains } = step;
  const links = world.links;
  const exposed = links.some((_, i) =>
    DIRECTIONS.some(
      (dir: Direction) =>
        into[i]![dir] > 0 &&
        harm[i]![dir] > 0 &&
        links.some(
          (__, k) =>
            k !== i &&
            domains[k] === domains[i] &&
            !world.reportedDown(k, t) &&
            harm[k]![dir] < harm[i]![dir] &&
            load[k]! < world.capacity[k]!,
        ),
    ),
  );
  if (exposed) tally.exposure += STEP_S;
}

/**
 * Each end of each link as the clouds are configured `now`, for one step: a healthy link out of service at either
 * end is lost redundancy, two ends in different states are a disagreement. Returns the ends (the picture shows them).
 */
export function tallyEnds(
  tally: Tally,
  initial: SimState,
  now: SimState,
  links: readonly Link[],
  healthy: readonly boolean[],
): { gcp: EndState; aws: EndState }[] {
  const ends = links.map((l) => ({ gcp: gcpEndState(initial, now, l), aws: awsEndState(initial, now, l) }));
  links.forEach((_, i) => {
    const e = ends[i]!;
    if (healthy[i] && (!inService(e.gcp) || !inService(e.aws))) tally.healthyDrained += STEP_S / 60;
    if (inService(e.gcp) !== inService(e.aws)) tally.disagree += STEP_S / 60;
  });
  return ends;
}

/** The result of a run from its tally and the strategy's decisions; `holdDown` judges restores into loss. */
export function resultOf(
  tally: Tally,
  decisions: Decision[],
  world: World,
  holdDown: number,
  routeChanges: number,
  timeToMitigate: number | null,
): StrategyResult {
  const { lost } = tally;
  const restores = decisions.filter((d) => d.kind === 'restore');
  return {
    lostPackets: { gcpToAws: round(lost.gcpToAws), awsToGcp: round(lost.awsToGcp), total: round(lost.gcpToAws + lost.awsToGcp) },
    unreachablePackets: round(tally.unreachable),
    throttledPackets: round(tally.throttled),
    routeChanges,
    drains: decisions.filter((d) => d.kind === 'drain').length,
    restores: restores.length,
    // A restore into loss: the tunnel's loss is on at the restore or comes back within the hold-down.
    restoresIntoLoss: restores.filter((d) => {
      const link = world.linkOf(d.tunnelId);
      if (link < 0) return false;
      for (let s = d.t; s <= d.t + holdDown; s += STEP_S)
        if (world.lossAt(link, 'gcpToAws', s) > 0 || world.lossAt(link, 'awsToGcp', s) > 0) return true;
      return false;
    }).length,
    timeToMitigateSeconds: timeToMitigate,
    healthyDrainedMinutes: Math.round(tally.healthyDrained * 10) / 10,
    disagreeMinutes: Math.round(tally.disagree * 10) / 10,
    exposureSeconds: tally.exposure,
  };
}
