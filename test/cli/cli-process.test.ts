/**
 * The real thing: the esbuild bundle run through the committed bin, in child processes, on one simulator file
 * shared across processes (state lives in the file).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'tunnel-guard.js');
let dir: string;
let sim: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'cli', 'build.mjs')], { cwd: ROOT, stdio: 'pipe' });
}, 60_000);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cli-proc-'));
  sim = join(dir, 'world.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function tg(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', TUNNEL_GUARD_SIMULATOR: sim, AWS_EC2_METADATA_DISABLED: 'true', ...env },
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('tunnel-guard (bundled, child processes)', () => {
  it('keeps cloud SDKs out of the CLI bundle', () => {
    const bundle = readFileSync(join(ROOT, 'dist', 'cli.js'), 'utf8');
    expect(bundle).not.toMatch(/@aws-sdk\/client-|@google-cloud\/compute/);
  });

  it('drainMode withdraw: status --json, drain, refused drain (3), restore: exit codes and deep-equal routes across processes', () => {
    const withdraw = { TUNNEL_GUARD_DRAIN_MODE: 'withdraw' };
    const s0 = tg(['status', '--json']);
    expect(s0.code).toBe(0);
    const before = readFileSync(sim, 'utf8');
    expect(JSON.parse(s0.out).tunnels.map((t: { id: string }) => t.id)).toContain('gcp:example-project:asia-northeast1:tunnel-aws-1');

    expect(tg(['drain', 'tunnel-aws-1', '--reason', 'dropping packets'], withdraw).code).toBe(0);
    const refused = tg(['drain', 'tunnel-aws-2'], withdraw);
    expect(refused.code).toBe(3);
    expect(refused.out).toMatch(/black-hole/);
    const mid = JSON.parse(tg(['status', '--json']).out).tunnels.find((t: { id: string }) => t.id.endsWith('tunnel-aws-1'));
    expect(mid.state).toBe('drained');
    expect(mid.withdrawn).toEqual([expect.objectContaining({ destination: '10.0.0.0/16' })]);

    expect(tg(['restore', 'tunnel-aws-1']).code).toBe(0);
    const routes = (text: string) =>
      JSON.parse(text)
        .gcp.routes.map(({ id: _i, creationTimestamp: _c, ...w }: Record<string, unknown>) => w)
        .sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name));
    expect(routes(readFileSync(sim, 'utf8'))).toEqual(routes(before));
  });

  it('drainMode deprefer (default): both tunnels drained to standbys (exit 0), both restored to the original routes', () => {
    const gcpRoutes = () =>
      (JSON.parse(readFileSync(sim, 'utf8')).gcp.routes as { name: string; priority: number }[])
        .map((r) => `${r.name} ${r.priority}`)
        .sort();
    expect(tg(['status', '--json']).code).toBe(0);
    const before = gcpRoutes();
    expect(tg(['drain', 'tunnel-aws-1']).code).toBe(0);
    expect(tg(['drain', 'tunnel-aws-2']).code).toBe(0);
    expect(gcpRoutes()).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby 65535', 'route-to-aws-via-tunnel-aws-2-tg-standby 65535']);
    const standby = JSON.parse(tg(['status', '--json']).out)
      .tunnels.filter((t: { id: string }) => t.id.startsWith('gcp:'))
      .map((t: { standby: { destination: string }[] }) => t.standby.map((x) => x.destination));
    expect(standby).toEqual([['10.0.0.0/16'], ['10.0.0.0/16']]);
    expect(tg(['restore', 'tunnel-aws-1']).code).toBe(0);
    expect(tg(['restore', 'tunnel-aws-2']).code).toBe(0);
    expect(gcpRoutes()).toEqual(before);
  });

  it('two drains at once in two processes cannot both pass on a stale view: one drains, the other is refused', async () => {
    const env = {
      PATH: process.env.PATH ?? '',
      TUNNEL_GUARD_SIMULATOR: sim,
      TUNNEL_GUARD_DRAIN_MODE: 'withdraw',
      TUNNEL_GUARD_LINKS: 'off',
    };
    expect(tg(['status']).code).toBe(0);
    const drain = (tunnel: string) =>
      new Promise<number | null>((res) => {
        const p = spawn(process.execPath, [BIN, 'drain', tunnel], { cwd: dir, env, stdio: 'ignore' });
        p.on('exit', (code) => res(code));
      });
    // Each tunnel is the other's only fallback: at most one of them may go.
    const codes = await Promise.all([drain('tunnel-aws-1'), drain('tunnel-aws-2')]);
    expect([...codes].sort()).toEqual([0, 3]);
    const routes = JSON.parse(readFileSync(sim, 'utf8')).gcp.routes as { destRange: string }[];
    expect(routes.map((r) => r.destRange)).toEqual(['10.0.0.0/16']);
    const states = JSON.parse(tg(['status', '--json']).out)
      .tunnels.filter((t: { cloud: string }) => t.cloud === 'gcp')
      .map((t: { state: string }) => t.state)
      .sort();
    expect(states).toEqual(['active', 'drained']);
  }, 60_000);

  it('bad input exits 2 with a clear message and leaves the file alone', () => {
    tg(['status']);
    const bytes = readFileSync(sim, 'utf8');
    const unknown = tg(['drain', 'no-such-tunnel']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown tunnel "no-such-tunnel"/);
    const badAt = tg(['signal', 'tunnel-aws-1', 'degraded', '--at', 'noon']);
    expect(badAt.code).toBe(2);
    expect(badAt.err).toMatch(/--at "noon"/);
    expect(readFileSync(sim, 'utf8')).toBe(bytes);
    writeFileSync(sim, 'garbage');
    const corrupt = tg(['status']);
    expect(corrupt.code).toBe(2);
    expect(corrupt.err).toMatch(/not valid JSON/);
    expect(readFileSync(sim, 'utf8')).toBe('garbage');
  });

  it('demo exits 0', () => {
    const r = tg(['demo']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/demo: every step behaved as expected/);
  });

  it('invoke aws runs the Lambda edge on the same simulator file', () => {
    const event = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'aws', 'eventbridge-single-metric.json'), 'utf8'));
    // Derived from the official example: the same alarm, on an AWS/VPN tunnel of the simulator.
    event.region = 'ap-northeast-1';
    event.detail.alarmName = 'vpn-0a1b2c3d4e5f60001-tunnel-1-data-in';
    event.detail.configuration.metrics[0].metricStat.metric = {
      namespace: 'AWS/VPN',
      name: 'TunnelDataIn',
      dimensions: { VpnId: 'vpn-0a1b2c3d4e5f60001', TunnelIpAddress: '203.0.113.11' },
    };
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(event));
    const r = tg(['invoke', 'aws', file], { AWS_REGION: 'ap-northeast-1' });
    expect(r.code).toBe(0);
    expect(() => JSON.parse(r.out)).not.toThrow(); // stdout is only the result; log lines go to stderr
    expect(r.err).toMatch(/"severity"/);
    // Drained by de-preference: its routes stay as standbys, tagged; the other connection holds the halves.
    const [conn, other] = JSON.parse(readFileSync(sim, 'utf8')).aws.vpnConnections;
    expect(Object.keys(conn.tags ?? {})).toHaveLength(conn.routes.length);
    expect(other.routes.length).toBe(3 * conn.routes.length);
  });
});
