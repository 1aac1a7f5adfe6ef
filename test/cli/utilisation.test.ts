/**
 * Utilisation: the peak load over the limit a tunnel meets (its own, else the policy's default; the smaller end of
 * a linked pair binds), shown by `status` and judged by `doctor` against the failover share (n − 1)/n.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { backupGroup, failoverShare, utilisationChecks, utilisationOf } from '../../cli/utilisation';
import type { Path, TunnelStatus } from '../../shared/types';

const D = { awsTunnelCapacityPps: 140_000, gcpTunnelCapacityPps: 250_000 };
const aws = (ip: string, pps?: number, capacityPps?: number, status: TunnelStatus['status'] = 'up'): TunnelStatus => ({
  ref: { id: `aws:r:vpn-1:${ip}`, cloud: 'aws', native: { vpnConnectionId: 'vpn-1', outsideIpAddress: ip, region: 'r' } },
  status,
  ...(pps !== undefined ? { load: { pps } } : {}),
  ...(capacityPps !== undefined ? { capacityPps } : {}),
});
const gcp = (name: string, pps?: number): TunnelStatus =>
  ({
    ref: { id: `gcp:p:r:${name}`, cloud: 'gcp', native: { project: 'p', region: 'r', name } },
    status: 'up',
    ...(pps !== undefined ? { load: { pps } } : {}),
  }) as TunnelStatus;
const path = (key: string, tunnelIds: string[], destinations = ['10.0.0.0/16']): Path =>
  ({ key, kind: 'gcp-static-route', tunnelIds, destinations, definition: {} }) as unknown as Path;

describe('utilisation (pure)', () => {
  it('uses the tunnel’s own limit, else its cloud’s default, and the smaller end of a linked pair', () => {
    expect(utilisationOf(gcp('a', 125_000), undefined, D)).toEqual({ pps: 125_000, capacityPps: 250_000, ratio: 0.5 });
    expect(utilisationOf(aws('1.1.1.1', 70_000, 100_000), undefined, D)?.ratio).toBe(0.7);
    // The GCP end reads no load: its AWS end's peak counts, against the AWS limit (the smaller).
    expect(utilisationOf(gcp('a'), aws('1.1.1.1', 70_000), D)).toEqual({ pps: 70_000, capacityPps: 140_000, ratio: 0.5 });
    expect(utilisationOf(gcp('a'), aws('1.1.1.1'), D)).toBeUndefined();
  });

  it('the failover share is (n − 1)/n: 50 % for two tunnels, nothing for one', () => {
    expect(failoverShare(1)).toBe(0);
    expect(failoverShare(2)).toBe(0.5);
    expect(failoverShare(4)).toBe(0.75);
  });

  it('a group is the tunnels carrying the same destinations, less those reported down', () => {
    const paths = [path('r1', ['gcp:p:r:a']), path('r2', ['gcp:p:r:b']), path('r3', ['gcp:p:r:c'], ['10.9.0.0/16'])];
    expect(backupGroup('gcp:p:r:a', paths)).toEqual(['gcp:p:r:a', 'gcp:p:r:b']);
    expect(backupGroup('gcp:p:r:a', paths, new Set(['gcp:p:r:b']))).toEqual(['gcp:p:r:a']);
  });

  it('doctor warns above the share, passes at or below it, and skips when no load is known', () => {
    const paths = [path('r1', ['gcp:p:r:a']), path('r2', ['gcp:p:r:b'])];
    const [a, b] = utilisationChecks([gcp('a', 130_000), gcp('b', 125_000)], paths, [], D);
    expect(a!.detail).toMatch(/^warning: peak 130,000 pps of 250,000 pps \(52 %\) is above 50 %.*2 tunnels/);
    expect(b!.detail).toMatch(/^peak 125,000 pps of 250,000 pps \(50 %\); 2 tunnels carry its destinations: a failover fits up to 50 %/);
    expect(utilisationChecks([gcp('a'), gcp('b')], paths, [], D)).toEqual([expect.objectContaining({ status: 'skip' })]);
  });
});

describe('status and doctor on the simulator', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tg-util-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const sim = () => join(dir, 'world.json');
  async function tg(args: string[], env: Record<string, string> = {}) {
    let out = '';
    const code = await main(args, {
      stdout: (s) => void (out += s),
      stderr: () => undefined,
      env: { TUNNEL_GUARD_SIMULATOR: sim(), ...env },
      cwd: dir,
    });
    return { code, out };
  }
  /** The GCP tunnels carry 150,000 pps each (of 250,000); their AWS ends read nothing. */
  async function loaded(pps: number) {
    await tg(['status']);
    const world = JSON.parse(readFileSync(sim(), 'utf8'));
    for (const t of world.gcp.vpnTunnels) Object.assign(t, { loadPps: pps, capacityPps: 250_000 });
    writeFileSync(sim(), JSON.stringify(world));
  }

  it('status shows each tunnel’s utilisation against the binding limit (table and JSON), and doctor warns above 50 %', async () => {
    await loaded(100_000);
    const doc = JSON.parse((await tg(['status', '--json'])).out);
    const g = doc.tunnels.find((t: any) => t.id.endsWith(':tunnel-aws-1'));
    // Linked to an AWS tunnel: the AWS default (140,000) binds, not the GCP tunnel's own 250,000.
    expect(g).toMatchObject({ loadPps: 100_000, capacityPps: 250_000, utilisation: 0.714, utilisationCapacityPps: 140_000 });
    const a = doc.tunnels.find((t: any) => t.id.endsWith(':203.0.113.11'));
    expect(a).toMatchObject({ utilisation: 0.714 });
    expect(a.loadPps).toBeUndefined();
    const table = (await tg(['status'])).out.split('\n');
    expect(table[1]).toMatch(/^TUNNEL\s+LINK\s+HEALTH\s+STATE\s+ROUTES\s+UTIL\s+PEER\s+SINCE\s+REASON$/);
    expect(table.find((l) => l.startsWith('tunnel-aws-1'))).toMatch(/\s71 %\s/);
    const doctor = JSON.parse((await tg(['doctor', '--json'])).out);
    expect(doctor.ok).toBe(true);
    const line = doctor.checks.find((c: any) => c.name === 'utilisation gcp:example-project:asia-northeast1:tunnel-aws-1');
    expect(line.detail).toMatch(/^warning: .*\(71 %\) is above 50 %/);
  });

  it('below the share doctor says a failover fits; without links each end meets its own limit', async () => {
    await loaded(60_000);
    const doctor = JSON.parse((await tg(['doctor', '--json'], { TUNNEL_GUARD_LINKS: 'off' })).out);
    const line = doctor.checks.find((c: any) => c.name === 'utilisation gcp:example-project:asia-northeast1:tunnel-aws-1');
    expect(line.detail).toMatch(/^peak 60,000 pps of 250,000 pps \(24 %\); 2 tunnels .*fits up to 50 %/);
  });

  it('without any load the table has no UTIL column and doctor skips', async () => {
    await tg(['status']);
    expect((await tg(['status'])).out.split('\n')[1]).not.toMatch(/UTIL/);
    const doctor = JSON.parse((await tg(['doctor', '--json'])).out);
    expect(doctor.checks.find((c: any) => c.name === 'utilisation')).toMatchObject({ status: 'skip' });
  });
});
