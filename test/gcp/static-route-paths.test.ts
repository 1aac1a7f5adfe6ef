import { PermanentError, TransientError } from '../../shared/errors';
import { GCP_ROUTE_WRITABLE_FIELDS } from '../../clouds/gcp/route';
import { gcpTunnelId } from '../../shared/types';
import { StaticRoutePaths, networkDomain } from '../../gcp-functions/adapters/static-route-paths';
import { NETWORK, PROJECT, REGION, startCompute, tunnelUrl } from './support/compute';

type Env = Awaited<ReturnType<typeof startCompute>>;
let env: Env;
let table: StaticRoutePaths;

const seed = () => {
  env.fake.addRoute(PROJECT, {
    name: 'to-aws-via-t1',
    network: NETWORK,
    destRange: '10.0.0.0/16',
    priority: 1000,
    tags: ['vpn'],
    description: 'AWS VPC via tunnel 1',
    nextHopVpnTunnel: tunnelUrl('t1'),
  });
  env.fake.addRoute(PROJECT, {
    name: 'to-aws-via-t2',
    network: NETWORK,
    destRange: '10.0.0.0/16',
    priority: 1000,
    nextHopVpnTunnel: tunnelUrl('t2'),
  });
  env.fake.addRoute(PROJECT, {
    name: 'to-aws-extra-t1',
    network: NETWORK,
    destRange: '10.1.0.0/16',
    priority: 900,
    nextHopVpnTunnel: tunnelUrl('t1'),
  });
  env.fake.addRoute(PROJECT, {
    name: 'default-internet',
    network: NETWORK,
    destRange: '0.0.0.0/0',
    priority: 1000,
    nextHopGateway: 'https://www.googleapis.com/compute/v1/projects/example-project/global/gateways/default-internet-gateway',
  });
};

beforeEach(async () => {
  env = await startCompute();
  env.fake.runningPolls = 1; // every operation answers RUNNING once: the adapter must keep waiting
  seed();
  table = new StaticRoutePaths(env.clients, { project: PROJECT, regions: [REGION] });
});
afterEach(() => env.stop());

const byKey = async () => Object.fromEntries((await table.list()).map((p) => [p.key, p]));

