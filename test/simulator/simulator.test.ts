import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptStateError, PermanentError, TransientError } from '../../shared/errors';
import { addHaVpn, incidentTopology, INCIDENT, ledgerFileFor, openSimulator, SimulatedCrashError } from '../../simulator';
import { awsTunnelId, gcpTunnelId, type Path } from '../../shared/types';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-sim-'));
  file = join(dir, 'world.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const NETWORK_URL = `https://www.googleapis.com/compute/v1/projects/${INCIDENT.gcpProject}/global/networks/${INCIDENT.gcpNetwork}`;
const GCP_T1 = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: 'tunnel-aws-1' });
const GCP_T2 = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: 'tunnel-aws-2' });
const VPN1 = INCIDENT.vpn[0].id;
const AWS_T1 = awsTunnelId({ region: INCIDENT.awsRegion, vpnConnectionId: VPN1, outsideIpAddress: INCIDENT.vpn[0].tunnelIps[0] });
const AWS_T2 = awsTunnelId({ region: INCIDENT.awsRegion, vpnConnectionId: VPN1, outsideIpAddress: INCIDENT.vpn[0].tunnelIps[1] });

describe('built-in topology (the original incident)', () => {
  it('creates the file lazily with 2 AWS connections x 2 tunnels and 2 GCP Classic VPN tunnels', async () => {
    const sim = openSimulator(file);
    const aws = await sim.ports('aws').tunnels.list();
    const gcp = await sim.ports('gcp').tunnels.list();
    expect(aws).toHaveLength(4);
    expect(gcp).toHaveLength(2);
    // tunnel 1 of each AWS connection is the GCP peer and up; tunnel 2 has no peer and is down
    expect(aws.map((t) => t.status)).toEqual(['up', 'down', 'up', 'down']);
    expect(gcp.map((t) => (t.ref.cloud === 'gcp' ? t.ref.native.peerIp : ''))).toEqual([
      INCIDENT.vpn[0].tunnelIps[0],
      INCIDENT.vpn[1].tunnelIps[0],
    ]);
    expect(gcp[0]!.ref).toEqual({
      id: GCP_T1,
      cloud: 'gcp',
      native: { project: 'example-project', region: 'asia-northeast1', name: 'tunnel-aws-1', gateway: 'gw-aws-1', peerIp: '203.0.113.11' },
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(incidentTopology())));
  });

  it('maps AWS static routes to paths over BOTH tunnels of the connection and GCP routes to their one tunnel', async () => {
    const sim = openSimulator(file);
    const aws = await sim.ports('aws').paths.list();
    expect(aws).toHaveLength(4);
    expect(aws[0]).toEqual({
      key: `${VPN1}:10.240.0.0/16`,
      kind: 'aws-vgw-static',
      cloud: 'aws',
      destinations: ['10.240.0.0/16'],
      tunnelIds: [AWS_T1, AWS_T2],
      definition: { vpnConnectionId: VPN1, destinationCidrBlock: '10.240.0.0/16' },
      domain: 'vgw:vgw-0a1b2c3d4e5f60000',
      // A prefix with room for longer halves: a drain keeps it and prefers the other connections (make-before-break).
      canDeprefer: true,
    });
    // Both connections end on the one VGW of the incident: they back each other up.
    expect(new Set(aws.map((p) => p.domain))).toEqual(new Set(['vgw:vgw-0a1b2c3d4e5f60000']));
    const gcp = await sim.ports('gcp').paths.list();
    expect(gcp.map((p) => [p.key, p.tunnelIds, p.destinations])).toEqual([
      ['projects/example-project/global/routes/route-to-aws-via-tunnel-aws-1', [GCP_T1], ['10.0.0.0/16']],
      ['projects/example-project/global/routes/route-to-aws-via-tunnel-aws-2', [GCP_T2], ['10.0.0.0/16']],
    ]);
    expect(Object.keys(gcp[0]!.definition).sort()).toEqual([
      'description',
      'destRange',
      'name',
      'network',
      'nextHopVpnTunnel',
      'priority',
      'tags',
    ]);
    for (const p of gcp) expect(p).toMatchObject({ domain: NETWORK_URL, appliesTo: [] });
  });

  it('sets the routing domain: GCP static routes by network URL, BGP peers by network URL @ router region (regional dynamic routing); AWS by gateway', async () => {
    const sim = openSimulator(file, {
      initial: () => {
        const s = addHaVpn(incidentTopology());
        // Forms the API also uses: a tagged route, a relative network, a connection on a transit gateway.
        s.gcp.routes[0]!.tags = ['web'];
        s.gcp.routes[1]!.network = `projects/${INCIDENT.gcpProject}/global/networks/${INCIDENT.gcpNetwork}`;
        s.gcp.routers[0]!.network = `projects/${INCIDENT.gcpProject}/global/networks/${INCIDENT.gcpNetwork}`;
        const c = s.aws.vpnConnections[1]!;
        delete c.vpnGatewayId;
        c.transitGatewayId = 'tgw-0abc';
        return s;
      },
    });
    const gcp = await sim.ports('gcp').paths.list();
    expect(gcp.map((p) => [p.kind, p.domain, p.appliesTo])).toEqual([
      ['gcp-static-route', NETWORK_URL, ['web']],
      ['gcp-static-route', NETWORK_URL, []],
      ['gcp-bgp-peer', `${NETWORK_URL}@asia-northeast1`, undefined],
      ['gcp-bgp-peer', `${NETWORK_URL}@asia-northeast1`, undefined],
    ]);
    const aws = await sim.ports('aws').paths.list();
    expect([...new Set(aws.map((p) => p.domain))]).toEqual(['vgw:vgw-0a1b2c3d4e5f60000', 'tgw:tgw-0abc']);
  });
});

