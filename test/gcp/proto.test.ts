import { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client';
import { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client';
import { PassThroughClient } from 'google-auth-library';
import { ComputeRestFake } from '../fakes/compute-rest-fake';
it('proto', async () => {
  const fake = new ComputeRestFake(); const port = await fake.start();
  fake.addRoute('p', { name: 'r1', network: 'https://www.googleapis.com/compute/v1/projects/p/global/networks/default', destRange: '10.0.0.0/16', priority: 1000, nextHopVpnTunnel: 'https://www.googleapis.com/compute/v1/projects/p/regions/asia-northeast1/vpnTunnels/t1' });
  const o = { apiEndpoint: '127.0.0.1', port, protocol: 'http', authClient: new PassThroughClient() } as any;
  const routes = new RoutesClient(o); const ops = new GlobalOperationsClient(o);
  const all = []; for await (const r of routes.listAsync({ project: 'p', filter: 'nextHopVpnTunnel:*' })) all.push(r);
  console.log(JSON.stringify(all), Object.keys(all[0]!), all[0]!.tags, (all[0] as any).description);
  const [lro] = await routes.delete({ project: 'p', route: 'r1' });
  console.log(Object.keys(lro), (lro as any).latestResponse, typeof (lro as any).promise);
  const [w] = await ops.wait({ project: 'p', operation: (lro as any).latestResponse.name });
  console.log(w);
  try { await routes.delete({ project: 'p', route: 'nope' }); } catch (e: any) { console.log(e.constructor.name, e.code, e.httpStatusCode, e.message, e.statusDetails); }
  await routes.close(); await ops.close(); await fake.stop();
});
