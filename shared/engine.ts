/**
 * The core's entry points: handle one signal, run one operator command, reconcile everything.
 * Each reads the ledger and the cloud, asks the pure `decide()` what to do, commits the decision to the ledger
 * (write-ahead: a path's definition is durable before it is removed), carries out the plan through the ports,
 * confirms by reading back, logs one line and notifies.
 */
import { decide, pathsOfTunnel, type Decision, type Trigger } from './decide';
import { LedgerConflictError, errorMessage } from './errors';
import { executePlan, realSleep } from './execute';
import { dropStaleMembers, joinFence, leaveFence } from './fence';
import { linkMessageFor } from './link';
import type { CloudPorts, CoreDeps } from './ports';
import {
  emptyRecord,
  fenceId,
  isFenceId,
  type ActionResult,
  type Cloud,
  type LedgerRecord,
  type Report,
  type Severity,
  type Signal,
} from './types';

export interface Command {
  type: 'drain' | 'restore' | 'release';
  tunnelId: string;
  reason?: string;
  /** Skip the guards (never silently: the report says so and the notification is urgent). */
  force?: boolean;
}

/** How many times a decision is re-made after losing a conditional write to another writer. */
const MAX_CONFLICT_RETRIES = 5;

export const cloudOf = (tunnelId: string): Cloud | undefined =>
  tunnelId.startsWith('aws:') ? 'aws' : tunnelId.startsWith('gcp:') ? 'gcp' : undefined;

/** Handle one normalised signal for one tunnel. Never throws for bad input (a refusal report instead);
 * throws `TransientError` when reading the cloud fails transiently, so the platform retries. */
export function handleSignal(deps: CoreDeps, signal: Signal): Promise<Report> {
  return handle(deps, signal.tunnelId, { type: 'signal', signal }, 'signal');
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

/** Converge: finish interrupted work, re-withdraw drift, retry refused drains, restore after hold-down. */
export async function reconcile(deps: CoreDeps): Promise<Report[]> {
  const reports: Report[] = [];
  for (const cloud of Object.keys(deps.clouds) as Cloud[]) {
    await dropStaleMembers(deps, cloud);
    const records = (await deps.ledger.list()).filter((r) => !isFenceId(r.tunnelId) && r.cloud === cloud);
    for (const r of records) {
      if (r.state === 'active' && r.health !== 'degraded' && r.health !== 'down' && r.withdrawn.length === 0) continue;
      reports.push(await handle(deps, r.tunnelId, { type: 'tick' }, 'reconcile'));
    }
  }
  return reports;
}

function refusalReport(deps: CoreDeps, tunnelId: string, trigger: string, reason: string, started: Date, signal?: Signal): Report {
  return {
    tunnelId,
    cloud: cloudOf(tunnelId),
    trigger,
    signal,
    decision: 'refuse',
    summary: reason,
    dryRun: deps.policy.dryRun,
    forced: false,
    plan: [],
    results: [],
    refusals: [{ guard: 'input', reason }],
    withdrawn: [],
    stateBefore: 'active',
    stateAfter: 'active',
    severity: 'WARNING',
    viaLink: !!signal?.viaLink,
    startedAt: started.toISOString(),
    durationMs: 0,
    ok: false,
  };
}

/** What a decision committed: the decision, the record as written, and the record before it. */
interface Committed {
  decision: Decision;
  record: LedgerRecord;
  before?: LedgerRecord;
}

async function handle(deps: CoreDeps, tunnelId: string, trigger: Trigger, triggerName: string): Promise<Report> {
  const started = deps.clock.now();
  const signal = trigger.type === 'signal' ? trigger.signal : undefined;
  const refused = (reason: string, notify: boolean) =>
    finish(deps, refusalReport(deps, tunnelId, triggerName, reason, started, signal), notify);
  const cloud = cloudOf(tunnelId);
  const ports = cloud ? deps.clouds[cloud] : undefined;
  // Bad input changes nothing, not even the notification log: the log line and the response say why.
  if (!cloud || !ports) return refused(`unknown tunnel ${JSON.stringify(tunnelId)}: not a tunnel of a configured cloud`, false);

  const committed = await decideAndCommit(deps, cloud, ports, tunnelId, trigger);
  if (committed === 'unknown') return refused(`unknown tunnel ${tunnelId}: the ${cloud} side reports no such tunnel`, false);
  if (committed === 'conflicts')
    return refused(`gave up after ${MAX_CONFLICT_RETRIES} ledger conflicts: another writer keeps changing ${tunnelId}`, true);
  const { decision, record } = committed;
  const planned = plannedReport(deps, committed, { tunnelId, cloud, triggerName, signal, started });

  if (deps.policy.dryRun) return finish(deps, asDryRun(planned, decision), decision.notify || decision.actions.length > 0);
  if (decision.actions.length === 0) return finish(deps, planned, decision.notify);

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
  if (failed.length === 0) return finish(deps, report, decision.notify);
  return finish(
    deps,
    {
      ...report,
      ok: false,
      severity: 'ERROR',
      summary: `${report.summary} — ${failed.length} of ${results.length} action(s) FAILED; the ledger keeps their definitions and reconcile will finish the work${repeatedFailure ? ' (same failure as last time: not notified again)' : ''}`,
    },
    !repeatedFailure && (decision.notify || decision.kind !== 'refuse'),
  );
}

/**
 * Read the cloud and the ledger, decide, and commit the decision (fence first, then the record). A conflicting
 * writer makes it read and decide again, a bounded number of times. In a dry run nothing is written.
 */
async function decideAndCommit(
  deps: CoreDeps,
  cloud: Cloud,
  ports: CloudPorts,
  tunnelId: string,
  trigger: Trigger,
): Promise<Committed | 'unknown' | 'conflicts'> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const [tunnels, paths, all] = await Promise.all([ports.tunnels.list(), ports.paths.list(), deps.ledger.list()]);
    const fence = all.find((r) => r.tunnelId === fenceId(cloud)) ?? emptyRecord(fenceId(cloud), cloud);
    const records = all.filter((r) => !isFenceId(r.tunnelId) && r.cloud === cloud);
    const before = records.find((r) => r.tunnelId === tunnelId);
    if (!before && !tunnels.some((t) => t.ref.id === tunnelId)) return 'unknown';
    const current = before ?? emptyRecord(tunnelId, cloud);
    const decision = decide({
      trigger,
      record: current,
      records,
      members: fence.members ?? [],
      tunnels,
      paths,
      policy: deps.policy,
      now: deps.clock.now(),
    });
    if (deps.policy.dryRun) return { decision, record: current, before };
    try {
      // Commit point of a drain: the fence's conditional write. A concurrent drain in the same cloud that decided
      // on the same stale view loses here and re-decides, seeing this tunnel as draining.
      if (decision.joinsFence) await joinFence(deps, fence, tunnelId);
      const record = decision.next ? await deps.ledger.put(decision.next) : current;
      return { decision, record, before };
    } catch (e) {
      if (!(e instanceof LedgerConflictError)) throw e;
      deps.logger.log({ severity: 'NOTICE', message: 'ledger conflict: re-deciding', tunnelId, attempt: attempt + 1 });
    }
  }
  return 'conflicts';
}

