import { gcpTunnelId } from '../../shared/types';
import { BgpPeerPaths } from '../../gcp-functions/adapters/bgp-peer-paths';
import type { RouterLease } from '../../gcp-functions/adapters/router-lease';
import { GcpTunnelHealth } from '../../gcp-functions/adapters/tunnel-health';
import { NETWORK, PROJECT, REGION, startCompute, tunnelUrl } from './support/compute';

type Env = Awaited<ReturnType<typeof startCompute>>;
let env: Env;
let table: BgpPeerPaths;

const peer0 = {
  name: 'aws-peer-0',
  interfaceName: 'if-0',
  ipAddress: '169.254.10.2',
  peerIpAddress: '169.254.10.1',
  peerAsn: 64512,
  advertisedRoutePriority: 100,
  advertiseMode: 'CUSTOM',
  advertisedIpRanges: [{ range: '10.240.0.0/16', description: 'gcp vpc' }],
};
const peer1 = {
  name: 'aws-peer-1',
  interfaceName: 'if-1',
  ipAddress: '169.254.11.2',
  peerIpAddress: '169.254.11.1',
  peerAsn: 64512,
  advertisedRoutePriority: 100,
  enable: 'TRUE',
};

beforeEach(async () => {
  env = await startCompute();
  env.fake.addRouter(
    PROJECT,
    REGION,
    {
      name: 'cr-aws',
      network: NETWORK,
      bgp: { asn: 65000 },
      interfaces: [
        { name: 'if-0', linkedVpnTunnel: tunnelUrl('ha-t0'), ipRange: '169.254.10.2/30' },
        { name: 'if-1', linkedVpnTunnel: tunnelUrl('ha-t1'), ipRange: '169.254.11.2/30' },
      ],
      bgpPeers: [peer0, peer1],
    },
    {
      network: NETWORK,
      bestRoutes: [
        { destRange: '10.0.0.0/16', nextHopIp: '169.254.10.1', priority: 100 },
        { destRange: '10.0.0.0/16', nextHopIp: '169.254.11.1', priority: 100 },
        { destRange: '10.2.0.0/16', nextHopIp: '169.254.11.1', priority: 100 },
      ],
    },
  );
  table = new BgpPeerPaths(env.clients, { project: PROJECT, regions: [REGION] });
});
afterEach(() => env.stop());

const paths = async () =>
  Object.fromEntries((await table.list()).map((p) => [String((p.definition as { peer: { name: string } }).peer.name), p]));

