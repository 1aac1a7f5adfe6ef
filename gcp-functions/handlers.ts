/**
 * The GCP edge's HTTP handlers: `tunnelIncident` (Cloud Monitoring webhooks, and signed link messages from the AWS
 * end) and `reconcile` (Cloud Scheduler). HTTP in, plain data to the core, a report out.
 *
 * Status codes — classified by what a retry by the caller would do:
 * 405 not POST · 413 body over the limit · 401 missing/invalid credentials or link signature (nothing changed) ·
 * 400 not a notification · 200 with the report otherwise, including "ignored, because …" ·
 * 503 transient trouble (cloud API throttling/5xx, ledger conflict): Cloud Monitoring and Cloud Scheduler retry ·
 * 500 anything else (a bug or a configuration error: logged at ERROR).
 */
import { worstSeverity } from '../shared/severity';
import type { Request, Response } from '@google-cloud/functions-framework';
import { handleSignal as coreHandleSignal, reconcile as coreReconcile } from '../shared/engine';
import { errorMessage, shouldRetry } from '../shared/errors';
import { signalFromLink } from '../shared/links/rules';
import { verifyLinkMessage } from '../shared/links/message';
import { jsonLogger } from '../shared/log';
import { decisionMetrics, observeTunnels } from '../shared/metrics';
import type { LogEntry } from '../shared/ports';
import type { Signal } from '../shared/types';
import type { Report, Severity } from '../shared/report-types';
import { authenticate, QUERY_TOKEN_DEPRECATION } from './auth';
import type { GcpEdge } from './compose';
import { parseIncident } from './parse-incident';
import { publishMetrics } from './metrics';

/** Cloud Monitoring notifications are a few KiB; anything near this is not one. (The framework itself accepts
 * bodies of 32 MiB and more, so the limit is ours to enforce.) */
export const MAX_BODY_BYTES = 64 * 1024;

export interface HandlerOptions {
  maxBodyBytes?: number;
  /** The core's entry points (tests may wrap them). */
  core?: { handleSignal: typeof coreHandleSignal; reconcile: typeof coreReconcile };
}

/** What the handlers and `invokeGcpLocal` return. */
export interface EdgeResult {
  status: number;
  body: {
    status: 'handled' | 'ignored' | 'refused' | 'invalid' | 'error';
    reason?: string;
    target?: string;
    signal?: Pick<Signal, 'tunnelId' | 'health' | 'observedAt' | 'key' | 'source'>;
    report?: Report;
    reports?: Report[];
  };
}

const severityOf = (status: number, report?: Report): Severity =>
  report ? report.severity : status >= 500 ? 'ERROR' : status === 401 ? 'WARNING' : status >= 400 ? 'WARNING' : 'INFO';

const brief = (r: Report) => ({
  tunnelId: r.tunnelId,
  decision: r.decision,
  summary: r.summary,
  ok: r.ok,
  stateBefore: r.stateBefore,
  stateAfter: r.stateAfter,
  refusals: r.refusals.map((x) => `${x.guard}: ${x.reason}`),
});

/**
 * Handle one already-authenticated, size-checked, JSON-decoded body: a Cloud Monitoring notification or a signed
 * link message. No HTTP here — `invokeGcpLocal` uses it directly.
 */
export async function processNotification(edge: GcpEdge, body: unknown, opts: HandlerOptions = {}): Promise<EdgeResult> {
  const core = opts.core ?? { handleSignal: coreHandleSignal, reconcile: coreReconcile };
  let signal: Signal;
  if (isLinkEnvelope(body)) {
    // The AWS end tells us it drained/restored its end of a link. Verify before anything else.
    const v = verifyLinkMessage(body, edge.linkSecret ?? '');
    if (!v.ok) return { status: 401, body: { status: 'refused', reason: `link message refused: ${v.reason}`, target: edge.target } };
    const s = signalFromLink(v.value, edge.config.links, 'gcp');
    if (!s.ok) return { status: 200, body: { status: 'ignored', reason: s.reason, target: edge.target } };
    signal = s.value;
  } else {
    const parsed = parseIncident(body, { policyTunnels: edge.config.policyTunnels });
    if (parsed.kind === 'invalid') return { status: 400, body: { status: 'invalid', reason: parsed.reason, target: edge.target } };
    if (parsed.kind === 'ignored') return { status: 200, body: { status: 'ignored', reason: parsed.reason, target: edge.target } };
    signal = parsed.signal;
  }
  const sig = { tunnelId: signal.tunnelId, health: signal.health, observedAt: signal.observedAt, key: signal.key, source: signal.source };
  if (!signal.tunnelId.startsWith('gcp:')) {
    return {
      status: 200,
      body: {
        status: 'ignored',
        reason: `${signal.tunnelId} is not a GCP tunnel: the GCP edge does not act on it`,
        signal: sig,
        target: edge.target,
      },
    };
  }
  try {
    const report = await core.handleSignal(edge.deps, signal);
    return { status: 200, body: { status: 'handled', signal: sig, report, target: edge.target } };
  } catch (e) {
    return { status: shouldRetry(e) ? 503 : 500, body: { status: 'error', reason: errorMessage(e), signal: sig, target: edge.target } };
  }
}

function isLinkEnvelope(body: unknown): boolean {
  return (
    typeof body === 'object' && body !== null && !Array.isArray(body) && 'signature' in body && 'message' in body && !('incident' in body)
  );
}

type Check = { ok: true; body: unknown; method: string } | { ok: false; result: EdgeResult };

