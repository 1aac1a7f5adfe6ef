/**
 * The simulator as a `Target`: both clouds in one JSON file (`TUNNEL_GUARD_SIMULATOR`, default
 * `./tunnel-guard.sim.json`) with its ledger beside it, acted on through the same core as the functions. Link
 * messages are delivered in-process, so a change also shows what the other end of the link did.
 */
import { withTraffic } from '../../shared/engine/traffic';
import { existsSync } from 'node:fs';
import { reconcile, runCommand, handleSignal } from '../../shared/engine';
import { ledgerFileFor } from '../../simulator';
import { composeCli, discoverOnSimulator, type CliContext, type CliDeps } from '../compose';
import type { CliIo } from '../io';
import { formatDiscovery } from '../link-format';
import { resolveTunnel } from '../resolve-tunnel';
import { formatLinksLine } from '../status-view';
import { simulatorDoctor } from './simulator-doctor';
import type { Change, Target } from './target';
import type { CliClock } from '../clock';
import { UsageError } from '../io';
import type { Clock } from '../../shared/ports';
import type { LedgerRecord } from '../../shared/types';

/** The latest instant any record holds (a decision at an earlier one would write history backwards). */
function latestRecorded(records: readonly LedgerRecord[]): string | undefined {
  const times = records.flatMap((r) => [
    r.updatedAt,
    r.lastSignalAt,
    r.healthySince,
    ...r.drains,
    ...r.recentKeys.map((k) => k.at),
    ...Object.values(r.monitors ?? {}).map((m) => m.at),
  ]);
  return times
    .filter((t): t is string => !!t && Number.isFinite(Date.parse(t)))
    .sort((a, b) => Date.parse(a) - Date.parse(b))
    .at(-1);
}

/** `6m ahead of real time`, `3d behind real time`. */
function offsetText(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  const amount =
    s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : s < 172_800 ? `${Math.round(s / 3600)}h` : `${Math.round(s / 86_400)}d`;
  return `${amount} ${ms >= 0 ? 'ahead of' : 'behind'} real time`;
}

/** What a run delivered over the links since `from` (the deliveries list only grows within one `deps`). */
const deliveredSince = (deps: CliDeps, from: number) => deps.link?.deliveries.slice(from) ?? [];

