#!/usr/bin/env node
/**
 * `npm run deploy:gcp` (after `build:gcp`): deploy the three 2nd-gen Cloud Functions with `gcloud`:
 * `tunnelIncident` (HTTP: the webhook channel), `tunnelIncidentPubSub` (Pub/Sub trigger with retries: the durable
 * channel) and `reconcile` (HTTP: Cloud Scheduler). When `gcloud` is not installed it prints the exact commands and
 * exits non-zero; `--print` only prints them. Alert policies, channels, the topic and the Scheduler job come after,
 * from `deploy/gcp/monitoring.js`. GA commands only; needs gcloud >= MIN_GCLOUD (checked before anything runs).
 * Settings come from the environment:
 *
 *   TUNNEL_GUARD_GCP_PROJECT        project (required)
 *   TUNNEL_GUARD_GCP_REGIONS        comma list of regions with the VPN tunnels (required; the first one hosts the functions
 *                                   unless TUNNEL_GUARD_FUNCTION_REGION is set)
 *   TUNNEL_GUARD_LEDGER_BUCKET      Cloud Storage bucket of the ledger (required)
 *   TUNNEL_GUARD_SERVICE_ACCOUNT    runtime service account (recommended: least privilege, see docs/gcp.md);
 *                                   also the identity Eventarc uses to invoke `tunnelIncidentPubSub`
 *   TUNNEL_GUARD_PUBSUB_TOPIC       topic of the Cloud Monitoring Pub/Sub channel (default tunnel-guard-incidents)
 *   TUNNEL_GUARD_WEBHOOK_SECRET     Secret Manager secret holding the webhook's HTTP Basic password (default
 *                                   tunnel-guard-webhook-token); user TUNNEL_GUARD_WEBHOOK_USERNAME (default tunnel-guard)
 *   TUNNEL_GUARD_WEBHOOK_PREVIOUS_VERSION  during a rotation: that secret's old version, still accepted
 *   TUNNEL_GUARD_LINK_SECRET_NAME   Secret Manager secret of the link HMAC key (optional)
 *   TUNNEL_GUARD_CONFIG_JSON / TUNNEL_GUARD_CONFIG  configuration, inline or from a file read here (optional)
 *   TUNNEL_GUARD_<KNOB>             every policy knob (POLICY_KNOB_VARS) and FORWARDED_VARS: passed through
 *   TUNNEL_GUARD_AWS_KEY_SECRET_NAME  stored AWS keys instead of keyless federation: secrets <name>-id, <name>-secret
 * The full list, with who reads what, is gcp-functions/options.ts; a test checks this file against it.
 */
const { spawnSync } = require('node:child_process');
const { configJsonOf } = require('../config-json');
const { existsSync } = require('node:fs');
const { delimiter, join } = require('node:path');

const list = (v) =>
  (v || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Every function's timeout; Cloud Scheduler's attempt deadline and the operation-wait bound are derived from it. */
const FUNCTION_TIMEOUT_S = 300;
const DEFAULT_TOPIC = 'tunnel-guard-incidents';
/** The public `tunnelIncident`: requests per instance, instances, and the bound on one request. */
const PUBLIC_CONCURRENCY = 16;
const PUBLIC_MAX_INSTANCES = 3;
const PUBLIC_TIMEOUT_S = 120;
// The secret keeps its first name: an existing deployment's token becomes the Basic password unchanged.
const DEFAULT_WEBHOOK_SECRET = 'tunnel-guard-webhook-token';
const DEFAULT_WEBHOOK_USER = 'tunnel-guard';
/**
 * The oldest Google Cloud SDK these commands were checked against (flags and GA command groups, from its own
 * `--help`). Older releases may lack a flag; newer ones keep them.
 */
const MIN_GCLOUD = '528.0.0';

/** `gcloud version --format=json` → an error message when it is older than MIN_GCLOUD (undefined when fine). */
function gcloudTooOld(versionJson) {
  let v;
  try {
    v = JSON.parse(versionJson)['Google Cloud SDK'];
  } catch {
    return `cannot read the gcloud version (need Google Cloud SDK >= ${MIN_GCLOUD})`;
  }
  const parts = (x) =>
    String(x)
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [a, b] = [parts(v), parts(MIN_GCLOUD)];
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) > (b[i] ?? 0)) return undefined;
    if ((a[i] ?? 0) < (b[i] ?? 0))
      return `gcloud ${v} is older than ${MIN_GCLOUD}: run \`gcloud components update\` (or install a current Google Cloud SDK)`;
  }
  return undefined;
}

