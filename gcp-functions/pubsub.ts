/**
 * The durable delivery path: a Cloud Monitoring **Pub/Sub notification channel** publishes each incident to a topic,
 * and this CloudEvent function (`tunnelIncidentPubSub`, Eventarc Pub/Sub trigger deployed with `--retry`) handles
 * it. Cloud Monitoring's webhook retries are not documented and Google recommends several channel types for
 * redundancy; Pub/Sub keeps a message until it is acknowledged, so an incident survives a busy or failing function.
 *
 * The message is the same JSON notification the webhook sends (schema 1.2), base64 in `message.data` of the
 * CloudEvent's `MessagePublishedData`:
 * - https://cloud.google.com/monitoring/support/notification-options#pubsub (channel; same schema as webhooks)
 * - https://cloud.google.com/functions/docs/calling/pubsub (CloudEvent `google.cloud.pubsub.topic.v1.messagePublished`)
 * - https://cloud.google.com/functions/docs/bestpractices/retries (throw to be retried; return to acknowledge)
 *
 * Classified by what a redelivery would do, like the HTTP edge: transient trouble (throttling, 5xx, a lost
 * conditional write) and a configuration the instance cannot start with **throw**, so Pub/Sub redelivers (the core is
 * idempotent and de-duplicates, so at-least-once is safe); everything a retry cannot change (not a notification,
 * ignored, refused, a permanent failure) is **acknowledged** by returning normally, with the reason logged.
 * There are no webhook credentials here: who may publish to the topic and who may invoke the function is IAM's job
 * (the function is not public). Link messages arriving this way are verified by their HMAC signature as always.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { decisionMetrics } from '../shared/metrics';
import { errorMessage } from '../shared/errors';
import { jsonLogger } from '../shared/log';
import type { Severity } from '../shared/report-types';
import type { GcpEdge } from './compose';
import { MAX_BODY_BYTES, processNotification, type EdgeResult, type HandlerOptions } from './handlers';
import { publishMetrics } from './metrics';

/** `MessagePublishedData` (the fields we read). */
export interface MessagePublishedData {
  message?: { data?: string; messageId?: string; message_id?: string; publishTime?: string; attributes?: Record<string, string> };
  subscription?: string;
}

/** Thrown to make Pub/Sub redeliver the message. */
export class RedeliverError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RedeliverError';
  }
}

export type Decoded = { ok: true; body: unknown } | { ok: false; reason: string };

/** `message.data` (base64) → the notification JSON. Bad data is permanent: a redelivery carries the same bytes. */
export function decodeMessage(data: MessagePublishedData | undefined): Decoded {
  const b64 = data?.message?.data;
  if (typeof b64 !== 'string' || b64 === '') return { ok: false, reason: 'Pub/Sub message has no data' };
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length > MAX_BODY_BYTES) return { ok: false, reason: `Pub/Sub message data larger than ${MAX_BODY_BYTES} bytes` };
  try {
    return { ok: true, body: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'Pub/Sub message data is not JSON (base64 of a Cloud Monitoring notification expected)' };
  }
}

/** Redeliver only what a later attempt can change: 503 (transient) from the shared notification logic. */
const redeliver = (r: EdgeResult): boolean => r.status === 503;

/** Build the `tunnelIncidentPubSub` CloudEvent function. `edge` is composed lazily, once per instance. */
export function makePubSubIncidentHandler(edge: () => GcpEdge, opts: HandlerOptions = {}) {
  return async (event: CloudEvent<MessagePublishedData>): Promise<void> => {
    const started = Date.now();
    const messageId = event.data?.message?.messageId ?? event.data?.message?.message_id;
    let e: GcpEdge;
    try {
      e = edge();
    } catch (err) {
      // Nothing can be handled until the deployment is fixed; keeping the message means the incident is handled then.
      fallbackLogger.log({
        severity: 'ERROR',
        message: `tunnelIncidentPubSub: configuration error, message kept for redelivery: ${errorMessage(err)}`,
        handler: 'tunnelIncidentPubSub',
        messageId,
        eventId: event.id,
      });
      throw new RedeliverError(`configuration error: ${errorMessage(err)}`, { cause: err });
    }
    // Pub/Sub redelivers an unacknowledged message for up to 7 days: an incident that old is not news, and acting on it
    // (or on a forged message kept alive by failing) would be wrong. Acknowledge it, loudly.
    const published = Date.parse(event.data?.message?.publishTime ?? event.time ?? '');
    const maxAge = (e.pubsubMaxAgeSeconds ?? 3600) * 1000;
    if (Number.isFinite(published) && e.deps.clock.now().getTime() - published > maxAge) {
      e.deps.logger.log({
        severity: 'CRITICAL',
        message: `tunnelIncidentPubSub: acknowledged unhandled: published ${new Date(published).toISOString()}, older than ${maxAge / 1000} s (TUNNEL_GUARD_PUBSUB_MAX_AGE_SECONDS); look at what kept it from being handled`,
        handler: 'tunnelIncidentPubSub',
        outcome: 'expired',
        messageId,
        eventId: event.id,
        target: e.target,
      });
      return;
    }
    const decoded = decodeMessage(event.data);
    const result: EdgeResult = decoded.ok
      ? await processNotification(e, decoded.body, opts)
      : { status: 400, body: { status: 'invalid', reason: decoded.reason, target: e.target } };
    const report = result.body.report;
    const again = redeliver(result);
    const severity: Severity = report ? report.severity : result.status >= 500 ? 'ERROR' : result.status >= 400 ? 'WARNING' : 'INFO';
    if (report) publishMetrics(e.deps.logger, decisionMetrics('gcp', [report]));
    e.deps.logger.log({
      severity,
      message: `tunnelIncidentPubSub: ${again ? 'redeliver' : 'acknowledged'} ${result.body.status}${result.body.reason ? `: ${result.body.reason}` : report ? `: ${report.summary}` : ''}`,
      handler: 'tunnelIncidentPubSub',
      outcome: result.body.status,
      redeliver: again,
      messageId,
      eventId: event.id,
      target: e.target,
      signal: result.body.signal,
      report: report ? { tunnelId: report.tunnelId, decision: report.decision, summary: report.summary, ok: report.ok } : undefined,
      durationMs: Date.now() - started,
    });
    if (again) throw new RedeliverError(`transient: ${result.body.reason ?? 'retry'}`);
  };
}

const fallbackLogger = jsonLogger((line) => console.log(line));
