/**
 * doctor, GCP side: credentials, the ledger bucket (a conditional write of a scratch object outside the ledger's
 * prefix, then removed), an alert policy per in-scope tunnel whose webhook channel calls the function, and the
 * permissions the function needs.
 *
 * `testIamPermissions` answers for the CALLER (https://cloud.google.com/resource-manager/reference/rest/v1/projects/testIamPermissions;
 * buckets: https://cloud.google.com/storage/docs/json_api/v1/buckets/testIamPermissions): to check the function's
 * own service account, run doctor with impersonated credentials (docs/simulator-and-cli.md#setting-it-up-discover-and-doctor).
 */
import { randomUUID } from 'node:crypto';
import type { Env } from '../../config/source';
import { inScope, type Config } from '../../shared/policy';
import type { TunnelStatus } from '../../shared/types';
import { DEFAULT_LEDGER_PREFIX } from '../../gcp-functions/adapters/gcs-ledger';
import type { DoctorCheck } from '../seat';
import { list } from './aws-side';
import { explainGcpError } from './bounded';
import { gcpEndpoints, gcpRequest, resolveGcpAuth, type GcpAuth } from './gcp-api';
import { isVpnPolicy, listAlertPolicies, listNotificationChannels, tunnelNamesOfPolicy, webhookUrlOf } from './gcp-alerting';
import { gcpProjectOf } from './gcp-side';
import { queryTokenCheck, topicPublishersCheck, type ChannelView, type IamPolicyView } from '../../gcp-functions/doctor-checks';
import { listGcpTunnels } from './gcp-tunnels';

/**
 * What the function calls: routes, Cloud Routers, tunnels, operations (project level). Cloud Router route policies are
 * router subresources with permissions of their own, not covered by compute.routers.update: the default drain mode
 * (deprefer) calls routers.getRoutePolicy, updateRoutePolicy and deleteRoutePolicy, and would get 403 without them.
 * Source: Google Cloud's IAM permissions reference (compute.routers.*), which maps each routers method to one
 * permission; routers.list (listing the routers of a region) and routers.getRouterStatus (compute.routers.get) are
 * how the paths are found.
 */
export const FUNCTION_PERMISSIONS = [
  'compute.routes.list',
  'compute.routes.get',
  'compute.routes.create',
  'compute.routes.delete',
  'compute.networks.updatePolicy',
  'compute.routers.list',
  'compute.routers.get',
  'compute.routers.update',
  'compute.routers.getRoutePolicy',
  'compute.routers.updateRoutePolicy',
  'compute.routers.deleteRoutePolicy',
  'compute.vpnTunnels.list',
  'compute.vpnTunnels.get',
  'compute.globalOperations.get',
  'compute.regionOperations.get',
  // The per-tunnel packet counters (load, and the loss on what each tunnel received).
  'monitoring.timeSeries.list',
];
export const BUCKET_PERMISSIONS = ['storage.objects.get', 'storage.objects.list', 'storage.objects.create', 'storage.objects.delete'];

const check = (name: string, status: DoctorCheck['status'], detail: string, fix?: string): DoctorCheck => ({
  cloud: 'gcp',
  name,
  status,
  detail,
  ...(fix ? { fix } : {}),
});

/** What the GCP checks share as they run in order (the tunnels check reads the tunnels the policy check looks at). */
interface GcpDoctorContext {
  env: Env;
  config: Config;
  project: string;
  bucket: string;
  auth: GcpAuth;
  tunnels: TunnelStatus[];
}

/** A named check. */
interface GcpDoctorCheck {
  name: string;
  run(c: GcpDoctorContext): Promise<DoctorCheck[]>;
}

const vpnTunnels: GcpDoctorCheck = {
  name: 'VPN tunnels',
  async run(c) {
    const regions = new Set(list(c.env.TUNNEL_GUARD_GCP_REGIONS));
    try {
      c.tunnels = (await listGcpTunnels(c.env, c.auth, c.project)).filter((t) => t.ref.cloud === 'gcp' && regions.has(t.ref.native.region));
      return [check('VPN tunnels', 'pass', `${c.tunnels.length} tunnel(s) in ${[...regions].join(', ')}`)];
    } catch (e) {
      return [check('VPN tunnels', 'fail', explainGcpError(e, 'vpnTunnels.aggregatedList', gcpEndpoints(c.env).compute))];
    }
  },
};

