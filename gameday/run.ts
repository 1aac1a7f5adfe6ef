/**
 * One game-day run: a scenario, the four strategies, the same simulated clock. Each step the world plays the
 * clouds — tunnel status, metrics, alert evaluation, deliveries that were on their way, scheduled reconciles —
 * then traffic flows for the step over the routes the clouds have finished programming, and every packet is
 * counted as delivered, throttled, dropped for its size, lost in transit, or unreachable.
 *
 * The assumed figures are in assumptions.ts, the result and timeline types in results.ts, the floor in floor.ts;
 * all are importable from here as before.
 */
import { loadConfig } from '../shared/policy';
import type { SimState } from '../simulator/sim-state';
import {
  DEFAULT_AWS_ROUTE_S,
  DEFAULT_FAIL_RATE,
  DEFAULT_GCP_ROUTE_S,
  EVENTBRIDGE_DELIVERY_S,
  PROBE_MISSING,
  PROBE_PERIOD_S,
  STEP_S,
  WEBHOOK_DELIVERY_S,
} from './assumptions';
import { GAMEDAY_MONITOR, probeDimension, type Deployed, type ProbeDeclaration } from './deployed';
import { floorOf } from './floor';
import { Mailbox } from './mailbox';
import { AwsAlarmEvaluator } from './model/aws-alarms';
import { fateOf, lostOf } from './model/delivery';
import { GcpAlertEvaluator } from './model/gcp-alerts';
import { CLOUDWATCH_VISIBLE_S, emptyGcpMinute, GCP_SAMPLE_S, MetricStore, PROBE_VISIBLE_S, type GcpMinute } from './model/metrics';
import { binomial, mulberry32 } from './model/random';
import { destinationsOf, flowsOf, type Spread } from './model/traffic';
import { DIRECTIONS, World } from './model/world';
import { oracleStrategy } from './oracle';
import { kindOf, noteEdgesWords, type RunOutput, type StrategyResult, type Timeline } from './results';
import { probePackets, type Scenario } from './scenario';
import { naiveStrategy, noneStrategy, STRATEGIES, tunnelGuardStrategy, type Strategy, type StrategyName } from './strategies';
import { emptyTally, resultOf, tallyEnds, tallyExposure } from './tally';
import { domainsOf, gatewayId, initialState, programmed } from './topology-of-run';

export * from './assumptions';
export { floorOf } from './floor';
export type { RunOutput, ScenarioResult, SignalKind, StrategyResult, Timeline } from './results';

/** What a test may change about a run (`npm run gameday` uses the defaults). */
export interface RunOptions {
  /** Share of probe data points that never arrive; default `PROBE_MISSING`. */
  probeMissing?: number;
  /** Called with each strategy's world when its run is over (the clouds' call counters are there). */
  onWorld?: (name: StrategyName, world: World) => void;
}