/**
 * The policy knobs (`TUNNEL_GUARD_<KNOB>`, config/options.ts POLICY_OPTIONS): every one set on the deployer's machine
 * reaches the functions. A test checks this list against the knob table, so a new knob cannot be left behind.
 */
const POLICY_KNOB_VARS = [
  'TUNNEL_GUARD_MIN_HEALTHY_PATHS',
  'TUNNEL_GUARD_MAX_DRAINED_TUNNELS',
  'TUNNEL_GUARD_MAX_DRAINED_FRACTION',
  'TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS',
  'TUNNEL_GUARD_MAX_FLAPS',
  'TUNNEL_GUARD_FLAP_WINDOW_SECONDS',
  'TUNNEL_GUARD_DRY_RUN',
  'TUNNEL_GUARD_SCOPE',
  'TUNNEL_GUARD_EXCLUDE',
  'TUNNEL_GUARD_CONCURRENCY',
  'TUNNEL_GUARD_RETRY_ATTEMPTS',
  'TUNNEL_GUARD_RETRY_BASE_MS',
  'TUNNEL_GUARD_RETRY_MAX_MS',
  'TUNNEL_GUARD_DRAIN_MODE',
  'TUNNEL_GUARD_LOSS_MAX_AGE_SECONDS',
  'TUNNEL_GUARD_LOSS_BETTER_FACTOR',
  'TUNNEL_GUARD_LOSS_BETTER_MARGIN',
  'TUNNEL_GUARD_AWS_TUNNEL_CAPACITY_PPS',
  'TUNNEL_GUARD_GCP_TUNNEL_CAPACITY_PPS',
];

/**
 * The other variables the functions read that the deployer sets (gcp-functions/options.ts, delivery `forwarded`).
 * Project, regions and bucket are written first, always.
 */
const FORWARDED_VARS = [
  'TUNNEL_GUARD_LEDGER_PREFIX',
  'TUNNEL_GUARD_WEBHOOK_USERNAME',
  'TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN',
  'TUNNEL_GUARD_PUBSUB_MAX_AGE_SECONDS',
  'TUNNEL_GUARD_AWS_LINK_TOPIC_ARN',
  'TUNNEL_GUARD_AWS_ROLE_ARN',
  'TUNNEL_GUARD_AWS_ID_TOKEN_AUDIENCE',
  'TUNNEL_GUARD_AWS_REGION',
];

/** Secret values must come from Secret Manager (`--set-secrets`), never as plain `--set-env-vars`. */
const PLAIN_SECRETS = {
  TUNNEL_GUARD_LINK_SECRET: 'TUNNEL_GUARD_LINK_SECRET_NAME (a Secret Manager secret)',
  TUNNEL_GUARD_WEBHOOK_PASSWORD: 'TUNNEL_GUARD_WEBHOOK_SECRET (a Secret Manager secret)',
  TUNNEL_GUARD_WEBHOOK_TOKEN: 'TUNNEL_GUARD_WEBHOOK_SECRET (a Secret Manager secret)',
};

