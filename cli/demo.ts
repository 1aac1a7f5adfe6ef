/**
 * `tunnel-guard demo` / `npm run demo`: replays the original incident on a FRESH simulator in a
 * temporary directory (never the user's file), with a controlled clock, as a readable timeline with the route
 * tables before and after. It also checks each step went as expected and that the final route tables equal the
 * initial ones, so it doubles as an end-to-end test (exit 1 if anything is off). Both ends of each link act:
 * GCP sees the dropped packets and tells the AWS end over the link; each end keeps its own guards and
 * its own hold-down.
 */
import { parseTunnelUrl } from '../clouds/gcp/urls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { handleSignal, reconcile } from '../shared/engine';
import { memoryLogger } from '../shared/log';
import { DEFAULT_POLICY } from '../shared/policy';
import type { CoreDeps } from '../shared/ports';
import {
  INCIDENT,
  openSimulator,
  simulatorLinkPublisher,
  type LinkDelivery,
  type SimState,
  type SimulatorHandle,
  type SimulatorLink,
} from '../simulator';

import { STANDBY_PRIORITY } from '../clouds/gcp/standby';
import { awsTunnelId, gcpTunnelId, type Health } from '../shared/types';
import type { Report } from '../shared/report-types';
import { discoverOnSimulator } from './compose';
import { formatDelivery } from './link-format';
import { EXIT, type CliIo, type ExitCode } from './io';
import { formatReport } from './report-format';
import { buildStatus, formatStatus } from './status-view';

const HOLD_DOWN_S = 300;
const T0 = Date.parse('2026-11-25T10:00:00Z');

