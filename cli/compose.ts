/**
 * The CLI's composition root: the simulator file (`TUNNEL_GUARD_SIMULATOR`, default `./tunnel-guard.sim.json`),
 * the configuration (`configFromEnv`), and the core's dependencies over them — including both ends of each link.
 * The pairs come from the configuration's `links`, or, when it names none, are discovered from the
 * simulator; link messages are delivered in-process by `simulatorLinkPublisher`. `TUNNEL_GUARD_LINKS=off` turns
 * links off (each cloud then acts alone, as before).
 */
import { readFileSync } from 'node:fs';
import { configFromEnv, resolveFromCaller, type Env } from '../config/source';
import { discoverLinks, type Discovery } from '../shared/links/discover';
import { jsonLogger, memoryLogger } from '../shared/log';
import type { Clock, CoreDeps, Logger } from '../shared/ports';
import type { Config } from '../shared/policy';
import { openSimulator, simulatorLinkPublisher, type SimulatorHandle, type SimulatorLink } from '../simulator';
import { simulatorOptionsFromEnv } from '../simulator/options-from-env';
import { UsageError, type CliIo } from './io';

export const DEFAULT_SIMULATOR_FILE = 'tunnel-guard.sim.json';

/** Where the pairs in use came from. */
export type LinkSource = 'config' | 'discovered' | 'off';
export interface CliLinks {
  links: Config['links'];
  source: LinkSource;
  /** Set when `source` is `discovered`: the tunnels discovery could not pair, with reasons. */
  discovery?: Discovery;
}

/** The core's dependencies, with the simulator link typed so the CLI can show what the other end did. */
export type CliDeps = CoreDeps & { link?: SimulatorLink };

export interface CliContext {
  sim: SimulatorHandle;
  config: Config;
  /** The pairs the commands use (see `resolveLinks`). */
  links(): Promise<CliLinks>;
  deps(clock: Clock): Promise<CliDeps>;
}

/** `TUNNEL_GUARD_LINKS`: `on` (default) or `off`. Anything else is a usage error, not a silent default. */
export function linksEnabled(env: Env): boolean {
  const raw = (env.TUNNEL_GUARD_LINKS ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'on' || raw === 'true' || raw === '1') return true;
  if (raw === 'off' || raw === 'false' || raw === '0') return false;
  throw new UsageError(`TUNNEL_GUARD_LINKS=${JSON.stringify(env.TUNNEL_GUARD_LINKS)} must be on or off`);
}

/** Discover the pairs on the simulator's two clouds (both tunnel lists are read from the file). */
export async function discoverOnSimulator(sim: SimulatorHandle): Promise<Discovery> {
  const [aws, gcp] = await Promise.all([sim.ports('aws').tunnels.list(), sim.ports('gcp').tunnels.list()]);
  return discoverLinks(aws, gcp);
}

/**
 * The configured links win; with none configured, the simulator's pairs are discovered on every command (the
 * simulator is one file, so both clouds are always at hand). A real deployment configures them: the edges never
 * guess.
 */
export async function resolveLinks(sim: SimulatorHandle, config: Config, env: Env): Promise<CliLinks> {
  if (!linksEnabled(env)) return { links: [], source: 'off' };
  if (config.links.length > 0) return { links: config.links, source: 'config' };
  const discovery = await discoverOnSimulator(sim);
  return { links: discovery.links, source: 'discovered', discovery };
}

/** Build everything once per command. Bad configuration is a `UsageError` (exit 2). */
export function composeCli(io: CliIo, opts: { verbose?: boolean } = {}): CliContext {
  const cfg = configFromEnv(io.env, (p) => readFileSync(p, 'utf8'), io.cwd);
  if (!cfg.ok) throw new UsageError(cfg.reason);
  const simOpts = simulatorOptionsFromEnv(io.env);
  if (!simOpts.ok) throw new UsageError(simOpts.reason);
  linksEnabled(io.env); // fail fast on a bad value, before any command runs
  const file = resolveFromCaller(io.env.TUNNEL_GUARD_SIMULATOR || DEFAULT_SIMULATOR_FILE, io.env, io.cwd);
  const sim = openSimulator(file, simOpts.value);
  // The CLI prints the report itself; the structured log line goes to stderr only with --verbose.
  const logger: Logger = opts.verbose ? jsonLogger((line) => io.stderr(`${line}\n`)) : memoryLogger();
  let resolved: Promise<CliLinks> | undefined;
  const links = () => (resolved ??= resolveLinks(sim, cfg.value, io.env));
  return {
    sim,
    config: cfg.value,
    links,
    deps: async (clock) => {
      const { links: pairs, source } = await links();
      const deps: CliDeps = {
        clouds: { aws: sim.ports('aws'), gcp: sim.ports('gcp') },
        ledger: sim.ledger,
        notifier: sim.notifier,
        clock,
        logger,
        policy: cfg.value.policy,
      };
      if (source !== 'off') {
        deps.links = pairs;
        // Both clouds live in this one `deps`, so the receiving end is the same object. The same secret as the
        // edges when it is set; otherwise a random one (delivery never leaves this process).
        deps.link = simulatorLinkPublisher(() => deps, io.env.TUNNEL_GUARD_LINK_SECRET || undefined);
      }
      return deps;
    },
  };
}
