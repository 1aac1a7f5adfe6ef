/** Real `@google-cloud/compute` clients pointed at the in-repo Compute REST fake. */
import { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client';
import { RegionOperationsClient } from '@google-cloud/compute/build/src/v1/region_operations_client';
import { RoutersClient } from '@google-cloud/compute/build/src/v1/routers_client';
import { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client';
import { VpnTunnelsClient } from '@google-cloud/compute/build/src/v1/vpn_tunnels_client';
import { ComputeRestFake } from '../../fakes/compute-rest-fake';
import { testAuthClient } from './auth';

export const PROJECT = 'example-project';
export const REGION = 'asia-northeast1';
export const NETWORK = `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/vpc-main`;
export const tunnelUrl = (name: string, region = REGION) =>
  `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/${region}/vpnTunnels/${name}`;

export async function startCompute() {
  const fake = new ComputeRestFake();
  const port = await fake.start();
  const o = { apiEndpoint: '127.0.0.1', port, protocol: 'http', authClient: testAuthClient() } as never;
  const clients = {
    routes: new RoutesClient(o),
    globalOperations: new GlobalOperationsClient(o),
    routers: new RoutersClient(o),
    regionOperations: new RegionOperationsClient(o),
    vpnTunnels: new VpnTunnelsClient(o),
  };
  const stop = async () => {
    await Promise.all(Object.values(clients).map((c) => c.close()));
    await fake.stop();
  };
  return { fake, clients, stop };
}