describe('withdraw / restore', () => {
  it('GCP static route: idempotent both ways, restore re-creates exactly the writable fields with new output-only fields', async () => {
    const sim = openSimulator(file);
    const gcp = sim.ports('gcp').paths;
    const [path] = (await gcp.list()) as [Path];
    const before = (await sim.read()).gcp.routes[0]!;
    const snapshot = structuredClone(path);

    expect(await gcp.withdraw(path)).toBe('applied');
    expect(await gcp.withdraw(path)).toBe('already-in-state');
    expect((await gcp.list()).map((p) => p.key)).not.toContain(path.key);

    expect(await gcp.restore(snapshot)).toBe('applied');
    expect(await gcp.restore(snapshot)).toBe('already-in-state');
    const after = (await sim.read()).gcp.routes.find((r) => r.name === before.name)!;
    const writable = (r: typeof before) => ({
      name: r.name,
      network: r.network,
      destRange: r.destRange,
      priority: r.priority,
      tags: r.tags,
      description: r.description,
      nextHopVpnTunnel: r.nextHopVpnTunnel,
    });
    expect(writable(after)).toEqual(writable(before));
    expect(after.id).not.toBe(before.id); // a new resource, like the real cloud
    expect((await gcp.list()).find((p) => p.key === path.key)).toEqual(path);
  });

  it('AWS static route: idempotent both ways and removes the route from the connection', async () => {
    const sim = openSimulator(file);
    const aws = sim.ports('aws').paths;
    const path = (await aws.list())[1]!;
    expect(await aws.withdraw(path)).toBe('applied');
    expect(await aws.withdraw(path)).toBe('already-in-state');
    const conn = (await sim.read()).aws.vpnConnections[0]!;
    expect(conn.routes.map((r) => r.destinationCidrBlock)).toEqual(['10.240.0.0/16']);
    expect(await aws.restore(path)).toBe('applied');
    expect(await aws.restore(path)).toBe('already-in-state');
    expect((await aws.list()).map((p) => p.key).sort()).toEqual(
      (await openSimulator(join(dir, 'fresh.json')).ports('aws').paths.list()).map((p) => p.key).sort(),
    );
  });

  it('AWS restore onto a missing connection is a PermanentError and changes nothing', async () => {
    const sim = openSimulator(file);
    const path = (await sim.ports('aws').paths.list())[0]!;
    const bytes = readFileSync(file, 'utf8');
    await expect(
      sim.ports('aws').paths.restore({ ...path, definition: { vpnConnectionId: 'vpn-0000', destinationCidrBlock: '10.9.0.0/16' } }),
    ).rejects.toBeInstanceOf(PermanentError);
    expect(readFileSync(file, 'utf8')).toBe(bytes);
  });

  it('BGP peer: withdraw disables it, restore puts back the previous settings exactly', async () => {
    const sim = openSimulator(file, { initial: () => addHaVpn(incidentTopology(), { learned: ['10.1.0.0/16', '10.2.0.0/16'] }) });
    const gcp = sim.ports('gcp').paths;
    const peerPath = (await gcp.list()).find((p) => p.kind === 'gcp-bgp-peer')!;
    expect(peerPath.destinations).toEqual(['10.1.0.0/16', '10.2.0.0/16']);
    expect(peerPath.tunnelIds).toEqual([gcpTunnelId({ project: 'example-project', region: 'asia-northeast1', name: 'ha-tunnel-0' })]);
    const peerBefore = structuredClone((await sim.read()).gcp.routers[0]!.bgpPeers[0]!);

    expect(await gcp.withdraw(peerPath)).toBe('applied');
    expect(await gcp.withdraw(peerPath)).toBe('already-in-state');
    expect((await sim.read()).gcp.routers[0]!.bgpPeers[0]!.enable).toBe('FALSE');
    expect((await gcp.list()).map((p) => p.key)).not.toContain(peerPath.key);
    // the other peer of the router (routers.patch replaces the whole list) is untouched
    expect((await sim.read()).gcp.routers[0]!.bgpPeers[1]!.enable).toBe('TRUE');

    expect(await gcp.restore(peerPath)).toBe('applied');
    expect(await gcp.restore(peerPath)).toBe('already-in-state');
    expect((await sim.read()).gcp.routers[0]!.bgpPeers[0]).toEqual(peerBefore);
  });

  it('BGP peer restore also undoes other changes made to the peer since the drain', async () => {
    const sim = openSimulator(file, { initial: () => addHaVpn(incidentTopology()) });
    const gcp = sim.ports('gcp').paths;
    const peerPath = (await gcp.list()).find((p) => p.kind === 'gcp-bgp-peer')!;
    const peerBefore = structuredClone((await sim.read()).gcp.routers[0]!.bgpPeers[0]!);
    await gcp.withdraw(peerPath);
    await sim.update((s) => {
      s.gcp.routers[0]!.bgpPeers[0]!.advertisedRoutePriority = 999;
    });
    expect(await gcp.restore(peerPath)).toBe('applied');
    expect((await sim.read()).gcp.routers[0]!.bgpPeers[0]).toEqual(peerBefore);
  });

  it('an idempotent no-op (already in state) does not rewrite the file', async () => {
    const sim = openSimulator(file);
    const [path] = await sim.ports('gcp').paths.list();
    await sim.ports('gcp').paths.withdraw(path!);
    const inode = statSync(file).ino; // an atomic write (temp + rename) would give the file a new inode
    expect(await sim.ports('gcp').paths.withdraw(path!)).toBe('already-in-state');
    expect(statSync(file).ino).toBe(inode);
    await sim.setTunnelStatus(GCP_T1, 'down');
    expect(statSync(file).ino).not.toBe(inode);
  });

  it('rejects a snapshot of the wrong kind with a PermanentError', async () => {
    const sim = openSimulator(file);
    const path = (await sim.ports('aws').paths.list())[0]!;
    await expect(sim.ports('gcp').paths.withdraw(path)).rejects.toBeInstanceOf(PermanentError);
  });

  it('serialises concurrent withdrawals in one process: none is lost', async () => {
    const sim = openSimulator(file, { latencyMs: 5 });
    const aws = sim.ports('aws').paths;
    const paths = await aws.list();
    expect(await Promise.all(paths.map((p) => aws.withdraw(p)))).toEqual(paths.map(() => 'applied'));
    expect(await aws.list()).toEqual([]);
  });
});

