import { EC2Client } from '@aws-sdk/client-ec2';
import { PermanentError, TransientError } from '../../shared/errors';
import { VgwStaticPathTable, vpnDomainOf } from '../../functions/adapters/vgw-static-paths';
import { VpnInventory } from '../../functions/adapters/vpn-inventory';
import { reportMissingOnce } from '../../functions/compose';
import { VpnTunnelHealthView } from '../../functions/adapters/vpn-tunnel-health';
import { Ec2QueryFake } from '../fakes/ec2-query-fake';

const REGION = 'ap-northeast-1';
const V1 = 'vpn-0a1b2c3d4e5f60001';
const V2 = 'vpn-0a1b2c3d4e5f60002';
const fastWait = { initialDelayMs: 1, maxDelayMs: 2, timeoutMs: 50 };

let fake: Ec2QueryFake;
let endpoint: string;
let ec2: EC2Client;

beforeAll(async () => {
  fake = new Ec2QueryFake();
  endpoint = await fake.start();
  // maxAttempts 1: the SDK's own retries would hide the injected faults we want to classify.
  ec2 = new EC2Client({ region: REGION, endpoint, maxAttempts: 1, credentials: { accessKeyId: 'k', secretAccessKey: 's' } });
});
afterAll(async () => {
  ec2.destroy();
  await fake.stop();
});

beforeEach(() => {
  fake.calls = [];
  fake.settlePolls = 0;
  fake.connections = [
    {
      vpnConnectionId: V1,
      vpnGatewayId: 'vgw-1',
      tunnels: [
        { outsideIpAddress: '203.0.113.11', status: 'UP' },
        { outsideIpAddress: '203.0.113.12', status: 'DOWN', statusMessage: 'IPSEC IS DOWN' },
      ],
      routes: [
        { destinationCidrBlock: '10.240.0.0/16', state: 'available' },
        { destinationCidrBlock: '192.168.1.0/24', state: 'available' },
      ],
    },
    {
      vpnConnectionId: V2,
      vpnGatewayId: 'vgw-1',
      tunnels: [
        { outsideIpAddress: '203.0.113.21', status: 'UP' },
        { outsideIpAddress: '203.0.113.22', status: 'UP' },
      ],
      routes: [{ destinationCidrBlock: '10.240.0.0/16', state: 'available' }],
    },
    // On a Transit Gateway: its lever is the TGW route table, not connection routes.
    { vpnConnectionId: 'vpn-tgw', transitGatewayId: 'tgw-1', tunnels: [{ outsideIpAddress: '203.0.113.31', status: 'UP' }], routes: [] },
  ];
});

const table = (ids?: string[]) => new VgwStaticPathTable(ec2, new VpnInventory(ec2, { region: REGION, vpnConnectionIds: ids }), fastWait);

