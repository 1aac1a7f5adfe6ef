/**
 * Where the configuration comes from, for every edge: a JSON file named by `TUNNEL_GUARD_CONFIG`, or inline JSON
 * in `TUNNEL_GUARD_CONFIG_JSON`, plus `TUNNEL_GUARD_<KNOB>` overrides. The edge passes its environment in;
 * the core never reads `process.env` itself.
 */
import { isAbsolute, resolve } from 'node:path';
import { loadConfig, type ConfigResult } from '../shared/policy';
import { COMMON_OPTIONS as C, read } from './options';

export type Env = Record<string, string | undefined>;

/**
 * Resolve a path given by the user against the directory the command was started from. During
 * `serverless invoke local` the handler runs inside `.esbuild/.build`, so `process.cwd()` is wrong there;
 * npm sets `INIT_CWD` and shells set `PWD` to the caller's directory.
 */
export function resolveFromCaller(path: string, env: Env, cwd: string): string {
  if (isAbsolute(path)) return path;
  return resolve(env.INIT_CWD || env.PWD || cwd, path);
}

/** Read and validate the configuration. Never throws: a bad file is a clear reason. */
export function configFromEnv(env: Env, readFile: (path: string) => string, cwd: string): ConfigResult {
  let file: unknown;
  const inline = read(C.configJson, env);
  const path = read(C.config, env);
  try {
    if (inline) file = JSON.parse(inline);
    else if (path) file = JSON.parse(readFile(resolveFromCaller(path, env, cwd)));
  } catch (e) {
    const where = inline ? 'TUNNEL_GUARD_CONFIG_JSON' : `TUNNEL_GUARD_CONFIG=${path}`;
    return { ok: false, reason: `cannot read configuration from ${where}: ${e instanceof Error ? e.message : String(e)}` };
  }
  // `tunnel-guard init` writes a `$schema` pointer so that editors validate the file; it is not configuration.
  if (file && typeof file === 'object' && !Array.isArray(file) && '$schema' in file) {
    const { $schema: _schema, ...rest } = file as Record<string, unknown>;
    file = rest;
  }
  return loadConfig(file, env);
}