describe('state lives in the file', () => {
  it("two handles on one file see each other's changes", async () => {
    const a = openSimulator(file);
    const b = openSimulator(file);
    const path = (await a.ports('gcp').paths.list())[0]!;
    await a.ports('gcp').paths.withdraw(path);
    expect((await b.ports('gcp').paths.list()).map((p) => p.key)).not.toContain(path.key);
    await b.setTunnelStatus(GCP_T2, 'down');
    expect((await a.ports('gcp').tunnels.list()).find((t) => t.ref.id === GCP_T2)?.status).toBe('down');
    await b.setTunnelStatus(AWS_T2, 'up');
    expect((await a.ports('aws').tunnels.list()).find((t) => t.ref.id === AWS_T2)?.status).toBe('up');
  });

  it('notifier records reports in the file, bounded', async () => {
    const sim = openSimulator(file);
    for (let i = 0; i < 55; i++) await sim.notifier.notify({ tunnelId: GCP_T1, summary: `n${i}` } as never);
    const n = await openSimulator(file).notifications();
    expect(n).toHaveLength(50);
    expect(n[49]!.summary).toBe('n54');
  });

  it('ledgerFileFor puts the ledger beside the simulator file', () => {
    expect(ledgerFileFor('/x/world.json')).toBe('/x/world.ledger.json');
    expect(ledgerFileFor('/x/world')).toBe('/x/world.ledger.json');
    expect((openSimulator(file).ledger as unknown as { file: string }).file).toBe(join(dir, 'world.ledger.json'));
  });
});

