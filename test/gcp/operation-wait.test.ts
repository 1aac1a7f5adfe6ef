/**
 * Waiting for Compute operations is bounded by one overall deadline, below the function timeout: an operation that
 * never finishes becomes a clear TransientError in time (the platform retries, reconcile finishes from the ledger),
 * instead of the function being killed mid-invocation. Real clients against the Compute REST fake.
 */
import { DEFAULT_WAIT_DEADLINE_MS, waitOperation } from '../../gcp-functions/adapters/compute-calls';
import { StaticRoutePaths } from '../../gcp-functions/adapters/static-route-paths';
import { BgpPeerPaths } from '../../gcp-functions/adapters/bgp-peer-paths';
import { TransientError } from '../../shared/errors';
import { NETWORK, PROJECT, REGION, startCompute, tunnelUrl } from './support/compute';

type Env = Awaited<ReturnType<typeof startCompute>>;
let env: Env;

beforeEach(async () => {
  env = await startCompute();
  env.fake.addRoute(PROJECT, {
    name: 'to-aws-via-t1',
    network: NETWORK,
    destRange: '10.0.0.0/16',
    priority: 1000,
    nextHopVpnTunnel: tunnelUrl('t1'),
  });
});
afterEach(() => env.stop());

it('stays below the 300 s function timeout by default', () => {
  expect(DEFAULT_WAIT_DEADLINE_MS).toBeLessThan(300_000);
  expect(DEFAULT_WAIT_DEADLINE_MS).toBeGreaterThanOrEqual(120_000); // one server-side wait may block ~2 min
});

it.each([
  ['short waits that answer RUNNING', 20],
  ['one wait that blocks longer than the whole deadline', 10_000],
])('a route delete whose operation never finishes fails within the deadline (%s)', async (_name, holdMs) => {
  env.fake.runningPolls = Number.POSITIVE_INFINITY;
  env.fake.waitHoldMs = holdMs;
  const table = new StaticRoutePaths(env.clients, { project: PROJECT, regions: [REGION], waitDeadlineMs: 400 });
  const [path] = await table.list();
  const started = Date.now();
  const err = await table.withdraw(path!).catch((e: unknown) => e);
  const took = Date.now() - started;
  expect(err).toBeInstanceOf(TransientError);
  expect((err as Error).message).toMatch(/routes\.delete .*operation operation-\S+ not DONE within 0 s/);
  expect(took).toBeGreaterThanOrEqual(350);
  expect(took).toBeLessThan(2_000);
});

it('a BGP peer change whose operation never finishes fails within the deadline too', async () => {
  env.fake.runningPolls = Number.POSITIVE_INFINITY;
  env.fake.waitHoldMs = 10_000;
  env.fake.addRouter(
    PROJECT,
    REGION,
    {
      name: 'cr-aws',
      network: NETWORK,
      bgp: { asn: 65000 },
      interfaces: [{ name: 'if-0', linkedVpnTunnel: tunnelUrl('ha-t0'), ipRange: '169.254.10.2/30' }],
      bgpPeers: [
        {
          name: 'aws-peer-0',
          interfaceName: 'if-0',
          ipAddress: '169.254.10.2',
          peerIpAddress: '169.254.10.1',
          peerAsn: 64512,
          enable: 'TRUE',
        },
      ],
    },
    { network: NETWORK, bestRoutes: [{ destRange: '10.0.0.0/16', nextHopIp: '169.254.10.1', priority: 100 }] },
  );
  const table = new BgpPeerPaths(env.clients, { project: PROJECT, regions: [REGION], waitDeadlineMs: 400 });
  const [path] = await table.list();
  const started = Date.now();
  await expect(table.withdraw(path!)).rejects.toThrow(/not DONE within/);
  expect(Date.now() - started).toBeLessThan(2_000);
});

it('an operation already DONE needs no wait call; a failed DONE operation is reported, not waited on', async () => {
  const wait = jest.fn();
  await expect(waitOperation('x', { name: 'op', status: 'DONE' }, wait)).resolves.toEqual({ ok: true });
  await expect(
    waitOperation('x', { name: 'op', status: 'DONE', error: { errors: [{ code: 'RESOURCE_NOT_FOUND', message: 'gone' }] } }, wait),
  ).resolves.toMatchObject({ ok: false, codes: ['RESOURCE_NOT_FOUND'] });
  expect(wait).not.toHaveBeenCalled();
});

it('passes the time left to each wait call, so the client call itself is bounded', async () => {
  let t = 0;
  const seen: number[] = [];
  const r = await waitOperation(
    'x',
    { name: 'op', status: 'RUNNING' },
    async (_op, left) => {
      seen.push(left);
      t += 1_000;
      return { name: 'op', status: seen.length < 3 ? 'RUNNING' : 'DONE' };
    },
    { deadlineMs: 10_000, now: () => t },
  );
  expect(r).toEqual({ ok: true });
  expect(seen).toEqual([10_000, 9_000, 8_000]);
});
