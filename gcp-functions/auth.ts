/**
 * Webhook authentication. Cloud Monitoring webhook channels authenticate in one of two ways: `webhook_basicauth` —
 * HTTP Basic, the shipped default — and `webhook_tokenauth` — a token in the URL query (`auth_token`). The query
 * token is refused unless `TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN=accept`: a URL is not a secret's place — Cloud Run's
 * request logs record the whole URL with its query, and Cloud Monitoring does not treat a channel's `url` label as
 * sensitive — while the Authorization header is neither logged nor shown. Secrets come from the environment
 * (mounted from Secret Manager when deployed). Fail closed: with no credentials configured every request is refused,
 * unless `TUNNEL_GUARD_WEBHOOK_AUTH=none` says so explicitly. Rotation: `TUNNEL_GUARD_WEBHOOK_PASSWORD_PREVIOUS` is
 * accepted too while it is set, so the channel and the AWS end can move to the new password one at a time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { read } from '../config/options';
import { GCP_OPTIONS as O } from './options';

export type AuthConfig =
  | { mode: 'none' }
  | {
      mode: 'required';
      /** The query token, present only when it is explicitly accepted (deprecated). */
      token?: string;
      basic?: { username: string; password: string; previousPassword?: string };
    }
  /** Credentials are missing or half-configured: every request is refused with this reason. */
  | { mode: 'refuse-all'; reason: string };

/** Read the webhook credentials from an environment the edge passes in. Never throws. */
export function authConfigFromEnv(env: Record<string, string | undefined>): AuthConfig {
  const modeRaw = (env[O.webhookAuth.env] ?? '').trim().toLowerCase();
  const mode = O.webhookAuth.parse(env[O.webhookAuth.env], O.webhookAuth.env);
  if (!mode.ok) return { mode: 'refuse-all', reason: `TUNNEL_GUARD_WEBHOOK_AUTH=${JSON.stringify(modeRaw)} is not "none" or "required"` };
  if (mode.value === 'none') return { mode: 'none' };
  const query = O.webhookQueryToken.parse(env[O.webhookQueryToken.env], O.webhookQueryToken.env);
  if (!query.ok) return { mode: 'refuse-all', reason: query.reason };
  const token = read(O.webhookToken, env);
  const username = read(O.webhookUsername, env);
  const password = read(O.webhookPassword, env);
  const previousPassword = read(O.webhookPasswordPrevious, env);
  if ((username && !password) || (!username && password)) {
    return { mode: 'refuse-all', reason: 'TUNNEL_GUARD_WEBHOOK_USERNAME and TUNNEL_GUARD_WEBHOOK_PASSWORD must be set together' };
  }
  if (token !== undefined && token.length < 16) {
    return { mode: 'refuse-all', reason: 'TUNNEL_GUARD_WEBHOOK_TOKEN is shorter than 16 characters: refusing a guessable token' };
  }
  const acceptToken = query.value === 'accept' && !!token;
  if (!acceptToken && !username) {
    return {
      mode: 'refuse-all',
      reason: token
        ? 'TUNNEL_GUARD_WEBHOOK_TOKEN is set but query-string tokens are refused (they land in request logs): configure HTTP Basic (TUNNEL_GUARD_WEBHOOK_USERNAME + _PASSWORD), or set TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN=accept while migrating'
        : 'no webhook credentials configured (TUNNEL_GUARD_WEBHOOK_USERNAME + _PASSWORD); set TUNNEL_GUARD_WEBHOOK_AUTH=none only for local experiments',
    };
  }
  return {
    mode: 'required',
    ...(acceptToken ? { token } : {}),
    ...(username && password ? { basic: { username, password, ...(previousPassword ? { previousPassword } : {}) } } : {}),
  };
}

/** The deprecation line written when a request authenticated with the query token (once per request). */
export const QUERY_TOKEN_DEPRECATION =
  'authenticated with the ?auth_token= query token, which Cloud Run request logs record with the URL: move the channel and the AWS end to HTTP Basic, then drop TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN';

/** Compare two secrets in constant time: hash both to equal-length digests first, so lengths leak nothing. */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

export interface AuthRequest {
  /** Parsed URL query (Express `req.query`). */
  query?: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

export type AuthResult = { ok: true; method: 'token' | 'basic' | 'none' } | { ok: false; reason: string };

/** Check one request. The reason never contains a secret. */
export function authenticate(req: AuthRequest, cfg: AuthConfig): AuthResult {
  if (cfg.mode === 'none') return { ok: true, method: 'none' };
  if (cfg.mode === 'refuse-all') return { ok: false, reason: cfg.reason };
  // Check every configured method without short-circuiting on the first secret, so timing says little.
  let tokenOk = false;
  let basicOk = false;
  let presented = false;
  const raw = req.query?.auth_token;
  const token = Array.isArray(raw) ? raw[0] : raw;
  if (typeof token === 'string' && token !== '') {
    presented = true;
    // Without an accepted token the query is still compared with something, so a refusal takes the same time.
    tokenOk = secretEquals(token, cfg.token ?? '\u0000') && !!cfg.token;
  }
  const header = req.headers.authorization;
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value ?? '');
  if (m) {
    presented = true;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (cfg.basic && colon >= 0) {
      const u = secretEquals(decoded.slice(0, colon), cfg.basic.username);
      const p = secretEquals(decoded.slice(colon + 1), cfg.basic.password);
      // Always compare against the previous password too (or against itself), so timing does not say which matched.
      const q = secretEquals(decoded.slice(colon + 1), cfg.basic.previousPassword ?? cfg.basic.password) && !!cfg.basic.previousPassword;
      basicOk = u && (p || q);
    }
  }
  if (tokenOk) return { ok: true, method: 'token' };
  if (basicOk) return { ok: true, method: 'basic' };
  return {
    ok: false,
    reason: presented
      ? 'invalid credentials'
      : cfg.token
        ? 'missing credentials (auth_token query parameter or HTTP Basic)'
        : 'missing credentials (HTTP Basic)',
  };
}
