/**
 * One game-day run: a scenario, the three strategies, the same simulated clock. Each step the world plays the
 * clouds — tunnel status, metrics, alert evaluation, scheduled reconciles — then traffic flows for the step and
 * every packet is counted as delivered, lost in a lossy tunnel, or unreachable.
 */
import { loadConfig } from '../shared/policy';
import { simStateSchema, type SimState } from '../simulator/sim-state';
import { incidentTopology } from '../simulator/topology';
import { readFileSync } from 'node:fs';
import { AwsAlarmEvaluator } from './aws-alarms';
import { GAMEDAY_MONITOR, probeDimension, type Deployed, type ProbeDeclaration } from './deployed';
import { GcpAlertEvaluator } from './gcp-alerts';
import { GCP_SAMPLE_S, GCP_STATUS_VISIBLE_S, MetricStore, type GcpMinute } from './metrics';
import { ScenarioError, type Scenario } from './scenario';
import {
  naiveStrategy,
  noneStrategy,
  STRATEGIES,
  tunnelGuardStrategy,
  type Decision,
  type Strategy,
  type StrategyName,
} from './strategies';
import { destinationsOf, flowsOf } from './traffic';
import { World, type Direction } from './world';

/** The seconds one traffic step lasts: short enough for the 30 s probe aggregation, long enough to be fast. */
export const STEP_S = 10;
/** The probes' aggregation period (Network Synthetic Monitor offers 30 s or 60 s; the deploy tooling uses 30 s). */
export const PROBE_PERIOD_S = 30;

export interface StrategyResult {
  lostPackets: { gcpToAws: number; awsToGcp: number; total: number };
  unreachablePackets: number;
  routeChanges: number;
  drains: number;
  restores: number;
  restoresIntoLoss: number;
  timeToMitigateSeconds: number | null;
}

export interface ScenarioResult {
  scenario: string;
  floorSeconds: number | null;
  strategies: Record<StrategyName, StrategyResult>;
}

/** What the picture shows: one row per minute, plus the signals and decisions with their times. */
export interface Timeline {
  links: string[];
  minutes: {
    t: number;
    loss: number[];
    gcpToAws: number[];
    awsToGcp: number[];
    unreachable: number;
    lostTotal: number;
    routeChanges: number;
  }[];
  signals: { t: number; text: string }[];
  decisions: Decision[];
}

export interface RunOutput {
  result: ScenarioResult;
  timelines: Record<StrategyName, Timeline>;
}

function initialState(s: Scenario): SimState {
  if (!s.simulator) return incidentTopology();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(s.simulator, 'utf8'));
  } catch (e) {
    throw new ScenarioError(`scenario ${s.name}: cannot read simulator file ${s.simulator}: ${(e as Error).message}`);
  }
  const parsed = simStateSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ScenarioError(
      `scenario ${s.name}: simulator file ${s.simulator} is invalid at ${i?.path.join('.') || '(root)'}: ${i?.message}`,
    );
  }
  return parsed.data;
}

const round = (n: number): number => Math.round(n);