/** The report of a committed decision before anything is carried out. A refusal is never `ok`. */
function plannedReport(
  deps: CoreDeps,
  { decision, record, before }: Committed,
  at: { tunnelId: string; cloud: Cloud; triggerName: string; signal?: Signal; started: Date },
): Report {
  return {
    tunnelId: at.tunnelId,
    cloud: at.cloud,
    trigger: at.triggerName,
    signal: at.signal,
    decision: decision.kind,
    summary: decision.summary,
    dryRun: deps.policy.dryRun,
    forced: decision.forced,
    plan: decision.actions.map((a) => ({
      type: a.type,
      pathKey: a.path.key,
      destinations: a.path.destinations,
      ...(a.path.lever ? { lever: a.path.lever } : {}),
    })),
    results: [],
    refusals: decision.refusals,
    withdrawn: decision.actions.filter((a) => a.type === 'withdraw').map((a) => a.path),
    stateBefore: before?.state ?? 'active',
    stateAfter: record.state,
    severity: decision.severity,
    viaLink: at.signal ? !!at.signal.viaLink : !!record.lastSignalViaLink,
    ...(decision.localRecovered ? { localRecovered: true } : {}),
    ...(decision.lastResort ? { lastResort: true } : {}),
    startedAt: at.started.toISOString(),
    durationMs: 0,
    ok: decision.kind !== 'refuse',
  };
}

/**
 * A dry run says what it would have done, and that it did nothing. It is `ok` even when the decision is a refusal:
 * the run did what it was asked (look, change nothing), and `--dry-run` callers read the refusal from the report.
 */
function asDryRun(report: Report, decision: Decision): Report {
  if (decision.actions.length === 0) return { ...report, ok: true };
  return {
    ...report,
    ok: true,
    refusals: [...report.refusals, { guard: 'dry-run', reason: `dry run: ${decision.actions.length} action(s) planned, nothing changed` }],
    summary: `[dry run] ${report.summary}`,
  };
}

/**
 * Read back: a withdrawn path must be gone from the tunnel, a restored one present. A de-preferred path must have
 * left its standby (make-before-break), and its restore must have removed it (no copy left beside the original).
 */
