/**
 * Cold start: bundle size, module-load time and memory after load of the Lambda bundle and the Cloud Function
 * bundle, against naive bundles built in the same run (default esbuild options; package-root Compute imports).
 */
import { build, type Plugin } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';

// npm runs scripts from the project root; the bundle itself lives in dist/bench/.
const root = process.cwd();
const out = (name: string) => join(root, 'dist', 'bench', name);

/** Naive variant: resolve every per-client Compute import to the package root (what `import { RoutesClient } from
 * '@google-cloud/compute'` costs). */
const computeRoot: Plugin = {
  name: 'compute-root',
  setup(b) {
    b.onResolve({ filter: /^@google-cloud\/compute\/build\/src\/v1\// }, () => ({
      path: require.resolve('@google-cloud/compute', { paths: [root] }),
    }));
  },
};

export async function buildBundles() {
  const common = { bundle: true, platform: 'node' as const, target: 'node20', logLevel: 'error' as const, absWorkingDir: root };
  // The same options and plugins as serverless.yml's serverless-esbuild section.
  const lambdaPlugins = require(join(root, 'functions', 'deploy', 'esbuild-plugins.js')) as Plugin[];
  await build({
    ...common,
    entryPoints: ['functions/handlers.ts'],
    outfile: out('aws-opt.js'),
    minify: true,
    mainFields: ['module', 'main'],
    plugins: lambdaPlugins,
  });
  await build({ ...common, entryPoints: ['functions/handlers.ts'], outfile: out('aws-naive.js') });
  const gcpExternal = ['@google-cloud/functions-framework'];
  await build({
    ...common,
    entryPoints: ['gcp-functions/index.ts'],
    outfile: out('gcp-opt.js'),
    minify: true,
    mainFields: ['module', 'main'],
    external: gcpExternal,
  });
  await build({
    ...common,
    entryPoints: ['gcp-functions/index.ts'],
    outfile: out('gcp-naive.js'),
    external: gcpExternal,
    plugins: [computeRoot],
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Load a bundle in a fresh node process: ms to require it, RSS after. Median of `runs`. */
function load(file: string, runs: number) {
  const code = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});const ms=Number(process.hrtime.bigint()-t)/1e6;console.log(JSON.stringify({ms,rss:process.memoryUsage().rss}))`;
  const samples: { ms: number; rss: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['-e', code], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        TUNNEL_GUARD_SIMULATOR: join(root, 'dist', 'bench', 'cold.sim.json'),
        AWS_REGION: 'us-east-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        METADATA_SERVER_DETECTION: 'none',
        TUNNEL_GUARD_WEBHOOK_AUTH: 'none',
      },
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    if (r.status !== 0 || !line.startsWith('{')) throw new Error(`loading ${file} failed: ${r.stderr.slice(0, 500)}`);
    samples.push(JSON.parse(line));
  }
  return { loadMs: +median(samples.map((s) => s.ms)).toFixed(1), rssMB: +(median(samples.map((s) => s.rss)) / 2 ** 20).toFixed(1) };
}

export async function benchColdStart(runs: number) {
  await buildBundles();
  const baseline = load(join(root, 'bench', 'empty.js'), runs);
  const row = (name: string, file: string) => ({ bundle: name, sizeMB: +(statSync(file).size / 2 ** 20).toFixed(2), ...load(file, runs) });
  return {
    emptyProcess: baseline,
    bundles: [
      row('lambda (minified, module-first)', out('aws-opt.js')),
      row('lambda naive (default esbuild)', out('aws-naive.js')),
      row('cloud function (per-client imports)', out('gcp-opt.js')),
      row('cloud function naive (package root)', out('gcp-naive.js')),
    ],
  };
}
