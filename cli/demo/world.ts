/**
 * The demo's world: a fresh simulator with the original incident's topology, both ends of each link acting, a
 * clock the steps move, and the few readings the steps check (routes through a tunnel, standbys, AWS routes).
 */
import { handleSignal } from '../../shared/engine';
import { memoryLogger } from '../../shared/log';
import { DEFAULT_POLICY } from '../../shared/policy';
import type { CoreDeps } from '../../shared/ports';
import {
  INCIDENT,
  simulatorLinkPublisher,
  type LinkDelivery,
  type SimState,
  type SimulatorHandle,
  type SimulatorLink,
} from '../../simulator';
import { parseTunnelUrl } from '../../clouds/gcp/urls';
import { STANDBY_PRIORITY } from '../../clouds/gcp/standby';
import { standbyCidrsOf } from '../../clouds/aws/vgw-standby';
import type { Discovery } from '../../shared/links/discover';
import type { Report } from '../../shared/report-types';
import { awsTunnelId, gcpTunnelId, type Health } from '../../shared/types';
import { formatStatus } from '../status-table';
import { buildStatus } from '../status-view';

export const HOLD_DOWN_S = 300;
export const T0 = Date.parse('2026-11-25T10:00:00Z');

export const V1 = INCIDENT.vpn[0];
export const V2 = INCIDENT.vpn[1];
export const T1 = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: V1.gcpTunnel });
export const T2 = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: V2.gcpTunnel });
export const A1 = awsTunnelId({ region: INCIDENT.awsRegion, vpnConnectionId: V1.id, outsideIpAddress: V1.tunnelIps[0] });

/** `[T+mm:ss]` for an instant `s` seconds after the start. */
export const stamp = (s: number): string => `[T+${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}]`;

/** The route tables of both clouds, in the writable fields only (what "equal" means after a restore). */
export function routeTables(s: SimState) {
  return {
    aws: s.aws.vpnConnections.map((c) => ({
      vpn: c.vpnConnectionId,
      routes: [...c.routes].sort((a, b) => a.destinationCidrBlock.localeCompare(b.destinationCidrBlock)),
    })),
    gcp: [...s.gcp.routes]
      .map((r) => ({
        name: r.name,
        network: r.network,
        destRange: r.destRange,
        priority: r.priority,
        tags: r.tags,
        description: r.description,
        nextHopVpnTunnel: r.nextHopVpnTunnel,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export function formatTables(s: SimState): string {
  const t = routeTables(s);
  const lines = ['  AWS (VGW static routes per VPN connection; AWS picks one UP tunnel of the connection):'];
  for (const c of t.aws) lines.push(`    ${c.vpn}: ${c.routes.map((r) => r.destinationCidrBlock).join(', ') || '(none)'}`);
  lines.push(`  GCP (project ${s.gcp.project}, static routes; equal priority = ECMP over both tunnels):`);
  if (!t.gcp.length) lines.push('    (none)');
  for (const r of t.gcp)
    lines.push(
      `    ${r.destRange.padEnd(14)} → ${parseTunnelUrl(r.nextHopVpnTunnel)?.name ?? r.nextHopVpnTunnel}  (priority ${r.priority}, ${r.name})`,
    );
  return lines.join('\n') + '\n';
}

export interface DemoWorld {
  sim: SimulatorHandle;
  deps: CoreDeps & { link: SimulatorLink };
  discovery: Discovery;
  /** Move the simulated clock to `s` seconds after the start. */
  at(s: number): void;
  /** A Cloud Monitoring incident on a GCP tunnel, as the webhook edge would turn it into a signal. */
  signal(tunnelId: string, health: Health, evidence: string): Promise<Report>;
  /** The link messages delivered since the last call: what the other end did. */
  delivered(): LinkDelivery[];
  /** Routes to the AWS VPC through a GCP tunnel at a normal priority, and the de-preferred standbys. */
  gcpPreferredVia(name: string): Promise<number>;
  gcpStandbyVia(name: string): Promise<number>;
  /** A connection's own routes (the incident's prefixes), de-preferred or not. */
  awsRoutesOf(vpn: string): Promise<number>;
  /** The more specific halves a connection holds for another connection's de-preference. */
  awsHalvesOn(vpn: string): Promise<number>;
  /** How many of a connection's routes are marked de-preferred (by tag). */
  awsStandbyOf(vpn: string): Promise<number>;
  status(): Promise<string>;
}

export function demoWorld(sim: SimulatorHandle, discovery: Discovery): DemoWorld {
  let now = T0;
  let seen = 0;
  const deps: DemoWorld['deps'] = {
    clouds: { aws: sim.ports('aws'), gcp: sim.ports('gcp') },
    ledger: sim.ledger,
    notifier: sim.notifier,
    clock: { now: () => new Date(now) },
    logger: memoryLogger(),
    policy: { ...DEFAULT_POLICY, restoreHoldDownSeconds: HOLD_DOWN_S, dryRun: false },
    sleep: async () => undefined,
    // Both ends of each link: pairs discovered on the simulator, messages signed, verified and handled
    // by the receiving end with its own guards, exactly as between the deployed edges.
    links: discovery.links,
    link: simulatorLinkPublisher(() => deps),
  };
  const awsRoutes = async (vpn: string) =>
    ((await sim.read()).aws.vpnConnections.find((c) => c.vpnConnectionId === vpn)?.routes ?? []).map((r) => r.destinationCidrBlock);
  const routesVia = async (name: string, standby: boolean) =>
    (await sim.read()).gcp.routes.filter(
      (r) => parseTunnelUrl(r.nextHopVpnTunnel)?.name === name && r.priority >= STANDBY_PRIORITY === standby,
    ).length;
  return {
    sim,
    deps,
    discovery,
    at: (s) => {
      now = T0 + s * 1000;
    },
    signal(tunnelId, health, evidence) {
      const observedAt = new Date(now).toISOString();
      return handleSignal(deps, {
        tunnelId,
        health,
        observedAt,
        source: 'gcp-webhook',
        key: `demo:${tunnelId}:${health}:${observedAt}`,
        evidence,
      });
    },
    delivered() {
      const fresh = deps.link.deliveries.slice(seen);
      seen = deps.link.deliveries.length;
      return fresh;
    },
    // De-preference leaves a standby copy at the worst priority: count the preferred routes and the standbys apart.
    gcpPreferredVia: (name) => routesVia(name, false),
    gcpStandbyVia: (name) => routesVia(name, true),
    awsRoutesOf: async (vpn) => (await awsRoutes(vpn)).filter((r) => (INCIDENT.gcpPrefixes as readonly string[]).includes(r)).length,
    awsHalvesOn: async (vpn) => (await awsRoutes(vpn)).filter((r) => !(INCIDENT.gcpPrefixes as readonly string[]).includes(r)).length,
    awsStandbyOf: async (vpn) => {
      const c = (await sim.read()).aws.vpnConnections.find((x) => x.vpnConnectionId === vpn);
      return standbyCidrsOf(c?.tags).size;
    },
    async status() {
      const ports = [sim.ports('aws'), sim.ports('gcp')];
      const tunnels = (await Promise.all(ports.map((p) => p.tunnels.list()))).flat();
      const paths = (await Promise.all(ports.map((p) => p.paths.list()))).flat();
      return formatStatus(buildStatus(tunnels, paths, await sim.ledger.list(), { links: deps.links ?? [], source: 'discovered' }))
        .replace(/^/gm, '  ')
        .replace(/ +$/, '');
    },
  };
}
