#!/usr/bin/env node
/**
 * `npm run deploy:gcp` (after `build:gcp`): deploy `tunnelIncident` and `reconcile` as 2nd-gen Cloud Functions
 * with `gcloud`. When `gcloud` is not installed it prints the exact commands and exits non-zero; `--print` only
 * prints them. Settings come from the environment:
 *
 *   TUNNEL_GUARD_GCP_PROJECT        project (required)
 *   TUNNEL_GUARD_GCP_REGIONS        comma list of regions with the VPN tunnels (required; the first one hosts the functions
 *                                   unless TUNNEL_GUARD_FUNCTION_REGION is set)
 *   TUNNEL_GUARD_LEDGER_BUCKET      Cloud Storage bucket of the ledger (required)
 *   TUNNEL_GUARD_SERVICE_ACCOUNT    runtime service account (recommended: least privilege, see README "The GCP half")
 *   TUNNEL_GUARD_WEBHOOK_SECRET     Secret Manager secret holding the webhook token (default tunnel-guard-webhook-token)
 *   TUNNEL_GUARD_LINK_SECRET_NAME   Secret Manager secret of the link HMAC key (optional, issue 6)
 *   TUNNEL_GUARD_CONFIG_JSON        configuration passed through as an environment variable (optional)
 *   TUNNEL_GUARD_AWS_LINK_TOPIC_ARN, TUNNEL_GUARD_AWS_ROLE_ARN, TUNNEL_GUARD_AWS_ID_TOKEN_AUDIENCE, TUNNEL_GUARD_AWS_REGION
 *                                   link to AWS (optional, issue 6): passed through to the function
 *   TUNNEL_GUARD_AWS_KEY_SECRET_NAME  stored AWS keys instead of keyless federation: secrets <name>-id, <name>-secret
 */
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { delimiter, join } = require('node:path');

const list = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);

/** The gcloud argument vectors for both functions. Pure: the tests check them. */
function deployCommands(env) {
  const missing = ['TUNNEL_GUARD_GCP_PROJECT', 'TUNNEL_GUARD_GCP_REGIONS', 'TUNNEL_GUARD_LEDGER_BUCKET'].filter((k) => !env[k]);
  const project = env.TUNNEL_GUARD_GCP_PROJECT || '<PROJECT>';
  const regions = list(env.TUNNEL_GUARD_GCP_REGIONS);
  const region = env.TUNNEL_GUARD_FUNCTION_REGION || regions[0] || '<REGION>';
  const bucket = env.TUNNEL_GUARD_LEDGER_BUCKET || '<LEDGER_BUCKET>';
  const vars = [`TUNNEL_GUARD_GCP_PROJECT=${project}`, `TUNNEL_GUARD_GCP_REGIONS=${regions.join(',') || '<REGIONS>'}`, `TUNNEL_GUARD_LEDGER_BUCKET=${bucket}`];
  if (env.TUNNEL_GUARD_CONFIG_JSON) vars.push(`TUNNEL_GUARD_CONFIG_JSON=${env.TUNNEL_GUARD_CONFIG_JSON}`);
  // Link to AWS (issue 6): where to publish, and how to get AWS credentials without stored keys.
  for (const k of ['TUNNEL_GUARD_AWS_LINK_TOPIC_ARN', 'TUNNEL_GUARD_AWS_ROLE_ARN', 'TUNNEL_GUARD_AWS_ID_TOKEN_AUDIENCE', 'TUNNEL_GUARD_AWS_REGION']) {
    if (env[k]) vars.push(`${k}=${env[k]}`);
  }
  // gcloud splits --set-env-vars on commas; values with commas (the regions list, JSON) need the alternate
  // delimiter syntax `^|^` (see `gcloud topic escaping`).
  const envVars = `^|^${vars.join('|')}`;
  const secrets = [`TUNNEL_GUARD_WEBHOOK_TOKEN=${env.TUNNEL_GUARD_WEBHOOK_SECRET || 'tunnel-guard-webhook-token'}:latest`];
  if (env.TUNNEL_GUARD_LINK_SECRET_NAME) secrets.push(`TUNNEL_GUARD_LINK_SECRET=${env.TUNNEL_GUARD_LINK_SECRET_NAME}:latest`);
  // Stored AWS keys instead of keyless federation: one Secret Manager secret each (…-id, …-secret).
  if (env.TUNNEL_GUARD_AWS_KEY_SECRET_NAME) {
    secrets.push(`AWS_ACCESS_KEY_ID=${env.TUNNEL_GUARD_AWS_KEY_SECRET_NAME}-id:latest`, `AWS_SECRET_ACCESS_KEY=${env.TUNNEL_GUARD_AWS_KEY_SECRET_NAME}-secret:latest`);
  }
  const common = [
    '--gen2',
    '--runtime=nodejs22',
    `--region=${region}`,
    `--project=${project}`,
    '--source=dist/gcp',
    '--trigger-http',
    // One remediation at a time per cloud (DESIGN.md §3): one instance, one request per instance.
    '--max-instances=1',
    '--concurrency=1',
    '--memory=512Mi',
    '--timeout=300s',
    `--set-env-vars=${envVars}`,
    `--set-secrets=${secrets.join(',')}`,
    ...(env.TUNNEL_GUARD_SERVICE_ACCOUNT ? [`--service-account=${env.TUNNEL_GUARD_SERVICE_ACCOUNT}`] : []),
  ];
  return {
    missing,
    commands: [
      // Cloud Monitoring webhooks cannot send Google identity tokens: the function is public at the IAM layer
      // and authenticates every request itself (token or Basic, fail closed).
      ['gcloud', 'functions', 'deploy', 'tunnelIncident', '--entry-point=tunnelIncident', ...common, '--allow-unauthenticated'],
      // Cloud Scheduler sends an OIDC token: IAM checks it, and the function still wants the webhook token.
      ['gcloud', 'functions', 'deploy', 'reconcile', '--entry-point=reconcile', ...common, '--no-allow-unauthenticated'],
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
  const { missing, commands } = deployCommands(env);
  const printOnly = argv.includes('--print');
  const gcloud = findOnPath('gcloud', env);
  if (printOnly || !gcloud || missing.length) {
    if (!printOnly && !gcloud) io.err('gcloud is not installed: run these commands where it is (after `npm run build:gcp`):');
    if (missing.length) io.err(`set ${missing.join(', ')} (placeholders shown below)`);
    for (const c of commands) io.out(render(c));
    return printOnly && !missing.length ? 0 : missing.length ? 2 : 1;
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

module.exports = { deployCommands, render, main };

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), process.env, { out: (s) => console.log(s), err: (s) => console.error(s) });
}
