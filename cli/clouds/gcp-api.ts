/**
 * Google credentials and bounded REST calls for the CLI. The credentials are resolved once, up front, and handed
 * to the edge's composition root: the Google libraries otherwise resolve them lazily, and a missing ADC then
 * surfaces as an unhandled rejection instead of a message.
 */
import { GoogleAuth, PassThroughClient, type AuthClient } from 'google-auth-library';
import type { Env } from '../../config/source';
import { callTimeoutMs, CloudUnavailableError, explainGcpError, withTimeout } from './bounded';

/** Endpoints; each can point at a local fake (`http://127.0.0.1:PORT`). */
export function gcpEndpoints(env: Env) {
  const trim = (s: string) => s.replace(/\/+$/, '');
  return {
    compute: trim(env.TUNNEL_GUARD_COMPUTE_ENDPOINT || 'https://compute.googleapis.com'),
    storage: trim(env.TUNNEL_GUARD_GCS_ENDPOINT || 'https://storage.googleapis.com'),
    monitoring: trim(env.TUNNEL_GUARD_MONITORING_ENDPOINT || 'https://monitoring.googleapis.com'),
    resourceManager: trim(env.TUNNEL_GUARD_RESOURCE_MANAGER_ENDPOINT || 'https://cloudresourcemanager.googleapis.com'),
    pubsub: trim(env.TUNNEL_GUARD_PUBSUB_ENDPOINT || 'https://pubsub.googleapis.com'),
  };
}

export interface GcpAuth {
  client: AuthClient;
  /** `adc` (application default credentials) or `none` (`TUNNEL_GUARD_GCP_AUTH=none`: local fakes only). */
  mode: 'adc' | 'none';
}

/**
 * Node's own `fetch` for every request of this client (the edge's Compute and Storage clients included): gaxios
 * would otherwise load `node-fetch` with a dynamic import, which only some module loaders allow.
 */
function nativeFetch<T extends AuthClient>(client: T): T {
  (client.transporter.defaults as { fetchImplementation?: typeof fetch }).fetchImplementation = globalThis.fetch;
  return client;
}

/** Application default credentials (user login, service account key, impersonation, metadata server). */
export async function resolveGcpAuth(env: Env): Promise<GcpAuth> {
  if ((env.TUNNEL_GUARD_GCP_AUTH ?? '').toLowerCase() === 'none') return { client: nativeFetch(new PassThroughClient()), mode: 'none' };
  const ms = Math.max(callTimeoutMs(env), 5000);
  try {
    const auth = new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] });
    const client = nativeFetch((await withTimeout(auth.getClient(), ms, 'Google application default credentials')) as AuthClient);
    // Fetch a token now, so expired or revoked credentials fail here with a message, not in the middle of a drain.
    await withTimeout(client.getAccessToken(), ms, 'Google access token');
    return { client, mode: 'adc' };
  } catch (e) {
    throw new CloudUnavailableError(explainGcpError(e, 'GCP credentials', 'the Google token endpoint'));
  }
}

/** One REST call, no retries, bounded time. Resolves to the JSON body. */
export async function gcpRequest<T>(
  auth: GcpAuth,
  env: Env,
  url: string,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown; headers?: Record<string, string> } = {},
): Promise<T> {
  const timeout = callTimeoutMs(env);
  const res = await withTimeout(
    auth.client.request<T>({
      url,
      method: init.method ?? 'GET',
      ...(init.body !== undefined ? { data: init.body } : {}),
      ...(init.headers ? { headers: init.headers } : {}),
      timeout,
      retry: false,
    }),
    timeout + 500,
    `${init.method ?? 'GET'} ${url}`,
  );
  return res.data;
}
