/**
 * `discover --target clouds`: read what exists and propose the configuration. AWS: the VPN connections of every
 * region given and the CloudWatch alarms on their tunnels; GCP: every VPN tunnel of the project (one aggregated
 * list, all regions), the Cloud Routers (to name each tunnel's BGP peer) and the alert policies. Pairing is the
 * simulator's (`discoverLinks`: GCP peerIp = AWS outside IP, one-to-one or not at all). Read-only.
 *
 * APIs: EC2 DescribeVpnConnections; CloudWatch DescribeAlarms
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html); Compute
 * vpnTunnels.aggregatedList / routers.aggregatedList
 * (https://cloud.google.com/compute/docs/reference/rest/v1/vpnTunnels/aggregatedList); Cloud Monitoring
 * projects.alertPolicies.list (https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.alertPolicies/list).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { discoverLinks } from '../../shared/discover';
import type { TunnelStatus } from '../../shared/types';
import { VpnInventory } from '../../functions/adapters/vpn-inventory';
import { VpnTunnelHealthView } from '../../functions/adapters/vpn-tunnel-health';
import type { CloudDiscovery, SeatOptions } from '../seat';
import { participatingClouds } from '../target';
import { awsEndpointOf, resolveAwsRegion } from './aws-side';
import { awsAlarms, tunnelOfAlarm } from './aws-alarms';
import { boundedAwsConfig, CloudUnavailableError, explainAwsError, explainGcpError } from './bounded';
import { gcpEndpoints, resolveGcpAuth } from './gcp-api';
import { listAlertPolicies, tunnelNamesOfPolicy } from './gcp-alerting';
import { listGcpTunnels } from './gcp-tunnels';
import { gcpProjectOf } from './gcp-side';
import { cloudsEnv } from './seat';

export async function discoverClouds(opts: SeatOptions & { awsRegions: string[] }): Promise<CloudDiscovery> {
  const env = cloudsEnv(opts.env);
  const clouds = participatingClouds(env, 'inventory', { aws: opts.awsRegions.length > 0 });
  const warnings: string[] = [];
  const sources: string[] = [];
  const alarmTunnels: Record<string, string> = {};
  const policyTunnels: Record<string, string> = {};
  let aws: TunnelStatus[] = [];
  let gcp: TunnelStatus[] = [];

  await Promise.all([
    (async () => {
      if (!clouds.includes('aws')) return;
      const regions = opts.awsRegions.length ? opts.awsRegions : [await resolveAwsRegion(env)];
      const perRegion = await Promise.all(
        regions.map(async (region) => {
          const ec2 = new EC2Client(boundedAwsConfig(env, region));
          try {
            const tunnels = await new VpnTunnelHealthView(new VpnInventory(ec2, { region })).list();
            sources.push(`aws:${region} (${tunnels.length} tunnel(s))`);
            return { region, tunnels };
          } catch (e) {
            throw new CloudUnavailableError(explainAwsError(e, `AWS ${region}: DescribeVpnConnections`, awsEndpointOf(env, 'ec2', region)));
          } finally {
            ec2.destroy();
          }
        }),
      );
      aws = perRegion.flatMap((r) => r.tunnels);
      const known = new Set(aws.map((t) => t.ref.id));
      for (const { region } of perRegion) {
        try {
          for (const alarm of await awsAlarms(env, region)) {
            const id = tunnelOfAlarm(alarm, region);
            if (id && known.has(id) && alarm.AlarmName) alarmTunnels[alarm.AlarmName] = id;
          }
        } catch (e) {
          warnings.push(explainAwsError(e, `AWS ${region}: DescribeAlarms (alarmTunnels left empty for it)`, awsEndpointOf(env, 'cloudwatch', region)));
        }
      }
    })(),
    (async () => {
      if (!clouds.includes('gcp')) return;
      const project = gcpProjectOf(env);
      const auth = await resolveGcpAuth(env);
      const ep = gcpEndpoints(env);
      try {
        gcp = await listGcpTunnels(env, auth, project);
      } catch (e) {
        throw new CloudUnavailableError(explainGcpError(e, `GCP ${project}: vpnTunnels.aggregatedList`, ep.compute));
      }
      sources.push(`gcp:${project} (aggregated, ${gcp.length} tunnel(s))`);
      try {
        const byName = new Map<string, string[]>();
        for (const t of gcp) if (t.ref.cloud === 'gcp') byName.set(t.ref.native.name, [...(byName.get(t.ref.native.name) ?? []), t.ref.id]);
        for (const p of await listAlertPolicies(env, auth, project)) {
          const names = tunnelNamesOfPolicy(p);
          // Only a policy about exactly one tunnel can stand for it when a notification lacks the tunnel label.
          const ids = names.length === 1 ? byName.get(names[0]!) ?? [] : [];
          if (ids.length === 1 && p.displayName) policyTunnels[p.displayName] = ids[0]!;
        }
      } catch (e) {
        warnings.push(explainGcpError(e, `GCP ${project}: alertPolicies.list (policyTunnels left empty)`, ep.monitoring));
      }
    })(),
  ]);

  const d = discoverLinks(aws, gcp);
  const tunnels = [...aws, ...gcp].map((t) => t.ref.id).sort();
  const paired = d.links.flatMap((l) => [l.gcp, l.aws]).sort();
  return { ...d, tunnels, alarmTunnels, policyTunnels, scope: paired.length ? paired : tunnels, sources: sources.sort(), warnings };
}
