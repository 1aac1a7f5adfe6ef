/**
 * What every Compute adapter needs around the client: error classification (by what a retry would do),
 * waiting on operations until DONE and reading their `error`, and turning protobuf results into plain JSON.
 */
import { PermanentError, TransientError } from '../../shared/errors';

/** The shape we read from Compute `Operation` objects (global or regional). */
export interface ComputeOperation {
  name?: string | null;
  status?: string | number | null;
  error?: { errors?: { code?: string | null; message?: string | null }[] | null } | null;
  httpErrorStatusCode?: number | null;
  httpErrorMessage?: string | null;
}

/** gRPC status codes that google-gax may report instead of an HTTP status. */
const GRPC_TO_HTTP: Record<number, number> = { 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 412, 10: 409, 13: 500, 14: 503, 16: 401 };

/**
 * The HTTP status of a failed Compute call. The REST transport raises `GaxiosError` (`status`, `response.status`,
 * sometimes `code` = the HTTP status) or `GoogleError` (`httpStatusCode`, gRPC-style `code`), depending on the
 * client version: accept all of them.
 */
export function httpStatusOf(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const x = e as { httpStatusCode?: unknown; status?: unknown; response?: { status?: unknown }; code?: unknown };
  for (const v of [x.httpStatusCode, x.status, x.response?.status]) if (typeof v === 'number' && v >= 100) return v;
  if (typeof x.code === 'number') return x.code >= 100 ? x.code : GRPC_TO_HTTP[x.code];
  if (typeof x.code === 'string' && /^\d{3}$/.test(x.code)) return Number(x.code);
  return undefined;
}

/** Socket-level failures (no HTTP status at all) are worth a retry. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/** `errors[].reason` of a Google API error, whichever error class carried it (GaxiosError body, GoogleError). */
function reasonsOf(e: unknown): string[] {
  const x = e as {
    reason?: unknown;
    errors?: { reason?: unknown }[];
    response?: { data?: { error?: { errors?: { reason?: unknown }[] } } };
  };
  const lists = [x?.errors, x?.response?.data?.error?.errors].filter(Array.isArray) as { reason?: unknown }[][];
  // The REST transport may leave the body unparsed inside the message: read the reasons from there too.
  const inMessage = [...String((e as Error)?.message ?? '').matchAll(/"reason"\s*:\s*"([^"]+)"/g)].map((m) => m[1]!);
  return [...(typeof x?.reason === 'string' ? [x.reason] : []), ...lists.flat().map((r) => String(r?.reason ?? '')), ...inMessage];
}

/** Throttling (429, 403 rate-limit reasons), 5xx and socket errors are transient; everything else is permanent. */
export function classifyComputeError(what: string, e: unknown): TransientError | PermanentError {
  if (e instanceof TransientError || e instanceof PermanentError) return e;
  const status = httpStatusOf(e);
  const msg = `${what}: ${e instanceof Error ? e.message : String(e)}`;
  const cause = (e as { cause?: { code?: string } })?.cause;
  const code = (e as { code?: unknown })?.code;
  if (status === undefined && (NETWORK_CODES.has(String(code)) || NETWORK_CODES.has(String(cause?.code)))) {
    return new TransientError(msg, { cause: e });
  }
  if (status === 429 || (status !== undefined && status >= 500)) return new TransientError(msg, { cause: e });
  // Google APIs also throttle with 403 + reason rateLimitExceeded / userRateLimitExceeded: a retry is exactly right.
  if (status === 403 && reasonsOf(e).some((r) => /rateLimitExceeded$/i.test(r))) return new TransientError(msg, { cause: e });
  // No HTTP status and no socket error: a bug or an unexpected response; a retry would not help.
  return new PermanentError(msg, { cause: e });
}

/** Operation error codes that a later retry can get past (quota/rate, resource busy, backend trouble). */
const TRANSIENT_OP_CODES =
  /^(RATE_LIMIT_EXCEEDED|RESOURCE_NOT_READY|RESOURCE_IN_USE_BY_ANOTHER_RESOURCE|INTERNAL_ERROR|TIMEOUT|UNAVAILABLE|BACKEND_ERROR|QUOTA_EXCEEDED.*)$/;

export type OpResult = { ok: true } | { ok: false; codes: string[]; message: string; transient: boolean };

