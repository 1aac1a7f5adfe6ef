/**
 * Entry of the `dist/clouds-aws.js` bundle: the AWS side of `--target clouds` (the Lambda's composition root,
 * discovery of VPN connections and alarms, doctor's AWS checks).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import type { TunnelStatus } from '../../shared/types';
import { VpnInventory } from '../../functions/adapters/vpn-inventory';
import { VpnTunnelHealthView } from '../../functions/adapters/vpn-tunnel-health';
import { UsageError } from '../io';
import type { DoctorCheck, SideModule } from '../seat';
import { awsAlarms, tunnelOfAlarm } from './aws-alarms';
import { awsEndpointOf, composeAwsSide, preflightAws, resolveAwsRegion } from './aws-side';
import { boundedAwsConfig, CloudUnavailableError, explainAwsError } from './bounded';
import { doctorAws } from './doctor-aws';
import { runOnSide, sideLogger } from './side-run';

export const side: SideModule = {
  async open(o) {
    const region = await resolveAwsRegion(o.env);
    const { edge, hasTopic } = await composeAwsSide(o.env, region, o.cwd, sideLogger(o)); // bad configuration fails before any call
    for (const w of await preflightAws(o.env, region)) o.stderr(`warning: ${w}\n`);
    const { deps } = edge;
    return {
      cloud: 'aws',
      where: `aws:${region} table ${o.env.TUNNEL_GUARD_TABLE}`,
      async read() {
        const [tunnels, paths, records] = await Promise.all([
          deps.clouds.aws!.tunnels.list(),
          deps.clouds.aws!.paths.list(),
          deps.ledger.list(),
        ]);
        return { tunnels, paths, records };
      },
      async run(command, clock, preview) {
        if (!preview && !hasTopic) {
          throw new UsageError(
            "--target clouds: TUNNEL_GUARD_TOPIC_ARN is not set. The AWS function publishes every decision to that topic; an operator's change is a decision too, so set it to the deployment's topic (--dry-run works without it)",
          );
        }
        return runOnSide(deps, command, clock, preview);
      },
    };
  },

  /** The VPN connections of every region given (default: the SDK's region) and the alarms that watch them. */
  async discover(o) {
    const regions = o.awsRegions.length ? o.awsRegions : [await resolveAwsRegion(o.env)];
    const alarmTunnels: Record<string, string> = {};
    const sources: string[] = [];
    const warnings: string[] = [];
    const perRegion = await Promise.all(
      regions.map(async (region) => {
        const ec2 = new EC2Client(boundedAwsConfig(o.env, region));
        try {
          const tunnels: TunnelStatus[] = await new VpnTunnelHealthView(new VpnInventory(ec2, { region })).list();
          sources.push(`aws:${region} (${tunnels.length} tunnel(s))`);
          return { region, tunnels };
        } catch (e) {
          throw new CloudUnavailableError(explainAwsError(e, `AWS ${region}: DescribeVpnConnections`, awsEndpointOf(o.env, 'ec2', region)));
        } finally {
          ec2.destroy();
        }
      }),
    );
    const known = new Set(perRegion.flatMap((r) => r.tunnels.map((t) => t.ref.id)));
    for (const { region } of perRegion) {
      try {
        for (const alarm of await awsAlarms(o.env, region)) {
          const id = tunnelOfAlarm(alarm, region);
          if (id && known.has(id) && alarm.AlarmName) alarmTunnels[alarm.AlarmName] = id;
        }
      } catch (e) {
        warnings.push(
          explainAwsError(e, `AWS ${region}: DescribeAlarms (alarmTunnels left empty for it)`, awsEndpointOf(o.env, 'cloudwatch', region)),
        );
      }
    }
    return { tunnels: perRegion.flatMap((r) => r.tunnels), alarmTunnels, policyTunnels: {}, sources, warnings };
  },

  async doctor(o, config) {
    return doctorAws(o.env, await resolveAwsRegion(o.env), config);
  },

  /** The GCP end publishes link messages to this topic; the Lambda must be subscribed to it. */
  async linkTopicCheck(o, topic): Promise<DoctorCheck> {
    const region = topic.split(':')[3] || o.env.AWS_REGION || 'us-east-1';
    const sns = new SNSClient(boundedAwsConfig(o.env, region));
    const check = (status: DoctorCheck['status'], detail: string, fix?: string): DoctorCheck => ({
      cloud: 'links',
      name: 'GCP → AWS',
      status,
      detail,
      ...(fix ? { fix } : {}),
    });
    try {
      const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }));
      const lambdas = (subs.Subscriptions ?? []).filter((s) => s.Protocol === 'lambda');
      return lambdas.length
        ? check('pass', `${topic} → ${lambdas.map((s) => s.Endpoint).join(', ')}`)
        : check('fail', `${topic} exists but no Lambda is subscribed`, 'redeploy the AWS half (serverless.yml subscribes tunnelAlarm)');
    } catch (e) {
      return check(
        'fail',
        explainAwsError(e, `ListSubscriptionsByTopic ${topic}`, awsEndpointOf(o.env, 'sns', region)),
        'fix TUNNEL_GUARD_AWS_LINK_TOPIC_ARN, or redeploy',
      );
    } finally {
      sns.destroy();
    }
  },
};
