/**
 * The CLI's composition root: the simulator file (`TUNNEL_GUARD_SIMULATOR`, default `./tunnel-guard.sim.json`),
 * the configuration (`configFromEnv`), and the core's dependencies over them.
 */
import { readFileSync } from 'node:fs';
import { configFromEnv, resolveFromCaller } from '../shared/config-source';
import { jsonLogger, memoryLogger } from '../shared/log';
import type { Clock, CoreDeps, Logger } from '../shared/ports';
import type { Config } from '../shared/policy';
import { openSimulator, type SimulatorHandle } from '../shared/simulator';
import { simulatorOptionsFromEnv } from '../shared/simulator/options-from-env';
import { UsageError, type CliIo } from './io';

export const DEFAULT_SIMULATOR_FILE = 'tunnel-guard.sim.json';

export interface CliContext {
  sim: SimulatorHandle;
  config: Config;
  deps(clock: Clock): CoreDeps;
}

/** Build everything once per command. Bad configuration is a `UsageError` (exit 2). */
export function composeCli(io: CliIo, opts: { verbose?: boolean } = {}): CliContext {
  const cfg = configFromEnv(io.env, (p) => readFileSync(p, 'utf8'), io.cwd);
  if (!cfg.ok) throw new UsageError(cfg.reason);
  const simOpts = simulatorOptionsFromEnv(io.env);
  if (!simOpts.ok) throw new UsageError(simOpts.reason);
  const file = resolveFromCaller(io.env.TUNNEL_GUARD_SIMULATOR || DEFAULT_SIMULATOR_FILE, io.env, io.cwd);
  const sim = openSimulator(file, simOpts.value);
  // The CLI prints the report itself; the structured log line goes to stderr only with --verbose.
  const logger: Logger = opts.verbose ? jsonLogger((line) => io.stderr(`${line}\n`)) : memoryLogger();
  return {
    sim,
    config: cfg.value,
    deps: (clock) => ({
      clouds: { aws: sim.ports('aws'), gcp: sim.ports('gcp') },
      ledger: sim.ledger,
      notifier: sim.notifier,
      clock,
      logger,
      policy: cfg.value.policy,
    }),
  };
}