async function confirm(
  ports: CloudPorts,
  tunnelId: string,
  results: ActionResult[],
  actions: readonly { path: { key: string; lever?: string } }[] = [],
): Promise<ActionResult[]> {
  const present = await ports.paths.list();
  const keys = new Set(pathsOfTunnel(present, tunnelId).map((p) => p.key));
  const all = new Set(present.map((p) => p.key));
  const standbys = new Set(present.flatMap((p) => (p.standbyFor ? [p.standbyFor] : [])));
  const deprefer = new Set(actions.filter((a) => a.path.lever === 'deprefer').map((a) => a.path.key));
  return results.map((r) => {
    if (r.outcome === 'failed') return r;
    if (r.type === 'withdraw' && keys.has(r.pathKey))
      return { ...r, outcome: 'failed', error: 'still present after withdrawal (read-back)' };
    if (r.type === 'withdraw' && deprefer.has(r.pathKey) && !standbys.has(r.pathKey))
      return { ...r, outcome: 'failed', error: 'de-preferred, but no standby is present (read-back)' };
    if (r.type === 'restore' && !all.has(r.pathKey)) return { ...r, outcome: 'failed', error: 'not present after restore (read-back)' };
    if (r.type === 'restore' && deprefer.has(r.pathKey) && standbys.has(r.pathKey))
      return { ...r, outcome: 'failed', error: 'restored, but its standby is still present (read-back)' };
    return r;
  });
}

/** Write the outcome: drained once every withdrawal is confirmed; active (and out of the fence) once every restore is. */
async function settle(
  deps: CoreDeps,
  cloud: Cloud,
  written: LedgerRecord,
  decision: Decision,
  results: ActionResult[],
): Promise<LedgerRecord> {
  const failedKeys = new Set(results.filter((r) => r.outcome === 'failed').map((r) => r.pathKey));
  let record = written;
  for (let i = 0; i < MAX_CONFLICT_RETRIES; i++) {
    let next: LedgerRecord;
    if (decision.finalState === 'drained') {
      if (failedKeys.size > 0) {
        // Stays draining (reconcile finishes it); the failure is recorded so a repeat is not re-notified.
        try {
          return await deps.ledger.put(record);
        } catch (e) {
          if (!(e instanceof LedgerConflictError)) throw e;
          return (await deps.ledger.get(record.tunnelId)) ?? record;
        }
      }
      next = { ...record, state: 'drained', updatedAt: deps.clock.now().toISOString() };
    } else {
      // Only what the cloud confirmed leaves the ledger: the rest stays for the next attempt.
      const left = record.withdrawn.filter((p) => failedKeys.has(p.key));
      next = { ...record, withdrawn: left, state: left.length ? 'restoring' : 'active', updatedAt: deps.clock.now().toISOString() };
      if (left.length === 0) {
        next = { ...next, drains: record.drains, reason: undefined };
        // Leave the fence first: if we die in between, the record still says "restoring", which keeps the
        // tunnel out of every other decision's view until reconcile finishes the restore.
        await leaveFence(deps, cloud, record.tunnelId);
      }
    }
    try {
      record = await deps.ledger.put(next);
      break;
    } catch (e) {
      if (!(e instanceof LedgerConflictError)) throw e;
      const fresh = await deps.ledger.get(record.tunnelId);
      if (!fresh || fresh.state !== written.state) return fresh ?? record; // someone else moved it on: reconcile converges
      record = fresh;
    }
  }
  return record;
}

const URGENT: Severity[] = ['CRITICAL', 'ERROR'];

async function finish(deps: CoreDeps, done: Report, notify: boolean): Promise<Report> {
  const report: Report = {
    ...done,
    durationMs: deps.clock.now().getTime() - Date.parse(done.startedAt),
    // An urgent refusal is never reported below CRITICAL.
    severity: done.refusals.some((r) => r.urgent) && !URGENT.includes(done.severity) ? 'CRITICAL' : done.severity,
  };
  deps.logger.log({
    severity: report.severity,
    message: report.summary,
    tunnelId: report.tunnelId,
    trigger: report.trigger,
    decision: report.decision,
    signalKey: report.signal?.key,
    actions: report.results.length || report.plan.length,
    outcomes: countOutcomes(report.results),
    refusals: report.refusals.map((r) => `${r.guard}: ${r.reason}`),
    dryRun: report.dryRun,
    durationMs: report.durationMs,
  });
  if (notify) {
    try {
      await deps.notifier.notify(report);
    } catch (e) {
      // The cloud change is done and in the ledger; a lost notification must not undo or repeat it.
      deps.logger.log({ severity: 'ERROR', message: `notification failed: ${errorMessage(e)}`, tunnelId: report.tunnelId });
    }
  }
  const message = deps.link && deps.links ? linkMessageFor(report, deps.links) : undefined;
  if (message && deps.link) {
    try {
      await deps.link.publish(message);
      deps.logger.log({
        severity: 'INFO',
        message: `told the other end of the link: ${message.toTunnelId} ${message.health}`,
        tunnelId: report.tunnelId,
        linkMessageId: message.id,
      });
    } catch (e) {
      // The other side still has its own alarms and reconcile; a lost link message degrades to one-sided.
      deps.logger.log({
        severity: 'ERROR',
        message: `link message to ${message.toTunnelId} failed: ${errorMessage(e)}`,
        tunnelId: report.tunnelId,
      });
    }
  }
  return report;
}

const countOutcomes = (results: ActionResult[]) =>
  results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }), {});