/** Run one strategy over the scenario. */
async function runStrategy(
  name: StrategyName,
  scenario: Scenario,
  initial: SimState,
  deployed: Deployed,
  floor: number | null,
  probeMissing: number,
): Promise<{ result: StrategyResult; timeline: Timeline; world: World }> {
  const failRate = scenario.clouds?.failRate ?? DEFAULT_FAIL_RATE;
  const world = new World(initial, scenario, failRate > 0 ? { failRate, seed: scenario.seed } : undefined);
  const clock = { t: 0 };
  const links = world.links;
  const config = loadConfig({ links: links.map((l) => ({ gcp: l.gcpId, aws: l.awsId })) }, {});
  if (!config.ok) throw new Error(`game day configuration: ${config.reason}`);
  const hashing: Spread = { seed: scenario.seed, ...(scenario.flows ? { flows: scenario.flows } : {}) };
  const random = mulberry32(scenario.seed);
  const timeline: Timeline = {
    links: links.map((l) => l.gcp.name),
    capacity: [...world.capacity],
    minutes: [],
    signals: [],
    decisions: [],
    critical: [],
    timeToMitigateSeconds: null,
    onset: null,
  };

  // Everything on its way: alarm events, webhooks, link messages — each delivered at its time, retried on failure.
  const mailbox = new Mailbox(() => clock.t);
  const defer = mailbox.defer;

  const store = new MetricStore();
  const strategy: Strategy =
    name === 'none'
      ? noneStrategy()
      : name === 'naive'
        ? naiveStrategy(world)
        : name === 'oracle'
          ? oracleStrategy(world, { floor, step: STEP_S, hashing })
          : tunnelGuardStrategy(world, config.value, clock, defer, store);
  const gcpAlerts = new GcpAlertEvaluator(deployed.policies);
  const packets = probePackets(scenario);
  // With probes, one per link, as the deploy tooling declares them (the addresses are the model's own).
  const probes: ProbeDeclaration[] = packets
    ? links.map((l, i) => ({
        vpnId: l.aws.vpnConnectionId,
        tunnelIp: l.aws.outsideIpAddress,
        target: `10.240.255.${10 + i}`,
        subnetArn: 'arn:aws:ec2:ap-northeast-1:123456789012:subnet/subnet-0a1b2c3d4e5f60001',
      }))
    : [];
  const awsAlarms = new AwsAlarmEvaluator(
    [
      ...deployed.alarmsFor(links.map((l) => `${l.aws.vpnConnectionId}:${l.aws.outsideIpAddress}`)),
      ...(probes.length ? deployed.probeAlarmsFor(probes) : []),
    ],
    (a) => (a.Namespace === 'AWS/NetworkMonitor' ? PROBE_VISIBLE_S : CLOUDWATCH_VISIBLE_S),
  );
  const probeLoss = links.map(() => 0);
  const destinations = destinationsOf(initial);
  const domains = domainsOf(world);
  const end = scenario.minutes * 60;
  const minute = new Map<string, GcpMinute>();
  const minuteOf = (id: string): GcpMinute => {
    const m = minute.get(id) ?? emptyGcpMinute();
    minute.set(id, m);
    return m;
  };
  const tally = emptyTally();
  const { lost } = tally;
  const onset = world.firstLoss()?.at;
  let mitigatedAt: number | null | undefined;
  let acc = { gcpToAws: links.map(() => 0), awsToGcp: links.map(() => 0), unreachable: 0, throttled: 0 };
  const gcpDelay = scenario.clouds?.gcpRouteSeconds ?? DEFAULT_GCP_ROUTE_S;
  const awsDelay = scenario.clouds?.awsRouteSeconds ?? DEFAULT_AWS_ROUTE_S;
  const history: { t: number; state: SimState }[] = [];
  const at = (t: number): SimState => {
    let s = history[0]!.state;
    for (const h of history) if (h.t <= t) s = h.state;
    return s;
  };

  for (let t = 0; t < end; t += STEP_S) {
    clock.t = t;
    await world.syncTunnels(t);
    await strategy.tick?.(t);
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
        for (const a of c.tunnels)
          store.writeAws(c.vpnConnectionId, a.outsideIpAddress, 'TunnelState', t, a.status === 'UP' ? 1 : 0, CLOUDWATCH_VISIBLE_S);
    }
    // A probe's loss over its 30 s aggregation period: a round trip, so the loss of both directions, and all of it
    // while the link is dead. Pinned by its own routes, it measures the link whether or not traffic uses it. It
    // reports what it sampled — `packets` probes, each lost with that probability — and sometimes nothing at all.
    if (probes.length && t % PROBE_PERIOD_S === 0 && t > 0) {
      probes.forEach((p, i) => {
        const truth = probeLoss[i]! / (PROBE_PERIOD_S / STEP_S);
        probeLoss[i] = 0;
        const lostProbes = binomial(packets, truth, random);
        if (random() < probeMissing) return;
        store.writeCloudWatch(
          'AWS/NetworkMonitor',
          'PacketLoss',
          { Monitor: GAMEDAY_MONITOR, Probe: probeDimension(p) },
          t,
          (lostProbes / packets) * 100,
          PROBE_VISIBLE_S,
        );
      });
    }
    if (t % 60 === 0 && t > 0) {
      for (const change of gcpAlerts.evaluate(t, store)) {
        const text = `GCP incident ${change.state}: ${change.condition.displayName} on ${change.metricLabels.tunnel_name ?? '?'}${change.noData ? ' (no data)' : ''}`;
        timeline.signals.push({ t, text, kind: kindOf(`${change.policy.displayName} ${text}`), trip: change.state === 'open' });
        defer(WEBHOOK_DELIVERY_S, text, async () => (await strategy.onIncident(change, clock.t)) !== false);
      }
    }
    // CloudWatch evaluates alarms on 30 s periods every 30 s, the others every minute (the evaluator keeps state).
    if (t > 0 && t % (probes.length ? PROBE_PERIOD_S : 60) === 0) {
      for (const change of awsAlarms.evaluate(t, store)) {
        const text = `AWS alarm ${change.state}: ${change.alarm.AlarmName}`;
        timeline.signals.push({ t, text, kind: kindOf(text), trip: change.state === 'ALARM' });
        defer(EVENTBRIDGE_DELIVERY_S, text, async () => (await strategy.onAlarm(change, clock.t)) !== false);
      }
    }
    // Deliver what has arrived, in order; a failed delivery comes again later, a bounded number of times.
    await mailbox.deliver(t, (what) => timeline.signals.push({ t, text: `gave up delivering: ${what}`, kind: 'other', trip: false }));
    if (t > 0 && t % deployed.awsReconcileSeconds === 0) await strategy.reconcile('aws', t);
    if (t > 0 && t % deployed.gcpReconcileSeconds === 0) await strategy.reconcile('gcp', t);

    links.forEach((_, i) => {
      const dead = world.downOver(i, t, t + STEP_S);
      const a = world.lossOver(i, 'awsToGcp', t, t + STEP_S);
      const b = world.lossOver(i, 'gcpToAws', t, t + STEP_S);
      probeLoss[i]! += dead + (1 - dead) * (1 - (1 - a) * (1 - b));
    });
    // Traffic for [t, t + STEP_S), over the routes as the clouds have programmed them by now.
    const now = await world.sim.read();
    history.push({ t, state: now });
    if (history.length > 1 + Math.ceil(Math.max(gcpDelay, awsDelay) / STEP_S) + 1) history.shift();
    const effective = gcpDelay === 0 && awsDelay === 0 ? now : programmed(now, at(t - gcpDelay), at(t - awsDelay));
    const flows = flowsOf(effective, destinations, scenario.traffic, () => true, hashing);
    let intoLossy = 0;
    const lossFrac = links.map(() => ({ gcpToAws: 0, awsToGcp: 0 }));
    const load = links.map(() => 0);
    const into = links.map((l) => ({ gcpToAws: flows.gcpToAws.get(l.gcpId) ?? 0, awsToGcp: flows.awsToGcp.get(l.awsId) ?? 0 }));
    links.forEach((l, i) => {
      const fate = fateOf(world, i, into[i]!, t, t + STEP_S);
      load[i] = into[i]!.gcpToAws + into[i]!.awsToGcp;
      for (const dir of DIRECTIONS) {
        const f = fate[dir];
        lost[dir] += lostOf(f) * STEP_S;
        tally.throttled += f.throttled * STEP_S;
        acc.throttled += f.throttled * STEP_S;
        acc[dir][i]! += f.offered * STEP_S;
        const harm = world.lossOver(i, dir, t, t + STEP_S) + world.downOver(i, t, t + STEP_S);
        lossFrac[i]![dir] = harm;
        if (harm > 0 && f.offered > 0) intoLossy += f.offered;
      }
      const g2a = fate.gcpToAws;
      const a2g = fate.awsToGcp;
      const m = minuteOf(l.gcpId);
      m.sent += (g2a.offered - g2a.dead - g2a.throttled - g2a.mtu) * STEP_S;
      m.sentThrottled += g2a.throttled * STEP_S;
      m.sentMtu += g2a.mtu * STEP_S;
      m.receivedOk += a2g.arrived * STEP_S;
      // Gaps are inferred from what arrives: a step in which nothing arrives shows none.
      m.receivedLost += a2g.arrived * STEP_S >= 1 ? a2g.path * STEP_S : 0;
      m.receivedThrottled += a2g.throttled * STEP_S;
      m.receivedMtu += a2g.mtu * STEP_S;
    });
    // GCP→AWS traffic into a tunnel that is not a link (no peer in this topology) is counted as delivered.
    // Every GCP tunnel reports each minute, idle or not (see metrics.ts).
    for (const g of now.gcp.vpnTunnels) {
      const m = minuteOf(`gcp:${now.gcp.project}:${g.region}:${g.name}`);
      m.established = m.established && g.status === 'ESTABLISHED';
    }
    const blackholed = (flows.unreachable.gcpToAws + flows.unreachable.awsToGcp) * STEP_S;
    tally.unreachable += blackholed;
    lost.gcpToAws += flows.unreachable.gcpToAws * STEP_S;
    lost.awsToGcp += flows.unreachable.awsToGcp * STEP_S;
    acc.unreachable += blackholed;

    tallyExposure(tally, world, t, { into, harm: lossFrac, load, domains });

    // Each end's state, against the truth about the link.
    const ends = tallyEnds(
      tally,
      initial,
      now,
      links,
      lossFrac.map((f) => f.gcpToAws === 0 && f.awsToGcp === 0),
    );

    if (onset !== undefined && t + STEP_S > onset && mitigatedAt === undefined) {
      if (intoLossy === 0) mitigatedAt = links.some((_, i) => world.lossy(i, t)) ? t : null;
    }
    if ((t + STEP_S) % 60 === 0) {
      timeline.minutes.push({
        t: t + STEP_S - 60,
        loss: links.map((_, i) => Math.max(world.lossAt(i, 'gcpToAws', t), world.lossAt(i, 'awsToGcp', t), world.isDown(i, t) ? 1 : 0)),
        lossGcpToAws: links.map((_, i) => world.lossAt(i, 'gcpToAws', t)),
        lossAwsToGcp: links.map((_, i) => world.lossAt(i, 'awsToGcp', t)),
        down: links.map((_, i) => world.isDown(i, t)),
        gcpToAws: acc.gcpToAws.map((v) => v / 60),
        awsToGcp: acc.awsToGcp.map((v) => v / 60),
        unreachable: acc.unreachable,
        throttled: acc.throttled,
        lostTotal: lost.gcpToAws + lost.awsToGcp,
        routeChanges: strategy.routeChanges(),
        ends,
      });
      acc = { gcpToAws: links.map(() => 0), awsToGcp: links.map(() => 0), unreachable: 0, throttled: 0 };
    }
  }

  const decisions = strategy.decisions();
  timeline.decisions = decisions;
  noteEdgesWords(timeline, strategy.log?.() ?? []);
  const timeToMitigate = onset === undefined || mitigatedAt === undefined || mitigatedAt === null ? null : Math.max(0, mitigatedAt - onset);
  timeline.timeToMitigateSeconds = timeToMitigate;
  timeline.onset = onset ?? null;
  timeline.signals.sort((a, b) => a.t - b.t);
  const holdDown = config.value.policy.restoreHoldDownSeconds;
  const result = resultOf(tally, decisions, world, holdDown, strategy.routeChanges(), timeToMitigate);
  return { result, timeline, world };
}

export async function runScenario(
  scenario: Scenario,
  deployed: Deployed,
  only: readonly StrategyName[] = STRATEGIES,
  options: RunOptions = {},
): Promise<RunOutput> {
  const initial = initialState(scenario);
  const strategies = {} as Record<StrategyName, StrategyResult>;
  const timelines = {} as Record<StrategyName, Timeline>;
  const floor = floorOf(new World(initial, scenario), initial, scenario);
  for (const name of only) {
    const { result, timeline, world } = await runStrategy(name, scenario, initial, deployed, floor, options.probeMissing ?? PROBE_MISSING);
    options.onWorld?.(name, world);
    strategies[name] = result;
    timelines[name] = timeline;
  }
  return { result: { scenario: scenario.name, floorSeconds: floor, strategies }, timelines };
}
