#!/usr/bin/env node
/**
 * `npm run build:gcp`: bundle gcp-functions/index.ts into dist/gcp/index.js with esbuild, plus a minimal
 * package.json (main + the Functions Framework dependency). The framework stays EXTERNAL: a bundled copy has its
 * own function registry and `functions-framework --target=…` then reports "Function '…' is not defined".
 * Only the Compute clients used are imported by the code (never the package root).
 */
const { build } = require('esbuild');
const { mkdirSync, writeFileSync, readFileSync, statSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = join(__dirname, '..', '..');
// `--outdir DIR` (tests build elsewhere so they never race a server serving dist/gcp).
const i = process.argv.indexOf('--outdir');
const out = i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : join(root, 'dist', 'gcp');

async function main() {
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: [join(root, 'gcp-functions', 'index.ts')],
    outfile: join(out, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20', // this machine runs Node 20; deployed on nodejs22
    format: 'cjs',
    external: ['@google-cloud/functions-framework'],
    minify: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const ff = pkg.dependencies['@google-cloud/functions-framework'];
  writeFileSync(
    join(out, 'package.json'),
    JSON.stringify(
      {
        name: 'tunnel-guard-gcp',
        version: pkg.version,
        private: true,
        description: 'tunnel-guard GCP functions (bundled): tunnelIncident, reconcile',
        main: 'index.js',
        engines: { node: '>=20' },
        dependencies: { '@google-cloud/functions-framework': ff },
      },
      null,
      2,
    ) + '\n',
  );
  const size = statSync(join(out, 'index.js')).size;
  // Kept beside, not inside, the deployed folder (gcloud uploads everything in dist/gcp).
  writeFileSync(join(out, '..', 'gcp-meta.json'), JSON.stringify(result.metafile));
  console.log(`${join(out, 'index.js')} ${(size / 1024 / 1024).toFixed(2)} MB (Functions Framework external)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
