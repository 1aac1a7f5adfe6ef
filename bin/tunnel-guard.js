#!/usr/bin/env node
// The `tunnel-guard` bin: loads the esbuild bundle of cli/ as it is, so a call starts as fast as
// `node dist/cli.js` (`npm link` once puts it on the PATH). The bundle is built by `npm run build`, which
// `npm ci` runs through the `prepare` script; only when it is missing (a fresh checkout) is it built here, once.

const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(bundle)) {
  process.stderr.write('tunnel-guard: dist/cli.js is missing: building it once (npm run build)\n');
  const built = require('node:child_process').spawnSync(process.execPath, [join(__dirname, '..', 'cli', 'build.mjs'), '--quiet'], {
    stdio: 'inherit',
  });
  if (built.status !== 0 || !existsSync(bundle)) {
    process.stderr.write('tunnel-guard: the build failed — run `npm ci` (it builds through the prepare script)\n');
    process.exit(1);
  }
}
require(bundle);
