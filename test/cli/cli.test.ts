import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import type { CliIo } from '../../cli/io';
import { ledgerFileFor } from '../../simulator';

let dir: string;
let sim: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-cli-'));
  sim = join(dir, 'world.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  out: string;
  err: string;
}
async function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return runWith(args, env);
}
async function runWith(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: { TUNNEL_GUARD_SIMULATOR: sim, ...env },
    cwd: dir,
  };
  const code = await main(args, io);
  return { code, out, err };
}
const status = async () => JSON.parse((await run(['status', '--json'])).out) as { tunnels: Array<Record<string, any>> };
const snapshotWorld = () => {
  const s = JSON.parse(readFileSync(sim, 'utf8'));
  const writable = (r: any) => ({
    name: r.name,
    network: r.network,
    destRange: r.destRange,
    priority: r.priority,
    tags: r.tags,
    description: r.description,
    nextHopVpnTunnel: r.nextHopVpnTunnel,
  });
  return {
    aws: s.aws.vpnConnections.map((c: any) => ({
      id: c.vpnConnectionId,
      routes: [...c.routes].sort((a: any, b: any) => a.destinationCidrBlock.localeCompare(b.destinationCidrBlock)),
      tags: c.tags ?? {},
    })),
    gcp: [...s.gcp.routes].map(writable).sort((a, b) => a.name.localeCompare(b.name)),
  };
};

const T1 = 'gcp:example-project:asia-northeast1:tunnel-aws-1';

