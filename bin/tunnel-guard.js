#!/usr/bin/env node
// The `tunnel-guard` bin: loads the esbuild bundle of cli/ (built by `npm run build`, which `npm ci` runs
// through the `prepare` script).

const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(bundle)) {
  process.stderr.write('tunnel-guard: dist/cli.js is missing — run `npm run build` (npm ci runs it via the prepare script)\n');
  process.exit(1);
}
require(bundle);
