#!/usr/bin/env node
/**
 * `npm run monitoring:gcp` (after `deploy:gcp`): everything that feeds the functions, created or brought up to date,
 * so that running it again changes nothing.
 *
 * 1. The Pub/Sub topic of the durable channel, and the Cloud Monitoring notification service agent allowed to
 *    publish to it (https://cloud.google.com/monitoring/support/notification-options#pubsub).
 * 2. Two notification channels: Pub/Sub (durable: kept until the function acknowledges it, retried; a dead-letter
 *    topic and a bound on deliveries on the trigger's subscription) and the webhook, with HTTP Basic (the password a
 *    sensitive label, never in the URL)
 *    (fast, best effort: its retries are undocumented). Google recommends several channel types for redundancy; the
 *    core de-duplicates, so an incident arriving both ways acts once.
 * 3. The shipped alert policies (deploy/gcp/alert-policy-*.json), each notifying both channels.
 * 4. IAM: the trigger's service account may invoke `tunnelIncidentPubSub`, the Scheduler's may invoke `reconcile`.
 *    Publishing to the incidents topic is granted to the notification service agent only: whoever may publish there
 *    can drain (docs/security.md).
 * 5. The Cloud Scheduler job that calls `reconcile` every minute, with retries and an attempt deadline longer than the
 *    function timeout (Scheduler's defaults are no retry and 180 s: a slow reconcile would be cut and never retried).
 *    https://cloud.google.com/sdk/gcloud/reference/scheduler/jobs/create/http
 * 6. The log-based metrics of the functions' own metric lines and the Cloud Monitoring dashboard (dashboard.js).
 *
 * gcloud has no GA command for alert policies or notification channels (only `alpha monitoring policies`, `beta
 * monitoring channels`), so those go to the GA Cloud Monitoring API v3 over HTTPS with `gcloud auth
 * print-access-token`; everything else is GA gcloud (>= MIN_GCLOUD, checked first). `--print` shows the plan
 * (secrets redacted) without changing anything. Settings: the same environment as deploy.js.
 */
const { spawnSync } = require('node:child_process');
const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const {
  DEFAULT_TOPIC,
  DEFAULT_WEBHOOK_SECRET,
  DEFAULT_WEBHOOK_USER,
  FUNCTION_TIMEOUT_S,
  findOnPath,
  gcloudTooOld,
  render,
} = require('./deploy.js');
const { applyDashboard } = require('./dashboard.js');

const DIR = __dirname;
const API = 'https://monitoring.googleapis.com/v3';
const JOB = 'tunnel-guard-reconcile';
/** Longer than the function may run, so a slow but successful reconcile is not counted as failed and retried. */
const ATTEMPT_DEADLINE_S = FUNCTION_TIMEOUT_S + 30;
/** Scheduler allows 0–5; a failed reconcile is retried three times (the next minute's run comes anyway). */
const MAX_RETRY_ATTEMPTS = 3;
/**
 * Deliveries of one incident message before it goes to the dead-letter topic (Pub/Sub allows 5–100). Without a bound a
 * message a function keeps failing on is redelivered for seven days.
 */
const MAX_DELIVERY_ATTEMPTS = 10;