/** Read a DONE operation's `error.errors` (an operation can finish DONE and still have failed). */
export function operationResult(op: ComputeOperation): OpResult {
  const errors = op.error?.errors ?? [];
  if (errors.length === 0) return { ok: true };
  const codes = errors.map((x) => String(x.code ?? 'UNKNOWN'));
  const message = errors.map((x) => `${x.code ?? 'UNKNOWN'}: ${x.message ?? ''}`).join('; ');
  const http = op.httpErrorStatusCode ?? undefined;
  const transient = codes.some((c) => TRANSIENT_OP_CODES.test(c)) || (typeof http === 'number' && (http === 429 || http >= 500));
  return { ok: false, codes, message, transient };
}

// The Compute client returns the status as the string "DONE" (checked against the installed client).
const isDone = (op: ComputeOperation): boolean => op.status === 'DONE';

/**
 * Default overall bound on waiting for one operation: below the functions' 300 s timeout (deploy/gcp/deploy.js),
 * with room left to record the outcome. A stuck operation then ends as a `TransientError` the platform retries
 * (and reconcile finishes from the ledger) instead of the platform killing the invocation mid-way.
 */
export const DEFAULT_WAIT_DEADLINE_MS = 240_000;

export interface WaitOptions {
  /** Upper bound on `wait` calls (each blocks up to ~2 min server-side). */
  maxPolls?: number;
  /** Overall deadline for the whole wait, from its start (default `DEFAULT_WAIT_DEADLINE_MS`). */
  deadlineMs?: number;
  /** Clock (tests). */
  now?: () => number;
}

/** Resolves with `p`, or rejects once `ms` have passed; the timer never outlives the race. */
async function within<T>(p: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  p.catch(() => undefined); // a late failure after the deadline is nobody's business
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(onTimeout()), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Wait for an operation: call `wait` (which blocks server-side up to about two minutes and may return before the
 * operation is DONE) until DONE, then check `error.errors` — all within one overall deadline. `wait` receives the
 * time left, to pass on as the call's own timeout; the deadline holds even if it does not.
 * https://cloud.google.com/compute/docs/api/how-tos/api-operations#wait
 */
export async function waitOperation(
  what: string,
  first: ComputeOperation,
  wait: (operation: string, timeoutMs: number) => Promise<ComputeOperation>,
  opts: WaitOptions = {},
): Promise<OpResult> {
  const now = opts.now ?? Date.now;
  const deadlineMs = opts.deadlineMs ?? DEFAULT_WAIT_DEADLINE_MS;
  const deadline = now() + deadlineMs;
  const maxPolls = opts.maxPolls ?? Number.POSITIVE_INFINITY;
  const stuck = (name: string | null | undefined) =>
    new TransientError(
      `${what}: operation ${name ?? '?'} not DONE within ${Math.round(deadlineMs / 1000)} s: retried later, reconcile finishes it from the ledger`,
    );
  let op = first;
  for (let i = 0; !isDone(op); i++) {
    if (!op.name) throw new PermanentError(`${what}: operation without a name`);
    const left = deadline - now();
    if (left <= 0 || i >= maxPolls) throw stuck(op.name);
    const name = op.name;
    try {
      op = await within(wait(name, left), left, () => stuck(name));
    } catch (e) {
      throw classifyComputeError(`${what}: waiting for ${name}`, e);
    }
  }
  return operationResult(op);
}

/** The `latestResponse` of an LRO returned by insert/delete/patch (google-gax resolves at once, not DONE). */
export function latestOperation(lro: unknown): ComputeOperation {
  const r = (lro as { latestResponse?: ComputeOperation })?.latestResponse;
  if (!r) throw new PermanentError('Compute mutation returned no operation');
  return r;
}

/**
 * Protobuf results carry `_field` oneof markers and empty arrays for unset repeated fields. Copy only the
 * given fields, dropping undefined/null, and deep-copy into plain JSON.
 */
export function pick(obj: object, fields: readonly string[]): Record<string, unknown> {
  const src = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = src[f];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[f] = plain(v);
  }
  return out;
}

/** Deep copy into plain JSON without protobuf `_oneof` marker keys. */
export function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      // Protobuf: `_field` oneof markers; an empty repeated field is the same as an unset one.
      if (k.startsWith('_') || x === undefined || x === null || (Array.isArray(x) && x.length === 0)) continue;
      out[k] = plain(x);
    }
    return out;
  }
  return v;
}

/** Last path segment of a resource URL (`…/targetVpnGateways/gw-1` → `gw-1`). */
export const lastSegment = (url: string | null | undefined): string => (url ?? '').split('/').filter(Boolean).pop() ?? '';