/** The route tables of both clouds, in the writable fields only (what "equal" means after a restore). */
function routeTables(s: SimState) {
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

function formatTables(s: SimState): string {
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

/** Replay the incident. Returns 0 when every step behaved as expected and the tables are back to the start. */
export async function runDemo(io: CliIo): Promise<ExitCode> {
  const dir = mkdtempSync(join(tmpdir(), 'tunnel-guard-demo-'));
  try {
    return await replay(io, openSimulator(join(dir, 'demo.sim.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function replay(io: CliIo, sim: SimulatorHandle): Promise<ExitCode> {
  const out = (s = '') => io.stdout(`${s}\n`);
  let now = T0;
  const discovery = await discoverOnSimulator(sim);
  const deps: CoreDeps & { link: SimulatorLink } = {
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
  const failures: string[] = [];
  const expect = (ok: boolean, what: string) => {
    out(`    ${ok ? 'ok' : 'UNEXPECTED'}: ${what}`);
    if (!ok) failures.push(what);
  };
  const at = (s: number) => {
    now = T0 + s * 1000;
    const mm = String(Math.floor(s / 60)).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return `[T+${mm}:${ss}]`;
  };
  const V1 = INCIDENT.vpn[0];
  const V2 = INCIDENT.vpn[1];
  const t1 = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: V1.gcpTunnel });
  const t2 = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: V2.gcpTunnel });
  const a1 = awsTunnelId({ region: INCIDENT.awsRegion, vpnConnectionId: V1.id, outsideIpAddress: V1.tunnelIps[0] });
  const signal = (tunnelId: string, health: Health, evidence: string): Promise<Report> => {
    const observedAt = new Date(now).toISOString();
    return handleSignal(deps, {
      tunnelId,
      health,
      observedAt,
      source: 'gcp-webhook',
      key: `demo:${tunnelId}:${health}:${observedAt}`,
      evidence,
    });
  };
  const show = (r: Report) => io.stdout(formatReport(r).replace(/^/gm, '    ').replace(/ +$/, ''));
  /** The link messages delivered since the last call: what the other end did. */
  let seen = 0;
  const linked = (): LinkDelivery[] => {
    const fresh = deps.link.deliveries.slice(seen);
    seen = deps.link.deliveries.length;
    for (const d of fresh) io.stdout(formatDelivery(d).replace(/^/gm, '    ').replace(/ +$/, ''));
    return fresh;
  };
  const gcpRoutesVia = async (name: string) =>
    (await sim.read()).gcp.routes.filter((r) => parseTunnelUrl(r.nextHopVpnTunnel)?.name === name).length;
  // De-preference leaves a standby copy at the worst priority: count the preferred routes and the standbys apart.
  const gcpPreferredVia = async (name: string) =>
    (await sim.read()).gcp.routes.filter((r) => parseTunnelUrl(r.nextHopVpnTunnel)?.name === name && r.priority < STANDBY_PRIORITY).length;
  const gcpStandbyVia = async (name: string) => (await gcpRoutesVia(name)) - (await gcpPreferredVia(name));
  const awsRoutesOf = async (vpn: string) =>
    (await sim.read()).aws.vpnConnections.find((c) => c.vpnConnectionId === vpn)?.routes.length ?? -1;
  const status = async () => {
    const ports = [sim.ports('aws'), sim.ports('gcp')];
    const tunnels = (await Promise.all(ports.map((p) => p.tunnels.list()))).flat();
    const paths = (await Promise.all(ports.map((p) => p.paths.list()))).flat();
    return formatStatus(buildStatus(tunnels, paths, await sim.ledger.list(), { links: deps.links ?? [], source: 'discovered' }))
      .replace(/^/gm, '  ')
      .replace(/ +$/, '');
  };

  out('tunnel-guard demo — the original incident, replayed on a fresh simulator (no cloud, no network)');
  out(
    `  AWS ${INCIDENT.awsRegion}: 2 VPN connections x 2 tunnels; GCP ${INCIDENT.gcpProject}/${INCIDENT.gcpRegion}: 2 Classic VPN tunnels,`,
  );
  out('  each peered with tunnel 1 of one AWS connection (tunnel 2 has no GCP peer, so it is DOWN). Static routes both sides.');
  out(
    `  Policy (each cloud): hold-down ${HOLD_DOWN_S} s, minHealthyPaths ${deps.policy.minHealthyPaths}. Simulated clock starts at ${new Date(T0).toISOString()}.`,
  );
  out('  Links (discovered: GCP tunnel peerIp = AWS tunnel outside IP; each end keeps its own guards):');
  for (const p of discovery.pairs) out(`    ${p.gcp}  <->  ${p.aws}`);
  expect(
    discovery.links.length === 2 && discovery.links.some((l) => l.gcp === t1 && l.aws === a1),
    'both GCP tunnels paired with tunnel 1 of their AWS connection',
  );
  out();
  const initial = await sim.read();
  out('Route tables BEFORE:');
  io.stdout(formatTables(initial));
  io.stdout(await status());
  out();

  out(`${at(0)} GCP ${V1.gcpTunnel} starts dropping packets (vpn.googleapis.com/network/dropped_received_packets_count).`);
  out('         The tunnel stays ESTABLISHED, so neither cloud fails over by itself. The alert policy fires: degraded.');
  out('         AWS publishes no dropped-packet metric: only the GCP side can see it, so GCP tells AWS over the link.');
  const drained = await signal(
    t1,
    'degraded',
    `Cloud Monitoring incident: dropped_received_packets_count above threshold on ${V1.gcpTunnel}`,
  );
  show(drained);
  const d1 = linked();
  expect(
    drained.decision === 'drain' && drained.ok,
    `${V1.gcpTunnel} drained on GCP (de-preferred: its route is now a standby copy at priority ${STANDBY_PRIORITY})`,
  );
  expect(
    (await gcpPreferredVia(V1.gcpTunnel)) === 0 && (await gcpStandbyVia(V1.gcpTunnel)) === 1 && (await gcpPreferredVia(V2.gcpTunnel)) === 1,
    `GCP→AWS: traffic to ${INCIDENT.awsVpcCidr} now only via ${V2.gcpTunnel}; ${V1.gcpTunnel} waits as a standby`,
  );
  expect(
    d1.length === 1 && d1[0]!.ok && d1[0]!.report.decision === 'drain' && d1[0]!.report.viaLink,
    `AWS end ${V1.id} (${V1.tunnelIps[0]}) drained via the signed link message`,
  );
  expect(
    (await awsRoutesOf(V1.id)) === 0 && (await awsRoutesOf(V2.id)) === INCIDENT.gcpPrefixes.length,
    `AWS→GCP: ${INCIDENT.gcpPrefixes.join(', ')} now only via ${V2.id}`,
  );
  expect(deps.link.wire.length === 1, 'nothing echoed back: the AWS drain caused by the link sent no message');
  io.stdout(formatTables(await sim.read()));
  out();

  out(`${at(120)} ${V2.gcpTunnel} also starts dropping packets: degraded.`);
  out('         GCP de-prefers instead of deleting, so this is no black hole: both standbys still carry the traffic.');
  const second = await signal(
    t2,
    'degraded',
    `Cloud Monitoring incident: dropped_received_packets_count above threshold on ${V2.gcpTunnel}`,
  );
  show(second);
  const d2 = linked();
  expect(
    second.decision === 'drain' && second.ok && second.refusals.length === 0 && /no black hole/.test(second.summary),
    `not refused on GCP: ${V2.gcpTunnel} de-preferred too, and the report says that ${INCIDENT.awsVpcCidr} has no healthy path left (CRITICAL: a human should look)`,
  );
  expect(
    (await gcpPreferredVia(V2.gcpTunnel)) === 0 && (await gcpStandbyVia(V1.gcpTunnel)) === 1 && (await gcpStandbyVia(V2.gcpTunnel)) === 1,
    `${INCIDENT.awsVpcCidr} still has a route through each tunnel (both standbys, equal priority: as before the incident)`,
  );
  expect(
    d2.length === 1 && d2[0]!.ok && d2[0]!.report.decision === 'refuse' && d2[0]!.report.refusals.some((r) => r.guard === 'black-hole'),
    `AWS end ${V2.id} refused by the last-path (never black-hole) guard: AWS static routes have no preference to lower, only delete`,
  );
  expect((await awsRoutesOf(V2.id)) === INCIDENT.gcpPrefixes.length, `AWS→GCP: ${V2.id} keeps its routes (slow beats unreachable)`);
  out();

  out(`${at(240)} ${V2.gcpTunnel}'s loss was brief: its incident closes (healthy).`);
  show(await signal(t2, 'healthy', 'Cloud Monitoring incident closed: condition no longer met'));
  linked();
  out();

  out(`${at(300)} ${V1.gcpTunnel} recovers: its incident closes (healthy). GCP hold-down of ${HOLD_DOWN_S} s starts,`);
  out(`         and GCP tells the AWS end that its monitors are healthy again: the AWS end starts its own hold-down.`);
  const healthy = await signal(t1, 'healthy', 'Cloud Monitoring incident closed: condition no longer met');
  show(healthy);
  const told = linked();
  expect(healthy.decision !== 'restore' && (await gcpPreferredVia(V1.gcpTunnel)) === 0, 'not restored yet: fast to drain, slow to restore');
  expect(
    told.length === 1 &&
      told[0]!.ok &&
      told[0]!.message.health === 'healthy' &&
      told[0]!.report.decision !== 'restore' &&
      (await awsRoutesOf(V1.id)) === 0,
    `AWS end told "healthy": it holds down on its own, nothing restored yet`,
  );
  out();

  out(`${at(420)} scheduled reconcile (both ends healthy for 120 s < ${HOLD_DOWN_S} s):`);
  const early = await reconcile(deps);
  for (const r of early) show(r);
  linked();
  expect(
    !early.some((r) => r.decision === 'restore') && (await gcpPreferredVia(V1.gcpTunnel)) === 0 && (await awsRoutesOf(V1.id)) === 0,
    'nothing restored on either cloud before the hold-down ends',
  );
  out();

  out(`${at(630)} scheduled reconcile (both ends healthy for 330 s >= ${HOLD_DOWN_S} s):`);
  const late = await reconcile(deps);
  for (const r of late) show(r);
  linked();
  expect(
    late.some((r) => r.tunnelId === t2 && r.decision === 'restore' && r.ok) &&
      (await gcpPreferredVia(V2.gcpTunnel)) === 1 &&
      (await gcpStandbyVia(V2.gcpTunnel)) === 0,
    `${V2.gcpTunnel} restored on GCP (healthy since ${at(240)}): original route back, then its standby deleted`,
  );
  expect(
    late.some((r) => r.tunnelId === t1 && r.decision === 'restore' && r.ok) &&
      (await gcpPreferredVia(V1.gcpTunnel)) === 1 &&
      (await gcpStandbyVia(V1.gcpTunnel)) === 0,
    `${V1.gcpTunnel} restored on GCP from the ledger`,
  );
  expect(
    late.some((r) => r.tunnelId === a1 && r.decision === 'restore' && r.ok) && (await awsRoutesOf(V1.id)) === INCIDENT.gcpPrefixes.length,
    `AWS end ${V1.id} restored from its own ledger after its own hold-down`,
  );
  expect(
    deps.link.wire.length === 6,
    'six link messages in all (for each GCP tunnel: drained, monitors healthy again, restored), none echoed back',
  );
  out();

  out(`${at(960)} scheduled reconcile: nothing left to do.`);
  const idle = await reconcile(deps);
  expect(
    idle.every((r) => r.decision === 'ignore' || r.decision === 'record') && deps.link.wire.length === 6,
    'converged: reconcile changes nothing and sends nothing',
  );
  out();

  const final = await sim.read();
  out('Route tables AFTER:');
  io.stdout(formatTables(final));
  io.stdout(await status());
  const same = isDeepStrictEqual(routeTables(final), routeTables(initial));
  expect(same, 'final route tables of BOTH clouds equal the initial ones (every writable field of every route)');
  out(`  ${(await sim.notifications()).length} notification(s) published to the simulated notifier.`);
  out();
  if (failures.length) {
    out(`demo: ${failures.length} step(s) did not behave as expected:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    return EXIT.failure;
  }
  out('demo: every step behaved as expected.');
  return EXIT.ok;
}