export function simulatorTarget(io: CliIo, verbose: boolean): Target {
  let opened: Promise<CliContext> | undefined;
  /** Compose, and read both files once up front: a corrupt one stops every command before it changes anything. */
  const ctx = (): Promise<CliContext> =>
    (opened ??= (async () => {
      const c = composeCli(io, { verbose });
      const fresh = !existsSync(c.sim.file);
      const [, scan] = await Promise.all([c.sim.read(), c.sim.ledger.scan()]);
      // Said on stderr (stdout stays the command's answer): a typo in TUNNEL_GUARD_SIMULATOR must not pass unseen.
      if (fresh) io.stderr(`tunnel-guard: created a new simulator world (the built-in incident) at ${c.sim.file}\n`);
      // One damaged record stops nothing but its own tunnel's decisions; it is said on every command until repaired.
      for (const u of scan.unreadable)
        io.stderr(
          `tunnel-guard: ledger record ${u.tunnelId} cannot be read (${u.problem}); its tunnel is left alone — repair or remove it\n`,
        );
      return c;
    })());
  const read = async () => {
    const c = await ctx();
    const ports = [c.sim.ports('aws'), c.sim.ports('gcp')];
    const [listed, paths, records, links] = await Promise.all([
      Promise.all(ports.map((p) => p.tunnels.list())).then((x) => x.flat()),
      Promise.all(ports.map((p) => p.paths.list())).then((x) => x.flat()),
      c.sim.ledger.list(),
      c.links(),
    ]);
    // Each tunnel with the capacity the functions hold it to (as on the clouds): `status` shows the same fields.
    const tunnels = withTraffic(listed, [], c.config.policy, links.links);
    return { tunnels, paths, records };
  };
  /**
   * The clock a command decides on. The world keeps its own clock once `--now` moved it (time travel): real time
   * plus an offset stored in the simulator file, so that every later command — with or without `--now` — agrees
   * with the times already in the ledger. `--now` never goes back before what the ledger has recorded (that would
   * write history backwards). A dry run only looks: it does not move the clock.
   */
  const worldClock = async (clock: CliClock, persist: boolean): Promise<Clock> => {
    const c = await ctx();
    const real = clock.real ?? io.now ?? (() => new Date());
    if (clock.fixed && !clock.requested) return clock; // `--at`: an observation's own instant
    const offset = (await c.sim.read()).clock?.offsetMs ?? 0;
    if (!clock.requested) return offset === 0 ? clock : { now: () => new Date(real().getTime() + offset) };
    const want = clock.requested;
    const seen = latestRecorded(await c.sim.ledger.list());
    if (seen && want.getTime() < Date.parse(seen))
      throw new UsageError(
        `--now ${want.toISOString()} is before ${seen}, the latest time the simulator's ledger has recorded: its clock only moves forward (remove ${c.sim.file} and its ledger to start over)`,
      );
    const next = want.getTime() - real().getTime();
    if (persist && next !== offset) {
      await c.sim.update((state) => {
        state.clock = { offsetMs: next, setAt: want.toISOString() };
      });
      io.stderr(
        `tunnel-guard: the simulator's clock is now ${want.toISOString()} (${offsetText(next)}); later commands keep it — status shows it\n`,
      );
    }
    return { now: () => new Date(real().getTime() + next) };
  };

  /** Run one decision on fresh dependencies and collect what the link delivered for it. */
  const decide = async (clock: CliClock, dryRun: boolean, run: (deps: CliDeps) => Promise<Change['report']>) => {
    const base = await (await ctx()).deps(await worldClock(clock, !dryRun));
    // `--dry-run` on the simulator is the engine's own dry run: the plan is computed and reported, nothing changes.
    const deps = dryRun ? { ...base, policy: { ...base.policy, dryRun: true } } : base;
    const report = await run(deps);
    return { report, linked: deliveredSince(deps, 0) };
  };

  return {
    name: 'simulator',
    commandSuffix: '',
    confirmsChanges: false,
    async describe() {
      const c = await ctx();
      const file = c.sim.file;
      const clock = (await c.sim.read()).clock;
      const travel = clock && clock.offsetMs !== 0 ? `; clock ${offsetText(clock.offsetMs)}, moved by --now to ${clock.setAt}` : '';
      return `simulator ${file} (ledger ${ledgerFileFor(file)}${travel})`;
    },
    read,
    async links() {
      const links = await (await ctx()).links();
      const unpaired = links.discovery ? links.discovery.unpairedAws.length + links.discovery.unpairedGcp.length : 0;
      return { links: links.links, source: links.source, line: formatLinksLine({ ...links, unpaired }) };
    },
    policy: async () => (await ctx()).config.policy,
    async tunnel(arg) {
      const c = await ctx();
      const [aws, gcp] = await Promise.all([c.sim.ports('aws').tunnels.list(), c.sim.ports('gcp').tunnels.list()]);
      return resolveTunnel(
        arg,
        [...aws, ...gcp].map((t) => t.ref),
      );
    },
    plan: (_ref, command, clock) => decide(clock, true, (deps) => runCommand(deps, command)),
    apply: (_ref, command, clock) => decide(clock, false, (deps) => runCommand(deps, command)),
    signal: (signal, clock) => decide(clock, false, (deps) => handleSignal(deps, signal)),
    async reconcile(clock) {
      const deps = await (await ctx()).deps(await worldClock(clock, true));
      const reports = await reconcile(deps);
      return { reports, linked: deliveredSince(deps, 0) };
    },
    async discover() {
      const c = await ctx();
      const d = await discoverOnSimulator(c.sim);
      const config = { links: d.links };
      return { json: { ...d, config }, config, text: formatDiscovery(d, c.config.links) };
    },
    doctor: () => simulatorDoctor(ctx),
    history: async () => (await ctx()).sim.notifications(),
  };
}