/** Method, size, credentials and JSON — in that order, so an unauthenticated caller learns nothing more. */
function admit(req: Request, edge: GcpEdge, maxBytes: number): Check {
  const fail = (status: number, status2: EdgeResult['body']['status'], reason: string): Check => ({
    ok: false,
    result: { status, body: { status: status2, reason } },
  });
  if (req.method !== 'POST') return fail(405, 'invalid', `method ${req.method} not allowed: POST only`);
  const declared = Number(req.headers['content-length'] ?? 0);
  const raw: Buffer | undefined = (req as Request & { rawBody?: Buffer }).rawBody;
  if (declared > maxBytes || (raw && raw.length > maxBytes)) return fail(413, 'invalid', `body larger than ${maxBytes} bytes`);
  const auth = authenticate({ query: req.query as Record<string, unknown>, headers: req.headers }, edge.auth);
  if (!auth.ok) return fail(401, 'refused', auth.reason);
  // Parse the exact bytes ourselves: the framework only decodes JSON for a JSON content type.
  let body: unknown = req.body;
  if (raw) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return fail(400, 'invalid', 'body is not valid JSON');
    }
  } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(String(body));
    } catch {
      return fail(400, 'invalid', 'body is not valid JSON');
    }
  }
  return { ok: true, body, method: auth.method };
}

function respond(res: Response, r: EdgeResult, edge: GcpEdge | undefined): void {
  if (r.status === 405) res.set('Allow', 'POST');
  if (r.status === 401 && edge?.auth.mode === 'required' && edge.auth.basic) res.set('WWW-Authenticate', 'Basic realm="tunnel-guard"');
  res.status(r.status).json(r.body);
}

/** Build the `tunnelIncident` HTTP function. `edge` is composed lazily, once per instance. */
export function makeIncidentHandler(edge: () => GcpEdge, opts: HandlerOptions = {}) {
  const maxBytes = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  return async (req: Request, res: Response): Promise<void> => {
    const started = Date.now();
    let e: GcpEdge | undefined;
    let result: EdgeResult;
    let deprecated: string | undefined;
    try {
      e = edge();
      const check = admit(req, e, maxBytes);
      if (check.ok && check.method === 'token') deprecated = QUERY_TOKEN_DEPRECATION;
      result = check.ok ? await processNotification(e, check.body, opts) : check.result;
    } catch (err) {
      result = { status: shouldRetry(err) ? 503 : 500, body: { status: 'error', reason: errorMessage(err) } };
    }
    const report = result.body.report;
    const entry: LogEntry = {
      severity: deprecated && severityOf(result.status, report) === 'INFO' ? 'WARNING' : severityOf(result.status, report),
      ...(deprecated ? { deprecated } : {}),
      message: `tunnelIncident: ${result.status} ${result.body.status}${result.body.reason ? `: ${result.body.reason}` : report ? `: ${report.summary}` : ''}`,
      handler: 'tunnelIncident',
      httpStatus: result.status,
      outcome: result.body.status,
      target: e?.target,
      signal: result.body.signal,
      report: report ? brief(report) : undefined,
      durationMs: Date.now() - started,
    };
    // Metrics first: the request's own line stays the last one it writes.
    if (e && report) publishMetrics(e.deps.logger, decisionMetrics('gcp', [report]));
    (e?.deps.logger ?? fallbackLogger).log(entry);
    respond(res, result, e);
  };
}

/** Build the `reconcile` HTTP function (Cloud Scheduler): same credentials as the webhook, no body needed. */
export function makeReconcileHandler(edge: () => GcpEdge, opts: HandlerOptions = {}) {
  const core = opts.core ?? { handleSignal: coreHandleSignal, reconcile: coreReconcile };
  return async (req: Request, res: Response): Promise<void> => {
    const started = Date.now();
    let e: GcpEdge | undefined;
    let result: EdgeResult;
    try {
      e = edge();
      // Deployed, reconcile is reached only through IAM (Cloud Scheduler's OIDC token, `--no-allow-unauthenticated`):
      // no credential in the Scheduler job's URI. Locally it still wants the webhook credentials.
      const auth =
        req.method !== 'POST'
          ? undefined
          : e.reconcileAuth === 'iam'
            ? ({ ok: true, method: 'none' } as const)
            : authenticate({ query: req.query as Record<string, unknown>, headers: req.headers }, e.auth);
      if (!auth) result = { status: 405, body: { status: 'invalid', reason: `method ${req.method} not allowed: POST only` } };
      else if (!auth.ok) result = { status: 401, body: { status: 'refused', reason: auth.reason } };
      else {
        const reports = await core.reconcile(e.deps);
        // Every minute: drains and restores of this run, and every tunnel as this end sees it (the dashboard's rows).
        publishMetrics(e.deps.logger, [...decisionMetrics('gcp', reports), ...(await observeTunnels(e.deps, 'gcp'))]);
        result = { status: 200, body: { status: 'handled', reports, target: e.target } };
      }
    } catch (err) {
      result = { status: shouldRetry(err) ? 503 : 500, body: { status: 'error', reason: errorMessage(err), target: e?.target } };
    }
    const reports = result.body.reports ?? [];
    (e?.deps.logger ?? fallbackLogger).log({
      severity: worstSeverity(
        reports.map((r) => r.severity),
        severityOf(result.status),
      ),
      message: `reconcile: ${result.status} ${result.body.status}${result.body.reason ? `: ${result.body.reason}` : `: ${reports.length} tunnel(s) looked at`}`,
      handler: 'reconcile',
      httpStatus: result.status,
      target: e?.target,
      reports: reports.map(brief),
      durationMs: Date.now() - started,
    });
    respond(res, result, e);
  };
}

/** When composition itself failed there is no configured logger: still write one (redacted) JSON line. */
const fallbackLogger = jsonLogger((line) => console.log(line));
