/**
 * The ways of answering the same alerts, side by side on the same world (the fourth, `oracle`, is in oracle.ts):
 * - `none`: native failover only — routes never change;
 * - `naive`: the script a team writes on the first day: delete a tunnel's routes on every ALARM / incident open,
 *   put them back on every OK / incident close; no guards, no hold-down, no link to the other cloud;
 * - `tunnel-guard`: the real edges (see edges.ts) with the shipped configuration.
 */
import { probeAlarmTunnel } from './deployed';
import type { Config } from '../shared/policy';
import type { LogEntry } from '../shared/ports';
import { gcpTunnelUrl } from '../clouds/gcp/urls';
import type { GcpRoute, SimState } from '../simulator/sim-state';
import type { AlarmChange } from './model/aws-alarms';
import { composeEdges, recordingLogger, type Defer, type Edges } from './edges';
import { MonitoringTraffic } from '../gcp-functions/adapters/monitoring-traffic';
import type { MetricStore } from './model/metrics';
import { monitoringApi } from './model/monitoring-api';
import type { IncidentChange } from './model/gcp-alerts';
import { alarmEvent, simDate, webhookBody } from './model/payloads';
import type { World } from './model/world';

export type { Defer } from './edges';

export type StrategyName = 'none' | 'naive' | 'tunnel-guard' | 'oracle';
export const STRATEGIES: readonly StrategyName[] = ['none', 'naive', 'tunnel-guard', 'oracle'];

/** A drain or a restore by one end, as the timeline shows it. */
export interface Decision {
  t: number;
  kind: 'drain' | 'restore' | 'refuse' | 'suppress';
  tunnelId: string;
  summary: string;
}

export interface Strategy {
  readonly name: StrategyName;
  /** A webhook delivery; `false` when the receiver failed and the sender would retry. */
  onIncident(change: IncidentChange, t: number): Promise<boolean | undefined>;
  /** An EventBridge delivery; `false` when the function failed and Lambda would retry. */
  onAlarm(change: AlarmChange, t: number): Promise<boolean | undefined>;
  reconcile(cloud: 'aws' | 'gcp', t: number): Promise<void>;
  /** Called at the start of every step (the oracle watches the world through it). */
  tick?(t: number): Promise<void>;
  /** Cloud mutations so far. */
  routeChanges(): number;
  decisions(): Decision[];
  /** Every line the edges logged, with its time (tunnel-guard only): the picture reads CRITICAL notices and link messages from it. */
  log?(): readonly (LogEntry & { t: number })[];
}

export function noneStrategy(): Strategy {
  return {
    name: 'none',
    onIncident: async () => undefined,
    onAlarm: async () => undefined,
    reconcile: async () => undefined,
    routeChanges: () => 0,
    decisions: () => [],
  };
}

/** The Cloud Router peers bound to a tunnel (HA VPN). */
function peersOf(state: SimState, tunnelUrl: string) {
  return state.gcp.routers.flatMap((r) => {
    const itf = r.interfaces.filter((i) => i.linkedVpnTunnel === tunnelUrl).map((i) => i.name);
    return r.bgpPeers.filter((p) => itf.includes(p.interfaceName));
  });
}

