/**
 * Composition root of the AWS edge: reads the environment once per cold start, builds the SDK clients once and
 * returns the core's dependencies. With `TUNNEL_GUARD_SIMULATOR=<file>` the simulator stands in for AWS (and
 * its file ledger and notifier), so `serverless invoke local` and `tunnel-guard invoke aws` need no account.
 *
 * Every environment variable it reads is declared once in `functions/options.ts` (name, parser, default, doc, who
 * reads it) and read through that table; docs/configuration.md is checked against it.
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { read } from '../config/options';
import { configFromEnv, type Env } from '../config/source';
import { PermanentError } from '../shared/errors';
import { jsonLogger } from '../shared/log';
import type { Config } from '../shared/policy';
import type { CoreDeps, Logger, PathTable } from '../shared/ports';
import { composeSimulatorSide } from '../simulator/compose-side';
import type { PathKind } from '../shared/types';
import { AwsPathTable } from './adapters/aws-path-table';
import { DynamoDbLedger } from './adapters/dynamodb-ledger';
import { HttpLinkPublisher } from './adapters/http-link-publisher';
import { SnsNotifier } from './adapters/sns-notifier';
import { TgwPathTable } from './adapters/tgw-paths';
import { VgwStaticPathTable } from './adapters/vgw-static-paths';
import { VpnInventory } from './adapters/vpn-inventory';
import { VpnTunnelHealthView } from './adapters/vpn-tunnel-health';
import { AWS_OPTIONS as O } from './options';
import type { AlarmDescriber } from './alarm-confirmation';
import { CloudWatchAlarms } from './adapters/cloudwatch-alarms';
import { httpsCertFetcher, SnsSignatureVerifier, type Verdict } from './sns-signature';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { resolveSecrets } from './secrets';
import { COMMON_OPTIONS as C } from '../config/options';

export interface AwsEdge {
  deps: CoreDeps;
  config: Config;
  region: string;
  /** Secret to verify link messages; undefined = link messages are refused. */
  linkSecret?: string;
  /** The link key's previous version during a rotation: still accepted for verification, never used to sign. */
  linkSecretPrevious?: string;
  /** SNS topics allowed to deliver alarm notifications (`TUNNEL_GUARD_ALARM_TOPIC_ARNS`); absent or empty = none. */
  alarmTopicArns?: readonly string[];
  /** The link topic (ARN or name): a record on it that is not a signed link envelope is refused. */
  linkTopic?: string;
  /** `simulator:<file>` or `aws:<region>`: logged so every line says what it acted on. */
  target: string;
  /** The function's own account (from its ARN): alarm events naming another account are refused. Unset: not checked. */
  account?: string;
  /**
   * Confirms every alarm event with CloudWatch before it is believed (alarm-confirmation.ts). Always set on AWS;
   * unset only where there is no CloudWatch to ask (the simulator, the game day's in-memory world).
   */
  alarms?: AlarmDescriber;
  /** The deployed probe monitor: the only one a probe alarm may watch. */
  probeMonitor?: string;
  /** Verifies that an SNS record is a delivery by SNS. Unset: SNS alarm notifications are refused. */
  snsVerifier?: { verify(sns: Record<string, unknown>): Promise<Verdict> };
}

export interface ComposeOptions {
  cwd?: string;
  readFile?: (path: string) => string;
  logger?: Logger;
  /** The Lambda's own ARN (`context.invokedFunctionArn`): gives partition and account for `TUNNEL_GUARD_TOPIC_NAME`. */
  invokedFunctionArn?: string;
}

/** `TUNNEL_GUARD_TOPIC_ARN`, or `TUNNEL_GUARD_TOPIC_NAME` placed in the function's own partition and account. */
export function topicArnOf(env: Env, region: string, invokedFunctionArn: string | undefined): string | undefined {
  const arn = read(O.topicArn, env);
  if (arn) return arn;
  const name = read(O.topicName, env);
  const [, partition, , , account] = (invokedFunctionArn ?? '').split(':');
  return name && partition && account ? `arn:${partition}:sns:${region}:${account}:${name}` : undefined;
}

