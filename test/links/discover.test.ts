/**
 * Pairing both ends of each link: `discoverLinks` and `tunnel-guard discover`. A wrong pair would make
 * one cloud drain an unrelated connection of the other, so anything that is not one-to-one is reported, never
 * guessed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { discoverLinks } from '../../shared/links/discover';
import { loadConfig } from '../../shared/policy';
import { addHaVpn, incidentTopology, openSimulator, type SimState } from '../../simulator';
import type { TunnelStatus } from '../../shared/types';

const T1 = 'gcp:example-project:asia-northeast1:tunnel-aws-1';
const T2 = 'gcp:example-project:asia-northeast1:tunnel-aws-2';
const A11 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11';
const A12 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.12';
const A21 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60002:203.0.113.21';
const A22 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60002:203.0.113.22';

let dir: string;
beforeEach(() => void (dir = mkdtempSync(join(tmpdir(), 'tg-discover-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Both clouds' tunnels as the simulator's ports report them (the same `TunnelStatus` as the real adapters). */
async function tunnelsOf(initial: () => SimState) {
  const sim = openSimulator(join(dir, `w-${Math.random().toString(36).slice(2)}.json`), { initial });
  return { aws: await sim.ports('aws').tunnels.list(), gcp: await sim.ports('gcp').tunnels.list() };
}

async function cli(args: string[], sim: string, env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: { TUNNEL_GUARD_SIMULATOR: sim, ...env },
    cwd: dir,
  });
  return { code, out, err };
}

const aws = (region: string, vpn: string, ip: string, status: 'up' | 'down' = 'up'): TunnelStatus => ({
  ref: { id: `aws:${region}:${vpn}:${ip}`, cloud: 'aws', native: { region, vpnConnectionId: vpn, outsideIpAddress: ip } },
  status,
});
const gcp = (name: string, peerIp?: string): TunnelStatus => ({
  ref: { id: `gcp:p:r:${name}`, cloud: 'gcp', native: { project: 'p', region: 'r', name, gateway: 'gw', ...(peerIp ? { peerIp } : {}) } },
  status: 'up',
});