describe('BgpPeerPaths (real RoutersClient against the Compute REST fake)', () => {
  it('lists one path per enabled peer, tied to the tunnel of its interface, carrying the learned prefixes', async () => {
    const ps = await paths();
    expect(Object.keys(ps).sort()).toEqual(['aws-peer-0', 'aws-peer-1']);
    expect(ps['aws-peer-0']).toMatchObject({
      kind: 'gcp-bgp-peer',
      key: `projects/${PROJECT}/regions/${REGION}/routers/cr-aws/bgpPeers/aws-peer-0`,
      destinations: ['10.0.0.0/16'],
      tunnelIds: [gcpTunnelId({ project: PROJECT, region: REGION, name: 'ha-t0' })],
    });
    expect(ps['aws-peer-1']!.destinations).toEqual(['10.0.0.0/16', '10.2.0.0/16']);
    expect((ps['aws-peer-0']!.definition as { peer: unknown }).peer).toEqual(peer0);
  });

  it("sets the routing domain to the router's network (full URL) in the router's region, and no instance tags", async () => {
    for (const p of Object.values(await paths())) {
      expect(p.domain).toBe(`${NETWORK}@${REGION}`);
      expect(p.appliesTo).toBeUndefined();
    }
    // A router that reports its network as `projects/P/global/networks/N` lands in the same domain.
    env.fake.addRouter(
      PROJECT,
      REGION,
      {
        name: 'cr-relative',
        network: `projects/${PROJECT}/global/networks/vpc-main`,
        bgp: { asn: 65001 },
        interfaces: [{ name: 'if-9', linkedVpnTunnel: tunnelUrl('ha-t9'), ipRange: '169.254.19.2/30' }],
        bgpPeers: [{ name: 'aws-peer-9', interfaceName: 'if-9', ipAddress: '169.254.19.2', peerIpAddress: '169.254.19.1', peerAsn: 64512 }],
      },
      { network: NETWORK, bestRoutes: [] },
    );
    expect((await paths())['aws-peer-9']!.domain).toBe(`${NETWORK}@${REGION}`);
  });

  it('drains by disabling only that peer, writing the whole bgpPeers list', async () => {
    const p = (await paths())['aws-peer-0']!;
    await expect(table.withdraw(p)).resolves.toBe('applied');
    const patch = env.fake.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.body!.bgpPeers).toHaveLength(2); // both peers: PATCH replaces the whole list
    const router = env.fake.router(PROJECT, REGION, 'cr-aws')!;
    expect(router.bgpPeers).toEqual([{ ...peer0, enable: 'FALSE' }, peer1]);
    // A drained peer is no longer an active path; the other one is untouched.
    expect(Object.keys(await paths())).toEqual(['aws-peer-1']);
    await expect(table.withdraw(p)).resolves.toBe('already-in-state');
  });

  it('restores the previous settings exactly, and a second restore is already-in-state', async () => {
    const p = (await paths())['aws-peer-0']!;
    await table.withdraw(p);
    await expect(table.restore(structuredClone(p))).resolves.toBe('applied');
    const router = env.fake.router(PROJECT, REGION, 'cr-aws')!;
    expect(router.bgpPeers[0]).toEqual({ ...peer0, enable: 'TRUE' }); // unset enable meant TRUE
    expect(router.bgpPeers[1]).toEqual(peer1);
    const patches = env.fake.requests.filter((r) => r.method === 'PATCH').length;
    await expect(table.restore(p)).resolves.toBe('already-in-state');
    expect(env.fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(patches);
  });

  it('puts back a peer setting that someone changed while it was drained', async () => {
    const p = (await paths())['aws-peer-1']!;
    await table.withdraw(p);
    const r = env.fake.router(PROJECT, REGION, 'cr-aws')!;
    r.bgpPeers = [r.bgpPeers[0], { ...r.bgpPeers[1], advertisedRoutePriority: 500 }];
    await expect(table.restore(p)).resolves.toBe('applied');
    expect(env.fake.router(PROJECT, REGION, 'cr-aws')!.bgpPeers[1]).toEqual(peer1);
  });

  it('a write that does not read back as written is not reported as applied', async () => {
    const p = (await paths())['aws-peer-0']!;
    // Another writer re-enables the peer between our operation finishing and our read-back.
    const origWait = env.clients.regionOperations.wait.bind(env.clients.regionOperations);
    const wspy = jest.spyOn(env.clients.regionOperations, 'wait').mockImplementation(async (req: any) => {
      const res = await origWait(req);
      const r = env.fake.router(PROJECT, REGION, 'cr-aws')!;
      r.bgpPeers = r.bgpPeers.map((bp: any) => ({ ...bp, enable: 'TRUE' }));
      return res;
    });
    await expect(table.withdraw(p)).rejects.toThrow(/read-back does not match/);
    wspy.mockRestore();
  });

  it('withdraws two peers of the same router concurrently without losing either change', async () => {
    const ps = await paths();
    await expect(Promise.all([table.withdraw(ps['aws-peer-0']!), table.withdraw(ps['aws-peer-1']!)])).resolves.toEqual([
      'applied',
      'applied',
    ]);
    expect(env.fake.router(PROJECT, REGION, 'cr-aws')!.bgpPeers.map((p: any) => p.enable)).toEqual(['FALSE', 'FALSE']);
  });

  it('a FAILED region operation is reported, not taken for success', async () => {
    const p = (await paths())['aws-peer-0']!;
    env.fake.faults.push({ method: 'routers.patch', kind: 'operation', message: 'quota', status: 429 });
    await expect(table.withdraw(p)).rejects.toThrow(/failed: RESOURCE_OPERATION_FAILED/);
    expect(env.fake.router(PROJECT, REGION, 'cr-aws')!.bgpPeers).toEqual([peer0, peer1]);
  });
});