describe('status --json (a contract)', () => {
  it('prints one object with every tunnel in the contract shape', async () => {
    const r = await run(['status', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(Object.keys(doc)).toEqual(['tunnels']);
    expect(doc.tunnels).toHaveLength(6);
    for (const t of doc.tunnels) {
      expect(t).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          cloud: expect.stringMatching(/^(aws|gcp)$/),
          health: expect.stringMatching(/^(healthy|degraded|down|unknown)$/),
          state: expect.any(String),
          native: expect.any(Object),
          routes: expect.any(Array),
          withdrawn: [],
        }),
      );
      for (const route of t.routes) expect(route.destination).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    }
    const aws = doc.tunnels.find((t: any) => t.id === 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11');
    expect(aws.native).toEqual({ vpnConnectionId: 'vpn-0a1b2c3d4e5f60001', outsideIpAddress: '203.0.113.11', region: 'ap-northeast-1' });
    expect(aws.routes.map((x: any) => x.destination)).toEqual(['10.240.0.0/16', '192.168.1.0/24']);
    const gcp = doc.tunnels.find((t: any) => t.id === T1);
    expect(gcp.native).toEqual(
      expect.objectContaining({ project: 'example-project', region: 'asia-northeast1', name: 'tunnel-aws-1', gateway: 'gw-aws-1' }),
    );
    expect(gcp).toEqual(
      expect.objectContaining({ health: 'healthy', state: 'active', routes: [expect.objectContaining({ destination: '10.0.0.0/16' })] }),
    );
    // tunnel 2 of each AWS connection has no GCP peer: the cloud says down
    expect(doc.tunnels.find((t: any) => t.id.endsWith('203.0.113.12')).health).toBe('down');
  });

  it('prints a readable table by default', async () => {
    const r = await run(['status']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(`target: simulator ${sim} (ledger ${ledgerFileFor(sim)})`);
    expect(r.out.split('\n')[1]).toMatch(/^TUNNEL\s+LINK\s+HEALTH\s+STATE\s+ROUTES\s+PEER\s+SINCE\s+REASON$/);
    expect(r.out).toMatch(/^tunnel-aws-1 +up +healthy +active +1\/1 +203\.0\.113\.11 /m);
    const wide = await run(['status', '-o', 'wide']);
    expect(wide.out.split('\n')[1]).toMatch(/^TUNNEL\s+LINK\s+HEALTH\s+STATE\s+ACTIVE ROUTES\s+WITHDRAWN\s+PEER\s+SINCE\s+REASON$/);
    expect(wide.out).toContain(`${T1}`);
  });

  it('shows a degraded signal as health degraded and a drained tunnel with its withdrawn destinations', async () => {
    expect((await run(['signal', 'tunnel-aws-1', 'degraded', '--at', '2026-11-25T10:00:00Z'])).code).toBe(0);
    const t = (await status()).tunnels.find((x) => x.id === T1)!;
    expect(t).toEqual(
      expect.objectContaining({
        health: 'degraded',
        state: 'drained',
        routes: [],
        withdrawn: [expect.objectContaining({ destination: '10.0.0.0/16' })],
      }),
    );
  });
});

describe('--now is time travel on the simulator, never a clock written into a ledger', () => {
  it('moves the world clock, which later commands keep and status reports; never back before what the ledger holds', async () => {
    const env = { TUNNEL_GUARD_LINKS: 'off', TUNNEL_GUARD_DRAIN_MODE: 'withdraw' };
    await runWith(['status'], env);
    const ahead = new Date(Date.now() + 6 * 60_000).toISOString();
    const moved = await runWith(['reconcile', '--now', ahead], env);
    expect(moved.code).toBe(0);
    expect(moved.err).toMatch(/simulator's clock is now .* \(6m ahead of real time\)/);
    expect((await runWith(['status'], env)).out).toMatch(/^target: simulator .*clock 6m ahead of real time, moved by --now/);
    // A later command without --now decides on the world's clock: nothing in the ledger lies in its future.
    expect((await runWith(['drain', 'tunnel-aws-1'], env)).code).toBe(0);
    const record = JSON.parse(readFileSync(ledgerFileFor(sim), 'utf8')).records[T1];
    expect(Date.parse(record.updatedAt)).toBeGreaterThanOrEqual(Date.parse(ahead));
    // Back before what the ledger holds: bad usage, nothing changed.
    const before = readFileSync(ledgerFileFor(sim), 'utf8');
    const back = await runWith(['restore', 'tunnel-aws-1', '--now', new Date().toISOString()], env);
    expect(back.code).toBe(2);
    expect(back.err).toMatch(/before .*the latest time the simulator's ledger has recorded/);
    expect(readFileSync(ledgerFileFor(sim), 'utf8')).toBe(before);
  });

  it('on the clouds it is bad usage (exit 2) before anything is read or changed', async () => {
    for (const args of [
      ['drain', 'tunnel-aws-1', '--now', '2026-11-25T10:00:00Z'],
      ['restore', 'tunnel-aws-1', '--now', '2026-11-25T10:00:00Z', '--yes'],
      ['release', 'tunnel-aws-1', '--now', '2026-11-25T10:00:00Z'],
    ]) {
      const r = await run(['--target', 'clouds', ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--now is time travel for the simulator only/);
    }
  });
});

describe('a drain that is not complete', () => {
  it('shows as partly-drained: the route still in the cloud is pending, never listed as both active and withdrawn', async () => {
    const env = { TUNNEL_GUARD_LINKS: 'off', TUNNEL_GUARD_DRAIN_MODE: 'withdraw' };
    await runWith(['status'], env);
    const route = JSON.parse(readFileSync(sim, 'utf8')).gcp.routes.find((r: any) => r.name === 'route-to-aws-via-tunnel-aws-1');
    expect((await runWith(['drain', 'tunnel-aws-1'], env)).code).toBe(0);
    // The route comes back behind tunnel-guard's back (or the drain stopped half-way): the ledger still means to withdraw it.
    const world = JSON.parse(readFileSync(sim, 'utf8'));
    world.gcp.routes.push(route);
    writeFileSync(sim, JSON.stringify(world));
    const t = JSON.parse((await runWith(['status', '--json'], env)).out).tunnels.find((x: any) => x.id === T1);
    expect(t).toMatchObject({
      state: 'partly-drained',
      routes: [expect.objectContaining({ destination: '10.0.0.0/16' })],
      withdrawn: [],
      pending: [expect.objectContaining({ destination: '10.0.0.0/16' })],
    });
    expect((await runWith(['status', T1], env)).out).toMatch(/recorded for withdrawal: 10\.0\.0\.0\/16/);
  });
});

describe('drain → restore leaves every route definition exactly as it was', () => {
  // One cloud at a time: with links on, the other end would follow (test/links covers both ends together).
  const run = (args: string[]) => runWith(args, { TUNNEL_GUARD_LINKS: 'off' });
  beforeEach(() => run(['status']));
  it('GCP tunnel (by name), drainMode withdraw: drain withdraws its route, restore re-creates it deep-equal', async () => {
    const before = snapshotWorld();
    const d = await runWith(['drain', 'tunnel-aws-1', '--reason', 'lossy'], {
      TUNNEL_GUARD_LINKS: 'off',
      TUNNEL_GUARD_DRAIN_MODE: 'withdraw',
    });
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/^DRAIN/);
    expect(snapshotWorld().gcp.map((r: any) => r.name)).toEqual(['route-to-aws-via-tunnel-aws-2']);
    const r = await run(['restore', T1]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^RESTORE/);
    expect(snapshotWorld()).toEqual(before);
    expect((await status()).tunnels.find((x) => x.id === T1)).toEqual(expect.objectContaining({ state: 'active', withdrawn: [] }));
  });

  it("AWS tunnel (by outside IP): drains its connection's static routes and restores them deep-equal", async () => {
    const before = snapshotWorld();
    const d = await run(['drain', '203.0.113.11', '--json']);
    expect(d.code).toBe(0);
    const report = JSON.parse(d.out);
    expect(report.decision).toBe('drain');
    expect(report.withdrawn.map((p: any) => p.definition)).toEqual([
      { vpnConnectionId: 'vpn-0a1b2c3d4e5f60001', destinationCidrBlock: '10.240.0.0/16' },
      { vpnConnectionId: 'vpn-0a1b2c3d4e5f60001', destinationCidrBlock: '192.168.1.0/24' },
    ]);
    // Make-before-break: the connection keeps its routes as standbys (tagged); the other one gets both halves of each.
    expect(snapshotWorld().aws[0].routes).toEqual(before.aws[0].routes);
    expect(Object.keys(snapshotWorld().aws[0].tags)).toEqual(['tunnel-guard:standby:10.240.0.0/16', 'tunnel-guard:standby:192.168.1.0/24']);
    expect(snapshotWorld().aws[1].routes.map((r: any) => r.destinationCidrBlock)).toEqual(
      [
        ...before.aws[1].routes.map((r: any) => r.destinationCidrBlock),
        '10.240.0.0/17',
        '10.240.128.0/17',
        '192.168.1.0/25',
        '192.168.1.128/25',
      ].sort((a, b) => a.localeCompare(b)),
    );
    expect((await run(['restore', 'vpn-0a1b2c3d4e5f60001:203.0.113.11'])).code).toBe(0);
    expect(snapshotWorld()).toEqual(before);
  });

  it('signal-driven: degraded drains; healthy + reconcile after the hold-down restores', async () => {
    const before = snapshotWorld();
    expect((await run(['signal', 'tunnel-aws-2', 'degraded', '--at', '2026-11-25T10:00:00Z'])).code).toBe(0);
    expect((await run(['signal', 'tunnel-aws-2', 'healthy', '--at', '2026-11-25T10:01:00Z'])).code).toBe(0);
    const early = await run(['reconcile', '--now', '2026-11-25T10:02:00Z']);
    expect(early.code).toBe(0);
    expect(snapshotWorld()).not.toEqual(before);
    const late = await run(['reconcile', '--now', '2026-11-25T10:06:01Z', '--json']);
    expect(late.code).toBe(0);
    expect(JSON.parse(late.out).map((r: any) => r.decision)).toEqual(['restore']);
    expect(snapshotWorld()).toEqual(before);
  });
});

describe('drainMode deprefer (the default): the built-in topology through the CLI', () => {
  const T2 = 'gcp:example-project:asia-northeast1:tunnel-aws-2';
  const run = (args: string[]) => runWith(args, { TUNNEL_GUARD_LINKS: 'off' });
  const gcpRoutes = () => snapshotWorld().gcp.map((r: any) => `${r.name} ${r.priority}`);

  it('draining tunnel-aws-1 leaves its route as a standby; tunnel-aws-2 too is not refused; restoring both gives back the original routes', async () => {
    await run(['status']);
    const before = snapshotWorld();

    const d1 = await run(['drain', 'tunnel-aws-1', '--json']);
    expect(d1.code).toBe(0);
    expect(JSON.parse(d1.out)).toMatchObject({
      decision: 'drain',
      plan: [{ lever: 'deprefer', destinations: ['10.0.0.0/16'] }],
      refusals: [],
    });
    expect(gcpRoutes()).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby 65535', 'route-to-aws-via-tunnel-aws-2 1000']);
    let doc = await status();
    const t1 = doc.tunnels.find((t) => t.id === T1)!;
    expect(t1).toMatchObject({
      state: 'drained',
      routes: [],
      withdrawn: [
        {
          destination: '10.0.0.0/16',
          pathKey: 'projects/example-project/global/routes/route-to-aws-via-tunnel-aws-1',
          kind: 'gcp-static-route',
        },
      ],
    });
    expect(t1.standby).toEqual([
      {
        destination: '10.0.0.0/16',
        pathKey: 'projects/example-project/global/routes/route-to-aws-via-tunnel-aws-1-tg-standby',
        kind: 'gcp-static-route',
      },
    ]);
    expect(doc.tunnels.find((t) => t.id === T2)).toMatchObject({ routes: [{ destination: '10.0.0.0/16' }], standby: [] });

    // Every tunnel of 10.0.0.0/16 de-preferred: not a black hole (the standbys carry it), so not refused — but said.
    const d2 = await run(['drain', 'tunnel-aws-2', '--json']);
    expect(d2.code).toBe(0);
    const r2 = JSON.parse(d2.out);
    expect(r2).toMatchObject({ decision: 'drain', ok: true, refusals: [], severity: 'CRITICAL' });
    expect(r2.summary).toMatch(/no healthy path is left for 10\.0\.0\.0\/16 .*standby routes \(no black hole\)/);
    expect(gcpRoutes()).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby 65535', 'route-to-aws-via-tunnel-aws-2-tg-standby 65535']);
    doc = await status();
    for (const id of [T1, T2]) {
      const t = doc.tunnels.find((x) => x.id === id)!;
      expect(t.routes).toEqual([]);
      expect(t.withdrawn.map((r: any) => r.destination)).toEqual(['10.0.0.0/16']);
      expect(t.standby.map((r: any) => r.destination)).toEqual(['10.0.0.0/16']);
    }
    expect((await run(['status', '-o', 'wide'])).out).toMatch(/10\.0\.0\.0\/16 \(standby\)/);

    expect((await run(['restore', 'tunnel-aws-1'])).code).toBe(0);
    expect((await run(['restore', 'tunnel-aws-2'])).code).toBe(0);
    expect(snapshotWorld()).toEqual(before);
    doc = await status();
    for (const id of [T1, T2])
      expect(doc.tunnels.find((x) => x.id === id)).toMatchObject({
        state: 'active',
        withdrawn: [],
        standby: [],
        routes: [{ destination: '10.0.0.0/16' }],
      });
  });

  it('TUNNEL_GUARD_DRAIN_MODE accepts only deprefer or withdraw', async () => {
    const r = await runWith(['drain', 'tunnel-aws-1'], { TUNNEL_GUARD_DRAIN_MODE: 'gentle' });
    expect(r.code).toBe(2);
    expect(r.err + r.out).toMatch(/TUNNEL_GUARD_DRAIN_MODE="gentle" is not one of deprefer, withdraw/);
  });
});

describe('guards', () => {
  // Withdrawing is what the black-hole guard exists for: these run in drainMode withdraw.
  const run = (args: string[]) => runWith(args, { TUNNEL_GUARD_DRAIN_MODE: 'withdraw' });
  it('drainMode withdraw: a drain that would remove the last healthy path is refused with exit 3 and changes nothing', async () => {
    expect((await run(['drain', 'tunnel-aws-1'])).code).toBe(0);
    const mid = readFileSync(sim, 'utf8');
    const r = await run(['drain', 'tunnel-aws-2']);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/refused by black-hole/);
    expect(readFileSync(sim, 'utf8').replace(/"notifications": \[[\s\S]*\],\n {2}"nextId"/, '')).toBe(
      mid.replace(/"notifications": \[[\s\S]*\],\n {2}"nextId"/, ''),
    );
  });

  it('--force skips the guard, and says so', async () => {
    await run(['drain', 'tunnel-aws-1']);
    const r = await run(['drain', 'tunnel-aws-2', '--force']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/FORCED/);
  });

  it('a duplicate signal is "nothing to do": exit 0', async () => {
    await run(['signal', 'tunnel-aws-1', 'degraded', '--at', '2026-11-25T10:00:00Z']);
    const again = await run(['signal', 'tunnel-aws-1', 'degraded', '--at', '2026-11-25T10:00:00Z']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/duplicate/);
  });
});

describe('bad input: clear message, exit 2, nothing changed', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown tunnel', ['drain', 'tunnel-nope'], /unknown tunnel "tunnel-nope"; known tunnels:\n {2}aws:/],
    ['ambiguous tunnel', ['drain', 'vpn-0a1b2c3d4e5f60001'], /ambiguous; candidates:\n.*203\.0\.113\.11\n.*203\.0\.113\.12/],
    ['bad health word', ['signal', 'tunnel-aws-1', 'sick'], /health "sick" must be one of healthy, degraded, down, unknown/],
    ['bad --at', ['signal', 'tunnel-aws-1', 'degraded', '--at', 'yesterday'], /--at "yesterday" is not an ISO 8601 date-time/],
    ['bad --now', ['reconcile', '--now', '2026-13-45'], /--now "2026-13-45"/],
    ['unknown command', ['frobnicate'], /unknown command/],
    ['missing argument', ['drain'], /missing required argument/],
  ];
  it.each(cases)('%s', async (_what, args, message) => {
    await run(['status']); // create the files
    const bytes = readFileSync(sim, 'utf8');
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(readFileSync(sim, 'utf8')).toBe(bytes);
  });

  it('corrupt simulator file', async () => {
    writeFileSync(sim, '{"format":"tunnel-guard-simulator/1","aws":');
    for (const args of [['status'], ['drain', 'tunnel-aws-1'], ['reconcile']]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/simulator file .*world\.json is not valid JSON.*left untouched/);
    }
    expect(readFileSync(sim, 'utf8')).toBe('{"format":"tunnel-guard-simulator/1","aws":');
  });

  it('corrupt ledger file', async () => {
    await run(['status']);
    const ledger = ledgerFileFor(sim);
    const bad = '{"format":"tunnel-guard-ledger/1","records":[]}';
    writeFileSync(ledger, bad);
    const simBytes = readFileSync(sim, 'utf8');
    for (const args of [
      ['status', '--json'],
      ['signal', 'tunnel-aws-1', 'degraded'],
      ['drain', 'tunnel-aws-1'],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/ledger file .* is invalid at records.*left untouched/);
    }
    expect(readFileSync(ledger, 'utf8')).toBe(bad);
    expect(readFileSync(sim, 'utf8')).toBe(simBytes);
  });

  it('one unreadable record: said on stderr, its tunnel left alone, every other tunnel still works', async () => {
    await run(['status']);
    const ledger = ledgerFileFor(sim);
    const one = (await run(['status', '--json'])).out;
    const [t1] = JSON.parse(one).tunnels.filter((t: { id: string }) => t.id.endsWith('tunnel-aws-1'));
    writeFileSync(ledger, JSON.stringify({ format: 'tunnel-guard-ledger/1', records: { [t1.id]: { tunnelId: t1.id } } }));
    const status = await run(['status', '--json']);
    expect(status.code).toBe(0);
    expect(status.err).toMatch(/ledger record .*tunnel-aws-1 cannot be read/);
    const refused = await run(['drain', 'tunnel-aws-1']);
    expect(refused.code).not.toBe(0);
    expect(`${refused.out}${refused.err}`).toMatch(/cannot be read/);
    expect(JSON.parse(readFileSync(ledger, 'utf8')).records[t1.id]).toEqual({ tunnelId: t1.id });
  });

  it('invoke with an event file that is not JSON', async () => {
    writeFileSync(join(dir, 'event.json'), '{"detail-type":');
    const r = await run(['invoke', 'aws', 'event.json']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read event\.json as JSON/);
  });

  it('bad configuration', async () => {
    const r = await run(['status'], { TUNNEL_GUARD_MIN_HEALTHY_PATHS: 'many' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/TUNNEL_GUARD_MIN_HEALTHY_PATHS="many" is not a number/);
  });
});