const alertPolicies: GcpDoctorCheck = {
  name: 'alert policies',
  async run({ env, config, project, auth, tunnels }) {
    const scoped = tunnels.filter((t) => inScope(config.policy, t.ref.id));
    const functionUrl = env.TUNNEL_GUARD_GCP_FUNCTION_URL || env.TUNNEL_GUARD_GCP_LINK_URL;
    const bare = (url: string) => url.split('?')[0]!.replace(/\/+$/, '');
    try {
      const [policies, channels] = await Promise.all([listAlertPolicies(env, auth, project), listNotificationChannels(env, auth, project)]);
      const toFunction = new Set(
        channels
          .filter((c) => c.enabled !== false)
          .filter((c) => {
            const url = webhookUrlOf(c);
            return !!url && (!functionUrl || bare(url) === bare(functionUrl));
          })
          .map((c) => c.name),
      );
      const checks: DoctorCheck[] = [];
      for (const t of scoped) {
        if (t.ref.cloud !== 'gcp') continue;
        const name = t.ref.native.name;
        const covering = policies.filter(
          (p) => p.enabled !== false && isVpnPolicy(p) && (tunnelNamesOfPolicy(p).length === 0 || tunnelNamesOfPolicy(p).includes(name)),
        );
        const reaching = covering.filter((p) => (p.notificationChannels ?? []).some((c) => toFunction.has(c)));
        if (covering.length === 0)
          checks.push(
            check(
              `alert policy ${t.ref.id}`,
              'fail',
              'no enabled alert policy on vpn.googleapis.com metrics covers this tunnel',
              'gcloud monitoring policies create --policy-from-file=deploy/gcp/alert-policy-dropped-packets-trip.json',
            ),
          );
        else if (reaching.length === 0)
          checks.push(
            check(
              `alert policy ${t.ref.id}`,
              'fail',
              `${covering.map((p) => p.displayName ?? p.name).join(', ')} ${functionUrl ? `have no webhook channel calling ${functionUrl}` : 'have no webhook channel'}`,
              'create the webhook_tokenauth channel to the function URL and add it to the policies (docs/gcp.md#alert-policies-notification-channels-cloud-scheduler)',
            ),
          );
        else
          checks.push(
            check(
              `alert policy ${t.ref.id}`,
              'pass',
              `${reaching.map((p) => p.displayName ?? p.name).join(', ')} → webhook${functionUrl ? ` ${functionUrl}` : ' (set TUNNEL_GUARD_GCP_FUNCTION_URL to check which URL)'}`,
            ),
          );
      }
      if (scoped.length === 0) checks.push(check('alert policies', 'skip', 'no GCP tunnel in scope'));
      return checks;
    } catch (e) {
      return [
        check(
          'alert policies',
          'fail',
          explainGcpError(e, 'alertPolicies/notificationChannels list', gcpEndpoints(env).monitoring),
          'the caller needs monitoring.alertPolicies.list and monitoring.notificationChannels.list',
        ),
      ];
    }
  },
};

/**
 * Webhook credentials out of URLs: a token in a channel's URL or accepted by the function ends up in request logs and
 * in labels that are not sensitive. The judgement is the edge's own (pure); the doctor only fetches the channels.
 */
const credentialsOutOfUrls: GcpDoctorCheck = {
  name: 'webhook credentials out of URLs',
  async run({ env, auth, project }) {
    try {
      const channels = await listNotificationChannels(env, auth, project);
      const findings = queryTokenCheck(env, channels as ChannelView[]);
      return findings.map((f) =>
        check(
          f.check,
          f.severity === 'error' ? 'fail' : 'pass',
          // A deprecation does not fail the doctor; it is said on the line.
          f.severity === 'warning' ? `warning (deprecated): ${f.message}` : f.message,
          f.severity === 'ok' ? undefined : 'docs/security.md#moving-off-the-query-token',
        ),
      );
    } catch (e) {
      return [
        check('webhook credentials out of URLs', 'fail', explainGcpError(e, 'notificationChannels.list', gcpEndpoints(env).monitoring)),
      ];
    }
  },
};

/**
 * Who may publish to the incidents topic: anyone who can is able to drain or restore through the Pub/Sub push. The
 * judgement is the edge's own (`topicPublishersCheck`, pure); the doctor fetches the project number and the topic's
 * and the project's IAM policies (roles granted on the project apply to the topic too).
 */
const incidentPublishers: GcpDoctorCheck = {
  name: 'who may publish incidents',
  async run({ env, auth, project }) {
    const ep = gcpEndpoints(env);
    const topic = env.TUNNEL_GUARD_PUBSUB_TOPIC || 'tunnel-guard-incidents';
    const p = encodeURIComponent(project);
    try {
      const [proj, projectPolicy, topicPolicy] = await Promise.all([
        gcpRequest<{ projectNumber?: string }>(auth, env, `${ep.resourceManager}/v1/projects/${p}`),
        gcpRequest<IamPolicyView>(auth, env, `${ep.resourceManager}/v1/projects/${p}:getIamPolicy`, { method: 'POST', body: {} }),
        gcpRequest<IamPolicyView>(auth, env, `${ep.pubsub}/v1/projects/${p}/topics/${encodeURIComponent(topic)}:getIamPolicy`),
      ]);
      return topicPublishersCheck(proj.projectNumber ?? '', [topicPolicy, projectPolicy]).map((f) =>
        check(
          `${f.check} (${topic})`,
          f.severity === 'error' ? 'fail' : 'pass',
          f.severity === 'warning' ? `warning: ${f.message}` : f.message,
          f.severity === 'ok' ? undefined : 'docs/security.md#checks-for-doctor',
        ),
      );
    } catch (e) {
      return [
        check(
          `who may publish incidents (${topic})`,
          'fail',
          explainGcpError(e, 'projects.get / getIamPolicy', ep.resourceManager),
          'the caller needs resourcemanager.projects.get, resourcemanager.projects.getIamPolicy and pubsub.topics.getIamPolicy',
        ),
      ];
    }
  },
};