describe('corrupt files', () => {
  it.each([
    ['not JSON', '{"format":'],
    [
      'a route without destRange',
      (() => {
        const s = incidentTopology() as unknown as { gcp: { routes: Record<string, unknown>[] } };
        delete s.gcp.routes[0]!.destRange;
        return JSON.stringify(s);
      })(),
    ],
    [
      'an AWS connection with 3 tunnels',
      (() => {
        const s = incidentTopology();
        s.aws.vpnConnections[0]!.tunnels.push(s.aws.vpnConnections[0]!.tunnels[0]!);
        return JSON.stringify(s);
      })(),
    ],
  ])('%s → CorruptStateError naming the file, and the bytes are unchanged', async (_what, content) => {
    writeFileSync(file, content);
    const sim = openSimulator(file);
    await expect(sim.ports('gcp').paths.list()).rejects.toBeInstanceOf(CorruptStateError);
    await expect(sim.ports('aws').tunnels.list()).rejects.toThrow(file);
    await expect(sim.notifier.notify({} as never)).rejects.toBeInstanceOf(CorruptStateError);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });
});

describe('fault injection', () => {
  it('fails the chosen mutating calls with TransientError before changing anything, and counts calls', async () => {
    const seen: number[] = [];
    const sim = openSimulator(file, { faults: { failCalls: [2], onMutation: (m) => seen.push(m.n) } });
    const aws = sim.ports('aws').paths;
    const [p1, p2] = await aws.list();
    expect(await aws.withdraw(p1!)).toBe('applied');
    await expect(aws.withdraw(p2!)).rejects.toBeInstanceOf(TransientError);
    expect((await aws.list()).map((p) => p.key)).toContain(p2!.key);
    expect(await aws.withdraw(p2!)).toBe('applied');
    expect(seen).toEqual([1, 3]);
    expect(sim.stats()).toEqual({ mutatingCalls: 3, applied: 2, crashed: false });
  });

  it('permanent faults throw PermanentError', async () => {
    const sim = openSimulator(file, { faults: { failCalls: [1], failKind: 'permanent' } });
    const [p] = await sim.ports('gcp').paths.list();
    await expect(sim.ports('gcp').paths.withdraw(p!)).rejects.toBeInstanceOf(PermanentError);
  });

  it('failRate is reproducible with the same seed', async () => {
    const run = async (seed: number) => {
      const f = join(dir, `r${seed}-${Math.random()}.json`);
      const sim = openSimulator(f, { faults: { failRate: 0.5, seed } });
      const aws = sim.ports('aws').paths;
      const out: string[] = [];
      for (let i = 0; i < 12; i++) {
        const [p] = await aws.list();
        out.push(
          await aws.restore(p!).then(
            (o) => o,
            (e: Error) => e.name,
          ),
        );
      }
      return out;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(a).toContain('TransientError');
    expect(a).toContain('already-in-state');
  });

  it('crashAfter persists the k-th change, then throws and refuses every later call', async () => {
    const sim = openSimulator(file, { faults: { crashAfter: 2 } });
    const aws = sim.ports('aws').paths;
    const [p1, p2, p3] = await aws.list();
    await aws.withdraw(p1!);
    await expect(aws.withdraw(p2!)).rejects.toBeInstanceOf(SimulatedCrashError);
    await expect(aws.withdraw(p3!)).rejects.toBeInstanceOf(SimulatedCrashError);
    const left = (await openSimulator(file).ports('aws').paths.list()).map((p) => p.key);
    expect(left).not.toContain(p2!.key); // the 2nd change happened
    expect(left).toContain(p3!.key); // the dead handle did nothing more
    expect(sim.stats().crashed).toBe(true);
  });

  it('latency is spent outside the lock: concurrent calls overlap', async () => {
    const sim = openSimulator(file, { latencyMs: 60 });
    await sim.read();
    const t0 = Date.now();
    await Promise.all([0, 1, 2, 3].map(() => sim.ports('aws').tunnels.list()));
    expect(Date.now() - t0).toBeLessThan(200);
  });
});
