/**
 * `tunnel-guard invoke aws|gcp`: run an edge's handler locally (`invokeAwsLocal` from `functions/local.ts`,
 * `invokeGcpLocal` from `gcp-functions/local.ts`). Loaded lazily and never bundled into `dist/cli.js`, so the
 * other commands do not load the cloud SDKs: the build writes them as separate bundles `dist/invoke-aws.js` and
 * `dist/invoke-gcp.js`; when running from source (tests) the TypeScript module is required directly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '../config/source';

export type Invoker = (input: unknown, env: Env) => Promise<unknown>;

const SOURCES = {
  aws: { bundle: 'invoke-aws.js', source: join('..', 'functions', 'local'), fn: 'invokeAwsLocal' },
  gcp: { bundle: 'invoke-gcp.js', source: join('..', 'gcp-functions', 'local'), fn: 'invokeGcpLocal' },
} as const;

export function loadInvoker(cloud: 'aws' | 'gcp'): Invoker {
  const s = SOURCES[cloud];
  const candidates = [join(__dirname, s.bundle), join(__dirname, s.source)];
  for (const path of candidates) {
    if (!existsSync(path) && !existsSync(`${path}.ts`) && !existsSync(`${path}.js`)) continue;
    const mod = lazyRequire(path);
    const fn = mod[s.fn];
    if (typeof fn === 'function') return fn as Invoker;
    throw new Error(`${path} does not export ${s.fn}`);
  }
  throw new Error(`invoke ${cloud}: ${s.fn} is not available (looked for ${candidates.join(', ')}); run npm run build`);
}

/**
 * A require of a computed path: the bundler leaves it alone (the edges stay out of the CLI bundle). From source
 * (jest), jest's `require` transforms the TypeScript; from the bundle, it loads `dist/invoke-*.js`.
 */
function lazyRequire(path: string): Record<string, unknown> {
  return require(path) as Record<string, unknown>;
}
