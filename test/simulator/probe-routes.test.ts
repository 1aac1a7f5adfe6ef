/**
 * The routes that pin a link's probe are never paths: a drain must not withdraw them (the drained tunnel must stay
 * measured) and they never count as coverage for production prefixes — in the simulator and in the AWS adapter.
 */
import { gcpNetworkUrl, gcpTunnelUrl } from '../../clouds/gcp/urls';
import { vgwPathsOf } from '../../functions/adapters/vgw-static-paths';
import { openSimulator } from '../../simulator';

import { INCIDENT, gcpRoute, incidentTopology } from '../../simulator/topology';

function withProbes() {
  const s = incidentTopology();
  s.aws.probeTargets = ['10.240.255.10/32'];
  s.aws.vpnConnections[0]!.routes.push({ destinationCidrBlock: '10.240.255.10/32', source: 'Static', state: 'available' });
  s.gcp.routes.push(
    gcpRoute(
      INCIDENT.gcpProject,
      {
        name: 'tunnel-guard-probe-tunnel-aws-1',
        network: gcpNetworkUrl(INCIDENT.gcpProject, INCIDENT.gcpNetwork),
        destRange: '10.0.255.0/28',
        priority: 0,
        tags: [],
        description: 'probe return route',
        nextHopVpnTunnel: gcpTunnelUrl(INCIDENT.gcpProject, INCIDENT.gcpRegion, 'tunnel-aws-1'),
      },
      99,
    ),
  );
  return s;
}

describe('probe routes', () => {
  it('are not paths in the simulator, on either cloud', async () => {
    const sim = openSimulator('probe-routes', { inMemory: true, initial: withProbes });
    const aws = (await sim.ports('aws').paths.list()).flatMap((p) => p.destinations);
    const gcp = (await sim.ports('gcp').paths.list()).map((p) => String((p.definition as { name?: string }).name));
    expect(aws).not.toContain('10.240.255.10/32');
    expect(aws).toContain('10.240.0.0/16');
    expect(gcp).not.toContain('tunnel-guard-probe-tunnel-aws-1');
    expect(gcp).toContain('route-to-aws-via-tunnel-aws-1');
  });

  it('are not paths in the AWS adapter when the Lambda knows the probe targets', () => {
    const c = {
      vpnConnectionId: 'vpn-1',
      region: 'ap-northeast-1',
      vpnGatewayId: 'vgw-1',
      tunnels: [{ id: 'aws:ap-northeast-1:vpn-1:203.0.113.10', outsideIpAddress: '203.0.113.10', status: 'UP' }],
      staticRoutes: [
        { destinationCidrBlock: '10.240.0.0/16', state: 'available' },
        { destinationCidrBlock: '10.240.255.10/32', state: 'available' },
      ],
    } as unknown as Parameters<typeof vgwPathsOf>[0];
    expect(vgwPathsOf(c, new Set(['10.240.255.10/32'])).flatMap((p) => p.destinations)).toEqual(['10.240.0.0/16']);
    // Without the targets, a /32 is an ordinary route (nothing is guessed from its length).
    expect(vgwPathsOf(c).flatMap((p) => p.destinations)).toEqual(['10.240.0.0/16', '10.240.255.10/32']);
  });
});
