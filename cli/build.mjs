// Bundles the CLI with esbuild (`npm run build`, also run by `prepare` so that `npx tunnel-guard` works right
// after `npm ci`). The edges' local invokers are separate bundles, loaded only by `tunnel-guard invoke`, and so is
// the real-cloud sides (`dist/clouds-aws.js`, `dist/clouds-gcp.js`, loaded only by `--target clouds`): the other commands never load a cloud SDK.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
  absWorkingDir: root,
  // Prefer ESM builds of the SDKs: smaller and faster to load.
  mainFields: ['module', 'main'],
};

const quiet = process.argv.includes('--quiet');
const started = Date.now();
await build({
  ...common,
  entryPoints: ['cli/index.ts'],
  outfile: 'dist/cli.js',
  // The CLI bundle must stay free of cloud SDKs: fail the build if one sneaks in.
  plugins: [
    {
      name: 'no-cloud-sdk',
      setup(b) {
        b.onResolve({ filter: /^@(aws-sdk|google-cloud)\// }, (args) => ({
          errors: [{ text: `cloud SDK ${args.path} imported by ${args.importer}: keep it out of the CLI bundle` }],
        }));
      },
    },
  ],
  logOverride: { 'unsupported-require-call': 'silent' },
});

const invokers = [
  { src: 'functions/local.ts', out: 'dist/invoke-aws.js', external: [] },
  // A bundled Functions Framework has its own registry: keep it external.
  { src: 'gcp-functions/local.ts', out: 'dist/invoke-gcp.js', external: ['@google-cloud/functions-framework'] },
];
for (const i of invokers) {
  if (!existsSync(join(root, i.src))) {
    if (!quiet) console.warn(`build: ${i.src} does not exist yet: \`tunnel-guard invoke\` for it is unavailable`);
    continue;
  }
  await build({ ...common, entryPoints: [i.src], outfile: i.out, external: i.external });
}
// The real clouds (`--target clouds`): one bundle per cloud, loaded only when that cloud takes part, so the
// simulator commands load no cloud SDK and an AWS-only run never loads the Google libraries.
for (const cloud of ['aws', 'gcp'])
  await build({ ...common, entryPoints: [`cli/clouds/${cloud}-entry.ts`], outfile: `dist/clouds-${cloud}.js` });
if (!quiet) console.log(`build: dist/ written in ${Date.now() - started} ms`);
