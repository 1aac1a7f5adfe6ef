/**
 * Composition root of the GCP edge: reads the environment once per instance, builds the clients once and returns
 * the core's dependencies. With `TUNNEL_GUARD_SIMULATOR=<file>` the simulator stands in for GCP (with its file
 * ledger and notifier), so `npm run start:gcp` and `tunnel-guard invoke gcp` need no project.
 *
 * Every environment variable it reads is declared once in `gcp-functions/options.ts` (and the shared ones in
 * `config/options.ts`) and read through those tables; docs/configuration.md is checked against them.
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
import { GoogleAuth } from 'google-auth-library';
import { COMMON_OPTIONS as C, read } from '../config/options';
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
import { googleMonitoringGet, MonitoringTraffic } from './adapters/monitoring-traffic';
import { authConfigFromEnv, type AuthConfig } from './auth';
import { GCP_OPTIONS as O } from './options';

export interface GcpEdge {
  deps: CoreDeps;
  config: Config;
  auth: AuthConfig;
  /** Secret to verify link messages; undefined = link messages are refused. */
  linkSecret?: string;
  /** `simulator:<file>` or `gcp:<project>`: logged so every line says what it acted on. */
  target: string;
  /** `iam`: `reconcile` is reached only through IAM (OIDC from Cloud Scheduler) and checks no webhook credentials. */
  reconcileAuth?: 'iam' | 'webhook';
  /** Pub/Sub messages older than this are acknowledged unhandled, with a CRITICAL line (no week-long redelivery). */
  pubsubMaxAgeSeconds?: number;
}

export interface ComposeOptions {
  cwd?: string;
  readFile?: (path: string) => string;
  logger?: Logger;
  /** Auth client for the Google clients (tests inject a pass-through client; production uses ADC). */
  authClient?: unknown;
}

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
  const topicArn = read(O.awsLinkTopicArn, env);
  if (!topicArn) return undefined;
  const topic = parseTopicArn(topicArn);
  if (!topic) throw new PermanentError(`TUNNEL_GUARD_AWS_LINK_TOPIC_ARN is not an SNS topic ARN: ${JSON.stringify(topicArn)}`);
  if (!linkSecret)
    throw new PermanentError('TUNNEL_GUARD_AWS_LINK_TOPIC_ARN is set but TUNNEL_GUARD_LINK_SECRET is not: link messages must be signed');
  const region = read(O.awsRegion, env) || topic.region;
  const endpoint = read(C.awsEndpoint, env);
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
  const entry = { reconcileAuth: read(O.reconcileAuth, env) ?? 'webhook', pubsubMaxAgeSeconds: read(O.incidentMaxAgeSeconds, env) ?? 3600 };
  const linkSecret = read(C.linkSecret, env);
  const base = { clock: { now: () => new Date() }, logger, policy: config.policy, links: config.links };
  // The real transport to the AWS end when configured — also on the simulator, so a test can drive both
  // real edges over one simulator file.
  const snsLink = snsLinkFromEnv(env, linkSecret, logger);

  if (read(C.simulator, env)) {
    const { deps, target } = composeSimulatorSide(env, cwd, base, 'gcp', snsLink, linkSecret);
    return { deps, config, auth, linkSecret, target, ...entry };
  }

  const project = read(O.project, env) || read(O.platformProject, env) || read(O.platformProjectLegacy, env);
  const regions = read(O.regions, env);
  const bucket = read(O.ledgerBucket, env);
  if (!project || regions.length === 0 || !bucket) {
    throw new PermanentError(
      'tunnel-guard needs TUNNEL_GUARD_GCP_PROJECT, TUNNEL_GUARD_GCP_REGIONS and TUNNEL_GUARD_LEDGER_BUCKET, or TUNNEL_GUARD_SIMULATOR=<file> to run on the simulator',
    );
  }
  const auth0 = options.authClient ? { authClient: options.authClient } : {};
  const computeUrl = read(O.computeEndpoint, env);
  const gcsUrl = read(O.gcsEndpoint, env);
  const computeOpts = {
    ...(computeUrl ? computeEndpoint(computeUrl) : {}),
    ...auth0,
  } as never;
  // Read-only: the per-tunnel packet counters for load and the loss on what each tunnel receives.
  const monitoringAuth = options.authClient ?? new GoogleAuth({ scopes: 'https://www.googleapis.com/auth/monitoring.read' });
  const monitoringUrl = read(O.monitoringEndpoint, env);
  const routes = new RoutesClient(computeOpts);
  const globalOperations = new GlobalOperationsClient(computeOpts);
  const routers = new RoutersClient(computeOpts);
  const regionOperations = new RegionOperationsClient(computeOpts);
  const vpnTunnels = new VpnTunnelsClient(computeOpts);
  const ledgerPrefix = read(O.ledgerPrefix, env) || DEFAULT_LEDGER_PREFIX;
  const storage = new Storage({
    projectId: project,
    ...(gcsUrl ? { apiEndpoint: gcsUrl } : {}),
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
          traffic: new MonitoringTraffic(googleMonitoringGet(monitoringAuth as never), {
            project,
            now: () => new Date(),
            ...(monitoringUrl ? { endpoint: monitoringUrl.replace(/\/+$/, '') } : {}),
          }),
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
    ...entry,
  };
}