describe('discoverLinks on the built-in topology (the original incident)', () => {
  it('pairs each GCP tunnel with tunnel 1 of its AWS connection and reports both tunnel 2s without a GCP peer', async () => {
    const t = await tunnelsOf(incidentTopology);
    const d = discoverLinks(t.aws, t.gcp);
    expect(d.links).toEqual([
      { gcp: T1, aws: A11 },
      { gcp: T2, aws: A21 },
    ]);
    expect(d.pairs.map((p) => p.ip)).toEqual(['203.0.113.11', '203.0.113.21']);
    expect(d.unpairedGcp).toEqual([]);
    expect(d.unpairedAws.map((u) => u.id)).toEqual([A12, A22]);
    for (const u of d.unpairedAws)
      expect(u.reason).toMatch(/^no GCP tunnel has peerIp 203\.0\.113\.(12|22) \(AWS reports this tunnel down/);
  });

  it('the proposal is valid configuration as it stands', async () => {
    const t = await tunnelsOf(incidentTopology);
    const cfg = loadConfig({ links: discoverLinks(t.aws, t.gcp).links }, {});
    expect(cfg).toMatchObject({
      ok: true,
      value: {
        links: [
          { gcp: T1, aws: A11 },
          { gcp: T2, aws: A21 },
        ],
      },
    });
  });

  it('reports a GCP tunnel whose peerIp matches no AWS tunnel instead of guessing', async () => {
    const t = await tunnelsOf(() => {
      const s = incidentTopology();
      s.gcp.vpnTunnels[1]!.peerIp = '203.0.113.99';
      return s;
    });
    const d = discoverLinks(t.aws, t.gcp);
    expect(d.links).toEqual([{ gcp: T1, aws: A11 }]);
    expect(d.unpairedGcp).toEqual([
      { id: T2, ip: '203.0.113.99', reason: expect.stringMatching(/^no AWS tunnel has outside IP 203\.0\.113\.99/) },
    ]);
    expect(d.unpairedAws.map((u) => u.id)).toEqual([A12, A21, A22]);
  });

  it('reports HA VPN tunnels peering outside AWS, and still pairs the rest', async () => {
    const t = await tunnelsOf(() => addHaVpn(incidentTopology()));
    const d = discoverLinks(t.aws, t.gcp);
    expect(d.links).toHaveLength(2);
    expect(d.unpairedGcp.map((u) => [u.id.split(':')[3], u.ip])).toEqual([
      ['ha-tunnel-0', '203.0.113.31'],
      ['ha-tunnel-1', '203.0.113.32'],
    ]);
  });
});

describe('discoverLinks never guesses', () => {
  it('two AWS tunnels with the same outside IP in different regions: ambiguous, nothing paired', () => {
    const a = [aws('ap-northeast-1', 'vpn-1', '203.0.113.11'), aws('us-east-1', 'vpn-9', '203.0.113.11')];
    const d = discoverLinks(a, [gcp('t1', '203.0.113.11')]);
    expect(d.links).toEqual([]);
    expect(d.unpairedGcp).toEqual([
      {
        id: 'gcp:p:r:t1',
        ip: '203.0.113.11',
        candidates: [a[0]!.ref.id, a[1]!.ref.id],
        reason: expect.stringMatching(/^ambiguous: 2 AWS tunnels have outside IP 203\.0\.113\.11/),
      },
    ]);
    expect(d.unpairedAws.map((u) => [u.id, u.reason.slice(0, 10)])).toEqual([
      [a[0]!.ref.id, 'ambiguous:'],
      [a[1]!.ref.id, 'ambiguous:'],
    ]);
  });

  it('two GCP tunnels claiming the same AWS tunnel: ambiguous, nothing paired', () => {
    const d = discoverLinks([aws('r', 'vpn-1', '203.0.113.11')], [gcp('t1', '203.0.113.11'), gcp('t2', '203.0.113.11')]);
    expect(d.links).toEqual([]);
    expect(d.unpairedGcp.map((u) => u.reason)).toEqual([
      expect.stringMatching(/^ambiguous: 2 GCP tunnels/),
      expect.stringMatching(/^ambiguous: 2 GCP tunnels/),
    ]);
    expect(d.unpairedAws).toEqual([expect.objectContaining({ id: 'aws:r:vpn-1:203.0.113.11', candidates: ['gcp:p:r:t1', 'gcp:p:r:t2'] })]);
  });

  it('a GCP tunnel without a peerIp is reported; a tunnel listed twice is not an ambiguity', () => {
    const a = aws('r', 'vpn-1', '203.0.113.11');
    const d = discoverLinks([a, a], [gcp('t0'), gcp('t1', ' 203.0.113.11 ')]);
    expect(d.links).toEqual([{ gcp: 'gcp:p:r:t1', aws: a.ref.id }]);
    expect(d.unpairedGcp).toEqual([{ id: 'gcp:p:r:t0', reason: expect.stringMatching(/no peerIp/) }]);
    expect(d.unpairedAws).toEqual([]);
  });
});

describe('tunnel-guard discover', () => {
  it('prints the pairs, the unpaired tunnels with reasons and the configuration to paste; exit 0', async () => {
    const r = await cli(['discover'], join(dir, 'w.json'));
    expect(r.code).toBe(0);
    // The only thing on stderr: the simulator saying it created the world (a fresh file here).
    expect(r.err).toBe(`tunnel-guard: created a new simulator world (the built-in incident) at ${join(dir, 'w.json')}\n`);
    expect(r.out).toContain(`${T1}  <->  ${A11}`);
    expect(r.out).toContain(`${T2}  <->  ${A21}`);
    expect(r.out).toMatch(new RegExp(`AWS tunnels not paired:\\n  ${A12}\\n    no GCP tunnel has peerIp 203\\.0\\.113\\.12`));
    const pasted = JSON.parse(r.out.slice(r.out.indexOf('{')));
    expect(pasted).toEqual({
      links: [
        { gcp: T1, aws: A11 },
        { gcp: T2, aws: A21 },
      ],
    });
  });

  it('--json: the discovery plus a config fragment that loads as configuration', async () => {
    const r = await cli(['discover', '--json'], join(dir, 'w.json'));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.links).toEqual([
      { gcp: T1, aws: A11 },
      { gcp: T2, aws: A21 },
    ]);
    expect(doc.unpairedAws.map((u: { id: string }) => u.id)).toEqual([A12, A22]);
    expect(loadConfig(doc.config, {})).toMatchObject({ ok: true, value: { links: doc.links } });
  });

  it('an edited topology with an unmatched GCP tunnel is reported, not guessed (still exit 0)', async () => {
    const file = join(dir, 'w.json');
    await openSimulator(file).update((s) => void (s.gcp.vpnTunnels.find((t) => t.name === 'tunnel-aws-2')!.peerIp = '198.18.0.1'));
    const r = await cli(['discover', '--json'], file);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.config).toEqual({ links: [{ gcp: T1, aws: A11 }] });
    expect(doc.unpairedGcp).toEqual([
      { id: T2, ip: '198.18.0.1', reason: expect.stringMatching(/no AWS tunnel has outside IP 198\.18\.0\.1/) },
    ]);
    const human = await cli(['discover'], file);
    expect(human.out).toMatch(new RegExp(`GCP tunnels not paired:\\n  ${T2}\\n    no AWS tunnel has outside IP 198\\.18\\.0\\.1`));
  });

  it('says when the configuration already names links, and when they differ', async () => {
    const file = join(dir, 'w.json');
    const same = await cli(['discover'], file, {
      TUNNEL_GUARD_CONFIG_JSON: JSON.stringify({
        links: [
          { gcp: T2, aws: A21 },
          { gcp: T1, aws: A11 },
        ],
      }),
    });
    expect(same.out).toMatch(/already names these 2 link\(s\)/);
    const differ = await cli(['discover'], file, { TUNNEL_GUARD_CONFIG_JSON: JSON.stringify({ links: [{ gcp: T1, aws: A21 }] }) });
    expect(differ.out).toMatch(/names 1 link\(s\) that DIFFER/);
  });
});
