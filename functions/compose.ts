/**
 * Composition root of the AWS edge: reads the environment once per cold start, builds the SDK clients once and
 * returns the core's dependencies. With `TUNNEL_GUARD_SIMULATOR=<file>` the simulator stands in for AWS (and
 * its file ledger and notifier), so `serverless invoke local` and `tunnel-guard invoke aws` need no account.
 *
 * Environment (all optional except where noted):
 * | variable | meaning |
 * | --- | --- |
 * | `AWS_REGION` | region of the VPN connections (set by Lambda) |
 * | `TUNNEL_GUARD_TABLE` | DynamoDB ledger table (required without the simulator) |
 * | `TUNNEL_GUARD_TOPIC_ARN` | SNS topic for decisions (or `TUNNEL_GUARD_TOPIC_NAME`: the ARN is then built from the
 *   function's own ARN — serverless.yml uses that, so no CloudFormation reference is needed at `invoke local`) |
 * | `TUNNEL_GUARD_AWS_VPN_IDS` | comma list: only these VPN connections (default: all in the region) |
 * | `TUNNEL_GUARD_AWS_TGW_ROUTE_TABLE_IDS` | comma list: TGW route tables whose static VPN routes are managed |
 * | `TUNNEL_GUARD_AWS_ENDPOINT` | endpoint override for EC2/SNS/DynamoDB (moto, tests) |
 * | `TUNNEL_GUARD_ALARM_TOPIC_ARNS` | comma list: SNS topics allowed to deliver CloudWatch alarm notifications (default
 *   none: SNS-wrapped alarms are refused; EventBridge events and alarm actions need no allow-list) |
 * | `TUNNEL_GUARD_LINK_TOPIC_NAME` / `TUNNEL_GUARD_LINK_TOPIC_ARN` | the link topic: it carries only signed link messages,
 *   anything else on it is refused (serverless.yml sets the name) |
 * | `TUNNEL_GUARD_LINK_SECRET` | HMAC secret of link messages, both directions |
 * | `TUNNEL_GUARD_GCP_LINK_URL` | HTTPS URL of the GCP function `tunnelIncident`: link messages to the GCP end are POSTed there |
 * | `TUNNEL_GUARD_GCP_LINK_TOKEN` or `TUNNEL_GUARD_GCP_LINK_USERNAME` + `_PASSWORD` | the webhook credentials that function accepts |
 * | `TUNNEL_GUARD_GCP_LINK_TIMEOUT_MS` | per-attempt timeout of that POST (default 10000; 3 attempts) |
 * | `TUNNEL_GUARD_CONFIG` / `TUNNEL_GUARD_CONFIG_JSON` / `TUNNEL_GUARD_<KNOB>` | configuration (config/source.ts) |
 */
import { readFileSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
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

export interface AwsEdge {
  deps: CoreDeps;
  config: Config;
  region: string;
  /** Secret to verify link messages; undefined = link messages are refused. */
  linkSecret?: string;
  /** SNS topics allowed to deliver alarm notifications (`TUNNEL_GUARD_ALARM_TOPIC_ARNS`); absent or empty = none. */
  alarmTopicArns?: readonly string[];
  /** The link topic (ARN or name): a record on it that is not a signed link envelope is refused. */
  linkTopic?: string;
  /** `simulator:<file>` or `aws:<region>`: logged so every line says what it acted on. */
  target: string;
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
  if (env.TUNNEL_GUARD_TOPIC_ARN) return env.TUNNEL_GUARD_TOPIC_ARN;
  const name = env.TUNNEL_GUARD_TOPIC_NAME;
  const [, partition, , , account] = (invokedFunctionArn ?? '').split(':');
  return name && partition && account ? `arn:${partition}:sns:${region}:${account}:${name}` : undefined;
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

/**
 * `TUNNEL_GUARD_ALARM_TOPIC_ARNS`: the SNS topics whose alarm notifications are believed. Every entry must be a
 * full topic ARN — a typo would otherwise silently refuse every alarm, and a pattern would admit topics nobody
 * reviewed.
 */
export function alarmTopicArnsOf(env: Env): string[] {
  const arns = list(env.TUNNEL_GUARD_ALARM_TOPIC_ARNS);
  const bad = arns.filter((a) => !SNS_TOPIC_ARN.test(a));
  if (bad.length)
    throw new PermanentError(`TUNNEL_GUARD_ALARM_TOPIC_ARNS must list SNS topic ARNs: ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  return arns;
}

/**
 * The publisher of link messages to the GCP end, when `TUNNEL_GUARD_GCP_LINK_URL` is set (undefined otherwise).
 * Half a configuration is an error, not a silent "links off": a URL without the secret or without credentials
 * would only ever be refused by the other end.
 */
export function httpLinkFromEnv(env: Env, linkSecret: string | undefined): HttpLinkPublisher | undefined {
  const url = env.TUNNEL_GUARD_GCP_LINK_URL;
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
  const token = env.TUNNEL_GUARD_GCP_LINK_TOKEN || undefined;
  const username = env.TUNNEL_GUARD_GCP_LINK_USERNAME || undefined;
  const password = env.TUNNEL_GUARD_GCP_LINK_PASSWORD || undefined;
  if (!!username !== !!password)
    throw new PermanentError('TUNNEL_GUARD_GCP_LINK_USERNAME and TUNNEL_GUARD_GCP_LINK_PASSWORD must be set together');
  if (!token && !username) {
    throw new PermanentError(
      'TUNNEL_GUARD_GCP_LINK_URL needs the GCP webhook credentials: TUNNEL_GUARD_GCP_LINK_TOKEN, or TUNNEL_GUARD_GCP_LINK_USERNAME + _PASSWORD',
    );
  }
  const timeout = env.TUNNEL_GUARD_GCP_LINK_TIMEOUT_MS ? Number(env.TUNNEL_GUARD_GCP_LINK_TIMEOUT_MS) : undefined;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0 && timeout <= 60_000)) {
    throw new PermanentError('TUNNEL_GUARD_GCP_LINK_TIMEOUT_MS must be an integer number of milliseconds, 1..60000');
  }
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
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const linkSecret = env.TUNNEL_GUARD_LINK_SECRET || undefined;
  const alarmTopicArns = alarmTopicArnsOf(env);
  const linkTopic = env.TUNNEL_GUARD_LINK_TOPIC_ARN || env.TUNNEL_GUARD_LINK_TOPIC_NAME || undefined;
  const inbound = { alarmTopicArns, ...(linkTopic ? { linkTopic } : {}) };
  const base = { clock: { now: () => new Date() }, logger, policy: config.policy, links: config.links };
  // The real transport to the GCP end when configured — also on the simulator, so a test can drive both
  // real edges over one simulator file.
  const httpLink = httpLinkFromEnv(env, linkSecret);

  if (env.TUNNEL_GUARD_SIMULATOR) {
    const { deps, target } = composeSimulatorSide(env, cwd, base, 'aws', httpLink, linkSecret);
    return { deps, config, region, linkSecret, ...inbound, target };
  }

  const table = env.TUNNEL_GUARD_TABLE;
  const topic = topicArnOf(env, region, options.invokedFunctionArn);
  if (!table || !topic) {
    throw new PermanentError(
      'tunnel-guard needs TUNNEL_GUARD_TABLE and TUNNEL_GUARD_TOPIC_ARN (or TUNNEL_GUARD_TOPIC_NAME inside Lambda), or TUNNEL_GUARD_SIMULATOR=<file> to run on the simulator',
    );
  }
  const endpoint = env.TUNNEL_GUARD_AWS_ENDPOINT || undefined;
  const clientConfig = { region, ...(endpoint ? { endpoint } : {}) };
  const ec2 = new EC2Client(clientConfig);
  const inventory = new VpnInventory(ec2, {
    region,
    vpnConnectionIds: list(env.TUNNEL_GUARD_AWS_VPN_IDS),
    onMissing: reportMissingOnce(logger),
  });
  const probeTargets = new Set(list(env.TUNNEL_GUARD_AWS_PROBE_TARGETS));
  const tables: Partial<Record<PathKind, PathTable>> = {
    'aws-vgw-static': new VgwStaticPathTable(ec2, inventory, undefined, probeTargets),
  };
  const tgwTables = list(env.TUNNEL_GUARD_AWS_TGW_ROUTE_TABLE_IDS);
  const tgw = tgwTables.length ? new TgwPathTable(ec2, inventory, { routeTableIds: tgwTables }) : undefined;
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
    target: `aws:${region}`,
  };
}