/** The gcloud argument vectors for both functions. Pure: the tests check them. Throws on settings it refuses. */
function deployCommands(env) {
  const plain = Object.keys(PLAIN_SECRETS).filter((k) => (env[k] || '').trim() !== '');
  if (plain.length) {
    throw Object.assign(
      new Error(
        `refusing to deploy ${plain.join(', ')} as a plain environment variable (readable by anyone who may view the function): use ${plain.map((k) => PLAIN_SECRETS[k]).join(', ')}`,
      ),
      { exitCode: 2 },
    );
  }
  const missing = ['TUNNEL_GUARD_GCP_PROJECT', 'TUNNEL_GUARD_GCP_REGIONS', 'TUNNEL_GUARD_LEDGER_BUCKET'].filter((k) => !env[k]);
  const project = env.TUNNEL_GUARD_GCP_PROJECT || '<PROJECT>';
  const regions = list(env.TUNNEL_GUARD_GCP_REGIONS);
  const region = env.TUNNEL_GUARD_FUNCTION_REGION || regions[0] || '<REGION>';
  const bucket = env.TUNNEL_GUARD_LEDGER_BUCKET || '<LEDGER_BUCKET>';
  const vars = [
    `TUNNEL_GUARD_GCP_PROJECT=${project}`,
    `TUNNEL_GUARD_GCP_REGIONS=${regions.join(',') || '<REGIONS>'}`,
    `TUNNEL_GUARD_LEDGER_BUCKET=${bucket}`,
  ];
  // The configuration inline (a file named by TUNNEL_GUARD_CONFIG is read here: the function cannot read it).
  const configJson = configJsonOf(env);
  if (configJson) vars.push(`TUNNEL_GUARD_CONFIG_JSON=${configJson}`);
  // Every policy knob, then the rest of what the functions read (link to AWS, ledger prefix, webhook user, …).
  for (const k of [...POLICY_KNOB_VARS, ...FORWARDED_VARS]) {
    if (env[k] !== undefined && env[k].trim() !== '') vars.push(`${k}=${env[k]}`);
  }
  // `|` is the delimiter below: a value containing it would silently split into another variable.
  const split = vars.filter((v) => v.includes('|')).map((v) => v.slice(0, v.indexOf('=')));
  if (split.length)
    throw Object.assign(new Error(`refusing ${split.join(', ')}: a value containing "|" cannot be passed to gcloud --set-env-vars here`), {
      exitCode: 2,
    });
  // HTTP Basic by default: the password from Secret Manager (the user name is not a secret). With the deprecated
  // query token still accepted, the same secret is mounted as the token.
  const webhookSecret = env.TUNNEL_GUARD_WEBHOOK_SECRET || DEFAULT_WEBHOOK_SECRET;
  const queryToken = (env.TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN || '').trim().toLowerCase() === 'accept';
  const secrets = [`${queryToken ? 'TUNNEL_GUARD_WEBHOOK_TOKEN' : 'TUNNEL_GUARD_WEBHOOK_PASSWORD'}=${webhookSecret}:latest`];
  if (!queryToken && !(env.TUNNEL_GUARD_WEBHOOK_USERNAME || '').trim()) vars.push(`TUNNEL_GUARD_WEBHOOK_USERNAME=${DEFAULT_WEBHOOK_USER}`);
  // Rotation: the old password stays accepted (pinned version) until the channel and the AWS end use the new one.
  if (env.TUNNEL_GUARD_WEBHOOK_PREVIOUS_VERSION)
    secrets.push(`TUNNEL_GUARD_WEBHOOK_PASSWORD_PREVIOUS=${webhookSecret}:${env.TUNNEL_GUARD_WEBHOOK_PREVIOUS_VERSION}`);
  if (env.TUNNEL_GUARD_LINK_SECRET_NAME) secrets.push(`TUNNEL_GUARD_LINK_SECRET=${env.TUNNEL_GUARD_LINK_SECRET_NAME}:latest`);
  // Stored AWS keys instead of keyless federation: one Secret Manager secret each (…-id, …-secret).
  if (env.TUNNEL_GUARD_AWS_KEY_SECRET_NAME) {
    secrets.push(
      `AWS_ACCESS_KEY_ID=${env.TUNNEL_GUARD_AWS_KEY_SECRET_NAME}-id:latest`,
      `AWS_SECRET_ACCESS_KEY=${env.TUNNEL_GUARD_AWS_KEY_SECRET_NAME}-secret:latest`,
    );
  }
  // gcloud splits --set-env-vars on commas; values with commas (the regions list, JSON) need the alternate
  // delimiter syntax `^|^` (see `gcloud topic escaping`).
  const envVars = (extra = []) => `^|^${[...vars, ...extra].join('|')}`;
  const topic = env.TUNNEL_GUARD_PUBSUB_TOPIC || DEFAULT_TOPIC;
  const base = [
    '--gen2',
    '--runtime=nodejs22',
    `--region=${region}`,
    `--project=${project}`,
    '--source=dist/gcp',
    '--memory=512Mi',
    `--set-secrets=${secrets.join(',')}`,
    ...(env.TUNNEL_GUARD_SERVICE_ACCOUNT ? [`--service-account=${env.TUNNEL_GUARD_SERVICE_ACCOUNT}`] : []),
  ];
  // The IAM-protected functions: one instance, one request at a time (busy → 429; Pub/Sub and Scheduler retry).
  const serial = ['--max-instances=1', '--concurrency=1', `--timeout=${FUNCTION_TIMEOUT_S}s`];
  const common = [...base, ...serial, `--set-env-vars=${envVars()}`];
  // The public function must not have a single slot cheap requests can hold: several requests per instance and a few
  // instances. Serialisation does not come from here: the fence record, the conditional ledger writes and the router
  // lease already make concurrent decisions safe. Unauthenticated requests are refused before their body is read
  // (gcp-functions/front-door.ts), and the request time is bounded.
  const publicScaling = [
    `--max-instances=${PUBLIC_MAX_INSTANCES}`,
    `--concurrency=${PUBLIC_CONCURRENCY}`,
    '--cpu=1',
    `--timeout=${PUBLIC_TIMEOUT_S}s`,
  ];
  return {
    missing,
    topic,
    region,
    project,
    commands: [
      // Cloud Monitoring webhooks cannot send Google identity tokens: the function is public at the IAM layer
      // and authenticates every request itself (token or Basic, fail closed).
      [
        'gcloud',
        'functions',
        'deploy',
        'tunnelIncident',
        '--entry-point=tunnelIncident',
        ...base,
        ...publicScaling,
        `--set-env-vars=${envVars()}`,
        '--trigger-http',
        '--allow-unauthenticated',
      ],
      // The durable path: a Pub/Sub trigger (Eventarc) on the Cloud Monitoring channel's topic, with `--retry` so a
      // thrown (transient) failure is redelivered; permanent problems are acknowledged by the function itself.
      // https://cloud.google.com/functions/docs/calling/pubsub, https://cloud.google.com/functions/docs/bestpractices/retries
      [
        'gcloud',
        'functions',
        'deploy',
        'tunnelIncidentPubSub',
        '--entry-point=tunnelIncidentPubSub',
        ...common,
        `--trigger-topic=${topic}`,
        '--retry',
        ...(env.TUNNEL_GUARD_SERVICE_ACCOUNT ? [`--trigger-service-account=${env.TUNNEL_GUARD_SERVICE_ACCOUNT}`] : []),
      ],
      // Cloud Scheduler sends an OIDC token and IAM checks it: the only authentication (no credential in the job's URI).
      [
        'gcloud',
        'functions',
        'deploy',
        'reconcile',
        '--entry-point=reconcile',
        ...base,
        ...serial,
        `--set-env-vars=${envVars(['TUNNEL_GUARD_RECONCILE_AUTH=iam'])}`,
        '--trigger-http',
        '--no-allow-unauthenticated',
      ],
    ],
  };
}