export function naiveStrategy(world: World): Strategy {
  const savedGcp = new Map<string, GcpRoute[]>();
  const savedAws = new Map<string, string[]>();
  const log: Decision[] = [];
  let changes = 0;
  return {
    name: 'naive',
    onIncident: async (c, t) => {
      // The script is wired to the alerts, not to tunnel-guard's recovery half of a trip/clear pair.
      if (c.policy.userLabels['tunnel-guard-role'] === 'clear') return true;
      const name = c.metricLabels.tunnel_name;
      const region = c.resourceLabels.region;
      if (!name || !region) return true;
      const url = gcpTunnelUrl(world.project, region, name);
      const id = `gcp:${world.project}:${region}:${name}`;
      await world.sim.update((state) => {
        if (c.state === 'open') {
          const mine = state.gcp.routes.filter((r) => r.nextHopVpnTunnel === url);
          // HA VPN: the script's lever is the tunnel's Cloud Router peer.
          const peers = peersOf(state, url).filter((p) => p.enable === 'TRUE');
          if (mine.length === 0 && peers.length === 0) return;
          savedGcp.set(id, [...(savedGcp.get(id) ?? []), ...mine]);
          state.gcp.routes = state.gcp.routes.filter((r) => r.nextHopVpnTunnel !== url);
          for (const p of peers) p.enable = 'FALSE';
          changes += mine.length + peers.length;
          log.push({
            t,
            kind: 'drain',
            tunnelId: id,
            summary: `deleted ${mine.length} route(s) and disabled ${peers.length} BGP peer(s) of ${name}`,
          });
        } else {
          const back = savedGcp.get(id) ?? [];
          savedGcp.delete(id);
          const missing = back.filter((r) => !state.gcp.routes.some((x) => x.name === r.name));
          const peers = peersOf(state, url).filter((p) => p.enable === 'FALSE');
          if (missing.length === 0 && peers.length === 0) return;
          state.gcp.routes.push(...missing);
          for (const p of peers) p.enable = 'TRUE';
          changes += missing.length + peers.length;
          log.push({ t, kind: 'restore', tunnelId: id, summary: `re-added ${missing.length} route(s) through ${name}` });
        }
      });
      return true;
    },
    onAlarm: async (c, t) => {
      if (c.state === 'INSUFFICIENT_DATA' || c.alarm.AlarmName.endsWith('-clear')) return true;
      // A probe alarm names its tunnel; every other alarm carries the AWS/VPN dimensions.
      const probe = probeAlarmTunnel(c.alarm.AlarmName);
      if (probe)
        c = {
          ...c,
          alarm: {
            ...c.alarm,
            Dimensions: [
              { Name: 'VpnId', Value: probe.vpnId },
              { Name: 'TunnelIpAddress', Value: probe.tunnelIp },
            ],
          },
        };
      const dims = Object.fromEntries(c.alarm.Dimensions.map((d) => [d.Name, d.Value]));
      const vpn = dims.VpnId;
      if (!vpn) return true;
      const id = `aws:${world.region}:${vpn}:${dims.TunnelIpAddress}`;
      await world.sim.update((state) => {
        const conn = state.aws.vpnConnections.find((x) => x.vpnConnectionId === vpn);
        if (!conn) return;
        if (c.state === 'ALARM') {
          const cidrs = conn.routes.map((r) => r.destinationCidrBlock);
          if (cidrs.length === 0) return;
          savedAws.set(vpn, [...(savedAws.get(vpn) ?? []), ...cidrs]);
          conn.routes = [];
          changes += cidrs.length;
          log.push({ t, kind: 'drain', tunnelId: id, summary: `deleted ${cidrs.length} static route(s) of ${vpn}` });
        } else {
          const back = (savedAws.get(vpn) ?? []).filter((cidr) => !conn.routes.some((r) => r.destinationCidrBlock === cidr));
          savedAws.delete(vpn);
          if (back.length === 0) return;
          conn.routes.push(...back.map((cidr) => ({ destinationCidrBlock: cidr, source: 'Static' as const, state: 'available' as const })));
          changes += back.length;
          log.push({ t, kind: 'restore', tunnelId: id, summary: `re-added ${back.length} static route(s) of ${vpn}` });
        }
      });
      return true;
    },
    reconcile: async () => undefined,
    routeChanges: () => changes,
    decisions: () => log,
  };
}

const DECISIONS = new Set(['drain', 'restore', 'refuse', 'suppress']);

/** A decision line the engine logged, if it changed something (or refused). */
function decisionOf(line: LogEntry & { t: number }): Decision | undefined {
  const kind = line.decision;
  if (typeof kind !== 'string' || !DECISIONS.has(kind) || typeof line.tunnelId !== 'string') return undefined;
  const applied = ((line.outcomes as Record<string, number> | undefined)?.applied ?? 0) > 0;
  if ((kind === 'drain' || kind === 'restore') && !applied) return undefined;
  // A drain under flap damping is logged as `suppress` (it stays until an operator releases it), but it is a
  // drain all the same: count it as one.
  if (kind === 'suppress' && applied) return { t: line.t, kind: 'drain', tunnelId: line.tunnelId, summary: String(line.message) };
  return { t: line.t, kind: kind as Decision['kind'], tunnelId: line.tunnelId, summary: String(line.message) };
}

export function tunnelGuardStrategy(world: World, config: Config, clock: { t: number }, defer: Defer, store: MetricStore): Strategy {
  const logger = recordingLogger(() => clock.t);
  // The Cloud Function reads GCP's per-tunnel counters through its real adapter, served from the model's metrics.
  const traffic = new MonitoringTraffic(
    monitoringApi(store, () => clock.t),
    { project: world.project, now: () => simDate(clock.t) },
  );
  const edges: Edges = composeEdges(
    world.sim,
    config,
    { now: () => simDate(clock.t) },
    logger,
    () => clock.t,
    world.region,
    defer,
    traffic,
  );
  let eventSeq = 0;
  return {
    name: 'tunnel-guard',
    // A 4xx is a permanent refusal (no retry); a 5xx makes Cloud Monitoring send again.
    onIncident: async (c) => (await edges.tunnelIncident(webhookBody(c, world.project))) < 500,
    onAlarm: async (c) => {
      try {
        await edges.tunnelAlarm(alarmEvent(c, world.region, ++eventSeq));
        return true;
      } catch {
        // The function threw (a transient cloud error outlasted its retries): Lambda invokes it again.
        return false;
      }
    },
    reconcile: async (cloud) => {
      try {
        await (cloud === 'aws' ? edges.reconcileAws() : edges.reconcileGcp());
      } catch {
        // A failed reconcile is simply the next one's work.
      }
    },
    routeChanges: () => world.sim.stats().applied,
    log: () => logger.lines,
    decisions: () => {
      // A refusal repeated by every reconcile is one refusal (the engine notifies it once, too).
      const seen = new Set<string>();
      return logger.lines.map(decisionOf).filter((d): d is Decision => {
        if (!d) return false;
        if (d.kind !== 'refuse' && d.kind !== 'suppress') return true;
        const k = `${d.tunnelId}|${d.summary}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    },
  };
}