/** Run one strategy over the scenario. */
async function runStrategy(
  name: StrategyName,
  scenario: Scenario,
  initial: SimState,
  deployed: Deployed,
): Promise<{ result: StrategyResult; timeline: Timeline; world: World }> {
  const world = await World.create(initial, scenario);
  const clock = { t: 0 };
  const links = world.links;
  const config = loadConfig({ links: links.map((l) => ({ gcp: l.gcpId, aws: l.awsId })) }, {});
  if (!config.ok) throw new Error(`game day configuration: ${config.reason}`);
  const strategy: Strategy =
    name === 'none' ? noneStrategy() : name === 'naive' ? naiveStrategy(world) : tunnelGuardStrategy(world, config.value, clock);
  const store = new MetricStore();
  const gcpAlerts = new GcpAlertEvaluator(deployed.policies);
  // With probes, one per link, as the deploy tooling declares them (the addresses are the model's own).
  const probes: ProbeDeclaration[] = scenario.probes
    ? links.map((l, i) => ({
        vpnId: l.aws.vpnConnectionId,
        tunnelIp: l.aws.outsideIpAddress,
        target: `10.240.255.${10 + i}`,
        subnetArn: 'arn:aws:ec2:ap-northeast-1:123456789012:subnet/subnet-0a1b2c3d4e5f60001',
      }))
    : [];
  const awsAlarms = new AwsAlarmEvaluator([
    ...deployed.alarmsFor(links.map((l) => `${l.aws.vpnConnectionId}:${l.aws.outsideIpAddress}`)),
    ...(probes.length ? deployed.probeAlarmsFor(probes) : []),
  ]);
  const probeLoss = links.map(() => 0);
  const destinations = destinationsOf(initial);
  const end = scenario.minutes * 60;
  const minute = new Map<string, GcpMinute>();
  const lost = { gcpToAws: 0, awsToGcp: 0 };
  let unreachable = 0;
  const onset = world.firstLoss()?.at;
  let mitigatedAt: number | null | undefined;
  const timeline: Timeline = { links: links.map((l) => l.gcp.name), minutes: [], signals: [], decisions: [] };
  let acc = { gcpToAws: links.map(() => 0), awsToGcp: links.map(() => 0), unreachable: 0 };

  for (let t = 0; t < end; t += STEP_S) {
    clock.t = t;
    await world.syncTunnels(t);
    const state = await world.sim.read();
    if (t % GCP_SAMPLE_S === 0 && t > 0) {
      for (const [id, m] of minute) {
        const g = state.gcp.vpnTunnels.find((x) => `gcp:${state.gcp.project}:${x.region}:${x.name}` === id)!;
        store.writeGcp(
          { tunnelName: g.name, gatewayName: g.gateway, project: state.gcp.project, region: g.region, gatewayId: gatewayId(g.gateway) },
          t,
          m,
        );
      }
      minute.clear();
    }
    if (t % scenario.awsMetricPeriodSeconds === 0 && t > 0) {
      for (const c of state.aws.vpnConnections)
        for (const a of c.tunnels) store.writeAws(c.vpnConnectionId, a.outsideIpAddress, 'TunnelState', t, a.status === 'UP' ? 1 : 0);
    }
    // A probe's loss over its 30 s aggregation period: a round trip, so the loss of both directions, and all of it
    // when the link is down. Pinned by its own routes, it measures the link whether or not traffic uses it.
    if (probes.length && t % PROBE_PERIOD_S === 0 && t > 0) {
      probes.forEach((p, i) => {
        store.writeCloudWatch(
          'AWS/NetworkMonitor',
          'PacketLoss',
          { Monitor: GAMEDAY_MONITOR, Probe: probeDimension(p) },
          t,
          (probeLoss[i]! / (PROBE_PERIOD_S / STEP_S)) * 100,
        );
        probeLoss[i] = 0;
      });
    }
    if (t % 60 === 0 && t > 0) {
      for (const change of gcpAlerts.evaluate(t, store)) {
        timeline.signals.push({
          t,
          text: `GCP incident ${change.state}: ${change.condition.displayName} on ${change.metricLabels.tunnel_name ?? '?'}${change.noData ? ' (no data)' : ''}`,
        });
        await strategy.onIncident(change, t);
      }
    }
    // CloudWatch evaluates alarms on 30 s periods every 30 s, the others every minute (the evaluator keeps state).
    if (t > 0 && t % (probes.length ? PROBE_PERIOD_S : 60) === 0) {
      for (const change of awsAlarms.evaluate(t, store)) {
        timeline.signals.push({ t, text: `AWS alarm ${change.state}: ${change.alarm.AlarmName}` });
        await strategy.onAlarm(change, t);
      }
    }
    if (t > 0 && t % deployed.awsReconcileSeconds === 0) await strategy.reconcile('aws', t);
    if (t > 0 && t % deployed.gcpReconcileSeconds === 0) await strategy.reconcile('gcp', t);

    links.forEach((_, i) => {
      const a = world.lossAt(i, 'awsToGcp', t);
      const b = world.lossAt(i, 'gcpToAws', t);
      probeLoss[i]! += world.isDown(i, t) ? 1 : 1 - (1 - a) * (1 - b);
    });
    // Traffic for [t, t + STEP_S), over the routes as they are after this instant's actions.
    const now = await world.sim.read();
    const flows = flowsOf(now, destinations, scenario.traffic, () => true);
    let intoLossy = 0;
    for (const [id, pps] of flows.gcpToAws) {
      const link = world.linkOf(id);
      const loss = link >= 0 ? world.lossAt(link, 'gcpToAws', t) : 0;
      lost.gcpToAws += pps * STEP_S * loss;
      if (loss > 0) intoLossy += pps;
      const m = minute.get(id) ?? { receivedOk: 0, receivedLost: 0, sent: 0, established: true };
      m.sent += pps * STEP_S;
      minute.set(id, m);
      if (link >= 0) acc.gcpToAws[link]! += pps * STEP_S;
    }
    for (const [id, pps] of flows.awsToGcp) {
      const link = world.linkOf(id);
      if (link < 0) continue;
      const loss = world.lossAt(link, 'awsToGcp', t);
      lost.awsToGcp += pps * STEP_S * loss;
      if (loss > 0) intoLossy += pps;
      const gid = links[link]!.gcpId;
      const m = minute.get(gid) ?? { receivedOk: 0, receivedLost: 0, sent: 0, established: true };
      m.receivedOk += pps * STEP_S * (1 - loss);
      m.receivedLost += pps * STEP_S * loss;
      minute.set(gid, m);
      acc.awsToGcp[link]! += pps * STEP_S;
    }
    // Every GCP tunnel reports each minute, idle or not (see metrics.ts).
    for (const g of now.gcp.vpnTunnels) {
      const id = `gcp:${now.gcp.project}:${g.region}:${g.name}`;
      const m = minute.get(id) ?? { receivedOk: 0, receivedLost: 0, sent: 0, established: true };
      m.established = m.established && g.status === 'ESTABLISHED';
      minute.set(id, m);
    }
    const blackholed = (flows.unreachable.gcpToAws + flows.unreachable.awsToGcp) * STEP_S;
    unreachable += blackholed;
    lost.gcpToAws += flows.unreachable.gcpToAws * STEP_S;
    lost.awsToGcp += flows.unreachable.awsToGcp * STEP_S;
    acc.unreachable += blackholed;

    if (onset !== undefined && t >= onset && mitigatedAt === undefined) {
      if (intoLossy === 0) mitigatedAt = links.some((_, i) => world.lossy(i, t)) ? t : null;
    }
    if ((t + STEP_S) % 60 === 0) {
      timeline.minutes.push({
        t: t + STEP_S - 60,
        loss: links.map((_, i) => Math.max(world.lossAt(i, 'gcpToAws', t), world.lossAt(i, 'awsToGcp', t), world.isDown(i, t) ? 1 : 0)),
        gcpToAws: acc.gcpToAws.map((v) => v / 60),
        awsToGcp: acc.awsToGcp.map((v) => v / 60),
        unreachable: acc.unreachable,
        lostTotal: lost.gcpToAws + lost.awsToGcp,
        routeChanges: strategy.routeChanges(),
      });
      acc = { gcpToAws: links.map(() => 0), awsToGcp: links.map(() => 0), unreachable: 0 };
    }
  }

  const decisions = strategy.decisions();
  timeline.decisions = decisions;
  const restores = decisions.filter((d) => d.kind === 'restore');
  const result: StrategyResult = {
    lostPackets: { gcpToAws: round(lost.gcpToAws), awsToGcp: round(lost.awsToGcp), total: round(lost.gcpToAws + lost.awsToGcp) },
    unreachablePackets: round(unreachable),
    routeChanges: strategy.routeChanges(),
    drains: decisions.filter((d) => d.kind === 'drain').length,
    restores: restores.length,
    restoresIntoLoss: restores.filter((d) => {
      const link = world.linkOf(d.tunnelId);
      return link >= 0 && world.lossy(link, d.t);
    }).length,
    timeToMitigateSeconds: onset === undefined || mitigatedAt === undefined || mitigatedAt === null ? null : mitigatedAt - onset,
  };
  return { result, timeline, world };
}

