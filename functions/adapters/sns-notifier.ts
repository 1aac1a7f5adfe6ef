/**
 * `Notifier` over SNS: one message per decision. Subject: short and scannable (SNS allows < 100 ASCII
 * characters, no line breaks). Body: a readable summary, then the full report as JSON — including the
 * withdrawn route definitions, so people hold a copy outside the ledger. Message attributes
 * `kind` (decision), `severity`, `cloud` and `tunnelId` let subscribers filter (SNS subscription filter policies).
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { errorMessage } from '../../shared/errors';
import type { Logger, Notifier } from '../../shared/ports';
import type { Report } from '../../shared/report-types';
import { isTransientAwsError, translateAwsError } from './aws-errors';

/** SNS message limit is 256 KiB; keep headroom for attributes. */
const MAX_BODY_BYTES = 250 * 1024;

const ascii = (s: string): string => s.replace(/[^\x20-\x7e]/g, '?');

/** `tunnel-guard drain aws:ap-northeast-1:vpn-1:203.0.113.1` — at most 99 characters. */
export function subjectOf(report: Report): string {
  const s = ascii(`tunnel-guard ${report.decision}${report.ok ? '' : ' FAILED'}: ${report.tunnelId}`);
  return s.length <= 99 ? s : `${s.slice(0, 96)}...`;
}

export function bodyOf(report: Report): string {
  const lines = [
    `${report.summary}`,
    '',
    `tunnel:    ${report.tunnelId}`,
    `decision:  ${report.decision} (${report.severity})${report.dryRun ? ' [dry run]' : ''}${report.forced ? ' [forced]' : ''}`,
    `state:     ${report.stateBefore} -> ${report.stateAfter}`,
    ...(report.signal
      ? [
          `signal:    ${report.signal.health} at ${report.signal.observedAt} from ${report.signal.source}`,
          `evidence:  ${report.signal.evidence}`,
        ]
      : []),
    ...report.refusals.map((r) => `refused:   [${r.guard}]${r.urgent ? ' URGENT' : ''} ${r.reason}`),
    ...report.results.map((r) => `${r.type}:  ${r.pathKey} (${r.destinations.join(', ')}) ${r.outcome}${r.error ? `: ${r.error}` : ''}`),
    ...(report.withdrawn.length
      ? [
          '',
          'withdrawn definitions (re-create these if tunnel-guard cannot):',
          ...report.withdrawn.map((p) => `  ${p.key} ${JSON.stringify(p.definition)}`),
        ]
      : []),
  ];
  const head = lines.join('\n');
  const full = `${head}\n\n--- report (JSON) ---\n${JSON.stringify(report, null, 2)}`;
  if (Buffer.byteLength(full) <= MAX_BODY_BYTES) return full;
  const compact = `${head}\n\n--- report (JSON, compact) ---\n${JSON.stringify(report)}`;
  if (Buffer.byteLength(compact) <= MAX_BODY_BYTES) return compact;
  return `${head.slice(0, MAX_BODY_BYTES - 200)}\n\n(report JSON too large for SNS: see the function's log line for this run)`;
}

export class SnsNotifier implements Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
    private readonly logger?: Logger,
  ) {}

  async notify(report: Report): Promise<void> {
    try {
      await this.sns.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: subjectOf(report),
          Message: bodyOf(report),
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: report.decision },
            severity: { DataType: 'String', StringValue: report.severity },
            cloud: { DataType: 'String', StringValue: report.cloud ?? 'aws' },
            tunnelId: { DataType: 'String', StringValue: report.tunnelId },
          },
        }),
      );
    } catch (e) {
      // Throttling/5xx: let the run fail so the platform retries. Anything else (no permission, no topic) a
      // retry cannot fix: say so loudly in the log, but do not undo or block the remediation itself.
      if (isTransientAwsError(e)) throw translateAwsError(e, 'SNS Publish');
      this.logger?.log({
        severity: 'ERROR',
        message: 'notification not delivered',
        topicArn: this.topicArn,
        tunnelId: report.tunnelId,
        error: errorMessage(e),
      });
    }
  }
}
