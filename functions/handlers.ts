/**
 * The Lambda handlers (names are contracts with serverless.yml): `tunnelAlarm` for CloudWatch alarm state
 * changes (EventBridge, SNS, direct alarm action) and signed link messages on SNS; `reconcile` on a schedule.
 *
 * Error policy: bad or irrelevant input is acknowledged — logged with a reason, returned
 * normally — so Lambda does not retry it. Transient failures (throttling, 5xx, a lost conditional write) are
 * thrown so Lambda/EventBridge retries; the core is idempotent, so a retry converges.
 */
import { worstSeverity } from '../shared/severity';
import { handleSignal, reconcile as reconcileCore } from '../shared/engine';
import { errorMessage, shouldRetry, TransientError } from '../shared/errors';
import { jsonLogger } from '../shared/log';
import { decisionMetrics, observeTunnels } from '../shared/metrics';
import type { LogEntry } from '../shared/ports';
import type { Signal } from '../shared/types';
import type { Report } from '../shared/report-types';
import { type AwsEdge, composeAwsWithSecrets } from './compose';
import { SECRETS_TTL_MS } from './secrets';
import { read } from '../config/options';
import { AWS_OPTIONS as O } from './options';
import { linkToSignal } from './link-signal';
import { verifyLinkMessage } from '../shared/links/message';
import { checkAccount, type DescribedAlarm, judge } from './alarm-confirmation';
import { type AlarmClaim, parseAlarmEvent } from './parse-alarm';
import { publishMetrics } from './metrics';

/**
 * Believe an alarm claim only after it is checked: a real SNS delivery (its signature), this function's account, and
 * what CloudWatch itself says about the alarm. `retry` means CloudWatch has not caught up yet: worth another attempt.
 */
async function admitAlarm(edge: AwsEdge, claim: AlarmClaim): Promise<{ ok: true } | { ok: false; reason: string; retry?: unknown }> {
  if (claim.sns) {
    if (!edge.snsVerifier)
      return { ok: false, reason: `SNS alarm notification "${claim.alarmName}" refused: SNS signatures cannot be verified here` };
    const v = await edge.snsVerifier.verify(claim.sns);
    if (!v.ok) return { ok: false, reason: `SNS alarm notification "${claim.alarmName}" refused: ${v.reason}` };
  }
  const account = checkAccount(claim, edge.account);
  if (!account.ok) return account;
  if (!edge.alarms) return { ok: true };
  let described: DescribedAlarm | undefined;
  try {
    described = await edge.alarms.describe(claim.alarmName);
  } catch (e) {
    if (shouldRetry(e)) return { ok: false, reason: `cannot confirm alarm "${claim.alarmName}": ${errorMessage(e)}`, retry: e };
    return { ok: false, reason: `cannot confirm alarm "${claim.alarmName}": ${errorMessage(e)}` };
  }
  const c = judge(claim, described, { account: edge.account, probeMonitor: edge.probeMonitor });
  if (c.ok) return c;
  return c.retry ? { ok: false, reason: c.reason, retry: new TransientError(c.reason) } : { ok: false, reason: c.reason };
}

/** What `tunnelAlarm` returns (also what `tunnel-guard invoke aws` prints). */
export interface TunnelAlarmResult {
  ok: boolean;
  target: string;
  reports: Report[];
  /** Inputs that changed nothing, with the reason (malformed, unmapped, refused link message). */
  ignored: string[];
  /** Failures a retry cannot fix (the run still returns normally). */
  failed: string[];
}

export interface ReconcileResult {
  ok: boolean;
  target: string;
  reports: Report[];
}

const worst = worstSeverity;

const brief = (r: Report) => ({
  tunnelId: r.tunnelId,
  decision: r.decision,
  summary: r.summary,
  ok: r.ok,
  stateBefore: r.stateBefore,
  stateAfter: r.stateAfter,
  signalKey: r.signal?.key,
  actions: r.results.map((a) => `${a.type} ${a.pathKey} ${a.outcome}`),
  refusals: r.refusals.map((x) => `${x.guard}: ${x.reason}`),
});