/** In the order they are run and printed, after the credentials. */
const GCP_CHECKS: readonly GcpDoctorCheck[] = [
  { name: 'ledger bucket', run: async (c) => [await bucketCheck(c.env, c.auth, c.bucket)] },
  vpnTunnels,
  alertPolicies,
  credentialsOutOfUrls,
  incidentPublishers,
  { name: 'function permissions', run: async (c) => [await permissionsCheck(c.env, c.auth, c.project, c.bucket)] },
];

export async function doctorGcp(env: Env, config: Config): Promise<{ checks: DoctorCheck[]; tunnels: TunnelStatus[] }> {
  let auth: GcpAuth;
  try {
    auth = await resolveGcpAuth(env);
  } catch (e) {
    // Every other check would fail the same way.
    return { checks: [check('credentials', 'fail', (e as Error).message, 'gcloud auth application-default login')], tunnels: [] };
  }
  const checks = [
    check(
      'credentials',
      auth.mode === 'none' ? 'skip' : 'pass',
      auth.mode === 'none'
        ? 'TUNNEL_GUARD_GCP_AUTH=none: no credentials sent (local fakes only)'
        : 'application default credentials resolved, token obtained',
    ),
  ];
  const c: GcpDoctorContext = { env, config, project: gcpProjectOf(env), bucket: env.TUNNEL_GUARD_LEDGER_BUCKET!, auth, tunnels: [] };
  for (const k of GCP_CHECKS) checks.push(...(await k.run(c)));
  return { checks, tunnels: c.tunnels };
}

async function bucketCheck(env: Env, auth: GcpAuth, bucket: string): Promise<DoctorCheck> {
  const ep = gcpEndpoints(env);
  // Beside the ledger's prefix, never inside it: a running function lists that prefix.
  const prefix = env.TUNNEL_GUARD_LEDGER_PREFIX || DEFAULT_LEDGER_PREFIX;
  const name = `${prefix.replace(/[^/]*\/?$/, '')}doctor-scratch/${randomUUID()}.json`;
  const b = encodeURIComponent(bucket);
  try {
    const created = await gcpRequest<{ generation?: string }>(
      auth,
      env,
      `${ep.storage}/upload/storage/v1/b/${b}/o?uploadType=media&name=${encodeURIComponent(name)}&ifGenerationMatch=0`,
      {
        method: 'POST',
        body: '{"scratch":true}',
        headers: { 'content-type': 'application/json' },
      },
    );
    await gcpRequest(
      auth,
      env,
      `${ep.storage}/storage/v1/b/${b}/o/${encodeURIComponent(name)}?ifGenerationMatch=${created.generation ?? ''}`,
      { method: 'DELETE' },
    );
    return check('ledger bucket', 'pass', `${bucket}: conditional write (ifGenerationMatch=0) of a scratch object accepted, then removed`);
  } catch (e) {
    const status =
      (e as { status?: number; response?: { status?: number } }).status ?? (e as { response?: { status?: number } }).response?.status;
    return check(
      'ledger bucket',
      'fail',
      status === 404 ? `${bucket} does not exist` : explainGcpError(e, `scratch write to ${bucket}`, ep.storage),
      status === 404 ? 'create the bucket, or fix TUNNEL_GUARD_LEDGER_BUCKET' : 'grant roles/storage.objectUser on the bucket',
    );
  }
}

async function permissionsCheck(env: Env, auth: GcpAuth, project: string, bucket: string): Promise<DoctorCheck> {
  const ep = gcpEndpoints(env);
  try {
    const [proj, buck] = await Promise.all([
      gcpRequest<{ permissions?: string[] }>(
        auth,
        env,
        `${ep.resourceManager}/v1/projects/${encodeURIComponent(project)}:testIamPermissions`,
        { method: 'POST', body: { permissions: FUNCTION_PERMISSIONS } },
      ),
      gcpRequest<{ permissions?: string[] }>(
        auth,
        env,
        `${ep.storage}/storage/v1/b/${encodeURIComponent(bucket)}/iam/testPermissions?${BUCKET_PERMISSIONS.map((p) => `permissions=${p}`).join('&')}`,
      ),
    ]);
    const held = new Set([...(proj.permissions ?? []), ...(buck.permissions ?? [])]);
    const missing = [...FUNCTION_PERMISSIONS, ...BUCKET_PERMISSIONS].filter((p) => !held.has(p));
    const who = auth.mode === 'none' ? 'the caller (no credentials)' : 'the caller';
    return missing.length
      ? check(
          'function permissions',
          'fail',
          `${who} lacks ${missing.join(', ')}`,
          "grant them to the function's service account; run doctor impersonating it to check it (docs/simulator-and-cli.md#setting-it-up-discover-and-doctor)",
        )
      : check('function permissions', 'pass', `${who} holds all ${held.size} permission(s) the function needs (testIamPermissions)`);
  } catch (e) {
    return check('function permissions', 'fail', explainGcpError(e, 'testIamPermissions', ep.resourceManager));
  }
}
