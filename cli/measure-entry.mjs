// How fast the documented entry point starts, as a ratio to `node bin/tunnel-guard.js` measured in the same run
// (`node cli/measure-entry.mjs [runs]`). The documented entry is `npm link` once, then `tunnel-guard`: npm link makes
// a symlink to bin/tunnel-guard.js on the PATH, which this script recreates in a temporary directory so that it
// changes nothing global. `npx tunnel-guard` is measured too, for comparison. Timings vary with the machine's load:
// the runs are interleaved and the medians compared, and nothing here is asserted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 15);
const dir = mkdtempSync(join(tmpdir(), 'tg-entry-'));
symlinkSync(join(root, 'bin', 'tunnel-guard.js'), join(dir, 'tunnel-guard'));
const env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, TUNNEL_GUARD_SIMULATOR: join(dir, 'world.json') };

const entries = {
  'node bin/tunnel-guard.js': [process.execPath, join(root, 'bin', 'tunnel-guard.js')],
  'tunnel-guard (npm link)': ['tunnel-guard'],
  'npx tunnel-guard': ['npx', '--no-install', 'tunnel-guard'],
};
const commands = [['--version'], ['status', '--json']];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  spawnSync(process.execPath, [join(root, 'bin', 'tunnel-guard.js'), 'status', '--json'], { env, cwd: root }); // creates the world
  for (const args of commands) {
    const ms = Object.fromEntries(Object.keys(entries).map((k) => [k, []]));
    for (let i = 0; i < runs; i++)
      for (const [name, [cmd, ...pre]] of Object.entries(entries)) {
        const t = process.hrtime.bigint();
        const r = spawnSync(cmd, [...pre, ...args], { env, cwd: root, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`${name} ${args.join(' ')}: exit ${r.status} ${r.stderr}`);
        ms[name].push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    const base = median(ms['node bin/tunnel-guard.js']);
    console.log(`tunnel-guard ${args.join(' ')} (median of ${runs})`);
    for (const [name, xs] of Object.entries(ms))
      console.log(`  ${name.padEnd(26)} ${median(xs).toFixed(0).padStart(5)} ms   ×${(median(xs) / base).toFixed(2)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
