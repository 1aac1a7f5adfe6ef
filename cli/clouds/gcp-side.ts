/**
 * The GCP side of the operator's seat: the Cloud Function's own composition root (`composeGcp`), with credentials
 * resolved up front and a bounded preflight of Compute and the ledger bucket.
 */
import type { Env } from '../../config/source';
import { PermanentError, errorMessage } from '../../shared/errors';
import type { Logger } from '../../shared/ports';
import { composeGcp, type GcpEdge } from '../../gcp-functions/compose';
import { DEFAULT_LEDGER_PREFIX } from '../../gcp-functions/adapters/gcs-ledger';
import { UsageError } from '../io';
import { CloudUnavailableError, explainGcpError } from './bounded';
import { gcpEndpoints, gcpRequest, type GcpAuth } from './gcp-api';
import { list } from './aws-side';

export const gcpProjectOf = (env: Env): string => (env.TUNNEL_GUARD_GCP_PROJECT || env.GOOGLE_CLOUD_PROJECT || '').trim();

export async function preflightGcp(env: Env, auth: GcpAuth): Promise<void> {
  const ep = gcpEndpoints(env);
  const project = gcpProjectOf(env);
  const bucket = env.TUNNEL_GUARD_LEDGER_BUCKET!;
  const prefix = env.TUNNEL_GUARD_LEDGER_PREFIX || DEFAULT_LEDGER_PREFIX;
  await Promise.all([
    ...list(env.TUNNEL_GUARD_GCP_REGIONS).map(async (region) => {
      const url = `${ep.compute}/compute/v1/projects/${encodeURIComponent(project)}/regions/${encodeURIComponent(region)}/vpnTunnels?maxResults=1`;
      try {
        await gcpRequest(auth, env, url);
      } catch (e) {
        throw new CloudUnavailableError(explainGcpError(e, `GCP: VPN tunnels of ${project}/${region}`, ep.compute));
      }
    }),
    (async () => {
      const url = `${ep.storage}/storage/v1/b/${encodeURIComponent(bucket)}/o?maxResults=1&prefix=${encodeURIComponent(prefix)}`;
      try {
        await gcpRequest(auth, env, url);
      } catch (e) {
        const status =
          (e as { status?: number; response?: { status?: number } }).status ?? (e as { response?: { status?: number } }).response?.status;
        if (status === 404)
          throw new CloudUnavailableError(
            `GCP: the ledger bucket ${bucket} does not exist. Create it (docs/gcp.md#deploy), or fix TUNNEL_GUARD_LEDGER_BUCKET`,
          );
        throw new CloudUnavailableError(explainGcpError(e, `GCP: ledger bucket ${bucket}`, ep.storage));
      }
    })(),
  ]);
}

export function composeGcpSide(env: Env, cwd: string, logger: Logger, auth: GcpAuth): GcpEdge {
  try {
    return composeGcp(env, { cwd, logger, authClient: auth.client });
  } catch (e) {
    if (e instanceof PermanentError) throw new UsageError(`GCP: ${errorMessage(e)}`);
    throw e;
  }
}
