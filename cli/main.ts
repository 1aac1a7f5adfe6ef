/**
 * `tunnel-guard`: the operator CLI, a third edge beside the Lambda and the Cloud Function. It acts on the
 * simulator file (`TUNNEL_GUARD_SIMULATOR`, default `./tunnel-guard.sim.json`) through the same core, or with
 * `--target clouds` on the deployed clouds. Each command is one file of `commands/`, written once against the
 * `Target` interface (`targets/`); this file registers them and turns errors into the exit-code contract.
 * `main(argv, io)` never exits the process: it returns the exit code, so tests run it in-process.
 */
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { CorruptStateError, InputError, errorMessage } from '../shared/errors';
import { completion } from './commands/completion';
import { demo } from './commands/demo';
import { discover } from './commands/discover';
import { doctor } from './commands/doctor';
import { drain } from './commands/drain';
import { init } from './commands/init';
import { invoke } from './commands/invoke';
import { reconcile } from './commands/reconcile';
import { release } from './commands/release';
import { restore } from './commands/restore';
import { signal } from './commands/signal';
import { status } from './commands/status';
import { colourOn, paintFor } from './paint';
import { EXIT, UsageError, type CliIo, type ExitCode } from './io';
import { sessionClock, type Register, type Session } from './session';
import { cloudsTarget } from './targets/clouds';
import { simulatorTarget } from './targets/simulator';
import { targetOf, type Target } from './targets/target';

/** In the order `--help` lists them. */
const COMMANDS: readonly Register[] = [
  status,
  drain,
  restore,
  release,
  signal,
  reconcile,
  discover,
  doctor,
  init,
  demo,
  invoke,
  completion,
];

const HELP_AFTER =
  '\nExamples:\n  tunnel-guard status\n  tunnel-guard status tunnel-aws-1\n  tunnel-guard drain tunnel-aws-1 --reason "loss on the GCP side"\n' +
  '  tunnel-guard --target clouds status -o wide\n' +
  '\nThe simulator file is $TUNNEL_GUARD_SIMULATOR (default ./tunnel-guard.sim.json, created on first use);\n' +
  'the ledger lives beside it (<name>.ledger.json). With --target clouds the commands act on the deployed clouds\n' +
  'and their ledgers (docs/simulator-and-cli.md#operating-it-in-production; when something is off:\n' +
  'docs/troubleshooting.md). Exit codes: 0 done, 1 failure, 2 bad input, 3 refused by a guard.\n';

/** Run the CLI with `argv` (without `node` and the script). Resolves to the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const program = new Command('tunnel-guard');
  program
    .description('Drain degraded AWS<->GCP VPN tunnels and restore them when they recover (acts on the simulator file).')
    .version(`tunnel-guard ${version}`, '-V, --version', 'print the version')
    .option('-v, --verbose', 'also print the structured log line of each decision to stderr')
    .option(
      '--target <where>',
      "simulator (default) or clouds: the deployed AWS/GCP resources named by the functions' variables (also TUNNEL_GUARD_TARGET)",
    )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run tunnel-guard --help for usage)')
    .addHelpText('after', HELP_AFTER);

  let code: ExitCode = EXIT.ok;
  let target: Target | undefined;
  const verbose = () => !!program.opts().verbose;
  const targetName = () => targetOf(program.opts().target as string | undefined, io.env);
  const session: Session = {
    io,
    verbose,
    targetName,
    target: () => (target ??= targetName() === 'clouds' ? cloudsTarget(io, verbose()) : simulatorTarget(io, verbose())),
    clock: sessionClock(io.now ?? (() => new Date()), targetName),
    now: io.now ?? (() => new Date()),
    paint: paintFor(colourOn(io.env, io.isTTY)),
    act:
      (action) =>
      async (...args) => {
        code = await action(...args);
      },
  };
  for (const register of COMMANDS) register(program, session);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    return exitCodeOfError(e, io);
  }
}

// By name as well: errors from the separately bundled clouds sides are other copies of these classes.
const USAGE_ERRORS = new Set(['UsageError', 'CorruptStateError', 'InputError']);

/** Commander's own exits, bad usage or input (2, nothing changed), anything else a failure (1). */
function exitCodeOfError(e: unknown, io: CliIo): ExitCode {
  if (e instanceof CommanderError) {
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
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
