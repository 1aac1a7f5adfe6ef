/**
 * `tunnel-guard`: the operator CLI, a third edge beside the Lambda and the Cloud Function. It acts on the
 * simulator file (`TUNNEL_GUARD_SIMULATOR`, default `./tunnel-guard.sim.json`) through the same core, or with
 * `--target clouds` on the deployed clouds (`clouds-commands.ts`, SDKs loaded only then).
 * `main(argv, io)` never exits the process: it returns the exit code, so tests run it in-process.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { reconcile, runCommand, handleSignal } from '../shared/engine';
import { CorruptStateError, InputError, errorMessage } from '../shared/errors';
import { HEALTHS, type Health, type Signal, type TunnelRef } from '../shared/types';
import type { Report } from '../shared/report-types';
import { clockFrom, parseInstant } from './clock';
import { resolveFromCaller } from '../config/source';
import { composeCli, discoverOnSimulator, type CliContext, type CliDeps } from './compose';
import { formatDelivery, formatDiscovery } from './link-format';
import { runDemo } from './demo';
import { runInvoke } from './invoke-command';
import { EXIT, UsageError, type CliIo, type ExitCode } from './io';
import { exitCodeFor, exitCodeForAll, formatReport } from './report-format';
import { resolveTunnel } from './resolve-tunnel';
import { buildStatus, formatLinksLine, formatStatus } from './status-view';
import { cloudsChange, cloudsDiscover, cloudsDoctor, cloudsStatus } from './clouds-commands';
import { simulatorDoctor } from './simulator-doctor';
import { targetOf } from './target';
import { changeCommand, commandFor, type ChangeOptions } from './change-command';

async function allTunnels(ctx: CliContext): Promise<TunnelRef[]> {
  const [aws, gcp] = await Promise.all([ctx.sim.ports('aws').tunnels.list(), ctx.sim.ports('gcp').tunnels.list()]);
  return [...aws, ...gcp].map((t) => t.ref);
}

/** Run the CLI with `argv` (without `node` and the script). Resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  const realNow = io.now ?? (() => new Date());
  const program = new Command('tunnel-guard');
  program
    .description('Drain degraded AWS<->GCP VPN tunnels and restore them when they recover (acts on the simulator file).')
    .option('-v, --verbose', 'also print the structured log line of each decision to stderr')
    .option(
      '--target <where>',
      "simulator (default) or clouds: the deployed AWS/GCP resources named by the functions' variables (also TUNNEL_GUARD_TARGET)",
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run tunnel-guard --help for usage)')
    .addHelpText(
      'after',
      '\nThe simulator file is $TUNNEL_GUARD_SIMULATOR (default ./tunnel-guard.sim.json, created on first use);\n' +
        'the ledger lives beside it (<name>.ledger.json). With --target clouds the commands act on the deployed clouds\n' +
        'and their ledgers (see the README, "Operating it in production"). Exit codes: 0 done, 1 failure, 2 bad input,\n' +
        '3 refused by a guard.\n',
    );

  /** Compose, and read both files once up front: a corrupt one stops every command before it changes anything. */
  const ctx = async (): Promise<CliContext> => {
    const c = composeCli(io, { verbose: !!program.opts().verbose });
    await Promise.all([c.sim.read(), c.sim.ledger.list()]);
    return c;
  };
  const onClouds = () => targetOf(program.opts().target as string | undefined, io.env) === 'clouds';
  const verbose = () => !!program.opts().verbose;
  const simulatorOnly = (what: string) => {
    if (onClouds())
      throw new UsageError(
        `${what} acts on the simulator only; on the clouds the deployed functions do it (use status, drain, restore, release, discover, doctor)`,
      );
  };
  const printReport = (r: Report, json: boolean) => io.stdout(json ? `${JSON.stringify(r, null, 2)}\n` : formatReport(r));
  /** What the other end of a link did with this command's link messages (human output only: --json stays one document). */
  const printLinked = (deps: CliDeps, json: boolean) => {
    if (json || !deps.link) return;
    for (const d of deps.link.deliveries) io.stdout(formatDelivery(d));
  };
  /** Print one decision's report and what the link did with it; its exit code is the command's. */
  const answer = (deps: CliDeps, r: Report, json: boolean) => {
    printReport(r, json);
    printLinked(deps, json);
    code = exitCodeFor(r);
  };

  program
    .command('status')
    .description('tunnels, health, state, active routes and withdrawn routes')
    .option('--json', 'print the status contract as JSON')
    .action(async (o: { json?: boolean }) => {
      if (onClouds()) {
        code = await cloudsStatus(io, verbose(), !!o.json);
        return;
      }
      const c = await ctx();
      const ports = [c.sim.ports('aws'), c.sim.ports('gcp')];
      const [tunnels, paths, records] = await Promise.all([
        Promise.all(ports.map((p) => p.tunnels.list())).then((x) => x.flat()),
        Promise.all(ports.map((p) => p.paths.list())).then((x) => x.flat()),
        c.sim.ledger.list(),
      ]);
      const links = await c.links();
      const doc = buildStatus(tunnels, paths, records, links);
      const unpaired = links.discovery ? links.discovery.unpairedAws.length + links.discovery.unpairedGcp.length : 0;
      io.stdout(o.json ? `${JSON.stringify(doc)}\n` : formatStatus(doc) + formatLinksLine({ ...links, unpaired }));
    });

  for (const type of ['drain', 'restore', 'release'] as const) {
    changeCommand(program, type).action(async (tunnel: string, o: ChangeOptions) => {
      if (onClouds()) {
        code = await cloudsChange(io, verbose(), type, tunnel, o);
        return;
      }
      const clock = clockFrom(o.now ? parseInstant(o.now, '--now') : undefined, realNow);
      const c = await ctx();
      const ref = resolveTunnel(tunnel, await allTunnels(c));
      const deps = dryRunIf(await c.deps(clock), o.dryRun);
      answer(deps, await runCommand(deps, commandFor(type, ref.id, o, '')), !!o.json);
    });
  }

  program
    .command('signal <tunnel> <health>')
    .description(`feed a health signal as an edge would (${HEALTHS.join('|')})`)
    .option('--at <iso>', 'when it was observed (default: now); also the decision time')
    .option('--evidence <text>', 'human-readable evidence', 'operator signal (tunnel-guard signal)')
    .option('--json', 'print the report as JSON')
    .action(async (tunnel: string, health: string, o: { at?: string; evidence: string; json?: boolean }) => {
      simulatorOnly('signal');
      if (!(HEALTHS as readonly string[]).includes(health)) {
        throw new UsageError(`health ${JSON.stringify(health)} must be one of ${HEALTHS.join(', ')}`);
      }
      const at = o.at ? parseInstant(o.at, '--at') : undefined;
      const clock = clockFrom(at, realNow);
      const c = await ctx();
      const ref = resolveTunnel(tunnel, await allTunnels(c));
      const observedAt = (at ?? clock.now()).toISOString();
      const signal: Signal = {
        tunnelId: ref.id,
        health: health as Health,
        observedAt,
        source: 'cli',
        monitor: 'cli',
        key: `cli:${ref.id}:${health}:${observedAt}`,
        evidence: o.evidence,
      };
      const deps = await c.deps(clock);
      answer(deps, await handleSignal(deps, signal), !!o.json);
    });

  program
    .command('reconcile')
    .description('converge: finish interrupted work, re-withdraw drift, restore tunnels whose hold-down has passed')
    .option('--now <iso>', 'reconcile as if it were this instant')
    .option('--json', 'print the reports as JSON')
    .action(async (o: { now?: string; json?: boolean }) => {
      simulatorOnly('reconcile');
      const clock = clockFrom(o.now ? parseInstant(o.now, '--now') : undefined, realNow);
      const deps = await (await ctx()).deps(clock);
      const reports = await reconcile(deps);
      if (o.json) io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
      else if (reports.length === 0) io.stdout('reconcile: nothing to do\n');
      else for (const r of reports) io.stdout(formatReport(r));
      printLinked(deps, !!o.json);
      code = exitCodeForAll(reports);
    });

  program
    .command('discover')
    .description(
      'pair GCP and AWS tunnels (GCP peerIp = AWS outside IP) and print the configuration to paste (on the clouds also alarms, alert policies and a scope)',
    )
    .option('--json', 'print the discovery as JSON ({links, pairs, unpairedGcp, unpairedAws, config})')
    .option('--write <file>', 'also write the proposed configuration to this new file (never overwrites)')
    .option('--aws-regions <list>', "on the clouds: comma list of AWS regions to read (default: AWS_REGION / the profile's)")
    .action(async (o: { json?: boolean; write?: string; awsRegions?: string }) => {
      if (onClouds()) {
        const awsRegions = (o.awsRegions ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        code = await cloudsDiscover(io, verbose(), {
          awsRegions,
          ...(o.json ? { json: true } : {}),
          ...(o.write ? { write: o.write } : {}),
        });
        return;
      }
      const c = await ctx();
      const d = await discoverOnSimulator(c.sim);
      if (o.write) writeNewFile(resolveFromCaller(o.write, io.env, io.cwd), { links: d.links }, o.write);
      io.stdout(o.json ? `${JSON.stringify({ ...d, config: { links: d.links } }, null, 2)}\n` : formatDiscovery(d, c.config.links));
      // Unpaired tunnels are information, not an error: a built-in AWS tunnel 2 has no GCP peer by design.
      code = EXIT.ok;
    });

  program
    .command('doctor')
    .description('read-only preflight of a deployment, one line per check with the reason and the fix (exit 0 all pass, 1 a check failed)')
    .option('--json', 'print {ok, checks:[{cloud, name, status, detail, fix?}]}')
    .action(async (o: { json?: boolean }) => {
      code = onClouds() ? await cloudsDoctor(io, verbose(), !!o.json) : await simulatorDoctor(io, ctx, !!o.json);
    });

  program
    .command('demo')
    .description('replay the original incident on a fresh simulator in a temporary directory')
    .action(async () => {
      simulatorOnly('demo');
      code = await runDemo(io);
    });

  const invoke = program.command('invoke').description('run an edge handler locally against the simulator');
  invoke
    .command('aws <event>')
    .description('run the Lambda handler on an EventBridge/SNS/alarm-action event JSON file')
    .action(async (file: string) => {
      simulatorOnly('invoke');
      code = await runInvoke(io, 'aws', file);
    });
  invoke
    .command('gcp <payload>')
    .description('run the Cloud Function handler on a Cloud Monitoring webhook payload JSON file')
    .action(async (file: string) => {
      simulatorOnly('invoke');
      code = await runInvoke(io, 'gcp', file);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // By name as well: errors from the separately bundled clouds seat are other copies of these classes.
    if (
      e instanceof UsageError ||
      e instanceof CorruptStateError ||
      e instanceof InputError ||
      USAGE_ERRORS.has(((e ?? {}) as { name?: string }).name ?? '')
    ) {
      io.stderr(`tunnel-guard: ${errorMessage(e)}\n`);
      return EXIT.usage;
    }
    io.stderr(`tunnel-guard: failed: ${errorMessage(e)}\n`);
    return EXIT.failure;
  }
}

const USAGE_ERRORS = new Set(['UsageError', 'CorruptStateError', 'InputError']);

/** `--dry-run` on the simulator: the engine's own dry run (plan computed and reported, nothing changed). */
function dryRunIf(deps: CliDeps, dryRun: boolean | undefined): CliDeps {
  return dryRun ? { ...deps, policy: { ...deps.policy, dryRun: true } } : deps;
}

function writeNewFile(path: string, value: unknown, shown: string): void {
  if (existsSync(path))
    throw new UsageError(`--write ${shown}: the file exists; remove it or name another (discover never overwrites a configuration)`);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`, { flag: 'wx' });
}
