/**
 * The core's entry points: handle one signal, run one operator command, reconcile everything.
 * Each reads the ledger and the cloud, asks the pure `decide()` what to do, commits the decision to the ledger
 * (write-ahead: a path's definition is durable before it is removed), carries out the plan through the ports,
 * confirms by reading back, logs one line and notifies.
 */
import type { Trigger } from '../decide';

import { executePlan, realSleep } from './execute';
import { dropStaleMembers } from './fence';

import type { CoreDeps } from '../ports';
import { TransientError } from '../errors';
import { isFenceId, type Cloud, type Signal } from '../types';
import type { Report } from '../report-types';
import { auditCloud, ledgerReport, unreadableReason } from './audit';
import { MAX_CONFLICT_RETRIES, decideAndCommit, markSignal, readWorld, settle, type World } from './commit';
import { confirm } from './read-back';
import { asDryRun, cloudOf, finish, plannedReport, refusalReport } from './report';

export { cloudOf } from './report';

export interface Command {
  type: 'drain' | 'restore' | 'release';
  tunnelId: string;
  reason?: string;
  /** Skip the guards (never silently: the report says so and the notification is urgent). */
  force?: boolean;
}

/**
 * Handle one normalised signal for one tunnel. Never throws for bad input (a refusal report instead); throws
 * `TransientError` when reading the cloud fails transiently, or when other writers kept winning the ledger (the
 * signal's news is then written on its own first, so it is not lost), so the platform retries.
 */
export async function handleSignal(deps: CoreDeps, signal: Signal): Promise<Report> {
  const report = await handle(deps, signal.tunnelId, { type: 'signal', signal }, 'signal');
  if ((signal.health === 'degraded' || signal.health === 'down') && report.decision !== 'ignore' && report.cloud)
    await reconsiderDrained(deps, report.cloud, signal.tunnelId);
  return report;
}

/**
 * A tunnel got worse: every drained tunnel of its cloud is news too, now rather than at the next reconcile — the
 * tunnel that went down may have been the last fallback of a drained path (restore it as the last resort), or the
 * drained tunnel may now be the less lossy of the two. Each is decided under its own guards; reports are logged and
 * notified as usual.
 */
async function reconsiderDrained(deps: CoreDeps, cloud: Cloud, except: string): Promise<void> {
  const ports = deps.clouds[cloud];
  if (!ports) return;
  const snapshot: Snapshot = { world: await readWorld(deps, ports) };
  const drained = snapshot.world!.records.filter(
    (r) => !isFenceId(r.tunnelId) && r.cloud === cloud && r.state === 'drained' && r.tunnelId !== except,
  );
  for (const r of drained) await handle(deps, r.tunnelId, { type: 'reconcile' }, 'reconcile', { quiet: true, snapshot });
}

/** Operator override (`tunnel-guard drain|restore|release`). */
export function runCommand(deps: CoreDeps, command: Command): Promise<Report> {
  const trigger: Trigger =
    command.type === 'drain'
      ? { type: 'drain', reason: command.reason ?? 'manual drain', force: !!command.force }
      : command.type === 'restore'
        ? { type: 'restore', force: !!command.force }
        : { type: 'release' };
  return handle(deps, command.tunnelId, trigger, command.type);
}

/**
 * Converge: finish interrupted work, re-withdraw drift, retry refused drains, restore after hold-down — and report
 * what the ledger cannot vouch for. Each cloud and the ledger are read once; every decision is made from that
 * snapshot and re-checked by the conditional writes of its commit (a decision that acted makes the next one read
 * afresh, since the cloud changed).
 */
export async function reconcile(deps: CoreDeps): Promise<Report[]> {
  const reports: Report[] = [];
  for (const cloud of Object.keys(deps.clouds) as Cloud[]) {
    const ports = deps.clouds[cloud]!;
    const gone = await dropStaleMembers(deps, cloud);
    const snapshot: Snapshot = { world: await readWorld(deps, ports) };
    reports.push(...(await auditCloud(deps, cloud, snapshot.world!, gone)));
    const records = snapshot.world!.records.filter((r) => !isFenceId(r.tunnelId) && r.cloud === cloud);
    for (const r of records) {
      if (r.state === 'active' && r.health !== 'degraded' && r.health !== 'down' && r.withdrawn.length === 0) continue;
      reports.push(await handle(deps, r.tunnelId, { type: 'reconcile' }, 'reconcile', { snapshot }));
    }
  }
  return reports;
}

/** Converge one tunnel: the reconcile decision for it alone, on a fresh read of its cloud and the ledger. */
export function reconcileTunnel(deps: CoreDeps, tunnelId: string): Promise<Report> {
  return handle(deps, tunnelId, { type: 'reconcile' }, 'reconcile');
}

