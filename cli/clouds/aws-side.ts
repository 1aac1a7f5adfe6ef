/**
 * The AWS side of the operator's seat: the Lambda's own composition root (`composeAws`), after a bounded preflight
 * that turns an unreachable endpoint, missing credentials or a missing ledger table into one clear message.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeVpnConnectionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Env } from '../../config/source';
import { PermanentError, errorMessage } from '../../shared/errors';
import type { Logger } from '../../shared/ports';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { composeAwsWithSecrets, type AwsEdge } from '../../functions/compose';
import { UsageError } from '../io';
import { boundedAwsConfig, CloudUnavailableError, explainAwsError } from './bounded';

export const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `AWS_REGION`, else the profile's region (the SDK's own chain), else a usage error. */
export async function resolveAwsRegion(env: Env): Promise<string> {
  const direct = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (direct) return direct;
  try {
    return await new DynamoDBClient({}).config.region();
  } catch {
    throw new UsageError('--target clouds: no AWS region. Set AWS_REGION, or a region in the AWS profile (AWS_PROFILE)');
  }
}

/** Where a service's requests go, for messages (`service` as in the SDK's `AWS_ENDPOINT_URL_<SERVICE>`). */
export const awsEndpointOf = (env: Env, service: string, region: string): string =>
  env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`] ||
  env.AWS_ENDPOINT_URL ||
  env.TUNNEL_GUARD_AWS_ENDPOINT ||
  `${service === 'cloudwatch' ? 'monitoring' : service}.${region}.amazonaws.com`;

/** Credentials, reachability and the ledger table, each with a bounded time. Returns warnings (not failures). */
export async function preflightAws(env: Env, region: string): Promise<string[]> {
  const cfg = boundedAwsConfig(env, region);
  const table = env.TUNNEL_GUARD_TABLE!;
  const warnings: string[] = [];
  const ddb = new DynamoDBClient(cfg);
  const ec2 = new EC2Client(cfg);
  try {
    await ddb.send(new DescribeTableCommand({ TableName: table }));
  } catch (e) {
    if ((e as { name?: string }).name === 'ResourceNotFoundException') {
      throw new CloudUnavailableError(
        `AWS: the ledger table ${table} does not exist in ${region}. Deploy the AWS half (npm run deploy:aws), or fix TUNNEL_GUARD_TABLE / AWS_REGION`,
      );
    }
    throw new CloudUnavailableError(explainAwsError(e, `AWS: ledger table ${table}`, awsEndpointOf(env, 'dynamodb', region)));
  } finally {
    ddb.destroy();
  }
  const ids = list(env.TUNNEL_GUARD_AWS_VPN_IDS);
  try {
    // A filter, not VpnConnectionIds: an id list fails the whole call when one connection is gone.
    const out = await ec2.send(
      new DescribeVpnConnectionsCommand(ids.length ? { Filters: [{ Name: 'vpn-connection-id', Values: ids }] } : {}),
    );
    const found = new Set((out.VpnConnections ?? []).filter((c) => c.State !== 'deleted').map((c) => c.VpnConnectionId));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length)
      warnings.push(
        `AWS: TUNNEL_GUARD_AWS_VPN_IDS names ${missing.join(', ')}, which ${missing.length > 1 ? 'do' : 'does'} not exist in ${region}`,
      );
  } catch (e) {
    throw new CloudUnavailableError(explainAwsError(e, 'AWS: DescribeVpnConnections', awsEndpointOf(env, 'ec2', region)));
  } finally {
    ec2.destroy();
  }
  return warnings;
}

/**
 * The Lambda's composition, with the secrets the environment names by ARN (`TUNNEL_GUARD_LINK_SECRET_ARN`,
 * `TUNNEL_GUARD_GCP_LINK_SECRET_ARN`) read from Secrets Manager by the Lambda's own reader — the deploy refuses the
 * plain values, so an operator holds the ARNs, as the function does. Without `TUNNEL_GUARD_TOPIC_ARN` a placeholder
 * satisfies the root for read-only commands; `hasTopic` says whether the notifier is real, and a change on AWS is
 * refused without it (aws-entry.ts).
 */
export async function composeAwsSide(
  env: Env,
  region: string,
  cwd: string,
  logger: Logger,
  secretsManager: () => SecretsManagerClient = () => new SecretsManagerClient(boundedAwsConfig(env, region)),
): Promise<{ edge: AwsEdge; hasTopic: boolean }> {
  const hasTopic = !!env.TUNNEL_GUARD_TOPIC_ARN;
  const awsEnv: Env = {
    ...env,
    AWS_REGION: region,
    ...(hasTopic ? {} : { TUNNEL_GUARD_TOPIC_ARN: `arn:aws:sns:${region}:000000000000:tunnel-guard-cli-unset` }),
  };
  try {
    return { edge: await composeAwsWithSecrets(awsEnv, { cwd, logger, secretsManager }), hasTopic };
  } catch (e) {
    if (e instanceof PermanentError) throw new UsageError(`AWS: ${errorMessage(e)}`);
    throw e;
  }
}