/**
 * `TUNNEL_GUARD_ALARM_TOPIC_ARNS`: the SNS topics whose alarm notifications are believed. Every entry must be a
 * full topic ARN — a typo would otherwise silently refuse every alarm, and a pattern would admit topics nobody
 * reviewed.
 */
export function alarmTopicArnsOf(env: Env): string[] {
  return read(O.alarmTopicArns, env);
}

/**
 * The publisher of link messages to the GCP end, when `TUNNEL_GUARD_GCP_LINK_URL` is set (undefined otherwise).
 * Half a configuration is an error, not a silent "links off": a URL without the secret or without credentials
 * would only ever be refused by the other end.
 */
export function httpLinkFromEnv(env: Env, linkSecret: string | undefined): HttpLinkPublisher | undefined {
  const url = read(O.gcpLinkUrl, env);
  if (!url) return undefined;
  if (!linkSecret)
    throw new PermanentError('TUNNEL_GUARD_GCP_LINK_URL is set but TUNNEL_GUARD_LINK_SECRET is not: link messages must be signed');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PermanentError(`TUNNEL_GUARD_GCP_LINK_URL is not a URL: ${JSON.stringify(url)}`);
  }
  // Plain HTTP only for loopback (local tests): the webhook credentials travel with every request.
  const loopback = parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost' || parsed.hostname === '[::1]';
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) {
    throw new PermanentError('TUNNEL_GUARD_GCP_LINK_URL must be https:// (plain http only for 127.0.0.1/localhost)');
  }
  const token = read(O.gcpLinkToken, env);
  const username = read(O.gcpLinkUsername, env);
  const password = read(O.gcpLinkPassword, env);
  if (!!username !== !!password)
    throw new PermanentError('TUNNEL_GUARD_GCP_LINK_USERNAME and TUNNEL_GUARD_GCP_LINK_PASSWORD must be set together');
  if (!token && !username) {
    throw new PermanentError(
      'TUNNEL_GUARD_GCP_LINK_URL needs the GCP webhook credentials: TUNNEL_GUARD_GCP_LINK_TOKEN, or TUNNEL_GUARD_GCP_LINK_USERNAME + _PASSWORD',
    );
  }
  const timeout = read(O.gcpLinkTimeoutMs, env);
  return new HttpLinkPublisher({
    url,
    secret: linkSecret,
    ...(token ? { token } : {}),
    ...(username && password ? { basic: { username, password } } : {}),
    ...(timeout ? { timeoutMs: timeout } : {}),
  });
}

/**
 * Say once per instance (and again when the set changes) which configured VPN connections are gone: worth a human's
 * look (TUNNEL_GUARD_AWS_VPN_IDS is stale), not worth stopping for, and not worth a line on every read.
 */
export function reportMissingOnce(logger: Logger): (ids: string[]) => void {
  let last = '';
  return (ids) => {
    const key = [...ids].sort().join(',');
    if (key === last) return;
    last = key;
    logger.log({
      severity: 'WARNING',
      message: `TUNNEL_GUARD_AWS_VPN_IDS lists VPN connections that do not exist in this region (deleted?): ${ids.join(', ')}; the others are managed as usual`,
      missingVpnConnectionIds: ids,
    });
  };
}