describe('VGW static routes through the real EC2 client', () => {
  it('lists one path per static route, feeding BOTH tunnels of its connection', async () => {
    const paths = await table().list();
    expect(paths.map((p) => p.key).sort()).toEqual([`${V1}:10.240.0.0/16`, `${V1}:192.168.1.0/24`, `${V2}:10.240.0.0/16`]);
    expect(paths.find((p) => p.key === `${V1}:10.240.0.0/16`)).toEqual({
      key: `${V1}:10.240.0.0/16`,
      kind: 'aws-vgw-static',
      cloud: 'aws',
      destinations: ['10.240.0.0/16'],
      tunnelIds: [`aws:${REGION}:${V1}:203.0.113.11`, `aws:${REGION}:${V1}:203.0.113.12`],
      definition: { vpnConnectionId: V1, destinationCidrBlock: '10.240.0.0/16' },
      domain: 'vgw:vgw-1',
      // A prefix with room for longer halves: a drain keeps it and prefers the other connections (make-before-break).
      canDeprefer: true,
    });
    // Every connection's routes are in the domain of the gateway they end on.
    expect(new Set(paths.map((p) => p.domain))).toEqual(new Set(['vgw:vgw-1']));
  });

  it("names the domain after the connection's gateway: VGW, else transit gateway", () => {
    expect(vpnDomainOf({ vpnGatewayId: 'vgw-9' })).toBe('vgw:vgw-9');
    expect(vpnDomainOf({ transitGatewayId: 'tgw-9' })).toBe('tgw:tgw-9');
    expect(vpnDomainOf({})).toBeUndefined();
  });

  it('limits itself to the configured connections', async () => {
    const paths = await table([V2]).list();
    expect(paths.map((p) => p.key)).toEqual([`${V2}:10.240.0.0/16`]);
    expect(fake.calls[0]!.params).toMatchObject({ 'Filter.1.Name': 'vpn-connection-id', 'Filter.1.Value.1': V2 });
  });

  it('keeps working when a configured connection is gone, and reports the missing id', async () => {
    const missing: string[][] = [];
    const inventory = new VpnInventory(ec2, {
      region: REGION,
      vpnConnectionIds: [V1, 'vpn-0deadbeef0000000', V2],
      onMissing: (ids) => missing.push(ids),
    });
    const paths = await new VgwStaticPathTable(ec2, inventory, fastWait).list();
    expect(paths.map((p) => p.key).sort()).toEqual([`${V1}:10.240.0.0/16`, `${V1}:192.168.1.0/24`, `${V2}:10.240.0.0/16`]);
    expect(missing).toEqual([['vpn-0deadbeef0000000']]);
    // A filter, not VpnConnectionIds (which EC2 — and the fake — reject whole for one unknown id).
    const sent = fake.calls.find((c) => c.action === 'DescribeVpnConnections')!.params;
    expect(Object.keys(sent).filter((k) => k.startsWith('VpnConnectionId.'))).toEqual([]);
    expect(Object.entries(sent).find(([, v]) => v === 'vpn-connection-id')).toBeDefined();
  });

  it('reports missing connections once per instance at WARNING, again only when the set changes', () => {
    const lines: { severity: string; message: string }[] = [];
    const report = reportMissingOnce({ log: (e) => lines.push(e as never) });
    report(['vpn-0deadbeef0000000']);
    report(['vpn-0deadbeef0000000']);
    report(['vpn-0deadbeef0000000', 'vpn-0deadbeef0000001']);
    expect(lines.map((l) => l.severity)).toEqual(['WARNING', 'WARNING']);
    expect(lines[0]!.message).toMatch(/TUNNEL_GUARD_AWS_VPN_IDS .* vpn-0deadbeef0000000/);
  });

  it('the fake, like EC2, fails VpnConnectionIds whole for one unknown id (why the filter is used)', async () => {
    const { DescribeVpnConnectionsCommand } = await import('@aws-sdk/client-ec2');
    await expect(ec2.send(new DescribeVpnConnectionsCommand({ VpnConnectionIds: [V1, 'vpn-0deadbeef0000000'] }))).rejects.toMatchObject({
      name: 'InvalidVpnConnectionID.NotFound',
    });
  });

  it('reads a connection deleted while waiting as gone, not as an error', async () => {
    const inventory = new VpnInventory(ec2, { region: REGION });
    expect(await inventory.get('vpn-0deadbeef0000000')).toBeUndefined();
  });

  it('withdraws a route, waits until it is really deleted, and is idempotent', async () => {
    fake.settlePolls = 2;
    const t = table();
    const [path] = (await t.list()).filter((p) => p.key === `${V1}:192.168.1.0/24`);
    expect(await t.withdraw(path!)).toBe('applied');
    expect(fake.route(V1, '192.168.1.0/24')).toBeUndefined();
    expect(fake.count('DeleteVpnConnectionRoute')).toBe(1);
    // The adapter polled while the route was `deleting`.
    expect(fake.count('DescribeVpnConnections')).toBeGreaterThanOrEqual(3);
    expect(await t.withdraw(path!)).toBe('already-in-state');
    expect(fake.count('DeleteVpnConnectionRoute')).toBe(1);
  });

  it('restores exactly the saved route, waits until available, and is idempotent', async () => {
    const t = table();
    const [path] = (await t.list()).filter((p) => p.key === `${V1}:192.168.1.0/24`);
    await t.withdraw(path!);
    fake.settlePolls = 3;
    expect(await t.restore(structuredClone(path!))).toBe('applied');
    expect(fake.route(V1, '192.168.1.0/24')).toMatchObject({ state: 'available' });
    expect(fake.calls.find((c) => c.action === 'CreateVpnConnectionRoute')!.params).toMatchObject({
      VpnConnectionId: V1,
      DestinationCidrBlock: '192.168.1.0/24',
    });
    expect(await t.restore(path!)).toBe('already-in-state');
    expect(fake.count('CreateVpnConnectionRoute')).toBe(1);
    expect((await t.list()).map((p) => p.key)).toContain(`${V1}:192.168.1.0/24`);
  });

  it('treats a route deleted by someone else between read and delete as done', async () => {
    const t = table();
    const [path] = await t.list();
    // Another actor deletes the route just before our delete arrives: AWS answers NotFound.
    fake.beforeAction = (action) => {
      if (action !== 'DeleteVpnConnectionRoute') return;
      fake.connections[0]!.routes = fake.connections[0]!.routes.filter((r) => r.destinationCidrBlock !== path!.destinations[0]);
    };
    try {
      expect(await t.withdraw(path!)).toBe('applied');
      expect(fake.route(V1, path!.destinations[0]!)).toBeUndefined();
    } finally {
      fake.beforeAction = undefined;
    }
  });

  it.each([
    ['throttling', 400, 'RequestLimitExceeded', TransientError],
    ['a 5xx', 503, 'Unavailable', TransientError],
    ['a permission error', 403, 'UnauthorizedOperation', PermanentError],
  ])('classifies %s on delete', async (_name, status, code, cls) => {
    const t = table();
    const [path] = await t.list();
    fake.fail({ action: 'DeleteVpnConnectionRoute', status, code });
    const err = await t.withdraw(path!).catch((e) => e);
    expect(err).toBeInstanceOf(cls);
    if (cls === PermanentError) expect(err).not.toBeInstanceOf(TransientError);
    expect(String(err.message)).toContain(code);
    expect(fake.route(V1, path!.destinations[0]!)).toMatchObject({ state: 'available' });
  });

  it('classifies throttling on describe as transient', async () => {
    fake.fail({ action: 'DescribeVpnConnections', status: 400, code: 'RequestLimitExceeded' });
    await expect(table().list()).rejects.toBeInstanceOf(TransientError);
  });

  it('gives up waiting with a TransientError when a route never settles', async () => {
    fake.settlePolls = 1000;
    const t = table();
    const [path] = await t.list();
    await expect(t.withdraw(path!)).rejects.toThrow(/timed out .*to be deleted/);
  });

  it('refuses a definition that is not a VGW route', async () => {
    await expect(
      table().withdraw({ key: 'x', kind: 'aws-tgw-route', cloud: 'aws', destinations: [], tunnelIds: [], definition: {} }),
    ).rejects.toBeInstanceOf(PermanentError);
  });
});