describe('environment and defaults', () => {
  it("uses ./tunnel-guard.sim.json in the caller's directory when TUNNEL_GUARD_SIMULATOR is unset", async () => {
    let out = '';
    const code = await main(['status', '--json'], { stdout: (s) => void (out += s), stderr: () => undefined, env: { PWD: dir }, cwd: '/' });
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'tunnel-guard.sim.json'), 'utf8')).format).toBe('tunnel-guard-simulator/1');
    expect(JSON.parse(out).tunnels).toHaveLength(6);
  });

  it('dry run: plans and reports, changes nothing', async () => {
    await run(['status']);
    const bytes = snapshotWorld();
    const r = await run(['drain', 'tunnel-aws-1'], { TUNNEL_GUARD_DRY_RUN: 'true' });
    expect(r.out).toMatch(/DRY RUN/);
    expect(snapshotWorld()).toEqual(bytes);
  });
});

describe('demo', () => {
  it("replays the incident, checks every step and exits 0 without touching the user's file", async () => {
    const r = await run(['demo']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok: not refused on GCP: tunnel-aws-2 de-preferred too/);
    // The AWS end de-prefers too (the halves of each prefix on the other connection), so it needs no refusal either.
    expect(r.out).toMatch(/ok: AWS end vpn-0a1b2c3d4e5f60002 de-preferred too/);
    expect(r.out).not.toMatch(/refused by black-hole/);
    expect(r.out).toMatch(/ok: final route tables of BOTH clouds equal the initial ones/);
    expect(r.out).toMatch(/ok: AWS end vpn-0a1b2c3d4e5f60001 restored/);
    expect(r.out).not.toMatch(/UNEXPECTED/);
    expect(() => readFileSync(sim)).toThrow(); // never created the user's simulator file
  });
});
