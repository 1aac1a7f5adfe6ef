/**
 * Composition root of the GCP edge: reads the environment once per instance, builds the clients once and returns
 * the core's dependencies. With `TUNNEL_GUARD_SIMULATOR=<file>` the simulator stands in for GCP (with its file
 * ledger and notifier), so `npm run start:gcp` and `tunnel-guard invoke gcp` need no project.
 *
 * Environment:
 * | variable | meaning |
 * | --- | --- |
 * | `TUNNEL_GUARD_GCP_PROJECT` | project of the VPN tunnels and routes (default `GOOGLE_CLOUD_PROJECT`) |
 * | `TUNNEL_GUARD_GCP_REGIONS` | comma list of regions whose tunnels and Cloud Routers are managed (required) |
 * | `TUNNEL_GUARD_LEDGER_BUCKET` | Cloud Storage bucket of the ledger (required without the simulator) |
 * | `TUNNEL_GUARD_LEDGER_PREFIX` | object prefix of the ledger (default `tunnel-guard/ledger/`) |
 * | `TUNNEL_GUARD_WEBHOOK_TOKEN` / `_USERNAME` + `_PASSWORD` / `TUNNEL_GUARD_WEBHOOK_AUTH=none` | webhook auth (auth.ts) |
 * | `TUNNEL_GUARD_LINK_SECRET` | HMAC secret of link messages, both directions |
 * | `TUNNEL_GUARD_AWS_LINK_TOPIC_ARN` | the AWS link topic: link messages to the AWS end are published there (SNS) |
 * | `TUNNEL_GUARD_AWS_ROLE_ARN` (+ `TUNNEL_GUARD_AWS_ID_TOKEN_AUDIENCE`) | keyless: IAM role assumed with the function's Google ID token |
 * | `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` | or stored keys (Secret Manager) |
 * | `TUNNEL_GUARD_AWS_REGION` | region of SNS/STS calls (default: the topic ARN's region) |
 * | `TUNNEL_GUARD_AWS_ENDPOINT` | SNS/STS endpoint override (moto, tests) |
 * | `TUNNEL_GUARD_COMPUTE_ENDPOINT`, `TUNNEL_GUARD_GCS_ENDPOINT` | endpoint overrides (`http://127.0.0.1:PORT`: local fakes) |
 * | `TUNNEL_GUARD_CONFIG` / `TUNNEL_GUARD_CONFIG_JSON` / `TUNNEL_GUARD_<KNOB>` | configuration (config/source.ts) |
 */
