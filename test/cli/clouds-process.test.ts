/**
 * The bundled CLI (`bin/tunnel-guard.js` → `dist/cli.js` → `dist/clouds-aws.js`, `dist/clouds-gcp.js`) in child processes, with the real
 * environment the SDKs read: the simulator commands never load the seat, and on the clouds an unreachable
 * endpoint, a missing table or missing credentials end in seconds with a clear message, changing nothing.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { awsId, routesOf, seed, startWorld, type World } from './support/clouds-world';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'tunnel-guard.js');
// Several real SDK round trips per test on a shared 2-core machine: give each test room.
jest.setTimeout(120_000);

let w: World;
let dir: string;
let preload: string;
let blackhole: Server;
let blackholeUrl: string;

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'cli', 'build.mjs'), '--quiet'], { cwd: ROOT, stdio: 'pipe' });
  w = await startWorld();
  // Accepts connections and never answers: the worst kind of unreachable.
  blackhole = createServer(() => undefined);
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  blackholeUrl = `http://127.0.0.1:${(blackhole.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  blackhole?.closeAllConnections();
  blackhole?.close();
  await w?.stop();
});
beforeEach(async () => {
  await seed(w);
  dir = mkdtempSync(join(tmpdir(), 'tg-clouds-proc-'));
  // Records every module the process loads that a light `status` must not: the seat and the cloud SDKs.
  preload = join(dir, 'trace-loads.js');
  writeFileSync(
    preload,
    `const M = require('module'); const load = M._load;
M._load = function (req, ...rest) { if (/clouds-(aws|gcp)\\.js$|@aws-sdk|@google-cloud/.test(req)) process.stderr.write('LOADED ' + req + '\\n'); return load.call(this, req, ...rest); };\n`,
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Async, so the fakes in this process keep answering while the child runs. */
function tg(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  const started = Date.now();
  const clean = Object.fromEntries(
    Object.entries({
      PATH: process.env.PATH ?? '',
      HOME: dir,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      METADATA_SERVER_DETECTION: 'none',
      ...env,
    }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  return new Promise((done) => {
    const child = spawn(process.execPath, ['-r', preload, BIN, ...args], { cwd: dir, env: clean });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      done({ code, out, err, ms: Date.now() - started });
    });
  });
}

it('status on the simulator loads no cloud side nor SDK; on the clouds only the sides that take part load', async () => {
  const sim = await tg(['status', '--json'], { TUNNEL_GUARD_SIMULATOR: join(dir, 'world.json') });
  expect(sim.code).toBe(0);
  expect(sim.err).not.toMatch(/LOADED/);
  const clouds = await tg(['status', '--json'], { ...w.env, TUNNEL_GUARD_TARGET: 'clouds' });
  expect(clouds.code).toBe(0);
  expect(clouds.err).toMatch(/LOADED .*dist\/clouds-aws\.js/);
  expect(clouds.err).toMatch(/LOADED .*dist\/clouds-gcp\.js/);
  expect(JSON.parse(clouds.out).tunnels.map((t: { id: string }) => t.id)).toContain(awsId(1, 1));
  const awsOnly = await tg(['status', '--json'], {
    ...w.env,
    TUNNEL_GUARD_TARGET: 'clouds',
    TUNNEL_GUARD_GCP_PROJECT: undefined,
    TUNNEL_GUARD_GCP_REGIONS: undefined,
    TUNNEL_GUARD_LEDGER_BUCKET: undefined,
  });
  expect(awsOnly.code).toBe(0);
  expect(awsOnly.err).toMatch(/LOADED .*dist\/clouds-aws\.js/);
  expect(awsOnly.err).not.toMatch(/clouds-gcp/);
});

it('drain --yes and restore through the bundle leave the routes exactly as before', async () => {
  const before = routesOf(w);
  const d = await tg(['--target', 'clouds', 'drain', 'tunnel-aws-1', '--yes'], w.env);
  expect(d.code).toBe(0);
  expect(w.compute.route('example-project', 'route-to-aws-via-tunnel-aws-1')).toBeUndefined();
  expect((await tg(['--target', 'clouds', 'restore', 'tunnel-aws-1', '--yes'], w.env)).code).toBe(0);
  expect(routesOf(w)).toEqual(before);
});

describe('fails fast, clearly, and changes nothing', () => {
  const unchanged = (before: ReturnType<typeof routesOf>) => {
    expect(routesOf(w)).toEqual(before);
    expect(w.ec2.count('DeleteVpnConnectionRoute')).toBe(0);
    expect(w.compute.mutations()).toEqual([]);
  };

  it('an AWS endpoint that refuses connections', async () => {
    const before = routesOf(w);
    const r = await tg(['--target', 'clouds', 'drain', '203.0.113.11', '--yes'], { ...w.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/AWS: ledger table tunnel-guard-prod-ledger: cannot reach http:\/\/127\.0\.0\.1:9/);
    expect(r.ms).toBeLessThan(10_000);
    unchanged(before);
  });

  it('a Google endpoint that never answers (bounded by TUNNEL_GUARD_CLI_TIMEOUT_MS)', async () => {
    const before = routesOf(w);
    const r = await tg(['--target', 'clouds', 'drain', 'tunnel-aws-1', '--yes'], {
      ...w.env,
      TUNNEL_GUARD_COMPUTE_ENDPOINT: blackholeUrl,
      TUNNEL_GUARD_CLI_TIMEOUT_MS: '1500',
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/GCP: VPN tunnels of example-project\/asia-northeast1: cannot reach/);
    expect(r.ms).toBeLessThan(10_000);
    unchanged(before);
  });

  it('a ledger table that does not exist', async () => {
    const before = routesOf(w);
    const r = await tg(['--target', 'clouds', 'status'], { ...w.env, TUNNEL_GUARD_TABLE: 'no-such-table' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/the ledger table no-such-table does not exist in us-east-1/);
    unchanged(before);
  });

  it('no AWS credentials anywhere', async () => {
    const before = routesOf(w);
    const env = {
      ...w.env,
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_PROFILE: 'nobody',
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    };
    const r = await tg(['--target', 'clouds', 'drain', '203.0.113.11', '--yes'], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no AWS credentials/);
    expect(r.ms).toBeLessThan(10_000);
    unchanged(before);
  });

  it('Google application default credentials that cannot be loaded', async () => {
    const before = routesOf(w);
    const env = {
      ...w.env,
      TUNNEL_GUARD_TABLE: undefined,
      TUNNEL_GUARD_AWS_VPN_IDS: undefined,
      TUNNEL_GUARD_GCP_AUTH: undefined,
      GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'missing-key.json'),
    };
    const r = await tg(['--target', 'clouds', 'drain', 'tunnel-aws-1', '--yes'], env);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/GCP credentials: no usable Google credentials|GCP credentials: .*missing-key\.json/);
    expect(r.ms).toBeLessThan(15_000);
    unchanged(before);
  });

  it('doctor reports an unreachable cloud as failed checks (exit 1), not a crash', async () => {
    const r = await tg(['--target', 'clouds', 'doctor', '--json'], { ...w.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' });
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.out).checks;
    expect(checks.find((c: { cloud: string; name: string }) => c.cloud === 'aws' && c.name === 'credentials')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/cannot reach/),
    });
    expect(checks.find((c: { cloud: string; name: string }) => c.cloud === 'gcp' && c.name === 'ledger bucket')).toMatchObject({
      status: 'pass',
    });
  });
});
