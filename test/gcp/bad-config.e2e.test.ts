/**
 * A bad configuration ends the process fast, non-zero, with the reason — on the Functions Framework server (the
 * deployed shape: a deployment then fails at start instead of answering every incident with 500) and through
 * `tunnel-guard invoke gcp|aws`. Real child processes, each bounded by a timeout.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const BOUND_MS = 20_000;
let dir: string;
let dist: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-bad-config-'));
  dist = join(dir, 'gcp');
  execFileSync(process.execPath, [join(ROOT, 'deploy/gcp/build.js'), '--outdir', dist], { cwd: ROOT, stdio: 'pipe' });
  execFileSync(process.execPath, [join(ROOT, 'cli', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bounded = (args: string[], env: Record<string, string>) => {
  const started = Date.now();
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: BOUND_MS,
    killSignal: 'SIGKILL',
  });
  return { ...r, took: Date.now() - started, text: `${r.stdout}${r.stderr}` };
};

it.each(['tunnelIncident', 'tunnelIncidentPubSub', 'reconcile'])(
  'the Functions Framework serving %s exits 1 at start with the reason',
  (target) => {
    const r = bounded(
      [
        join(ROOT, 'node_modules/@google-cloud/functions-framework/build/src/main.js'),
        `--target=${target}`,
        `--source=${dist}`,
        '--port=0',
      ],
      // NODE_PATH: the bundle lives outside the project and finds the framework (external) there, as in deployment.
      {
        TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'),
        TUNNEL_GUARD_CONFIG_JSON: '{"policy": {"minHealthyPaths": "many"}}',
        NODE_PATH: join(ROOT, 'node_modules'),
      },
    );
    expect(r.signal).toBeNull(); // ended by itself, within the bound
    expect(r.took).toBeLessThan(BOUND_MS);
    expect(r.status).toBe(1);
    expect(r.text).toMatch(/configuration error, not starting: tunnel-guard configuration: .*minHealthyPaths/);
  },
  30_000,
);

it('the same server starts normally with a good configuration (the check is not in the way)', () => {
  // Loading the bundle the way the framework does, without serving: no error, the three functions registered.
  const probe = `process.argv[1]='/x/functions-framework/build/src/main.js';require(${JSON.stringify(join(dist, 'index.js'))});const t=require('@google-cloud/functions-framework/testing');console.log(['tunnelIncident','tunnelIncidentPubSub','reconcile'].every((n)=>!!t.getFunction(n)))`;
  const r = bounded(['-e', probe], { TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'), NODE_PATH: join(ROOT, 'node_modules') });
  expect(r.status).toBe(0);
  expect(r.stdout.trim()).toBe('true');
});

it.each([
  ['gcp', 'test/fixtures/gcp/incident-open-dropped-packets.json', { TUNNEL_GUARD_CONFIG_JSON: '{bad' }, /TUNNEL_GUARD_CONFIG_JSON/],
  [
    'aws',
    'test/fixtures/aws/example-tunnel-down-alarm.json',
    { TUNNEL_GUARD_ALARM_TOPIC_ARNS: 'bad' },
    /TUNNEL_GUARD_ALARM_TOPIC_ARNS must list SNS topic ARNs: "bad"/,
  ],
])(
  'tunnel-guard invoke %s ends non-zero with the reason',
  (cloud, event, env, reason) => {
    const r = bounded([join(ROOT, 'bin/tunnel-guard.js'), 'invoke', cloud, event], {
      TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'),
      ...env,
    });
    expect(r.signal).toBeNull();
    expect(r.took).toBeLessThan(BOUND_MS);
    expect(r.status).not.toBe(0);
    expect(r.text).toMatch(reason);
  },
  30_000,
);
