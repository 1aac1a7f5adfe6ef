/**
 * `tunnel-guard demo` / `npm run demo`: replays the original incident on a FRESH simulator in a temporary
 * directory (never the user's file), with a controlled clock, as a readable timeline with the route tables before
 * and after. Every step is checked and the final route tables must equal the initial ones, so it doubles as an
 * end-to-end test (exit 1 if anything is off). Both ends of each link act: GCP sees the dropped packets and tells
 * the AWS end over the link; each end keeps its own guards and its own hold-down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { INCIDENT, openSimulator } from '../../simulator';
import { discoverOnSimulator } from '../compose';
import { STEPS } from '../demo/steps';
import { A1, demoWorld, formatTables, HOLD_DOWN_S, routeTables, stamp, T0, T1, type DemoWorld } from '../demo/world';
import { EXIT, type CliIo, type ExitCode } from '../io';
import { formatDelivery } from '../link-format';
import { formatReport } from '../report-format';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  tunnel-guard demo                                                # also: npm run demo
`;
import { simulatorOnly } from '../targets/target';

export const demo: Register = (program, s) => {
  program
    .command('demo')
    .description('replay the original incident on a fresh simulator in a temporary directory')
    .addHelpText('after', EXAMPLES)
    .action(
      s.act(async () => {
        simulatorOnly(s.targetName(), 'demo');
        return runDemo(s.io);
      }),
    );
};

/** Replay the incident. Resolves to 0 when every step behaved as expected and the tables are back to the start. */
export async function runDemo(io: CliIo): Promise<ExitCode> {
  const dir = mkdtempSync(join(tmpdir(), 'tunnel-guard-demo-'));
  try {
    const sim = openSimulator(join(dir, 'demo.sim.json'));
    return await replay(io, demoWorld(sim, await discoverOnSimulator(sim)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const indented = (text: string) => text.replace(/^/gm, '    ').replace(/ +$/, '');

async function replay(io: CliIo, w: DemoWorld): Promise<ExitCode> {
  const out = (line = '') => io.stdout(`${line}\n`);
  const failures: string[] = [];
  const expect = (ok: boolean, what: string) => {
    out(`    ${ok ? 'ok' : 'UNEXPECTED'}: ${what}`);
    if (!ok) failures.push(what);
  };

  out('tunnel-guard demo — the original incident, replayed on a fresh simulator (no cloud, no network)');
  out(
    `  AWS ${INCIDENT.awsRegion}: 2 VPN connections x 2 tunnels; GCP ${INCIDENT.gcpProject}/${INCIDENT.gcpRegion}: 2 Classic VPN tunnels,`,
  );
  out('  each peered with tunnel 1 of one AWS connection (tunnel 2 has no GCP peer, so it is DOWN). Static routes both sides.');
  out(
    `  Policy (each cloud): hold-down ${HOLD_DOWN_S} s, minHealthyPaths ${w.deps.policy.minHealthyPaths}. Simulated clock starts at ${new Date(T0).toISOString()}.`,
  );
  out('  Links (discovered: GCP tunnel peerIp = AWS tunnel outside IP; each end keeps its own guards):');
  for (const p of w.discovery.pairs) out(`    ${p.gcp}  <->  ${p.aws}`);
  expect(
    w.discovery.links.length === 2 && w.discovery.links.some((l) => l.gcp === T1 && l.aws === A1),
    'both GCP tunnels paired with tunnel 1 of their AWS connection',
  );
  out();
  const initial = await w.sim.read();
  out('Route tables BEFORE:');
  io.stdout(formatTables(initial));
  io.stdout(await w.status());
  out();

  for (const step of STEPS) {
    w.at(step.at);
    const [first, ...more] = step.story;
    out(`${stamp(step.at)} ${first}`);
    for (const line of more) out(`         ${line}`);
    const reports = await step.act(w);
    const linked = w.delivered();
    if (!step.quiet) {
      for (const r of reports) io.stdout(indented(formatReport(r)));
      for (const d of linked) io.stdout(indented(formatDelivery(d)));
    }
    for (const [ok, what] of (await step.expect?.(w, reports, linked)) ?? []) expect(ok, what);
    if (step.tables) io.stdout(formatTables(await w.sim.read()));
    out();
  }

  const final = await w.sim.read();
  out('Route tables AFTER:');
  io.stdout(formatTables(final));
  io.stdout(await w.status());
  expect(
    isDeepStrictEqual(routeTables(final), routeTables(initial)),
    'final route tables of BOTH clouds equal the initial ones (every writable field of every route)',
  );
  out(`  ${(await w.sim.notifications()).length} notification(s) published to the simulated notifier.`);
  out();
  if (failures.length) {
    out(`demo: ${failures.length} step(s) did not behave as expected:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    return EXIT.failure;
  }
  out('demo: every step behaved as expected.');
  return EXIT.ok;
}