/** A stable numeric id for a gateway name (the webhook's `gateway_id` label is a number in GCP). */
function gatewayId(name: string): string {
  let h = 0n;
  for (const ch of name) h = (h * 131n + BigInt(ch.codePointAt(0)!)) % 9_000_000_000_000_000_000n;
  return String(1_000_000_000_000_000_000n + h);
}

/**
 * The earliest moment a signal about the first loss can reach an edge: loss on AWS→GCP that AWS actually sends
 * through the link shows in GCP's `status`-labelled received counters, sampled at the end of the minute and
 * visible up to 60 s later. Loss only on GCP→AWS shows in no cloud metric (probes would see it).
 */
function floorOf(world: World, initial: SimState, scenario: Scenario): number | null {
  const first = world.firstLoss();
  if (!first) return null;
  // A probe sees loss in either direction at the end of its aggregation period.
  const probeFloor = scenario.probes ? (Math.floor(first.at / PROBE_PERIOD_S) + 1) * PROBE_PERIOD_S - first.at : null;
  const gcpFloor = gcpFloorOf(world, first, initial, scenario);
  if (probeFloor === null) return gcpFloor;
  return gcpFloor === null ? probeFloor : Math.min(probeFloor, gcpFloor);
}

function gcpFloorOf(
  world: World,
  first: NonNullable<ReturnType<World['firstLoss']>>,
  initial: SimState,
  scenario: Scenario,
): number | null {
  if (!first.directions.includes('awsToGcp' as Direction)) return null;
  const flows = flowsOf(initial, destinationsOf(initial), scenario.traffic, () => true);
  const carries = (flows.awsToGcp.get(world.links[first.link]!.awsId) ?? 0) > 0;
  if (!carries) return null;
  const sampleEnd = (Math.floor(first.at / GCP_SAMPLE_S) + 1) * GCP_SAMPLE_S;
  return sampleEnd + GCP_STATUS_VISIBLE_S - first.at;
}

export async function runScenario(scenario: Scenario, deployed: Deployed, only: readonly StrategyName[] = STRATEGIES): Promise<RunOutput> {
  const initial = initialState(scenario);
  const strategies = {} as Record<StrategyName, StrategyResult>;
  const timelines = {} as Record<StrategyName, Timeline>;
  let floor: number | null = null;
  for (const name of only) {
    const { result, timeline, world } = await runStrategy(name, scenario, initial, deployed);
    strategies[name] = result;
    timelines[name] = timeline;
    floor = floorOf(world, initial, scenario);
  }
  return { result: { scenario: scenario.name, floorSeconds: floor, strategies }, timelines };
}