/** Build the AWS edge's dependencies from an environment. Throws `PermanentError` on bad configuration. */
export function composeAws(env: Env, options: ComposeOptions = {}): AwsEdge {
  const cwd = options.cwd ?? process.cwd();
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const logger = options.logger ?? jsonLogger((line) => console.log(line));
  const cfg = configFromEnv(env, readFile, cwd);
  if (!cfg.ok) throw new PermanentError(`tunnel-guard configuration: ${cfg.reason}`);
  const config = cfg.value;
  const region = read(O.region, env) || read(O.defaultRegion, env) || O.region.default;
  const linkSecret = read(C.linkSecret, env);
  const alarmTopicArns = alarmTopicArnsOf(env);
  const linkTopic = read(O.linkTopicArn, env) || read(O.linkTopicName, env);
  const inbound = { alarmTopicArns, ...(linkTopic ? { linkTopic } : {}) };
  const base = { clock: { now: () => new Date() }, logger, policy: config.policy, links: config.links };
  // The real transport to the GCP end when configured — also on the simulator, so a test can drive both
  // real edges over one simulator file.
  const httpLink = httpLinkFromEnv(env, linkSecret);

  if (read(C.simulator, env)) {
    const { deps, target } = composeSimulatorSide(env, cwd, base, 'aws', httpLink, linkSecret);
    return { deps, config, region, linkSecret, ...inbound, target };
  }

  const table = read(O.table, env);
  const topic = topicArnOf(env, region, options.invokedFunctionArn);
  if (!table || !topic) {
    throw new PermanentError(
      'tunnel-guard needs TUNNEL_GUARD_TABLE and TUNNEL_GUARD_TOPIC_ARN (or TUNNEL_GUARD_TOPIC_NAME inside Lambda), or TUNNEL_GUARD_SIMULATOR=<file> to run on the simulator',
    );
  }
  const endpoint = read(C.awsEndpoint, env);
  const clientConfig = { region, ...(endpoint ? { endpoint } : {}) };
  const ec2 = new EC2Client(clientConfig);
  const account = options.invokedFunctionArn?.split(':')[4] || undefined;
  const probeMonitor = read(O.probeMonitor, env);
  const trust = {
    ...(account ? { account } : {}),
    alarms: new CloudWatchAlarms(new CloudWatchClient(clientConfig)),
    ...(probeMonitor ? { probeMonitor } : {}),
    snsVerifier: new SnsSignatureVerifier(httpsCertFetcher()),
  };
  const inventory = new VpnInventory(ec2, {
    region,
    vpnConnectionIds: read(O.vpnIds, env),
    onMissing: reportMissingOnce(logger),
  });
  const probeTargets = new Set(read(O.probeTargets, env));
  const tables: Partial<Record<PathKind, PathTable>> = {
    'aws-vgw-static': new VgwStaticPathTable(ec2, inventory, undefined, probeTargets),
  };
  const tgwTables = read(O.tgwRouteTableIds, env);
  const tgw = tgwTables.length ? new TgwPathTable(ec2, inventory, { routeTableIds: tgwTables, probeTargets }) : undefined;
  if (tgw) tables['aws-tgw-route'] = tgw;

  return {
    deps: {
      ...base,
      clouds: {
        aws: {
          paths: new AwsPathTable(tables),
          tunnels: new VpnTunnelHealthView(inventory, tgw ? () => tgw.attachmentByConnection() : undefined),
        },
      },
      ledger: new DynamoDbLedger(new DynamoDBClient(clientConfig), table),
      notifier: new SnsNotifier(new SNSClient(clientConfig), topic, logger),
      ...(httpLink ? { link: httpLink } : {}),
    },
    config,
    region,
    linkSecret,
    ...inbound,
    ...trust,
    target: `aws:${region}`,
  };
}

/**
 * `composeAws`, with the secrets the environment names by ARN (`TUNNEL_GUARD_LINK_SECRET_ARN`,
 * `TUNNEL_GUARD_GCP_LINK_SECRET_ARN`) fetched from Secrets Manager first. What the deployed handlers use; without
 * ARNs it is `composeAws` (local runs set the values directly).
 */
export async function composeAwsWithSecrets(
  env: Env,
  options: ComposeOptions & { secretsManager?: () => SecretsManagerClient } = {},
): Promise<AwsEdge> {
  const region = read(O.region, env) || read(O.defaultRegion, env) || O.region.default;
  const endpoint = read(C.awsEndpoint, env);
  const client = options.secretsManager ?? (() => new SecretsManagerClient({ region, ...(endpoint ? { endpoint } : {}) }));
  const { linkSecretPrevious, ...values } = await resolveSecrets(env, client);
  const edge = composeAws({ ...env, ...values }, options);
  return linkSecretPrevious ? { ...edge, linkSecretPrevious } : edge;
}
