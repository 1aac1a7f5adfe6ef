/**
 * Limits for the CLI's own calls to the clouds. An operator at a terminal needs a clear answer within seconds: an
 * unreachable endpoint, missing credentials or a missing table must not sit in the SDKs' default retry loops
 * (minutes for Google's idempotent reads). The edges keep their own settings for the actual work.
 */
import type { Env } from '../../config/source';
import { errorMessage } from '../../shared/errors';

/** Per-request timeout of a preflight or doctor call, in ms (`TUNNEL_GUARD_CLI_TIMEOUT_MS`, default 5000). */
export function callTimeoutMs(env: Env): number {
  const raw = env.TUNNEL_GUARD_CLI_TIMEOUT_MS;
  const n = raw ? Number(raw) : 5000;
  return Number.isInteger(n) && n >= 100 && n <= 120_000 ? n : 5000;
}

/**
 * Options for the CLI's own AWS clients: one retry, bounded connect and response times. The edges' own override
 * (`TUNNEL_GUARD_AWS_ENDPOINT`) is honoured like the Lambda honours it; otherwise the SDK's `AWS_ENDPOINT_URL*`.
 */
export function boundedAwsConfig(env: Env, region: string) {
  const t = callTimeoutMs(env);
  const endpoint = env.TUNNEL_GUARD_AWS_ENDPOINT || undefined;
  return {
    region,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: Math.min(t, 3000), requestTimeout: t },
    ...(endpoint ? { endpoint } : {}),
  };
}

/** A cloud could not be used: the message says what, where, and what to do. Exit 1, nothing changed. */
export class CloudUnavailableError extends Error {
  override readonly name = 'CloudUnavailableError';
}

/** Reject after `ms` with a message naming what hung. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const NETWORK =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|socket hang up|timed? ?out|no answer within/i;

/** Why a call failed, in words an operator can act on. */
export function explainAwsError(e: unknown, what: string, endpointHint: string): string {
  const name = (e as { name?: string }).name ?? '';
  const code = (e as { Code?: string; code?: string }).Code ?? (e as { code?: string }).code ?? '';
  const msg = errorMessage(e);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(msg)) {
    return `${what}: no AWS credentials (${msg}). Set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login`;
  }
  if (/UnrecognizedClient|InvalidClientTokenId|ExpiredToken|AuthFailure|SignatureDoesNotMatch|InvalidAccessKeyId/.test(`${name} ${code}`)) {
    return `${what}: AWS rejected the credentials (${name || code}: ${msg}). Refresh them (aws sso login, or new keys)`;
  }
  if (/AccessDenied|UnauthorizedOperation/.test(`${name} ${code}`))
    return `${what}: access denied (${msg}). The caller needs this permission`;
  if (NETWORK.test(`${msg} ${code} ${name}`) || name === 'TimeoutError') {
    return `${what}: cannot reach ${endpointHint} (${msg}). Check the network, AWS_REGION and any AWS_ENDPOINT_URL* override`;
  }
  return `${what}: ${name ? `${name}: ` : ''}${msg}`;
}

/** The same for Google APIs (gaxios errors carry the HTTP status). */
export function explainGcpError(e: unknown, what: string, endpoint: string): string {
  const status =
    (e as { status?: number; response?: { status?: number } }).status ?? (e as { response?: { status?: number } }).response?.status;
  const msg = errorMessage(e);
  if (/Could not load the default credentials|invalid_grant|Could not refresh access token|reauth/i.test(msg)) {
    return `${what}: no usable Google credentials (${msg}). Run gcloud auth application-default login, or set GOOGLE_APPLICATION_CREDENTIALS`;
  }
  if (status === 401) return `${what}: Google rejected the credentials (401: ${msg}). Run gcloud auth application-default login`;
  if (status === 403) return `${what}: permission denied (403: ${msg}). The caller needs this permission`;
  if (status === 404) return `${what}: not found (404: ${msg})`;
  if (NETWORK.test(`${msg} ${(e as { code?: string }).code ?? ''}`))
    return `${what}: cannot reach ${endpoint} (${msg}). Check the network and any TUNNEL_GUARD_*_ENDPOINT override`;
  return `${what}: ${status ? `HTTP ${status}: ` : ''}${msg}`;
}
