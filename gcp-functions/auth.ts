/**
 * Webhook authentication. Cloud Monitoring webhook channels authenticate in one of two ways:
 * `webhook_tokenauth` — a token in the URL query (we read `auth_token`), and `webhook_basicauth` — HTTP Basic.
 * Secrets come from the environment (mounted from Secret Manager when deployed). Fail closed: with no credentials
 * configured every request is refused, unless `TUNNEL_GUARD_WEBHOOK_AUTH=none` says so explicitly.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type AuthConfig =
  | { mode: 'none' }
  | { mode: 'required'; token?: string; basic?: { username: string; password: string } }
  /** Credentials are missing or half-configured: every request is refused with this reason. */
  | { mode: 'refuse-all'; reason: string };

/** Read the webhook credentials from an environment the edge passes in. Never throws. */
export function authConfigFromEnv(env: Record<string, string | undefined>): AuthConfig {
  const mode = (env.TUNNEL_GUARD_WEBHOOK_AUTH ?? '').trim().toLowerCase();
  if (mode === 'none') return { mode: 'none' };
  if (mode !== '' && mode !== 'required') {
    return { mode: 'refuse-all', reason: `TUNNEL_GUARD_WEBHOOK_AUTH=${JSON.stringify(mode)} is not "none" or "required"` };
  }
  const token = env.TUNNEL_GUARD_WEBHOOK_TOKEN || undefined;
  const username = env.TUNNEL_GUARD_WEBHOOK_USERNAME || undefined;
  const password = env.TUNNEL_GUARD_WEBHOOK_PASSWORD || undefined;
  if ((username && !password) || (!username && password)) {
    return { mode: 'refuse-all', reason: 'TUNNEL_GUARD_WEBHOOK_USERNAME and TUNNEL_GUARD_WEBHOOK_PASSWORD must be set together' };
  }
  if (token !== undefined && token.length < 16) {
    return { mode: 'refuse-all', reason: 'TUNNEL_GUARD_WEBHOOK_TOKEN is shorter than 16 characters: refusing a guessable token' };
  }
  if (!token && !username) {
    return {
      mode: 'refuse-all',
      reason:
        'no webhook credentials configured (TUNNEL_GUARD_WEBHOOK_TOKEN, or TUNNEL_GUARD_WEBHOOK_USERNAME + _PASSWORD); set TUNNEL_GUARD_WEBHOOK_AUTH=none only for local experiments',
    };
  }
  return { mode: 'required', ...(token ? { token } : {}), ...(username && password ? { basic: { username, password } } : {}) };
}

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
    if (cfg.token) tokenOk = secretEquals(token, cfg.token);
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
      basicOk = u && p;
    }
  }
  if (tokenOk) return { ok: true, method: 'token' };
  if (basicOk) return { ok: true, method: 'basic' };
  return { ok: false, reason: presented ? 'invalid credentials' : 'missing credentials (auth_token query parameter or HTTP Basic)' };
}
