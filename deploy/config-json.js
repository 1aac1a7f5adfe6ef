/**
 * Shared by both deploys: the configuration a deployed function gets, as inline JSON. A function cannot read the
 * deployer's file, so `TUNNEL_GUARD_CONFIG=<path>` is read here and sent as `TUNNEL_GUARD_CONFIG_JSON` — otherwise a
 * configuration that works with `invoke local` would silently be missing in the cloud. Inline JSON wins, as it does
 * in the functions. The JSON is parsed here so a broken file stops the deploy, not the first incident.
 */
const { readFileSync } = require('node:fs');
const { isAbsolute, resolve } = require('node:path');

/** `env` → the compact JSON to deploy ('' when neither variable is set). Throws with the reason on a bad file. */
function configJsonOf(env, cwd = process.cwd()) {
  const inline = (env.TUNNEL_GUARD_CONFIG_JSON || '').trim();
  const path = (env.TUNNEL_GUARD_CONFIG || '').trim();
  if (!inline && !path) return '';
  let text = inline;
  const where = inline ? 'TUNNEL_GUARD_CONFIG_JSON' : `TUNNEL_GUARD_CONFIG=${path}`;
  try {
    if (!inline) text = readFileSync(isAbsolute(path) ? path : resolve(env.INIT_CWD || env.PWD || cwd, path), 'utf8');
    return JSON.stringify(JSON.parse(text));
  } catch (e) {
    throw new Error(`tunnel-guard: cannot read the configuration from ${where}: ${e.message}`);
  }
}

module.exports = { configJsonOf };
