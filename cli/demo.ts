/**
 * `tunnel-guard demo` / `npm run demo`: replays the original incident (DESIGN.md §1) on a FRESH simulator in a
 * temporary directory (never the user's file), with a controlled clock, as a readable timeline with the route
 * tables before and after. It also checks each step went as expected and that the final route tables equal the
 * initial ones, so it doubles as an end-to-end test (exit 1 if anything is off).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { handleSignal, reconcile } from '../shared/engine';
import { memoryLogger } from '../shared/log';
import { DEFAULT_POLICY } from '../shared/policy';
import type { CoreDeps } from '../shared/ports';
import { INCIDENT, openSimulator, type SimState, type SimulatorHandle } from '../shared/simulator';
import { parseTunnelUrl } from '../shared/simulator/sim-state';
import { gcpTunnelId, type Health, type Report } from '../shared/types';
import { EXIT, type CliIo, type ExitCode } from './io';
import { formatReport } from './report-format';
import { buildStatus, formatStatus } from './status-view';

const HOLD_DOWN_S = 300;
const T0 = Date.parse('2026-11-25T10:00:00Z');

/** The route tables of both clouds, in the writable fields only (what "equal" means after a restore). */
function routeTables(s: SimState) {
  return {
    aws: s.aws.vpnConnections.map((c) => ({ vpn: c.vpnConnectionId, routes: c.routes.map((r) => r.destinationCidrBlock).sort() })),
    gcp: [...s.gcp.routes]
      .map((r) => ({ name: r.name, network: r.network, destRange: r.destRange, priority: r.priority, tags: r.tags, description: r.description, nextHopVpnTunnel: r.nextHopVpnTunnel }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function formatTables(s: SimState): string {
  const t = routeTables(s);
  const lines = ['  AWS (VGW static routes per VPN connection; AWS picks one UP tunnel of the connection):'];
  for (const c of t.aws) lines.push(`    ${c.vpn}: ${c.routes.join(', ') || '(none)'}`);
  lines.push(`  GCP (project ${s.gcp.project}, static routes; equal priority = ECMP over both tunnels):`);
  if (!t.gcp.length) lines.push('    (none)');
  for (const r of t.gcp) lines.push(`    ${r.destRange.padEnd(14)} → ${parseTunnelUrl(r.nextHopVpnTunnel)?.name ?? r.nextHopVpnTunnel}  (priority ${r.priority}, ${r.name})`);
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
  const deps: CoreDeps = {
    clouds: { aws: sim.ports('aws'), gcp: sim.ports('gcp') },
    ledger: sim.ledger,
    notifier: sim.notifier,
    clock: { now: () => new Date(now) },
    logger: memoryLogger(),
    policy: { ...DEFAULT_POLICY, restoreHoldDownSeconds: HOLD_DOWN_S, dryRun: false },
    sleep: async () => undefined,
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
  const t1 = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: INCIDENT.vpn[0].gcpTunnel });
  const t2 = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: INCIDENT.vpn[1].gcpTunnel });
  const signal = (tunnelId: string, health: Health, evidence: string): Promise<Report> => {
    const observedAt = new Date(now).toISOString();
    return handleSignal(deps, { tunnelId, health, observedAt, source: 'gcp-webhook', key: `demo:${tunnelId}:${health}:${observedAt}`, evidence });
  };
  const show = (r: Report) => io.stdout(formatReport(r).replace(/^/gm, '    ').replace(/ +$/, ''));
  const gcpRoutesVia = async (name: string) => (await sim.read()).gcp.routes.filter((r) => parseTunnelUrl(r.nextHopVpnTunnel)?.name === name).length;
  const status = async () => {
    const ports = [sim.ports('aws'), sim.ports('gcp')];
    const tunnels = (await Promise.all(ports.map((p) => p.tunnels.list()))).flat();
    const paths = (await Promise.all(ports.map((p) => p.paths.list()))).flat();
    return formatStatus(buildStatus(tunnels, paths, await sim.ledger.list())).replace(/^/gm, '  ').replace(/ +$/, '');
  };

  out('tunnel-guard demo — the original incident, replayed on a fresh simulator (no cloud, no network)');
  out(`  AWS ${INCIDENT.awsRegion}: 2 VPN connections x 2 tunnels; GCP ${INCIDENT.gcpProject}/${INCIDENT.gcpRegion}: 2 Classic VPN tunnels,`);
  out('  each peered with tunnel 1 of one AWS connection (tunnel 2 has no GCP peer, so it is DOWN). Static routes both sides.');
  out(`  Policy: hold-down ${HOLD_DOWN_S} s, minHealthyPaths ${deps.policy.minHealthyPaths}. Simulated clock starts at ${new Date(T0).toISOString()}.`);
  out();
  const initial = await sim.read();
  out('Route tables BEFORE:');
  io.stdout(formatTables(initial));
  io.stdout(await status());
  out();

  out(`${at(0)} GCP ${INCIDENT.vpn[0].gcpTunnel} starts dropping packets (vpn.googleapis.com/network/dropped_received_packets_count).`);
  out('         The tunnel stays ESTABLISHED, so neither cloud fails over by itself. The alert policy fires: degraded.');
  const drained = await signal(t1, 'degraded', 'Cloud Monitoring incident: dropped_received_packets_count above threshold on tunnel-aws-1');
  show(drained);
  expect(drained.decision === 'drain' && drained.ok, `${INCIDENT.vpn[0].gcpTunnel} drained`);
  expect((await gcpRoutesVia(INCIDENT.vpn[0].gcpTunnel)) === 0 && (await gcpRoutesVia(INCIDENT.vpn[1].gcpTunnel)) === 1, `traffic to ${INCIDENT.awsVpcCidr} now only via ${INCIDENT.vpn[1].gcpTunnel}`);
  io.stdout(formatTables(await sim.read()));
  // Issue 6 (both ends of a link, DESIGN.md §8): the link message to the AWS side will drain the AWS end of this
  // tunnel (the static routes of the connection whose tunnel 1 is this tunnel's peer) here. Not wired yet.
  out(`    AWS end of the link (${INCIDENT.vpn[0].id}, ${INCIDENT.vpn[0].tunnelIps[0]}): not drained by this demo yet (link = issue 6).`);
  out();

  out(`${at(120)} ${INCIDENT.vpn[1].gcpTunnel} also starts dropping packets: degraded.`);
  const refused = await signal(t2, 'degraded', 'Cloud Monitoring incident: dropped_received_packets_count above threshold on tunnel-aws-2');
  show(refused);
  expect(refused.decision === 'refuse' && refused.refusals.some((r) => r.guard === 'black-hole'), 'refused by the last-path (never black-hole) guard: a human must decide (CLI exit code 3)');
  expect((await gcpRoutesVia(INCIDENT.vpn[1].gcpTunnel)) === 1, `the last route to ${INCIDENT.awsVpcCidr} stays (slow beats unreachable)`);
  out();

  out(`${at(240)} ${INCIDENT.vpn[1].gcpTunnel}'s loss was brief: its incident closes (healthy).`);
  show(await signal(t2, 'healthy', 'Cloud Monitoring incident closed: condition no longer met'));
  out();

  out(`${at(300)} ${INCIDENT.vpn[0].gcpTunnel} recovers: its incident closes (healthy). Hold-down of ${HOLD_DOWN_S} s starts.`);
  const healthy = await signal(t1, 'healthy', 'Cloud Monitoring incident closed: condition no longer met');
  show(healthy);
  expect(healthy.decision !== 'restore' && (await gcpRoutesVia(INCIDENT.vpn[0].gcpTunnel)) === 0, 'not restored yet: fast to drain, slow to restore');
  out();

  out(`${at(420)} scheduled reconcile (healthy for 120 s < ${HOLD_DOWN_S} s):`);
  const early = await reconcile(deps);
  for (const r of early) show(r);
  expect(!early.some((r) => r.decision === 'restore') && (await gcpRoutesVia(INCIDENT.vpn[0].gcpTunnel)) === 0, 'nothing restored before the hold-down ends');
  out();

  out(`${at(630)} scheduled reconcile (healthy for 330 s >= ${HOLD_DOWN_S} s):`);
  const late = await reconcile(deps);
  for (const r of late) show(r);
  expect(late.some((r) => r.decision === 'restore' && r.ok), `${INCIDENT.vpn[0].gcpTunnel} restored from the ledger`);
  out();

  const final = await sim.read();
  out('Route tables AFTER:');
  io.stdout(formatTables(final));
  io.stdout(await status());
  const same = isDeepStrictEqual(routeTables(final), routeTables(initial));
  expect(same, 'final route tables equal the initial ones (every writable field of every route)');
  out(`  ${(await sim.notifications()).length} notification(s) published to the simulated notifier.`);
  out();
  if (failures.length) {
    out(`demo: ${failures.length} step(s) did not behave as expected:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    return EXIT.failure;
  }
  out('demo: every step behaved as expected.');
  return EXIT.ok;
}