describe('tunnel health from VgwTelemetry', () => {
  it('reports UP/DOWN per tunnel outside IP with the native ids', async () => {
    const view = new VpnTunnelHealthView(new VpnInventory(ec2, { region: REGION }), async () => new Map([['vpn-tgw', 'tgw-attach-1']]));
    const list = await view.list();
    expect(list).toHaveLength(5);
    expect(list.find((t) => t.ref.id === `aws:${REGION}:${V1}:203.0.113.12`)).toEqual({
      ref: {
        id: `aws:${REGION}:${V1}:203.0.113.12`,
        cloud: 'aws',
        native: { vpnConnectionId: V1, outsideIpAddress: '203.0.113.12', region: REGION },
      },
      status: 'down',
      detail: 'IPSEC IS DOWN',
    });
    expect(list.find((t) => t.ref.id.includes(':vpn-tgw:'))!.ref.native).toMatchObject({ transitGatewayAttachmentId: 'tgw-attach-1' });
  });
});

describe('de-preferring a VGW static route (make-before-break) through the real EC2 client', () => {
  const TAG = 'tunnel-guard:standby:10.240.0.0/16';
  const routesOf = (id: string) =>
    fake.connections
      .find((c) => c.vpnConnectionId === id)!
      .routes.map((r) => r.destinationCidrBlock)
      .sort();
  const deprefer = async (t: VgwStaticPathTable, key: string) => {
    const path = (await t.list()).find((p) => p.key === key)!;
    expect(path.canDeprefer).toBe(true);
    return { path: { ...path, lever: 'deprefer' as const }, outcome: await t.withdraw({ ...path, lever: 'deprefer' }) };
  };

  it('keeps the route, tags it, and gives the other connection of the gateway both halves; the cloud then lists a standby', async () => {
    fake.settlePolls = 2;
    const t = table();
    const { outcome } = await deprefer(t, `${V1}:10.240.0.0/16`);
    expect(outcome).toBe('applied');
    expect(routesOf(V1)).toEqual(['10.240.0.0/16', '192.168.1.0/24']);
    expect(routesOf(V2)).toEqual(['10.240.0.0/16', '10.240.0.0/17', '10.240.128.0/17']);
    expect(fake.connections[0]!.tags).toEqual({ [TAG]: expect.stringContaining('tunnel-guard') });
    // Make before break: both halves exist before the call that would matter next; nothing was deleted.
    expect(fake.count('DeleteVpnConnectionRoute')).toBe(0);
    expect(fake.route(V2, '10.240.0.0/17')).toMatchObject({ state: 'available' });
    // As the core reads it back: the original's key is gone from the tunnel, a standby stands in for it, and the
    // halves are not paths of their own.
    const listed = await t.list();
    expect(listed.map((p) => p.key).sort()).toEqual([`${V1}:10.240.0.0/16#standby`, `${V1}:192.168.1.0/24`, `${V2}:10.240.0.0/16`]);
    expect(listed.find((p) => p.key === `${V1}:10.240.0.0/16#standby`)).toMatchObject({ standbyFor: `${V1}:10.240.0.0/16` });
  });

  it('is idempotent: a second de-preference, and a run that died after the tag, end in the same routes', async () => {
    const t = table();
    const { path } = await deprefer(t, `${V1}:10.240.0.0/16`);
    const calls = fake.calls.length;
    expect(await t.withdraw(path)).toBe('already-in-state');
    expect(fake.calls.slice(calls).filter((c) => c.action !== 'DescribeVpnConnections')).toEqual([]);
    // A run that died between the tag and the halves: the next one adds the halves.
    fake.route(V2, '10.240.0.0/17')!.state = 'deleted';
    fake.connections[1]!.routes = fake.connections[1]!.routes.filter((r) => r.state !== 'deleted');
    expect(await t.withdraw(path)).toBe('applied');
    expect(routesOf(V2)).toEqual(['10.240.0.0/16', '10.240.0.0/17', '10.240.128.0/17']);
  });

  it('puts back a route someone deleted before it de-prefers it, halves included', async () => {
    const t = table();
    const path = { ...(await t.list()).find((p) => p.key === `${V1}:10.240.0.0/16`)!, lever: 'deprefer' as const };
    fake.connections[0]!.routes = fake.connections[0]!.routes.filter((r) => r.destinationCidrBlock !== '10.240.0.0/16');
    expect(await t.withdraw(path)).toBe('applied');
    expect(routesOf(V1)).toContain('10.240.0.0/16');
    expect(routesOf(V2)).toEqual(['10.240.0.0/16', '10.240.0.0/17', '10.240.128.0/17']);
  });

  it('restores: the halves go, then the tag, and the two connections share the prefix again', async () => {
    const t = table();
    const { path } = await deprefer(t, `${V1}:10.240.0.0/16`);
    fake.settlePolls = 2;
    expect(await t.restore(structuredClone(path))).toBe('applied');
    expect(routesOf(V2)).toEqual(['10.240.0.0/16']);
    expect(fake.connections[0]!.tags ?? {}).toEqual({});
    expect((await t.list()).map((p) => p.key).sort()).toEqual([`${V1}:10.240.0.0/16`, `${V1}:192.168.1.0/24`, `${V2}:10.240.0.0/16`]);
    expect(await t.restore(path)).toBe('already-in-state');
  });

  it("never takes the operator's own halves: a prefix with one already is withdrawn instead, and a forced de-preference fails", async () => {
    fake.connections[1]!.routes.push({ destinationCidrBlock: '10.240.128.0/17', state: 'available' });
    const t = table();
    const path = (await t.list()).find((p) => p.key === `${V1}:10.240.0.0/16`)!;
    expect(path.canDeprefer).toBeUndefined();
    expect(path.noDeprefer).toMatch(/10\.240\.128\.0\/17 already has a route on vpn-0a1b2c3d4e5f60002/);
    await expect(t.withdraw({ ...path, lever: 'deprefer' })).rejects.toBeInstanceOf(PermanentError);
    expect(routesOf(V2)).toEqual(['10.240.0.0/16', '10.240.128.0/17']);
    expect(fake.connections[0]!.tags ?? {}).toEqual({});
  });

  it('withdrawing the connection that carries the halves removes them before its own route', async () => {
    const t = table();
    await deprefer(t, `${V1}:10.240.0.0/16`);
    const order: string[] = [];
    fake.beforeAction = (action, params) => {
      if (action === 'DeleteVpnConnectionRoute') order.push(params.DestinationCidrBlock!);
    };
    try {
      const carrier = (await t.list()).find((p) => p.key === `${V2}:10.240.0.0/16`)!;
      expect(await t.withdraw(carrier)).toBe('applied');
    } finally {
      fake.beforeAction = undefined;
    }
    expect(order).toEqual(['10.240.0.0/17', '10.240.128.0/17', '10.240.0.0/16']);
    expect(routesOf(V2)).toEqual([]);
    // The de-preferred route is all that is left, and still carries the prefix.
    expect(routesOf(V1)).toContain('10.240.0.0/16');
  });

  it('classifies a refused CreateTags (no permission) as permanent, and changes no route', async () => {
    fake.fail({ action: 'CreateTags', status: 403, code: 'UnauthorizedOperation' });
    const t = table();
    const path = (await t.list()).find((p) => p.key === `${V1}:10.240.0.0/16`)!;
    const err = await t.withdraw({ ...path, lever: 'deprefer' }).catch((e) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(String(err.message)).toMatch(/UnauthorizedOperation/);
    expect(routesOf(V2)).toEqual(['10.240.0.0/16']);
  });
});

describe('de-preference through the real EC2 client: a failure at every mutating call', () => {
  const MUTATING = /^(Create|Delete)(Tags|VpnConnectionRoute)$/;
  const snapshot = () =>
    fake.connections.map((c) => ({
      id: c.vpnConnectionId,
      routes: c.routes.map((r) => r.destinationCidrBlock).sort(),
      tags: Object.keys(c.tags ?? {}).sort(),
    }));
  /** Run `op`, failing its k-th mutating call (503); return how many mutating calls it made. */
  async function failAt(k: number, op: () => Promise<unknown>): Promise<{ calls: number; failed: boolean }> {
    let n = 0;
    const unrouted: string[] = [];
    fake.beforeAction = (action) => {
      if (!MUTATING.test(action)) return;
      n++;
      if (n === k) fake.fail({ action, status: 503, code: 'Unavailable' });
    };
    try {
      const failed = await op().then(
        () => false,
        () => true,
      );
      // Whatever happened, 10.240.0.0/16 stayed routed (make-before-break never removes the route AWS falls back on).
      if (!fake.connections.some((c) => c.routes.some((r) => r.destinationCidrBlock === '10.240.0.0/16'))) unrouted.push(`k=${k}`);
      expect(unrouted).toEqual([]);
      return { calls: n, failed };
    } finally {
      fake.beforeAction = undefined;
    }
  }

  it.each(['deprefer', 'restore'] as const)(
    '%s: a retry after a failure at any call ends exactly as an uninterrupted run',
    async (phase) => {
      const setUp = async () => {
        const t = table();
        const path = { ...(await t.list()).find((p) => p.key === `${V1}:10.240.0.0/16`)!, lever: 'deprefer' as const };
        if (phase === 'restore') await t.withdraw(path);
        return { t, path, act: () => (phase === 'deprefer' ? t.withdraw(path) : t.restore(path)) };
      };
      const initial = structuredClone(fake.connections);
      const ref = await setUp();
      const { calls } = await failAt(0, ref.act);
      const expected = snapshot();
      expect(calls).toBe(3); // a tag and two halves, or two halves and a tag
      for (let k = 1; k <= calls; k++) {
        fake.connections = structuredClone(initial);
        const w = await setUp();
        expect(await failAt(k, w.act)).toMatchObject({ failed: true });
        await w.act(); // the retry (the platform re-delivers, or the reconcile finishes from the ledger)
        expect({ k, state: snapshot() }).toEqual({ k, state: expected });
      }
    },
  );
});