describe('GcpTunnelHealth (real VpnTunnelsClient)', () => {
  it('maps ESTABLISHED to up and anything else to down, with gateway and peer IP', async () => {
    env.fake.addTunnel(PROJECT, REGION, {
      name: 'classic-1',
      status: 'ESTABLISHED',
      detailedStatus: 'Tunnel is up and running.',
      peerIp: '52.0.0.1',
      targetVpnGateway: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/${REGION}/targetVpnGateways/gw-1`,
    });
    env.fake.addTunnel(PROJECT, REGION, {
      name: 'ha-t0',
      status: 'NO_INCOMING_PACKETS',
      peerIp: '52.0.0.2',
      vpnGateway: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/${REGION}/vpnGateways/ha-gw`,
      router: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/${REGION}/routers/cr-aws`,
    });
    const view = new GcpTunnelHealth(env.clients.vpnTunnels, { project: PROJECT, regions: [REGION] });
    const list = await view.list();
    expect(list.map((t) => [t.ref.id, t.status])).toEqual([
      [gcpTunnelId({ project: PROJECT, region: REGION, name: 'classic-1' }), 'up'],
      [gcpTunnelId({ project: PROJECT, region: REGION, name: 'ha-t0' }), 'down'],
    ]);
    expect(list[0]!.ref.native).toMatchObject({ gateway: 'gw-1', peerIp: '52.0.0.1' });
    expect(list[1]!.ref.native).toMatchObject({ gateway: 'ha-gw', router: 'cr-aws' });
  });
});

describe('BgpPeerPaths: a router that no longer exists', () => {
  it('withdraw is already-in-state (nothing can enter the tunnel through it); restore still fails loudly', async () => {
    const p = Object.values(await paths())[0]!;
    const gone = { ...p, definition: { ...p.definition, router: 'deleted-router' } };
    await expect(table.withdraw(gone)).resolves.toBe('already-in-state');
    await expect(table.restore(gone)).rejects.toThrow(/routers.get/);
  });
});

describe('BgpPeerPaths de-preference: BGP route policies with the real RoutersClient', () => {
  const key0 = `projects/${PROJECT}/regions/${REGION}/routers/cr-aws/bgpPeers/aws-peer-0`;
  const calls = () =>
    env.fake.requests
      .filter((r) => /RoutePolic|routers\/cr-aws$/.test(r.path) && r.method !== 'GET')
      .map((r) => `${r.method} ${r.path.split('/').pop()}${r.query.get('policy') ? `?${r.query.get('policy')}` : ''}`);

  it('creates the policies (confirmed by getRoutePolicy), then attaches them; the session stays up; restore gives back the router exactly', async () => {
    const before = env.fake.router(PROJECT, REGION, 'cr-aws');
    const p = (await paths())['aws-peer-0']!;
    expect(p.canDeprefer).toBe(true);
    expect(await table.withdraw({ ...p, lever: 'deprefer' })).toBe('applied');
    expect(calls()).toEqual(['POST updateRoutePolicy', 'POST updateRoutePolicy', 'PATCH cr-aws']);
    const peer = env.fake.router(PROJECT, REGION, 'cr-aws')!.bgpPeers.find((x: { name: string }) => x.name === 'aws-peer-0');
    expect(peer).toMatchObject({ importPolicies: ['tg-deprefer-import'], exportPolicies: ['tg-deprefer-export'] });
    expect(peer.enable).not.toBe('FALSE');
    const policies = env.fake.state.routePolicies.get(`${PROJECT}/${REGION}/cr-aws`)!;
    expect(policies.get('tg-deprefer-import')).toMatchObject({
      type: 'ROUTE_POLICY_TYPE_IMPORT',
      terms: [{ priority: 0, actions: [{ expression: 'med.add(10000)' }] }],
    });
    expect(policies.get('tg-deprefer-export')).toMatchObject({
      type: 'ROUTE_POLICY_TYPE_EXPORT',
      terms: [{ actions: [{ expression: 'asPath.prependSequence([65000, 65000, 65000])' }, { expression: 'med.add(10000)' }] }],
    });
    // Listed as its own standby: not an active path of the tunnel any more.
    expect((await table.list()).find((x) => x.key === key0)).toMatchObject({ standbyFor: key0 });
    // Again: nothing to do.
    expect(await table.withdraw({ ...p, lever: 'deprefer' })).toBe('already-in-state');

    expect(await table.restore({ ...p, lever: 'deprefer' })).toBe('applied');
    expect(calls().slice(3)).toEqual([
      'PATCH cr-aws',
      'POST deleteRoutePolicy?tg-deprefer-import',
      'POST deleteRoutePolicy?tg-deprefer-export',
    ]);
    const after = env.fake.router(PROJECT, REGION, 'cr-aws')!;
    // Exactly as before (an absent `enable` is the API's default TRUE, which the restore writes out).
    const withoutEnable = (ps: { enable?: string }[]) => ps.map(({ enable: _e, ...rest }) => rest);
    expect(withoutEnable(after.bgpPeers)).toEqual(withoutEnable(before!.bgpPeers));
    expect(after.bgpPeers.every((x: { enable?: string }) => x.enable !== 'FALSE')).toBe(true);
    expect(policies.size).toBe(0);
    expect(await table.restore({ ...p, lever: 'deprefer' })).toBe('already-in-state');
  });

  it('keeps the policies while another peer still uses them', async () => {
    const ps = await paths();
    await table.withdraw({ ...ps['aws-peer-0']!, lever: 'deprefer' });
    await table.withdraw({ ...ps['aws-peer-1']!, lever: 'deprefer' });
    await table.restore({ ...ps['aws-peer-0']!, lever: 'deprefer' });
    expect(env.fake.state.routePolicies.get(`${PROJECT}/${REGION}/cr-aws`)!.size).toBe(2);
    await table.restore({ ...ps['aws-peer-1']!, lever: 'deprefer' });
    expect(env.fake.state.routePolicies.get(`${PROJECT}/${REGION}/cr-aws`)!.size).toBe(0);
  });

  /** A lease shared by two instances, which also records which requests were made while it was held. */
  function recordingLease() {
    let chain: Promise<unknown> = Promise.resolve();
    const held: [number, number][] = [];
    const lease: RouterLease = {
      withLease: <T>(_key: string, run: () => Promise<T>): Promise<T> => {
        const next = chain.then(async () => {
          const from = env.fake.requests.length;
          try {
            return await run();
          } finally {
            held.push([from, env.fake.requests.length]);
          }
        });
        chain = next.catch(() => undefined);
        return next;
      },
    };
    const outside = () =>
      env.fake.requests
        .map((r, i) => ({ r, i }))
        .filter(({ r }) => /RoutePolic|routers\/cr-aws$/.test(r.path))
        .filter(({ i }) => !held.some(([a, b]) => i >= a && i < b))
        .map(({ r }) => `${r.method} ${r.path.split('/').pop()}`);
    return { lease, outside };
  }

  it('runs the whole de-preference and restore of a router inside its lease: another instance cannot delete the policies between create and attach', async () => {
    const { lease, outside } = recordingLease();
    const a = new BgpPeerPaths(env.clients, { project: PROJECT, regions: [REGION], lease });
    const b = new BgpPeerPaths(env.clients, { project: PROJECT, regions: [REGION], lease });
    const ps = await paths();
    await a.withdraw({ ...ps['aws-peer-1']!, lever: 'deprefer' });
    env.fake.requests.length = 0;
    // Instance A restores peer 1 (and deletes the policies once unused) while instance B de-prefers peer 0.
    await Promise.all([a.restore({ ...ps['aws-peer-1']!, lever: 'deprefer' }), b.withdraw({ ...ps['aws-peer-0']!, lever: 'deprefer' })]);
    expect(outside()).toEqual([]);
    const router = env.fake.router(PROJECT, REGION, 'cr-aws')!;
    const policies = env.fake.state.routePolicies.get(`${PROJECT}/${REGION}/cr-aws`) ?? new Map();
    const named = router.bgpPeers.flatMap((x: { importPolicies?: string[]; exportPolicies?: string[] }) => [
      ...(x.importPolicies ?? []),
      ...(x.exportPolicies ?? []),
    ]);
    expect(named.sort()).toEqual(['tg-deprefer-export', 'tg-deprefer-import']);
    for (const n of named) expect(policies.has(n)).toBe(true);
  });

  it('says why a peer with a public ASN cannot be de-preferred, and refuses to try', async () => {
    const r = env.fake.router(PROJECT, REGION, 'cr-aws')!;
    r.bgpPeers = r.bgpPeers.map((x: { name: string }) => (x.name === 'aws-peer-0' ? { ...x, peerAsn: 16509 } : x));
    const p = (await paths())['aws-peer-0']!;
    expect(p.canDeprefer).toBeUndefined();
    expect(p.noDeprefer).toMatch(/peer ASN 16509 is not a private ASN/);
    await expect(table.withdraw({ ...p, lever: 'deprefer' })).rejects.toThrow(/not a private ASN/);
    expect(calls()).toEqual([]);
  });
});