/** Quote one argument for a POSIX shell, so the printed commands can be pasted as they are. */
const shellQuote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const render = (argv) => argv.map(shellQuote).join(' ');

function findOnPath(cmd, env) {
  for (const dir of (env.PATH || '').split(delimiter)) if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  return undefined;
}

function main(argv, env, io) {
  let plan;
  try {
    plan = deployCommands(env);
  } catch (e) {
    io.err(`deploy:gcp: ${e.message}`);
    return e.exitCode ?? 1;
  }
  const { missing, commands } = plan;
  const printOnly = argv.includes('--print');
  const gcloud = findOnPath('gcloud', env);
  if (printOnly || !gcloud || missing.length) {
    if (!printOnly && !gcloud) io.err('gcloud is not installed: run these commands where it is (after `npm run build:gcp`):');
    if (missing.length) io.err(`set ${missing.join(', ')} (placeholders shown below)`);
    for (const c of commands) io.out(render(c));
    return printOnly && !missing.length ? 0 : missing.length ? 2 : 1;
  }
  const version = spawnSync(gcloud, ['version', '--format=json'], { encoding: 'utf8' });
  const old = gcloudTooOld(version.stdout || '');
  if (old) {
    io.err(old);
    return 2;
  }
  if (!existsSync(join(__dirname, '..', '..', 'dist', 'gcp', 'index.js'))) {
    io.err('dist/gcp/index.js is missing: run `npm run build:gcp` first');
    return 2;
  }
  for (const c of commands) {
    io.out(`$ ${render(c)}`);
    const r = spawnSync(c[0], c.slice(1), { stdio: 'inherit', cwd: join(__dirname, '..', '..') });
    if (r.status !== 0) return r.status || 1;
  }
  return 0;
}

module.exports = {
  deployCommands,
  render,
  main,
  gcloudTooOld,
  findOnPath,
  FUNCTION_TIMEOUT_S,
  MIN_GCLOUD,
  DEFAULT_TOPIC,
  DEFAULT_WEBHOOK_SECRET,
  DEFAULT_WEBHOOK_USER,
  POLICY_KNOB_VARS,
  FORWARDED_VARS,
  PUBLIC_CONCURRENCY,
  PUBLIC_MAX_INSTANCES,
  PUBLIC_TIMEOUT_S,
};

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), process.env, { out: (s) => console.log(s), err: (s) => console.error(s) });
}
