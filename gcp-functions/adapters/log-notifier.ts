/**
 * Notifications from the GCP side: one structured log line per decision, with a `severity` that a log-based
 * alert (or a log sink to Pub/Sub) can route, and the withdrawn definitions so people hold a copy outside the
 * ledger. Publishing to the SNS topic from GCP is the links issue's job; this is the seam.
 */
import type { Logger, Notifier } from '../../shared/ports';
import type { Report } from '../../shared/report-types';

export class LogNotifier implements Notifier {
  constructor(private readonly logger: Logger) {}

  async notify(report: Report): Promise<void> {
    this.logger.log({
      severity: report.severity,
      message: `tunnel-guard ${report.decision}: ${report.summary}`,
      notification: 'tunnel-guard',
      kind: report.decision,
      tunnelId: report.tunnelId,
      cloud: report.cloud,
      ok: report.ok,
      dryRun: report.dryRun,
      forced: report.forced,
      urgent: report.refusals.some((r) => r.urgent),
      refusals: report.refusals,
      results: report.results.map((r) => ({
        type: r.type,
        pathKey: r.pathKey,
        outcome: r.outcome,
        ...(r.error ? { error: r.error } : {}),
      })),
      withdrawn: report.withdrawn,
      stateBefore: report.stateBefore,
      stateAfter: report.stateAfter,
    });
  }
}
