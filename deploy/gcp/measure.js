#!/usr/bin/env node
/**
 * `npm run measure:gcp`: bundle size, cold module-load time and memory after load of dist/gcp/index.js (median of
 * several fresh `node` processes), against importing the @google-cloud/compute package root (the trap to avoid).
 */
const { execFileSync } = require('node:child_process');
const { statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const RUNS = Number(process.env.RUNS || 7);
const probe = (target) =>
  `const t=process.hrtime.bigint();require(${JSON.stringify(target)});const ms=Number(process.hrtime.bigint()-t)/1e6;` +
  `const m=process.memoryUsage();console.log(JSON.stringify({ms,rss:m.rss/1048576,heap:m.heapUsed/1048576}))`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label, target) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(
      JSON.parse(
        execFileSync(process.execPath, ['-e', probe(target)], {
          cwd: root,
          env: { ...process.env, METADATA_SERVER_DETECTION: 'none' },
        }).toString(),
      ),
    );
  }
  const r = {
    label,
    loadMs: median(runs.map((x) => x.ms)),
    rssMB: median(runs.map((x) => x.rss)),
    heapMB: median(runs.map((x) => x.heap)),
  };
  console.log(
    `${label.padEnd(44)} load ${r.loadMs.toFixed(0).padStart(5)} ms   rss ${r.rssMB.toFixed(0).padStart(4)} MB   heap ${r.heapMB.toFixed(0).padStart(4)} MB`,
  );
  return r;
}

const size = statSync(join(root, 'dist', 'gcp', 'index.js')).size;
console.log(`bundle dist/gcp/index.js: ${(size / 1048576).toFixed(2)} MB; median of ${RUNS} fresh processes (node ${process.version})`);
measure('bundle (incl. external Functions Framework)', './dist/gcp/index.js');
measure('@google-cloud/compute root, from node_modules', '@google-cloud/compute');
// The trap itself: the package root bundled the same way (every Compute client ends up in the bundle).
const trap = join(root, 'dist', 'gcp-root-import.js');
require('esbuild').buildSync({
  stdin: { contents: "module.exports = require('@google-cloud/compute');", resolveDir: root },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  outfile: trap,
  logLevel: 'error',
});
console.log(`root-import bundle: ${(statSync(trap).size / 1048576).toFixed(2)} MB`);
measure('@google-cloud/compute root, bundled', trap);