describe('StaticRoutePaths (real RoutesClient against the Compute REST fake)', () => {
  it('lists only routes into VPN tunnels, across pages, with the tunnel id and the writable definition', async () => {
    const paths = await byKey();
    expect(Object.keys(paths).sort()).toEqual([
      `projects/${PROJECT}/global/routes/to-aws-extra-t1`,
      `projects/${PROJECT}/global/routes/to-aws-via-t1`,
      `projects/${PROJECT}/global/routes/to-aws-via-t2`,
    ]);
    const p = paths[`projects/${PROJECT}/global/routes/to-aws-via-t1`]!;
    expect(p).toMatchObject({ kind: 'gcp-static-route', cloud: 'gcp', destinations: ['10.0.0.0/16'] });
    expect(p.tunnelIds).toEqual([gcpTunnelId({ project: PROJECT, region: REGION, name: 't1' })]);
    expect(p.definition).toEqual({
      name: 'to-aws-via-t1',
      network: NETWORK,
      destRange: '10.0.0.0/16',
      priority: 1000,
      tags: ['vpn'],
      description: 'AWS VPC via tunnel 1',
      nextHopVpnTunnel: tunnelUrl('t1'),
    });
    for (const k of Object.keys(p.definition)) expect(GCP_ROUTE_WRITABLE_FIELDS).toContain(k);
    // The filter is sent to the API, and the listing really paged (page size 2, 4 routes).
    const lists = env.fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/global/routes'));
    expect(lists.length).toBeGreaterThanOrEqual(2);
    expect(lists[0]!.query.get('filter')).toBe('nextHopVpnTunnel:*');
  });

  it('sets the routing domain (the network, as its full URL) and the instance tags the route applies to', async () => {
    // The same network written as `projects/P/global/networks/N`: one domain all the same.
    env.fake.addRoute(PROJECT, {
      name: 'to-aws-relative-t2',
      network: `projects/${PROJECT}/global/networks/vpc-main`,
      destRange: '10.3.0.0/16',
      priority: 1000,
      nextHopVpnTunnel: tunnelUrl('t2'),
    });
    env.fake.addRoute(PROJECT, {
      name: 'to-aws-other-vpc',
      network: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/vpc-other`,
      destRange: '10.0.0.0/16',
      priority: 1000,
      nextHopVpnTunnel: tunnelUrl('t2'),
    });
    const paths = await byKey();
    const key = (n: string) => `projects/${PROJECT}/global/routes/${n}`;
    expect(paths[key('to-aws-via-t1')]).toMatchObject({ domain: NETWORK, appliesTo: ['vpn'] });
    expect(paths[key('to-aws-via-t2')]).toMatchObject({ domain: NETWORK, appliesTo: [] });
    expect(paths[key('to-aws-relative-t2')]).toMatchObject({ domain: NETWORK, appliesTo: [] });
    expect(paths[key('to-aws-other-vpc')]!.domain).toBe(NETWORK.replace(/vpc-main$/, 'vpc-other'));
  });

  it('withdraws by delete, waits for the operation, and restores exactly the saved writable fields', async () => {
    const before = await byKey();
    const p = before[`projects/${PROJECT}/global/routes/to-aws-via-t1`]!;
    const original = env.fake.route(PROJECT, 'to-aws-via-t1')!;
    await expect(table.withdraw(p)).resolves.toBe('applied');
    expect(env.fake.route(PROJECT, 'to-aws-via-t1')).toBeUndefined();
    expect(env.fake.requests.some((r) => r.path.endsWith('/wait'))).toBe(true);

    await expect(table.restore(structuredClone(p))).resolves.toBe('applied');
    const restored = env.fake.route(PROJECT, 'to-aws-via-t1')!;
    for (const k of GCP_ROUTE_WRITABLE_FIELDS) expect(restored[k]).toEqual(original[k]);
    // Output-only fields were not sent (the fake rejects them, like Compute does).
    const insert = env.fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/global/routes'))!;
    expect(Object.keys(insert.body!).sort()).toEqual([
      'description',
      'destRange',
      'name',
      'network',
      'nextHopVpnTunnel',
      'priority',
      'tags',
    ]);
    expect(await byKey()).toEqual(before);
  });

  it('is idempotent: deleting a missing route and inserting an existing one are already-in-state', async () => {
    const p = (await byKey())[`projects/${PROJECT}/global/routes/to-aws-via-t2`]!;
    await expect(table.restore(p)).resolves.toBe('already-in-state');
    await expect(table.withdraw(p)).resolves.toBe('applied');
    await expect(table.withdraw(p)).resolves.toBe('already-in-state');
    expect(env.fake.mutations().filter((m) => m.startsWith('DELETE'))).toHaveLength(2);
  });

  it('reports a FAILED operation as an error and changes nothing', async () => {
    const p = (await byKey())[`projects/${PROJECT}/global/routes/to-aws-via-t1`]!;
    env.fake.faults.push({ method: 'routes.delete', kind: 'operation', message: 'route is in use' });
    await expect(table.withdraw(p)).rejects.toThrow(PermanentError);
    expect(env.fake.route(PROJECT, 'to-aws-via-t1')).toBeDefined();
    env.fake.faults.push({ method: 'routes.delete', kind: 'operation', message: 'backend', status: 503 });
    await expect(table.withdraw(p)).rejects.toThrow(TransientError);
  });

  it('classifies HTTP errors by what a retry would do', async () => {
    const p = (await byKey())[`projects/${PROJECT}/global/routes/to-aws-via-t1`]!;
    env.fake.faults.push({ method: 'routes.delete', kind: 'http', status: 503 });
    await expect(table.withdraw(p)).rejects.toThrow(TransientError);
    env.fake.faults.push({ method: 'routes.delete', kind: 'http', status: 403, message: 'forbidden' });
    await expect(table.withdraw(p)).rejects.toThrow(PermanentError);
    expect(env.fake.route(PROJECT, 'to-aws-via-t1')).toBeDefined();
  });

  it('restore over a same-name route: already-in-state only if it is the saved route, otherwise refused and left alone', async () => {
    const p = (await byKey())[`projects/${PROJECT}/global/routes/to-aws-via-t1`]!;
    await table.withdraw(p);
    await expect(table.restore(p)).resolves.toBe('applied');
    await expect(table.restore(p)).resolves.toBe('already-in-state'); // the same route: fine
    await table.withdraw(p);
    // Someone creates a route with the same name through another tunnel meanwhile.
    env.fake.addRoute(PROJECT, {
      name: 'to-aws-via-t1',
      network: NETWORK,
      destRange: '10.0.0.0/16',
      priority: 1000,
      nextHopVpnTunnel: tunnelUrl('t2'),
    });
    await expect(table.restore(p)).rejects.toThrow(/different route with this name exists \(.*nextHopVpnTunnel.*differ\)/);
    expect(env.fake.route(PROJECT, 'to-aws-via-t1')!.nextHopVpnTunnel).toContain('/t2');
  });

  it.each(['rateLimitExceeded', 'userRateLimitExceeded'])("treats Google's 403 %s (throttling) as transient", async (reason) => {
    const p = (await byKey())[`projects/${PROJECT}/global/routes/to-aws-via-t1`]!;
    env.fake.faults.push({ method: 'routes.delete', kind: 'http', status: 403, message: 'Rate Limit Exceeded', reason });
    await expect(table.withdraw(p)).rejects.toThrow(TransientError);
    expect(env.fake.route(PROJECT, 'to-aws-via-t1')).toBeDefined();
  });
});

describe('networkDomain: one string per VPC network, whatever form the API used', () => {
  it.each([
    NETWORK,
    `projects/${PROJECT}/global/networks/vpc-main`,
    `https://compute.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/vpc-main`,
    `https://www.googleapis.com/compute/beta/projects/${PROJECT}/global/networks/vpc-main`,
    'global/networks/vpc-main',
    'vpc-main',
  ])('%s → the full v1 URL', (form) => expect(networkDomain(form, PROJECT)).toBe(NETWORK));
  it('keeps projects apart and has no domain without a network', () => {
    expect(networkDomain('projects/other-project/global/networks/vpc-main', PROJECT)).not.toBe(NETWORK);
    expect(networkDomain(undefined, PROJECT)).toBeUndefined();
    expect(networkDomain('', PROJECT)).toBeUndefined();
  });
});

describe('StaticRoutePaths de-preference: make-before-break with the real RoutesClient', () => {
  const key = (n: string) => `projects/${PROJECT}/global/routes/${n}`;
  const mutations = () =>
    env.fake.requests
      .filter((r) => r.method !== 'GET' && r.path.includes('/global/routes'))
      .map((r) => `${r.method} ${r.method === 'POST' ? (r.body as { name: string }).name : r.path.split('/').pop()}`);

  it('marks routes it can de-prefer, inserts the standby copy, confirms it, then deletes the original; restore reverses it exactly', async () => {
    const before = await byKey();
    const p = before[key('to-aws-via-t1')]!;
    expect(p.canDeprefer).toBe(true);
    expect(await table.withdraw({ ...p, lever: 'deprefer' })).toBe('applied');
    // Insert first, delete last: the destination is never without a route through this tunnel.
    expect(mutations()).toEqual(['POST to-aws-via-t1-tg-standby', 'DELETE to-aws-via-t1']);
    const reads = env.fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/global/routes/to-aws-via-t1-tg-standby'));
    expect(reads.length).toBeGreaterThanOrEqual(1); // the read-back between the two
    const mid = await byKey();
    expect(mid[key('to-aws-via-t1')]).toBeUndefined();
    const standby = mid[key('to-aws-via-t1-tg-standby')]!;
    expect(standby).toMatchObject({
      standbyFor: key('to-aws-via-t1'),
      tunnelIds: p.tunnelIds,
      destinations: ['10.0.0.0/16'],
      appliesTo: ['vpn'],
    });
    expect(standby.canDeprefer).toBeUndefined();
    expect(standby.definition).toEqual({ ...p.definition, name: 'to-aws-via-t1-tg-standby', priority: 65535 });

    expect(await table.restore({ ...p, lever: 'deprefer' })).toBe('applied');
    expect(mutations().slice(2)).toEqual(['POST to-aws-via-t1', 'DELETE to-aws-via-t1-tg-standby']);
    expect(await byKey()).toEqual(before);
  });

  it('a run that died between the two calls leaves both routes; the next run finishes, and repeats are already-in-state', async () => {
    const p = (await byKey())[key('to-aws-via-t2')]!;
    env.fake.faults.push({ method: 'routes.delete', kind: 'http', status: 403, message: 'forbidden' });
    await expect(table.withdraw({ ...p, lever: 'deprefer' })).rejects.toBeInstanceOf(PermanentError);
    const mid = await byKey();
    expect(mid[key('to-aws-via-t2')]).toBeDefined();
    expect(mid[key('to-aws-via-t2-tg-standby')]).toBeDefined();
    expect(await table.withdraw({ ...p, lever: 'deprefer' })).toBe('applied'); // the copy is there (409, identical): only the delete runs
    expect(await table.withdraw({ ...p, lever: 'deprefer' })).toBe('already-in-state');
    expect(await table.restore({ ...p, lever: 'deprefer' })).toBe('applied');
    expect(await table.restore({ ...p, lever: 'deprefer' })).toBe('already-in-state');
    expect(Object.keys(await byKey()).filter((k) => k.includes('tg-standby'))).toEqual([]);
  });

  it('a foreign route under the standby name is not taken for the copy: nothing is deleted', async () => {
    const p = (await byKey())[key('to-aws-via-t2')]!;
    env.fake.addRoute(PROJECT, {
      name: 'to-aws-via-t2-tg-standby',
      network: NETWORK,
      destRange: '10.9.0.0/16',
      priority: 65535,
      nextHopVpnTunnel: tunnelUrl('t2'),
    });
    await expect(table.withdraw({ ...p, lever: 'deprefer' })).rejects.toThrow(/a different route with this name exists/);
    expect((await byKey())[key('to-aws-via-t2')]).toBeDefined();
  });

  it('a route already at the worst priority is not de-preferrable', async () => {
    env.fake.addRoute(PROJECT, {
      name: 'to-aws-last-resort',
      network: NETWORK,
      destRange: '10.4.0.0/16',
      priority: 65535,
      nextHopVpnTunnel: tunnelUrl('t2'),
    });
    const p = (await byKey())[key('to-aws-last-resort')]!;
    expect(p.canDeprefer).toBeUndefined();
    await expect(table.withdraw({ ...p, lever: 'deprefer' })).rejects.toBeInstanceOf(PermanentError);
  });
});
