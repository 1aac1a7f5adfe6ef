/**
 * TGW static routes through the real EC2 client against the in-repo EC2 Query fake. (moto implements TGW
 * routes but returns an empty `transitGatewayAttachments` for each, and has no ReplaceTransitGatewayRoute.)
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { splitCidr, TgwPathTable } from '../../functions/adapters/tgw-paths';
import { VpnInventory } from '../../functions/adapters/vpn-inventory';
import { TransientError } from '../../shared/errors';
import { Ec2QueryFake } from '../fakes/ec2-query-fake';

const REGION = 'eu-west-1';
let fake: Ec2QueryFake;
let ec2: EC2Client;

beforeAll(async () => {
  fake = new Ec2QueryFake();
  ec2 = new EC2Client({
    region: REGION,
    endpoint: await fake.start(),
    maxAttempts: 1,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
  });
});
afterAll(async () => {
  ec2.destroy();
  await fake.stop();
});

beforeEach(() => {
  fake.calls = [];
  fake.searchRouteLimit = 1000;
  fake.connections = [
    {
      vpnConnectionId: 'vpn-1',
      transitGatewayId: 'tgw-1',
      tunnels: [
        { outsideIpAddress: '203.0.113.11', status: 'UP' },
        { outsideIpAddress: '203.0.113.12', status: 'UP' },
      ],
      routes: [],
    },
    {
      vpnConnectionId: 'vpn-2',
      transitGatewayId: 'tgw-1',
      tunnels: [
        { outsideIpAddress: '203.0.113.21', status: 'UP' },
        { outsideIpAddress: '203.0.113.22', status: 'DOWN' },
      ],
      routes: [],
    },
  ];
  fake.tgwAttachments = [
    { transitGatewayAttachmentId: 'tgw-attach-1', transitGatewayId: 'tgw-1', resourceType: 'vpn', resourceId: 'vpn-1' },
    { transitGatewayAttachmentId: 'tgw-attach-2', transitGatewayId: 'tgw-1', resourceType: 'vpn', resourceId: 'vpn-2' },
    { transitGatewayAttachmentId: 'tgw-attach-vpc', transitGatewayId: 'tgw-1', resourceType: 'vpc', resourceId: 'vpc-1' },
  ];
  fake.tgwRouteTables = [
    {
      transitGatewayRouteTableId: 'tgw-rtb-1',
      transitGatewayId: 'tgw-1',
      routes: [
        { destinationCidrBlock: '10.240.0.0/16', transitGatewayAttachmentId: 'tgw-attach-1' },
        { destinationCidrBlock: '10.0.0.0/16', transitGatewayAttachmentId: 'tgw-attach-vpc' },
      ],
    },
  ];
});

const table = () => new TgwPathTable(ec2, new VpnInventory(ec2, { region: REGION }), { routeTableIds: ['tgw-rtb-1'] });
const target = (cidr: string) => fake.tgwRouteTables[0]!.routes.find((r) => r.destinationCidrBlock === cidr)?.transitGatewayAttachmentId;
const tid = (vpn: string, ip: string) => `aws:${REGION}:${vpn}:${ip}`;

it('lists only routes into VPN attachments, with the healthiest other VPN attachment as fallback', async () => {
  const paths = await table().list();
  expect(paths).toEqual([
    {
      key: 'tgw-rtb-1:10.240.0.0/16->tgw-attach-1',
      kind: 'aws-tgw-route',
      cloud: 'aws',
      destinations: ['10.240.0.0/16'],
      tunnelIds: [tid('vpn-1', '203.0.113.11'), tid('vpn-1', '203.0.113.12')],
      fallbackTunnelIds: [tid('vpn-2', '203.0.113.21'), tid('vpn-2', '203.0.113.22')],
      definition: {
        transitGatewayRouteTableId: 'tgw-rtb-1',
        destinationCidrBlock: '10.240.0.0/16',
        transitGatewayAttachmentId: 'tgw-attach-1',
        vpnConnectionId: 'vpn-1',
        fallback: { transitGatewayAttachmentId: 'tgw-attach-2', vpnConnectionId: 'vpn-2' },
      },
      // The route table is the routing domain: only routes of the same table back each other up.
      domain: 'tgw-rtb:tgw-rtb-1',
    },
  ]);
});

it('withdraw re-points with ReplaceTransitGatewayRoute, restore points back; both idempotent', async () => {
  const t = table();
  const [p] = await t.list();
  expect(await t.withdraw(p!)).toBe('applied');
  expect(target('10.240.0.0/16')).toBe('tgw-attach-2');
  expect(fake.count('ReplaceTransitGatewayRoute')).toBe(1);
  expect(fake.count('DeleteTransitGatewayRoute')).toBe(0);
  expect(await t.withdraw(p!)).toBe('already-in-state');
  // After the re-point the prefix is a different path: into the alternate.
  expect((await t.list()).map((x) => x.key)).toEqual(['tgw-rtb-1:10.240.0.0/16->tgw-attach-2']);
  expect(await t.restore(structuredClone(p!))).toBe('applied');
  expect(target('10.240.0.0/16')).toBe('tgw-attach-1');
  expect(await t.restore(p!)).toBe('already-in-state');
  expect(fake.count('ReplaceTransitGatewayRoute')).toBe(2);
});

it('without a healthy alternate, withdraw deletes the route and restore re-creates it exactly', async () => {
  fake.connections[1]!.tunnels.forEach((x) => (x.status = 'DOWN'));
  const t = table();
  const [p] = await t.list();
  expect(p!.fallbackTunnelIds).toBeUndefined();
  expect(p!.definition).not.toHaveProperty('fallback');
  const original = structuredClone(fake.tgwRouteTables[0]!.routes);
  expect(await t.withdraw(p!)).toBe('applied');
  expect(target('10.240.0.0/16')).toBeUndefined();
  const mutating = () => fake.calls.filter((c) => /^(Create|Delete|Replace)TransitGatewayRoute$/.test(c.action));
  expect(mutating()).toEqual([
    {
      action: 'DeleteTransitGatewayRoute',
      params: expect.objectContaining({ TransitGatewayRouteTableId: 'tgw-rtb-1', DestinationCidrBlock: '10.240.0.0/16' }),
    },
  ]);
  // The VPC route in the same table is not touched.
  expect(target('10.0.0.0/16')).toBe('tgw-attach-vpc');
  expect(await t.withdraw(p!)).toBe('already-in-state');
  fake.calls = [];
  expect(await t.restore(p!)).toBe('applied');
  expect(mutating()).toEqual([
    {
      action: 'CreateTransitGatewayRoute',
      params: expect.objectContaining({
        TransitGatewayRouteTableId: 'tgw-rtb-1',
        DestinationCidrBlock: '10.240.0.0/16',
        TransitGatewayAttachmentId: 'tgw-attach-1',
      }),
    },
  ]);
  // Exactly the route that was there: same prefix, same attachment, nothing else in the table changed.
  const byCidr = (rs: typeof original) => [...rs].sort((a, b) => a.destinationCidrBlock.localeCompare(b.destinationCidrBlock));
  expect(byCidr(fake.tgwRouteTables[0]!.routes)).toEqual(byCidr(original));
  expect(await t.restore(p!)).toBe('already-in-state');
});

it('the fallback is the other VPN attachment on the same TGW with the most UP tunnels (ties: by id), never one on another TGW', async () => {
  fake.connections.push(
    {
      vpnConnectionId: 'vpn-3',
      transitGatewayId: 'tgw-1',
      tunnels: [
        { outsideIpAddress: '203.0.113.31', status: 'UP' },
        { outsideIpAddress: '203.0.113.32', status: 'UP' },
      ],
      routes: [],
    },
    {
      vpnConnectionId: 'vpn-4',
      transitGatewayId: 'tgw-1',
      tunnels: [
        { outsideIpAddress: '203.0.113.41', status: 'UP' },
        { outsideIpAddress: '203.0.113.42', status: 'UP' },
      ],
      routes: [],
    },
    {
      vpnConnectionId: 'vpn-5',
      transitGatewayId: 'tgw-2',
      tunnels: [
        { outsideIpAddress: '203.0.113.51', status: 'UP' },
        { outsideIpAddress: '203.0.113.52', status: 'UP' },
      ],
      routes: [],
    },
  );
  fake.tgwAttachments.push(
    // Listed before tgw-attach-3 on purpose: the tie between vpn-3 and vpn-4 is broken by attachment id, not order.
    { transitGatewayAttachmentId: 'tgw-attach-4', transitGatewayId: 'tgw-1', resourceType: 'vpn', resourceId: 'vpn-4' },
    { transitGatewayAttachmentId: 'tgw-attach-3', transitGatewayId: 'tgw-1', resourceType: 'vpn', resourceId: 'vpn-3' },
    // Healthier than any, but on another Transit Gateway: traffic of tgw-1 cannot go there.
    { transitGatewayAttachmentId: 'tgw-attach-0', transitGatewayId: 'tgw-2', resourceType: 'vpn', resourceId: 'vpn-5' },
  );
  const [p] = await table().list();
  expect(p!.definition).toMatchObject({ fallback: { transitGatewayAttachmentId: 'tgw-attach-3', vpnConnectionId: 'vpn-3' } });
  expect(p!.fallbackTunnelIds).toEqual([tid('vpn-3', '203.0.113.31'), tid('vpn-3', '203.0.113.32')]);
});

it('classifies throttling as transient and changes nothing', async () => {
  const t = table();
  const [p] = await t.list();
  fake.fail({ action: 'ReplaceTransitGatewayRoute', status: 400, code: 'RequestLimitExceeded' });
  await expect(t.withdraw(p!)).rejects.toBeInstanceOf(TransientError);
  expect(target('10.240.0.0/16')).toBe('tgw-attach-1');
});

describe('a route table larger than one SearchTransitGatewayRoutes answer (AdditionalRoutesAvailable)', () => {
  // 0.0.0.0/0, a /8 and everything nested in it, hosts, other ranges, IPv6: routes equal to a split range must be found too.
  const prefixes = [
    '0.0.0.0/0',
    '10.0.0.0/8',
    ...Array.from({ length: 24 }, (_, i) => `10.${i}.0.0/16`),
    ...Array.from({ length: 8 }, (_, i) => `10.200.${i}.0/24`),
    '10.200.0.7/32',
    '128.0.0.0/1',
    '172.16.0.0/12',
    '192.168.1.0/24',
    ...Array.from({ length: 6 }, (_, i) => `fd00:${i}::/48`),
    '::/0',
  ];

  beforeEach(() => {
    fake.tgwRouteTables[0]!.routes = prefixes.map((destinationCidrBlock) => ({
      destinationCidrBlock,
      transitGatewayAttachmentId: 'tgw-attach-1',
    }));
  });

  it('finds every route by narrowing prefix ranges when answers are cut', async () => {
    fake.searchRouteLimit = 5;
    const paths = await table().list();
    expect(paths.map((p) => p.destinations[0]).sort()).toEqual([...prefixes].sort());
    expect(fake.count('SearchTransitGatewayRoutes')).toBeGreaterThan(1);
    // It always asks for the largest answer EC2 gives (fewer, bigger calls); the fake cuts below that.
    expect(fake.calls.filter((c) => c.action === 'SearchTransitGatewayRoutes').every((c) => c.params.MaxResults === '1000')).toBe(true);
  });

  it('needs one call when the table fits in one answer', async () => {
    expect((await table().list()).length).toBe(prefixes.length);
    expect(fake.count('SearchTransitGatewayRoutes')).toBe(1);
  });

  it('one plain search would have hidden routes (what the fake answers when cut)', async () => {
    fake.searchRouteLimit = 5;
    const { SearchTransitGatewayRoutesCommand } = await import('@aws-sdk/client-ec2');
    const r = await ec2.send(
      new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: 'tgw-rtb-1', Filters: [{ Name: 'type', Values: ['static'] }] }),
    );
    expect(r.Routes).toHaveLength(5);
    expect(r.AdditionalRoutesAvailable).toBe(true);
  });

  it.each([
    ['0.0.0.0/0', ['0.0.0.0/1', '128.0.0.0/1']],
    ['10.0.0.0/8', ['10.0.0.0/9', '10.128.0.0/9']],
    ['10.200.0.6/31', ['10.200.0.6/32', '10.200.0.7/32']],
    ['::/0', ['::/1', '8000::/1']],
    ['fd00:1::/48', ['fd00:1::/49', 'fd00:1:0:8000::/49']],
  ])('splits %s into its two halves', (cidr, halves) => {
    expect(splitCidr(cidr)).toEqual(halves);
  });

  it('cannot split a host route', () => {
    expect(splitCidr('10.0.0.1/32')).toBeUndefined();
  });
});