/** Build the `tunnelAlarm` handler over composed dependencies (tests pass fakes). */
export function makeTunnelAlarmHandler(edge: AwsEdge) {
  return async (event: unknown, context?: { awsRequestId?: string }): Promise<TunnelAlarmResult> => {
    const started = Date.now();
    const { deps } = edge;
    const reports: Report[] = [];
    const ignored: string[] = [];
    const failed: string[] = [];
    let retry: unknown;

    const signals: Signal[] = [];
    for (const item of parseAlarmEvent(event, {
      alarmTunnels: edge.config.alarmTunnels,
      defaultRegion: edge.region,
      alarmTopicArns: edge.alarmTopicArns,
      linkTopic: edge.linkTopic,
    })) {
      if (!item.ok) ignored.push(item.reason);
      else if (item.value.kind === 'signal') {
        const admitted = item.value.claim ? await admitAlarm(edge, item.value.claim) : { ok: true as const };
        if (admitted.ok) signals.push(item.value.signal);
        else if (admitted.retry !== undefined) {
          retry ??= admitted.retry;
          failed.push(`${admitted.reason} (will be retried)`);
        } else ignored.push(admitted.reason);
      } else {
        // During a key rotation the other end may still sign with the previous key: verify with whichever matches.
        const envelope = item.value.envelope;
        const key = [edge.linkSecret, edge.linkSecretPrevious].find((k) => k && verifyLinkMessage(envelope, k).ok) ?? edge.linkSecret;
        const link = linkToSignal(envelope, key, edge.config.links);
        if (link.ok) signals.push(link.value);
        else ignored.push(link.reason);
      }
    }

    for (const signal of signals) {
      if (!signal.tunnelId.startsWith('aws:')) {
        ignored.push(`signal for ${signal.tunnelId} is not an AWS tunnel: the AWS edge does not act on it`);
        continue;
      }
      try {
        reports.push(await handleSignal(deps, signal));
      } catch (e) {
        if (shouldRetry(e)) {
          retry ??= e;
          failed.push(`${signal.tunnelId}: ${errorMessage(e)} (will be retried)`);
        } else {
          failed.push(`${signal.tunnelId}: ${errorMessage(e)}`);
        }
      }
    }

    const entry: LogEntry = {
      severity: worst(
        reports.map((r) => r.severity),
        failed.length ? 'ERROR' : ignored.length ? 'WARNING' : 'INFO',
      ),
      message: `tunnelAlarm: ${reports.length} handled, ${ignored.length} ignored, ${failed.length} failed`,
      handler: 'tunnelAlarm',
      target: edge.target,
      requestId: context?.awsRequestId,
      signals: signals.map((s) => ({ tunnelId: s.tunnelId, health: s.health, key: s.key, source: s.source })),
      reports: reports.map(brief),
      ignored,
      failed,
      durationMs: Date.now() - started,
    };
    // Metrics first: the invocation's own line stays the last one it writes.
    publishMetrics(deps.logger, decisionMetrics('aws', reports), deps.clock.now());
    deps.logger.log(entry);
    if (retry !== undefined) throw retry;
    return { ok: failed.length === 0 && reports.every((r) => r.ok), target: edge.target, reports, ignored, failed };
  };
}

/** Build the scheduled `reconcile` handler. */
export function makeReconcileHandler(edge: AwsEdge) {
  return async (_event?: unknown, context?: { awsRequestId?: string }): Promise<ReconcileResult> => {
    const started = Date.now();
    try {
      const reports = await reconcileCore(edge.deps);
      // Every minute: drains and restores of this run, and every tunnel as this end sees it (the dashboard's rows).
      publishMetrics(
        edge.deps.logger,
        [...decisionMetrics('aws', reports), ...(await observeTunnels(edge.deps, 'aws'))],
        edge.deps.clock.now(),
      );
      edge.deps.logger.log({
        severity: worst(
          reports.map((r) => r.severity),
          'INFO',
        ),
        message: `reconcile: ${reports.length} tunnel(s) looked at`,
        handler: 'reconcile',
        target: edge.target,
        requestId: context?.awsRequestId,
        reports: reports.map(brief),
        durationMs: Date.now() - started,
      });
      return { ok: reports.every((r) => r.ok), target: edge.target, reports };
    } catch (e) {
      edge.deps.logger.log({
        severity: 'ERROR',
        message: `reconcile failed: ${errorMessage(e)}`,
        handler: 'reconcile',
        target: edge.target,
        durationMs: Date.now() - started,
      });
      // The next scheduled run retries anyway; throwing marks the invocation as failed in Lambda metrics.
      throw e;
    }
  };
}

// ---- the deployed handlers: composed once per cold start, lazily so importing this module has no effects ----

type LambdaContext = { awsRequestId?: string; invokedFunctionArn?: string };
let edge: { value: AwsEdge; at: number } | undefined;

/**
 * Compose once per cold start (and again after SECRETS_TTL_MS when secrets come from Secrets Manager, so a rotated
 * key reaches warm instances). A configuration error is logged as one ERROR line and thrown; the next invocation
 * tries again (a fixed environment needs a new deployment anyway, which starts new instances).
 */
async function coldStart(handler: string, context?: LambdaContext): Promise<AwsEdge> {
  const usesSecrets = read(O.linkSecretArn, process.env).length + read(O.gcpLinkSecretArn, process.env).length > 0;
  if (edge && (!usesSecrets || Date.now() - edge.at < SECRETS_TTL_MS)) return edge.value;
  try {
    edge = { value: await composeAwsWithSecrets(process.env, { invokedFunctionArn: context?.invokedFunctionArn }), at: Date.now() };
    return edge.value;
  } catch (e) {
    fallbackLogger.log({
      severity: 'ERROR',
      message: `${handler}: configuration error: ${errorMessage(e)}`,
      handler,
      requestId: context?.awsRequestId,
    });
    // A secret that could not be read for a transient reason: keep the instance's previous edge if there is one.
    if (edge && shouldRetry(e)) return edge.value;
    throw e;
  }
}

const fallbackLogger = jsonLogger((line) => console.log(line));

// `async`, so that a configuration error becomes a rejected promise rather than a synchronous throw: every caller
// (the Lambda runtime, `serverless invoke local`) then takes its ordinary failed-invocation path and ends.
export const tunnelAlarm = async (event: unknown, context?: LambdaContext) =>
  makeTunnelAlarmHandler(await coldStart('tunnelAlarm', context))(event, context);
export const reconcile = async (event: unknown, context?: LambdaContext) =>
  makeReconcileHandler(await coldStart('reconcile', context))(event, context);
