// Values serverless.yml computes for the Lambda's environment (see `provider.environment`), and the refusals that
// keep a deploy from silently dropping or leaking what the deployer set:
// - `configJson`: TUNNEL_GUARD_CONFIG_JSON, or the file TUNNEL_GUARD_CONFIG names, sent inline (deploy/config-json.js);
// - `plainSecrets`: a secret value in the deployer's environment is refused — the Lambda reads its keys from Secrets
//   Manager (TUNNEL_GUARD_LINK_SECRET_ARN, TUNNEL_GUARD_GCP_LINK_SECRET_ARN), because whatever serverless puts in the
//   environment or the template is readable with lambda:GetFunctionConfiguration and cloudformation:GetTemplate.

const { configJsonOf } = require('../../deploy/config-json');

/** Secret values the Lambda once took from the environment, and where they go now. */
const PLAIN_SECRETS = {
  TUNNEL_GUARD_LINK_SECRET: 'store the link key in Secrets Manager and set TUNNEL_GUARD_LINK_SECRET_ARN',
  TUNNEL_GUARD_GCP_LINK_PASSWORD: 'store {"username","password"} in a Secrets Manager secret and set TUNNEL_GUARD_GCP_LINK_SECRET_ARN',
  TUNNEL_GUARD_GCP_LINK_TOKEN:
    'query tokens are deprecated (they land in request logs): store {"username","password"} in Secrets Manager and set TUNNEL_GUARD_GCP_LINK_SECRET_ARN',
};

/** The refusal for `env`, or undefined. */
function plainSecretRefusal(env) {
  const set = Object.keys(PLAIN_SECRETS).filter((k) => (env[k] || '').trim() !== '');
  if (!set.length) return undefined;
  return `tunnel-guard: refusing to deploy ${set.join(', ')} as plain text (it would be readable in the template and the function configuration): ${set.map((k) => `${k}: ${PLAIN_SECRETS[k]}`).join('; ')}`;
}

module.exports = {
  configJson: async () => configJsonOf(process.env),
  // Only where something is built for the cloud: `invoke local` runs here, with the caller's own environment.
  plainSecrets: async () => {
    const building = process.argv.some((a) => a === 'package' || a === 'deploy');
    const refusal = building ? plainSecretRefusal(process.env) : undefined;
    if (refusal) throw new Error(refusal);
    return 'none';
  },
  plainSecretRefusal,
  PLAIN_SECRETS,
};
