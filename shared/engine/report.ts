/**
 * The report of a decision — planned, dry run, refused for bad input — and its end: one log line, the notification
 * and the message to the other end of the link.
 */
import type { Committed } from './commit';
import type { Decision } from '../decide';
import { errorMessage } from '../errors';

import { linkMessageFor, type LinkNews } from '../links/rules';
import type { CoreDeps } from '../ports';
import type { Cloud, Signal } from '../types';
import type { ActionResult, Report, Severity } from '../report-types';

export const cloudOf = (tunnelId: string): Cloud | undefined =>
  tunnelId.startsWith('aws:') ? 'aws' : tunnelId.startsWith('gcp:') ? 'gcp' : undefined;

export function refusalReport(deps: CoreDeps, tunnelId: string, trigger: string, reason: string, started: Date, signal?: Signal): Report {
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

/** The report of a committed decision before anything is carried out. A refusal is never `ok`. */
export function plannedReport(
  deps: CoreDeps,
  { decision, record, before, world }: Committed,
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
    startedAt: at.started.toISOString(),
    durationMs: 0,
    ok: decision.kind !== 'refuse',
    ...countersOf(world, at.tunnelId),
  };
}

/**
 * A dry run says what it would have done, and that it did nothing. It is `ok` even when the decision is a refusal:
 * the run did what it was asked (look, change nothing), and `--dry-run` callers read the refusal from the report.
 */
export function asDryRun(report: Report, decision: Decision): Report {
  if (decision.actions.length === 0) return { ...report, ok: true };
  return {
    ...report,
    ok: true,
    refusals: [...report.refusals, { guard: 'dry-run', reason: `dry run: ${decision.actions.length} action(s) planned, nothing changed` }],
    summary: `[dry run] ${report.summary}`,
  };
}

export const URGENT: Severity[] = ['CRITICAL', 'ERROR'];

/** Log, notify, and tell the other end of the link what the decision chose to tell it (`news`), once it holds. */
export async function finish(deps: CoreDeps, done: Report, notify: boolean, news?: LinkNews): Promise<Report> {
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
  const message = deps.link && deps.links ? linkMessageFor(report, news, deps.links) : undefined;
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

export const countOutcomes = (results: ActionResult[]) =>
  results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.outcome]: (acc[r.outcome] ?? 0) + 1 }), {});

/** The counters the decision saw, when the cloud has them (statuses that carry a load came from a traffic read). */
function countersOf(world: Committed['world'], tunnelId: string): Pick<Report, 'counters'> {
  const tunnels = world?.tunnels ?? [];
  const loads = Object.fromEntries(tunnels.flatMap((t) => (t.load ? [[t.ref.id, t.load] as const] : [])));
  const counted = tunnels.find((t) => t.ref.id === tunnelId)?.counted;
  if (!counted && Object.keys(loads).length === 0) return {};
  return { counters: { ...(counted ? { counted } : {}), ...(Object.keys(loads).length ? { loads } : {}) } };
}