/** The world a run of decisions shares; `undefined` once it is stale (the next decision reads afresh). */
interface Snapshot {
  world?: World;
}

/** `quiet`: a second look that finds nothing to do says nothing (the run that caused it has its own log line). */
async function handle(
  deps: CoreDeps,
  tunnelId: string,
  trigger: Trigger,
  triggerName: string,
  opts: { quiet?: boolean; snapshot?: Snapshot } = {},
): Promise<Report> {
  const started = deps.clock.now();
  const signal = trigger.type === 'signal' ? trigger.signal : undefined;
  const refused = (reason: string, notify: boolean) =>
    finish(deps, refusalReport(deps, tunnelId, triggerName, reason, started, signal), notify);
  const cloud = cloudOf(tunnelId);
  const ports = cloud ? deps.clouds[cloud] : undefined;
  // Bad input changes nothing, not even the notification log: the log line and the response say why.
  if (!cloud || !ports) return refused(`unknown tunnel ${JSON.stringify(tunnelId)}: not a tunnel of a configured cloud`, false);

  const snapshot = opts.snapshot;
  if (snapshot && !snapshot.world) snapshot.world = await readWorld(deps, ports);
  const committed = await decideAndCommit(deps, cloud, ports, tunnelId, trigger, snapshot?.world);
  if (snapshot) snapshot.world = 'decision' in committed ? committed.world : undefined;
  if (!('decision' in committed)) {
    if (committed.kind === 'unknown') return refused(`unknown tunnel ${tunnelId}: the ${cloud} side reports no such tunnel`, false);
    if (committed.kind === 'unreadable') {
      // Reported CRITICAL by reconcile (once); a signal for this tunnel says so in its own log line and response.
      const reason = unreadableReason(tunnelId, committed.problem);
      return finish(deps, ledgerReport(deps, tunnelId, triggerName, reason, started), false);
    }
    const gaveUp = `gave up after ${MAX_CONFLICT_RETRIES} ledger conflicts: another writer keeps changing ${tunnelId}`;
    if (!signal) return refused(gaveUp, true);
    // Not acknowledged as a refusal: the news is written on its own (reconcile acts on it) and the platform
    // delivers the signal again.
    const marked = await markSignal(deps, cloud, signal, committed.world);
    deps.logger.log({
      severity: 'WARNING',
      message: `${gaveUp}; signal ${marked ? 'recorded' : 'NOT recorded'}: retry`,
      tunnelId,
      signalKey: signal.key,
    });
    throw new TransientError(`${gaveUp} (the signal is ${marked ? 'recorded; reconcile acts on it' : 'not recorded yet'})`);
  }
  const { decision, record } = committed;
  if (snapshot?.world) {
    // The snapshot stays usable for the next decision: this record as written; a decision that acts makes it stale.
    snapshot.world =
      decision.actions.length > 0 && !deps.policy.dryRun
        ? undefined
        : { ...snapshot.world, records: snapshot.world.records.map((r) => (r.tunnelId === record.tunnelId ? record : r)) };
  }
  const planned = plannedReport(deps, committed, { tunnelId, cloud, triggerName, signal, started });

  if (deps.policy.dryRun) return finish(deps, asDryRun(planned, decision), decision.notify || decision.actions.length > 0);
  if (opts.quiet && decision.kind === 'ignore') return planned;
  if (decision.actions.length === 0) return finish(deps, planned, decision.notify, decision.tell);

  const results = await confirm(
    ports,
    tunnelId,
    await executePlan(decision.actions, ports.paths, deps.policy, deps.sleep ?? realSleep),
    decision.actions,
  );
  const failed = results.filter((r) => r.outcome === 'failed');
  const failure = failed.length ? failed.map((f) => `${f.type} ${f.pathKey}: ${f.error}`).join('; ') : undefined;
  // A failure that repeats on every reconcile (a permanent error) is notified once, logged every time.
  const repeatedFailure = !!failure && record.lastFailure === failure;
  const after = await settle(deps, cloud, { ...record, lastFailure: failure }, decision, results);
  const report: Report = { ...planned, results, stateAfter: after.state };
  if (failed.length === 0) return finish(deps, report, decision.notify, decision.tell);
  return finish(
    deps,
    {
      ...report,
      ok: false,
      severity: 'ERROR',
      summary: `${report.summary} — ${failed.length} of ${results.length} action(s) FAILED; the ledger keeps their definitions and reconcile will finish the work${repeatedFailure ? ' (same failure as last time: not notified again)' : ''}`,
    },
    !repeatedFailure && (decision.notify || decision.kind !== 'refuse'),
    decision.tell,
  );
}