import { readFileSync } from 'node:fs';
// Only the Compute clients used, never the package root: the root import loads every Compute client
// (~29 MB bundled, ~1.7 s and ~440 MB to load).
import { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client';
import { RegionOperationsClient } from '@google-cloud/compute/build/src/v1/region_operations_client';
import { RoutersClient } from '@google-cloud/compute/build/src/v1/routers_client';
import { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client';
import { VpnTunnelsClient } from '@google-cloud/compute/build/src/v1/vpn_tunnels_client';
import { Storage } from '@google-cloud/storage';
import { configFromEnv, type Env } from '../config/source';
import { PermanentError } from '../shared/errors';
import { jsonLogger } from '../shared/log';
import type { Config } from '../shared/policy';
import type { CoreDeps, Logger } from '../shared/ports';
import { composeSimulatorSide } from '../simulator/compose-side';
import { awsCredentialsFromEnv } from './adapters/aws-credentials';
import { BgpPeerPaths } from './adapters/bgp-peer-paths';
import { GcpPaths } from './adapters/gcp-paths';
import { DEFAULT_LEDGER_PREFIX, GcsLedger } from './adapters/gcs-ledger';
import { GcsRouterLease } from './adapters/router-lease';
import { LogNotifier } from './adapters/log-notifier';
import { linkSnsClient, parseTopicArn, SnsLinkPublisher } from './adapters/sns-link-publisher';
import { StaticRoutePaths } from './adapters/static-route-paths';
import { GcpTunnelHealth } from './adapters/tunnel-health';
import { authConfigFromEnv, type AuthConfig } from './auth';

export interface GcpEdge {
  deps: CoreDeps;
  config: Config;
  auth: AuthConfig;
  /** Secret to verify link messages; undefined = link messages are refused. */
  linkSecret?: string;
  /** `simulator:<file>` or `gcp:<project>`: logged so every line says what it acted on. */
  target: string;
}

export interface ComposeOptions {
  cwd?: string;
  readFile?: (path: string) => string;
  logger?: Logger;
  /** Auth client for the Google clients (tests inject a pass-through client; production uses ADC). */
  authClient?: unknown;
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `http://127.0.0.1:8089` → Compute client options for a plain-HTTP endpoint. */
function computeEndpoint(url: string): { apiEndpoint: string; port: number; protocol: string } {
  const u = new URL(url);
  return { apiEndpoint: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)), protocol: u.protocol.replace(':', '') };
}

/**
 * The publisher of link messages to the AWS end, when `TUNNEL_GUARD_AWS_LINK_TOPIC_ARN` is set (undefined
 * otherwise). Half a configuration (no secret, no credentials, both kinds of credentials) is an error, not a
 * silent "links off". Builds the SNS client once; no network call happens here.
 */
export function snsLinkFromEnv(env: Env, linkSecret: string | undefined, logger?: Logger): SnsLinkPublisher | undefined {
  const topicArn = env.TUNNEL_GUARD_AWS_LINK_TOPIC_ARN;
  if (!topicArn) return undefined;
  const topic = parseTopicArn(topicArn);
  if (!topic) throw new PermanentError(`TUNNEL_GUARD_AWS_LINK_TOPIC_ARN is not an SNS topic ARN: ${JSON.stringify(topicArn)}`);
  if (!linkSecret)
    throw new PermanentError('TUNNEL_GUARD_AWS_LINK_TOPIC_ARN is set but TUNNEL_GUARD_LINK_SECRET is not: link messages must be signed');
  const region = env.TUNNEL_GUARD_AWS_REGION || topic.region;
  const endpoint = env.TUNNEL_GUARD_AWS_ENDPOINT || undefined;
  const creds = awsCredentialsFromEnv(env, { region, ...(endpoint ? { endpoint } : {}) });
  logger?.log({ severity: 'DEBUG', message: `link to AWS: SNS ${topicArn} with ${creds.mode} credentials` });
  return new SnsLinkPublisher(linkSnsClient({ region, credentials: creds.credentials, ...(endpoint ? { endpoint } : {}) }), {
    topicArn,
    secret: linkSecret,
  });
}

/** Build the GCP edge's dependencies from an environment. Throws `PermanentError` on bad configuration. */
export function composeGcp(env: Env, options: ComposeOptions = {}): GcpEdge {
  const cwd = options.cwd ?? process.cwd();
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const logger = options.logger ?? jsonLogger((line) => console.log(line));
  const cfg = configFromEnv(env, readFile, cwd);
  if (!cfg.ok) throw new PermanentError(`tunnel-guard configuration: ${cfg.reason}`);
  const config = cfg.value;
  const auth = authConfigFromEnv(env);
  const linkSecret = env.TUNNEL_GUARD_LINK_SECRET || undefined;
  const base = { clock: { now: () => new Date() }, logger, policy: config.policy, links: config.links };
  // The real transport to the AWS end when configured — also on the simulator, so a test can drive both
  // real edges over one simulator file.
  const snsLink = snsLinkFromEnv(env, linkSecret, logger);

  if (env.TUNNEL_GUARD_SIMULATOR) {
    const { deps, target } = composeSimulatorSide(env, cwd, base, 'gcp', snsLink, linkSecret);
    return { deps, config, auth, linkSecret, target };
  }

  const project = env.TUNNEL_GUARD_GCP_PROJECT || env.GOOGLE_CLOUD_PROJECT || env.GCLOUD_PROJECT;
  const regions = list(env.TUNNEL_GUARD_GCP_REGIONS);
  const bucket = env.TUNNEL_GUARD_LEDGER_BUCKET;
  if (!project || regions.length === 0 || !bucket) {
    throw new PermanentError(
      'tunnel-guard needs TUNNEL_GUARD_GCP_PROJECT, TUNNEL_GUARD_GCP_REGIONS and TUNNEL_GUARD_LEDGER_BUCKET, or TUNNEL_GUARD_SIMULATOR=<file> to run on the simulator',
    );
  }
  const auth0 = options.authClient ? { authClient: options.authClient } : {};
  const computeOpts = {
    ...(env.TUNNEL_GUARD_COMPUTE_ENDPOINT ? computeEndpoint(env.TUNNEL_GUARD_COMPUTE_ENDPOINT) : {}),
    ...auth0,
  } as never;
  const routes = new RoutesClient(computeOpts);
  const globalOperations = new GlobalOperationsClient(computeOpts);
  const routers = new RoutersClient(computeOpts);
  const regionOperations = new RegionOperationsClient(computeOpts);
  const vpnTunnels = new VpnTunnelsClient(computeOpts);
  const ledgerPrefix = env.TUNNEL_GUARD_LEDGER_PREFIX || DEFAULT_LEDGER_PREFIX;
  const storage = new Storage({
    projectId: project,
    ...(env.TUNNEL_GUARD_GCS_ENDPOINT ? { apiEndpoint: env.TUNNEL_GUARD_GCS_ENDPOINT } : {}),
    ...(auth0 as object),
  });

  return {
    deps: {
      ...base,
      clouds: {
        gcp: {
          paths: new GcpPaths({
            'gcp-static-route': new StaticRoutePaths({ routes, globalOperations }, { project, regions }),
            'gcp-bgp-peer': new BgpPeerPaths(
              { routers, regionOperations },
              { project, regions, lease: new GcsRouterLease(storage.bucket(bucket)) },
            ),
          }),
          tunnels: new GcpTunnelHealth(vpnTunnels, { project, regions }),
        },
      },
      ledger: new GcsLedger(storage.bucket(bucket), ledgerPrefix),
      notifier: new LogNotifier(logger),
      ...(snsLink ? { link: snsLink } : {}),
    },
    config,
    auth,
    linkSecret,
    target: `gcp:${project}`,
  };
}