const list = (v) =>
  (v || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function settings(env) {
  const regions = list(env.TUNNEL_GUARD_GCP_REGIONS);
  return {
    project: env.TUNNEL_GUARD_GCP_PROJECT,
    region: env.TUNNEL_GUARD_FUNCTION_REGION || regions[0],
    topic: env.TUNNEL_GUARD_PUBSUB_TOPIC || DEFAULT_TOPIC,
    serviceAccount: env.TUNNEL_GUARD_SERVICE_ACCOUNT,
    webhookSecret: env.TUNNEL_GUARD_WEBHOOK_SECRET || DEFAULT_WEBHOOK_SECRET,
    webhookUser: env.TUNNEL_GUARD_WEBHOOK_USERNAME || DEFAULT_WEBHOOK_USER,
    api: env.TUNNEL_GUARD_MONITORING_API || API,
  };
}

/** The notification channel definitions (deploy/gcp/notification-channel-*.json) with the placeholders filled in. */
function channelDefinitions({ project, topic, webhookUrl, username, password }) {
  const fill = (file, values) => {
    let text = readFileSync(join(DIR, file), 'utf8');
    for (const [k, v] of Object.entries(values)) text = text.split(`{{${k}}}`).join(v);
    return JSON.parse(text);
  };
  return [
    fill('notification-channel-pubsub.json', { TOPIC: `projects/${project}/topics/${topic}` }),
    fill('notification-channel-webhook.json', { URL: webhookUrl, USERNAME: username, PASSWORD: password }),
  ];
}

/** The shipped alert policies, each notifying every given channel. */
function policyDefinitions(channelNames) {
  return readdirSync(DIR)
    .filter((f) => /^alert-policy-.*\.json$/.test(f))
    .sort()
    .map((f) => ({ ...JSON.parse(readFileSync(join(DIR, f), 'utf8')), notificationChannels: channelNames }));
}

/**
 * The Scheduler job's flags (create and update take the same ones). `reconcile` is authenticated by IAM alone: the job
 * sends an OIDC token for the service account, and its URI carries no credential (anyone who may read jobs reads it).
 */
function schedulerFlags({ project, region, reconcileUrl, serviceAccount }) {
  return [
    `--location=${region}`,
    `--project=${project}`,
    '--schedule=* * * * *',
    '--http-method=POST',
    `--uri=${reconcileUrl}/`,
    `--oidc-service-account-email=${serviceAccount}`,
    `--oidc-token-audience=${reconcileUrl}`,
    `--attempt-deadline=${ATTEMPT_DEADLINE_S}s`,
    `--max-retry-attempts=${MAX_RETRY_ATTEMPTS}`,
    '--min-backoff=10s',
    '--max-backoff=60s',
  ];
}

/**
 * Run the plan. `run(argv)` → { status, stdout } runs gcloud; `http(method, url, body)` → parsed JSON calls the
 * Monitoring API (with the access token). Both are injected so tests can drive it without a cloud.
 */
async function apply(env, { run, http, log }) {
  const s = settings(env);
  // TUNNEL_GUARD_SERVICE_ACCOUNT: the Scheduler job's OIDC identity, the only way `reconcile` is authenticated.
  const missing = ['TUNNEL_GUARD_GCP_PROJECT', 'TUNNEL_GUARD_GCP_REGIONS', 'TUNNEL_GUARD_SERVICE_ACCOUNT'].filter((k) => !env[k]);
  if (missing.length) throw Object.assign(new Error(`set ${missing.join(', ')}`), { exitCode: 2 });
  const gcloud = (args, { ok = false, secret = false } = {}) => {
    log(`$ ${render(['gcloud', ...args])}${secret ? '   # output not shown' : ''}`);
    const r = run(['gcloud', ...args]);
    if (r.status !== 0 && !ok)
      throw new Error(`gcloud ${args.slice(0, 3).join(' ')} failed (exit ${r.status}): ${(r.stderr || '').trim()}`);
    return r;
  };
  const value = (args, opts) => gcloud(args, opts).stdout.trim();
  const p = [`--project=${s.project}`];

  // 1. Topic (its publisher is granted once the channel exists, below).
  if (gcloud(['pubsub', 'topics', 'describe', s.topic, ...p, '--format=value(name)'], { ok: true }).status !== 0) {
    gcloud(['pubsub', 'topics', 'create', s.topic, ...p]);
  }
  // 2. Channels (get or create by display name).
  const fn = (name) => value(['functions', 'describe', name, `--region=${s.region}`, ...p, '--format=value(serviceConfig.uri)']);
  const incidentUrl = fn('tunnelIncident');
  const reconcileUrl = fn('reconcile');
  const password = value(['secrets', 'versions', 'access', 'latest', `--secret=${s.webhookSecret}`, ...p], { secret: true });
  const base = `${s.api}/projects/${s.project}`;
  const listAll = async (collection, key) => {
    const out = [];
    let pageToken = '';
    do {
      const page = await http(
        'GET',
        `${base}/${collection}?pageSize=1000${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`,
      );
      out.push(...(page[key] ?? []));
      pageToken = page.nextPageToken ?? '';
    } while (pageToken);
    return out;
  };
  const existingChannels = await listAll('notificationChannels', 'notificationChannels');
  const channelNames = [];
  const defs = channelDefinitions({ project: s.project, topic: s.topic, webhookUrl: `${incidentUrl}/`, username: s.webhookUser, password });
  for (const c of defs) {
    const found = existingChannels.find((x) => x.displayName === c.displayName && x.type === c.type);
    channelNames.push(found ? found.name : (await http('POST', `${base}/notificationChannels`, c)).name);
  }
  // Cloud Monitoring's notification service agent exists once the project has a Pub/Sub channel: grant it now.
  const number = value(['projects', 'describe', s.project, '--format=value(projectNumber)']);
  gcloud([
    'pubsub',
    'topics',
    'add-iam-policy-binding',
    s.topic,
    ...p,
    `--member=serviceAccount:service-${number}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`,
    '--role=roles/pubsub.publisher',
  ]);

  // 3. Policies (get or create by display name; an existing one gains any missing channel).
  const existingPolicies = await listAll('alertPolicies', 'alertPolicies');
  for (const policy of policyDefinitions(channelNames)) {
    const found = existingPolicies.find((x) => x.displayName === policy.displayName);
    if (!found) await http('POST', `${base}/alertPolicies`, policy);
    else {
      const has = found.notificationChannels ?? [];
      const union = [...has, ...channelNames.filter((n) => !has.includes(n))];
      if (union.length !== has.length)
        await http('PATCH', `${s.api}/${found.name}?updateMask=notificationChannels`, { notificationChannels: union });
    }
  }

  // The durable path's bounds: a dead-letter topic and a maximum of deliveries on the trigger's subscription, so a
  // message the function keeps failing on is set aside (and kept for a look) rather than redelivered for a week.
  // Pub/Sub's own service agent forwards to the dead-letter topic: it needs publish there and subscribe here.
  const deadLetter = `${s.topic}-dead-letter`;
  if (gcloud(['pubsub', 'topics', 'describe', deadLetter, ...p, '--format=value(name)'], { ok: true }).status !== 0) {
    gcloud(['pubsub', 'topics', 'create', deadLetter, ...p]);
    gcloud(['pubsub', 'subscriptions', 'create', `${deadLetter}-kept`, `--topic=${deadLetter}`, '--message-retention-duration=7d', ...p]);
  }
  const trigger = value([
    'functions',
    'describe',
    'tunnelIncidentPubSub',
    `--region=${s.region}`,
    ...p,
    '--format=value(eventTrigger.trigger)',
  ]);
  const subscription = value([
    'eventarc',
    'triggers',
    'describe',
    trigger,
    `--location=${s.region}`,
    ...p,
    '--format=value(transport.pubsub.subscription)',
  ]);
  const pubsubAgent = `serviceAccount:service-${number}@gcp-pubsub.iam.gserviceaccount.com`;
  gcloud(['pubsub', 'topics', 'add-iam-policy-binding', deadLetter, ...p, `--member=${pubsubAgent}`, '--role=roles/pubsub.publisher']);
  gcloud([
    'pubsub',
    'subscriptions',
    'add-iam-policy-binding',
    subscription,
    ...p,
    `--member=${pubsubAgent}`,
    '--role=roles/pubsub.subscriber',
  ]);
  gcloud([
    'pubsub',
    'subscriptions',
    'update',
    subscription,
    ...p,
    `--dead-letter-topic=${deadLetter}`,
    `--max-delivery-attempts=${MAX_DELIVERY_ATTEMPTS}`,
  ]);

  // 4. Who may invoke the event-driven and the scheduled function.
  if (s.serviceAccount) {
    for (const name of ['tunnelIncidentPubSub', 'reconcile']) {
      gcloud([
        'functions',
        'add-invoker-policy-binding',
        name,
        `--region=${s.region}`,
        ...p,
        `--member=serviceAccount:${s.serviceAccount}`,
      ]);
    }
  }

  // 5. Scheduler job (create, or update to these settings).
  const flags = schedulerFlags({ project: s.project, region: s.region, reconcileUrl, serviceAccount: s.serviceAccount });
  const exists =
    gcloud(['scheduler', 'jobs', 'describe', JOB, `--location=${s.region}`, ...p, '--format=value(name)'], { ok: true }).status === 0;
  gcloud(['scheduler', 'jobs', exists ? 'update' : 'create', 'http', JOB, ...flags], { secret: true });

  // 6. The log-based metrics and the dashboard (deploy/gcp/dashboard.js).
  applyDashboard(s.project, gcloud);
  return { channelNames };
}

/** A Monitoring API client over fetch, authenticated with `gcloud auth print-access-token`. */
function monitoringHttp(accessToken) {
  return async (method, url, body) => {
    const r = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${url.replace(/\?.*/, '')}: HTTP ${r.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : {};
  };
}

/** Never print a credential: the query token of an old channel, or the Basic password label. */
const redact = (text) =>
  text.replace(/auth_token=[^"&'\s]+/g, 'auth_token=<WEBHOOK_TOKEN>').replace(/("password":)"[^"]*"/g, '$1"<WEBHOOK_PASSWORD>"');

/** `--print`: the same plan with placeholder answers and no changes; secrets never printed. */
function printingRunner(log) {
  const answers = { projects: '<PROJECT_NUMBER>', secrets: '<WEBHOOK_PASSWORD>' };
  return {
    run: (argv) => {
      if (argv[1] === 'functions' && argv[2] === 'describe')
        return { status: 0, stdout: argv.some((a) => a.includes('eventTrigger')) ? `<${argv[3]}_TRIGGER>` : `<${argv[3]}_URL>` };
      if (argv[1] === 'eventarc') return { status: 0, stdout: '<TRIGGER_SUBSCRIPTION>' };
      if (argv[1] === 'secrets') return { status: 0, stdout: answers.secrets };
      if (argv[1] === 'projects') return { status: 0, stdout: answers.projects };
      // Pretend nothing exists yet, so the plan shows every create.
      if (argv.includes('describe')) return { status: 1, stdout: '' };
      return { status: 0, stdout: '' };
    },
    http: async (method, url, body) => {
      log(`# ${method} ${url}${body ? ` ${redact(JSON.stringify(body))}` : ''}`);
      if (method === 'GET') return {};
      return { name: `<${body?.displayName ?? 'created'}>` };
    },
  };
}

async function main(argv, env, io) {
  const printOnly = argv.includes('--print');
  const log = (line) => io.out(redact(line));
  try {
    if (printOnly) {
      await apply(env, { ...printingRunner(log), log });
      return 0;
    }
    const gcloud = findOnPath('gcloud', env);
    if (!gcloud) {
      io.err('gcloud is not installed: run this where it is, or use --print to see the plan');
      return 1;
    }
    const run = (a) => spawnSync(gcloud, a.slice(1), { encoding: 'utf8', env });
    const old = gcloudTooOld(run(['gcloud', 'version', '--format=json']).stdout || '');
    if (old) {
      io.err(old);
      return 2;
    }
    const token = run(['gcloud', 'auth', 'print-access-token']);
    if (token.status !== 0) {
      io.err(`gcloud auth print-access-token failed: ${(token.stderr || '').trim()}`);
      return 1;
    }
    await apply(env, { run, http: monitoringHttp(token.stdout.trim()), log });
    return 0;
  } catch (e) {
    io.err(`monitoring:gcp: ${e.message}`);
    return e.exitCode ?? 1;
  }
}

module.exports = {
  apply,
  main,
  channelDefinitions,
  policyDefinitions,
  schedulerFlags,
  ATTEMPT_DEADLINE_S,
  MAX_RETRY_ATTEMPTS,
  MAX_DELIVERY_ATTEMPTS,
  JOB,
};

if (require.main === module) {
  main(process.argv.slice(2), process.env, { out: (s) => console.log(s), err: (s) => console.error(s) }).then(
    (code) => (process.exitCode = code),
  );
}
