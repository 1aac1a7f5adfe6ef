/**
 * Secrets of the AWS edge, from AWS Secrets Manager: the environment carries only the secrets' ARNs
 * (`TUNNEL_GUARD_LINK_SECRET_ARN`, `TUNNEL_GUARD_GCP_LINK_SECRET_ARN`), because whatever is in a Lambda's environment
 * or its CloudFormation template is readable with `lambda:GetFunctionConfiguration` and `cloudformation:GetTemplate`.
 *
 * Read at cold start and cached for `ttlMs` (so a rotation reaches every warm instance within that time), and
 * rotation-safe: the previous version (`AWSPREVIOUS`) of the link key is fetched too, so a message the other end
 * signed just before it picked up the new key still verifies during the change-over.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { read } from '../config/options';
import type { Env } from '../config/source';
import { PermanentError, TransientError } from '../shared/errors';
import { AWS_OPTIONS as O } from './options';

/** The secret values, as the variables a local run would set directly. Never logged. */
export interface ResolvedSecrets {
  TUNNEL_GUARD_LINK_SECRET?: string;
  /** The link key's previous version, accepted (never used to sign) while a rotation settles. */
  linkSecretPrevious?: string;
  TUNNEL_GUARD_GCP_LINK_USERNAME?: string;
  TUNNEL_GUARD_GCP_LINK_PASSWORD?: string;
}

export const SECRETS_TTL_MS = 5 * 60_000;

async function value(client: SecretsManagerClient, arn: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> {
  try {
    const r = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
    return r.SecretString ?? undefined;
  } catch (e) {
    const name = (e as { name?: string }).name ?? '';
    // No previous version yet (never rotated) is normal.
    if (stage === 'AWSPREVIOUS' && name === 'ResourceNotFoundException') return undefined;
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
    const message = `cannot read the secret ${arn} (${stage}): ${name || 'error'}`;
    if (status >= 500 || /Throttl|InternalServiceError/.test(name)) throw new TransientError(message, { cause: e });
    throw new PermanentError(message, { cause: e });
  }
}

/** Fetch what the ARNs in `env` name. No ARN configured → nothing is fetched and nothing is returned. */
export async function resolveSecrets(env: Env, client: () => SecretsManagerClient): Promise<ResolvedSecrets> {
  const linkArn = read(O.linkSecretArn, env)[0];
  const gcpArn = read(O.gcpLinkSecretArn, env)[0];
  const out: ResolvedSecrets = {};
  if (!linkArn && !gcpArn) return out;
  const sm = client();
  if (linkArn) {
    const [current, previous] = await Promise.all([value(sm, linkArn, 'AWSCURRENT'), value(sm, linkArn, 'AWSPREVIOUS')]);
    if (!current) throw new PermanentError(`the secret ${linkArn} (TUNNEL_GUARD_LINK_SECRET_ARN) has no string value`);
    out.TUNNEL_GUARD_LINK_SECRET = current;
    if (previous && previous !== current) out.linkSecretPrevious = previous;
  }
  if (gcpArn) {
    const raw = await value(sm, gcpArn, 'AWSCURRENT');
    let creds: { username?: unknown; password?: unknown } = {};
    try {
      creds = JSON.parse(raw ?? '');
    } catch {
      // fall through to the refusal below, without echoing the value
    }
    if (typeof creds.username !== 'string' || typeof creds.password !== 'string' || !creds.username || !creds.password)
      throw new PermanentError(`the secret ${gcpArn} (TUNNEL_GUARD_GCP_LINK_SECRET_ARN) must be JSON {"username": "…", "password": "…"}`);
    out.TUNNEL_GUARD_GCP_LINK_USERNAME = creds.username;
    out.TUNNEL_GUARD_GCP_LINK_PASSWORD = creds.password;
  }
  return out;
}
