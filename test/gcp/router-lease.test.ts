/**
 * Two function instances (two adapters, two in-process locks) changing peers of one Cloud Router at the same time:
 * without the router lease one change is silently lost (`routers.patch` replaces the whole list and this client has
 * no fingerprint); with it, both land. Real RoutersClient against the Compute REST fake, real Storage client
 * against the GCS fake.
 */
import { Storage } from '@google-cloud/storage';
import { BgpPeerPaths } from '../../gcp-functions/adapters/bgp-peer-paths';
import { GcsRouterLease } from '../../gcp-functions/adapters/router-lease';
import { GcsFake } from '../fakes/gcs-fake';
import { testAuthClient } from './support/auth';
import { NETWORK, PROJECT, REGION, startCompute, tunnelUrl } from './support/compute';

const peer = (i: number, extra: object = {}) => ({
  name: `peer-${i}`,
  interfaceName: `if-${i}`,
  ipAddress: `169.254.1${i}.2`,
  peerIpAddress: `169.254.1${i}.1`,
  peerAsn: 64512,
  advertisedRoutePriority: 100,
  ...extra,
});
const where = { project: PROJECT, region: REGION, router: 'cr' };
const pathOf = (i: number, extra: object = {}) => ({
  key: `k${i}`,
  kind: 'gcp-bgp-peer' as const,
  cloud: 'gcp' as const,
  destinations: [],
  tunnelIds: [],
  definition: { ...where, peer: peer(i, extra) },
});

async function race(withLease: boolean) {
  const env = await startCompute();
  const gcs = new GcsFake();
  await gcs.start();
  try {
    env.fake.addRouter(
      PROJECT,
      REGION,
      {
        name: 'cr',
        network: NETWORK,
        bgp: { asn: 65000 },
        interfaces: [0, 1, 2].map((i) => ({ name: `if-${i}`, linkedVpnTunnel: tunnelUrl(`t${i}`), ipRange: `169.254.1${i}.2/30` })),
        bgpPeers: [peer(0, { enable: 'FALSE' }), peer(1), peer(2)],
      },
      { network: NETWORK, bestRoutes: [] },
    );
    // Slow patches widen the read → patch window, as a real routers.patch (seconds) does.
    const slowClients = {
      ...env.clients,
      routers: new Proxy(env.clients.routers, {
        get(t, k) {
          const v = (t as any)[k];
          if (k === 'patch')
            return async (...a: unknown[]) => {
              await new Promise((r) => setTimeout(r, 150));
              return v.apply(t, a);
            };
          return typeof v === 'function' ? v.bind(t) : v;
        },
      }),
    };
    const storage = new Storage({
      apiEndpoint: gcs.endpoint,
      projectId: PROJECT,
      authClient: testAuthClient() as never,
      retryOptions: { autoRetry: false, maxRetries: 0 },
    });
    const lease = () => (withLease ? { lease: new GcsRouterLease(storage.bucket('tg-ledger')) } : {});
    const A = new BgpPeerPaths(slowClients as never, { project: PROJECT, regions: [REGION], ...lease() });
    const B = new BgpPeerPaths(slowClients as never, { project: PROJECT, regions: [REGION], ...lease() });
    const results = await Promise.allSettled([A.restore(pathOf(0) as never), B.withdraw(pathOf(2) as never)]);
    const [router] = await env.clients.routers.get({ project: PROJECT, region: REGION, router: 'cr' });
    const state = Object.fromEntries((router.bgpPeers ?? []).map((x: any) => [x.name, x.enable ?? 'TRUE']));
    return { results: results.map((r) => (r.status === 'fulfilled' ? r.value : 'rejected')), state };
  } finally {
    await env.stop();
    await gcs.stop();
  }
}

describe('router lease across function instances', () => {
  it('without it, a concurrent change can be lost (the test can fail)', async () => {
    const r = await race(false);
    const bothLanded = r.state['peer-0'] === 'TRUE' && r.state['peer-2'] === 'FALSE';
    const bothReportedOk = r.results.every((x) => x === 'applied');
    expect(bothLanded && bothReportedOk).toBe(false);
  });

  it('with it, both changes land and both report applied', async () => {
    const r = await race(true);
    expect(r.results).toEqual(['applied', 'applied']);
    expect(r.state).toEqual({ 'peer-0': 'TRUE', 'peer-1': 'TRUE', 'peer-2': 'FALSE' });
  });
});
