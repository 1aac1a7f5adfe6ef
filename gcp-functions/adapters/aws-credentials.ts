/**
 * AWS credentials for the GCP function, which publishes link messages to the AWS link topic. Two ways:
 *
 * - **Keyless federation (preferred)**: the function's service account asks the metadata server for a
 *   Google-signed ID token (audience configurable), and STS `AssumeRoleWithWebIdentity` exchanges it for
 *   short-lived credentials of an IAM role whose trust policy names `accounts.google.com` and pins the service
 *   account's unique id (`accounts.google.com:aud` / `:sub`, see docs/links.md, "Link to AWS: credentials"). Nothing secret is stored anywhere.
 * - **Stored keys (supported)**: `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`), mounted from
 *   Secret Manager.
 *
 * Never the SDK's default provider chain: on Google Cloud its last step probes 169.254.169.254 as if it were EC2's
 * instance metadata service — which there is Google's metadata server — and the error it ends with says nothing
 * useful. Exactly one way must be configured.
 */
import { fromWebToken } from '@aws-sdk/credential-provider-web-identity';
import { PermanentError, TransientError } from '../../shared/errors';

export type Env = Record<string, string | undefined>;
/** What an SDK client accepts as `credentials`: a provider (called again before expiry) or fixed keys. */
export type AwsCredentialIdentityProvider = ReturnType<typeof fromWebToken>;
export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Audience of the ID token when `TUNNEL_GUARD_AWS_ID_TOKEN_AUDIENCE` is not set (any string both sides agree on). */
export const DEFAULT_ID_TOKEN_AUDIENCE = 'sts.amazonaws.com';

/** Google's metadata server; `GCE_METADATA_HOST` (the variable Google's own libraries honour) overrides it in tests. */
const metadataHost = (env: Env): string => env.GCE_METADATA_HOST || 'metadata.google.internal';

export interface IdTokenOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * A Google-signed ID token for the function's service account, from the metadata server
 * (`…/service-accounts/default/identity?audience=…&format=full`, header `Metadata-Flavor: Google`). Its `sub` (and,
 * since the token carries `azp`, the IAM key `accounts.google.com:aud`) is the service account's unique id.
 */
export async function metadataIdToken(env: Env, audience: string, options: IdTokenOptions = {}): Promise<string> {
  const url = `http://${metadataHost(env)}/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(audience)}&format=full`;
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      headers: { 'Metadata-Flavor': 'Google' },
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
  } catch (e) {
    throw new TransientError(`metadata server did not answer for an ID token: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const text = (await res.text()).trim();
  if (!res.ok) {
    const err = `metadata server refused an ID token (HTTP ${res.status})`;
    throw res.status >= 500 || res.status === 429 ? new TransientError(err) : new PermanentError(err);
  }
  // A JWT: three base64url parts. Anything else means we did not talk to a metadata server.
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(text)) throw new PermanentError('metadata server answered with something that is not an ID token');
  return text;
}

export interface CredentialsChoice {
  /** What was chosen, for the log (never the secret). */
  mode: 'web-identity' | 'static-keys';
  credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity;
}

export interface CredentialsOptions {
  /** STS endpoint override (`TUNNEL_GUARD_AWS_ENDPOINT`: moto in tests). */
  endpoint?: string;
  region: string;
  fetch?: typeof fetch;
}

/**
 * Choose the credentials from the environment. Throws `PermanentError` when none or both ways are configured.
 * Keyless: `TUNNEL_GUARD_AWS_ROLE_ARN` (+ `TUNNEL_GUARD_AWS_ID_TOKEN_AUDIENCE`, default `sts.amazonaws.com`).
 */
export function awsCredentialsFromEnv(env: Env, options: CredentialsOptions): CredentialsChoice {
  const roleArn = env.TUNNEL_GUARD_AWS_ROLE_ARN || undefined;
  const keyId = env.AWS_ACCESS_KEY_ID || undefined;
  const secretKey = env.AWS_SECRET_ACCESS_KEY || undefined;
  if (roleArn && (keyId || secretKey)) {
    throw new PermanentError(
      'both TUNNEL_GUARD_AWS_ROLE_ARN and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set: choose keyless federation or stored keys, not both',
    );
  }
  if (roleArn) {
    if (!/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(roleArn))
      throw new PermanentError(`TUNNEL_GUARD_AWS_ROLE_ARN is not an IAM role ARN: ${JSON.stringify(roleArn)}`);
    const audience = env.TUNNEL_GUARD_AWS_ID_TOKEN_AUDIENCE || DEFAULT_ID_TOKEN_AUDIENCE;
    const clientConfig = { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) };
    // A fresh ID token for every exchange (they live one hour). The SNS client memoizes what this returns until
    // shortly before `expiration`, so the metadata server and STS are asked about once an hour, not per message.
    const provider: AwsCredentialIdentityProvider = async (props) => {
      const webIdentityToken = await metadataIdToken(env, audience, options.fetch ? { fetch: options.fetch } : {});
      return fromWebToken({ roleArn, webIdentityToken, roleSessionName: 'tunnel-guard-gcp-link', durationSeconds: 3600, clientConfig })(
        props,
      );
    };
    return { mode: 'web-identity', credentials: provider };
  }
  if (keyId && secretKey) {
    return {
      mode: 'static-keys',
      credentials: {
        accessKeyId: keyId,
        secretAccessKey: secretKey,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      },
    };
  }
  if (keyId || secretKey) throw new PermanentError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together');
  throw new PermanentError(
    'TUNNEL_GUARD_AWS_LINK_TOPIC_ARN is set but no AWS credentials are: set TUNNEL_GUARD_AWS_ROLE_ARN (keyless, preferred) or AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY',
  );
}
