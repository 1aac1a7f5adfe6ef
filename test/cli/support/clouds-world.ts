/**
 * A small deployment for the operator CLI's `--target clouds` tests, on the real SDK clients: moto (DynamoDB
 * ledger table, SNS topics, CloudWatch alarms, EventBridge rule, STS), the in-repo EC2 fake (VPN connections and
 * their static routes), IAM fake (policy simulation), Compute and Cloud Storage fakes behind one Google front.
 *
 * Two AWS connections (two tunnels each) carry 10.1.0.0/16; two GCP Classic VPN tunnels carry 10.0.0.0/16, and
 * each GCP tunnel's peerIp is the first outside IP of one AWS connection (so discovery pairs them).
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { ComputeRestFake } from '../../fakes/compute-rest-fake';
import { Ec2QueryFake } from '../../fakes/ec2-query-fake';
import { GcsFake } from '../../fakes/gcs-fake';
import { GoogleFront } from '../../fakes/google-front';
import { IamQueryFake } from '../../fakes/iam-query-fake';
import { startMoto, type Moto } from '../../support/moto';

export const REGION = 'us-east-1';
export const PROJECT = 'example-project';
export const GCP_REGION = 'asia-northeast1';
export const TABLE = 'tunnel-guard-prod-ledger';
export const BUCKET = 'tg-ledger';
export const ROLE = 'arn:aws:iam::123456789012:role/tunnel-guard-prod-lambdaRole';
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:123456789012:function:tunnel-guard-prod-tunnelAlarm`;
export const FUNCTION_URL = 'https://tunnelincident-abc-an.a.run.app';
const GCP = 'https://www.googleapis.com/compute/v1';
export const NETWORK = `${GCP}/projects/${PROJECT}/global/networks/vpc-main`;
export const VPNS = ['vpn-0a1b2c3d4e5f60001', 'vpn-0a1b2c3d4e5f60002'];
export const outside = (conn: number, tunnel: number) => `203.0.113.${conn}${tunnel}`;
export const awsId = (conn: number, tunnel: number) => `aws:${REGION}:${VPNS[conn - 1]}:${outside(conn, tunnel)}`;
export const gcpId = (n: number) => `gcp:${PROJECT}:${GCP_REGION}:tunnel-aws-${n}`;

export interface World {
  moto: Moto;
  ec2: Ec2QueryFake;
  iam: IamQueryFake;
  compute: ComputeRestFake;
  gcs: GcsFake;
  front: GoogleFront;
  endpoints: { moto: string; ec2: string; iam: string; google: string };
  topicArn: string;
  linkTopicArn: string;
  /** The deployed functions' variables (as the README tells an operator to set them), plus the fakes' endpoints. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const moto = await startMoto();
  const ec2 = new Ec2QueryFake();
  const iam = new IamQueryFake();
  const compute = new ComputeRestFake();
  const gcs = new GcsFake();
  const [ec2Url, iamUrl] = await Promise.all([ec2.start(), iam.start(), compute.start(), gcs.start()]);
  const front = new GoogleFront(compute, gcs.port);
  await front.start();
  const world: World = {
    moto,
    ec2,
    iam,
    compute,
    gcs,
    front,
    endpoints: { moto: moto.endpoint, ec2: ec2Url, iam: iamUrl, google: front.endpoint },
    topicArn: '',
    linkTopicArn: '',
    env: {},
    stop: async () => {
      await Promise.all([front.stop(), compute.stop(), gcs.stop(), ec2.stop(), iam.stop()]);
      await moto.stop();
    },
  };
  await seed(world);
  return world;
}

/** Put the world back as it was (moto reset, fakes re-seeded). */
export async function seed(w: World): Promise<void> {
  await w.moto.reset();
  w.ec2.connections = VPNS.map((id, i) => ({
    vpnConnectionId: id,
    vpnGatewayId: 'vgw-0a1b2c3d4e5f60001',
    tunnels: [1, 2].map((t) => ({ outsideIpAddress: outside(i + 1, t), status: 'UP' as const })),
    routes: [{ destinationCidrBlock: '10.1.0.0/16', state: 'available' as const }],
  }));
  w.ec2.calls.length = 0;
  w.compute.state.routes.clear();
  w.compute.state.tunnels.clear();
  w.compute.state.routers.clear();
  w.compute.requests.length = 0;
  for (const n of [1, 2]) {
    w.compute.addTunnel(PROJECT, GCP_REGION, {
      name: `tunnel-aws-${n}`,
      status: 'ESTABLISHED',
      peerIp: outside(n, 1),
      targetVpnGateway: `${GCP}/projects/${PROJECT}/regions/${GCP_REGION}/targetVpnGateways/gw-aws-${n}`,
    });
    w.compute.addRoute(PROJECT, {
      name: `route-to-aws-via-tunnel-aws-${n}`,
      network: NETWORK,
      destRange: '10.0.0.0/16',
      priority: 1000,
      description: `AWS VPC via tunnel ${n}`,
      nextHopVpnTunnel: `${GCP}/projects/${PROJECT}/regions/${GCP_REGION}/vpnTunnels/tunnel-aws-${n}`,
    });
  }
  w.gcs.objects.clear();
  w.front.missingBuckets.clear();
  w.iam.allowed = new Map([
    [
      ROLE,
      new Set([
        'ec2:DescribeVpnConnections',
        'ec2:CreateVpnConnectionRoute',
        'ec2:DeleteVpnConnectionRoute',
        'ec2:CreateTags',
        'ec2:DeleteTags',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Scan',
        'sns:Publish',
      ]),
    ],
  ]);
  w.front.alertPolicies = [
    {
      name: `projects/${PROJECT}/alertPolicies/111`,
      displayName: 'tunnel-guard: VPN dropped packets',
      enabled: true,
      notificationChannels: [`projects/${PROJECT}/notificationChannels/222`],
      conditions: [
        {
          displayName: 'dropped',
          conditionThreshold: {
            filter: 'resource.type = "vpn_gateway" AND metric.type = "vpn.googleapis.com/network/dropped_received_packets_count"',
          },
        },
      ],
    },
    {
      name: `projects/${PROJECT}/alertPolicies/112`,
      displayName: 'tunnel-aws-1 established',
      enabled: true,
      notificationChannels: [`projects/${PROJECT}/notificationChannels/222`],
      conditions: [
        {
          displayName: 'down',
          conditionThreshold: {
            filter: 'metric.type = "vpn.googleapis.com/tunnel_established" AND metric.label.tunnel_name = "tunnel-aws-1"',
          },
        },
      ],
    },
  ];
  w.front.notificationChannels = [
    {
      name: `projects/${PROJECT}/notificationChannels/222`,
      type: 'webhook_basicauth',
      enabled: true,
      labels: { url: `${FUNCTION_URL}/`, username: 'monitoring' },
    },
  ];
  w.front.granted = new Set([
    'compute.routes.list',
    'compute.routes.get',
    'compute.routes.create',
    'compute.routes.delete',
    'compute.networks.updatePolicy',
    'compute.routers.list',
    'compute.routers.get',
    'compute.routers.update',
    'compute.routers.getRoutePolicy',
    'compute.routers.updateRoutePolicy',
    'compute.routers.deleteRoutePolicy',
    'compute.vpnTunnels.list',
    'compute.vpnTunnels.get',
    'compute.globalOperations.get',
    'compute.regionOperations.get',
    'monitoring.timeSeries.list',
    'storage.objects.get',
    'storage.objects.list',
    'storage.objects.create',
    'storage.objects.delete',
  ]);

  const cfg = {
    region: REGION,
    endpoint: w.moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  };
  const ddb = new DynamoDBClient(cfg);
  const sns = new SNSClient(cfg);
  const cw = new CloudWatchClient(cfg);
  const eb = new EventBridgeClient(cfg);
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'tunnelId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'tunnelId', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    w.topicArn = (await sns.send(new CreateTopicCommand({ Name: 'tunnel-guard-prod-decisions' }))).TopicArn!;
    w.linkTopicArn = (await sns.send(new CreateTopicCommand({ Name: 'tunnel-guard-prod-link' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: w.linkTopicArn, Protocol: 'lambda', Endpoint: FUNCTION_ARN }));
    for (const c of [1, 2]) {
      for (const t of [1, 2]) {
        await cw.send(
          new PutMetricAlarmCommand({
            AlarmName: `tunnel-guard-${VPNS[c - 1]}-${outside(c, t)}`,
            Namespace: 'AWS/VPN',
            MetricName: 'TunnelState',
            Statistic: 'Maximum',
            Dimensions: [
              { Name: 'VpnId', Value: VPNS[c - 1] },
              { Name: 'TunnelIpAddress', Value: outside(c, t) },
            ],
            Period: 300,
            EvaluationPeriods: 1,
            Threshold: 1,
            ComparisonOperator: 'LessThanThreshold',
            TreatMissingData: 'breaching',
          }),
        );
      }
    }
    await eb.send(
      new PutRuleCommand({
        Name: 'tunnel-guard-prod-tunnelAlarm-rule-1',
        State: 'ENABLED',
        EventPattern: JSON.stringify({
          source: ['aws.cloudwatch'],
          'detail-type': ['CloudWatch Alarm State Change'],
          detail: { alarmName: [{ prefix: 'tunnel-guard-' }] },
        }),
      }),
    );
    await eb.send(
      new PutTargetsCommand({ Rule: 'tunnel-guard-prod-tunnelAlarm-rule-1', Targets: [{ Id: 'tunnelAlarm', Arn: FUNCTION_ARN }] }),
    );
  } finally {
    for (const c of [ddb, sns, cw, eb]) c.destroy();
  }
  w.env = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    // The SDK's own endpoint variables: everything to moto, EC2 and IAM to the in-repo fakes.
    AWS_ENDPOINT_URL: w.moto.endpoint,
    AWS_ENDPOINT_URL_EC2: w.endpoints.ec2,
    AWS_ENDPOINT_URL_IAM: w.endpoints.iam,
    TUNNEL_GUARD_TABLE: TABLE,
    TUNNEL_GUARD_TOPIC_ARN: w.topicArn,
    TUNNEL_GUARD_AWS_VPN_IDS: VPNS.join(','),
    TUNNEL_GUARD_GCP_PROJECT: PROJECT,
    TUNNEL_GUARD_GCP_REGIONS: GCP_REGION,
    TUNNEL_GUARD_LEDGER_BUCKET: BUCKET,
    TUNNEL_GUARD_COMPUTE_ENDPOINT: w.endpoints.google,
    TUNNEL_GUARD_GCS_ENDPOINT: w.endpoints.google,
    TUNNEL_GUARD_MONITORING_ENDPOINT: w.endpoints.google,
    TUNNEL_GUARD_RESOURCE_MANAGER_ENDPOINT: w.endpoints.google,
    TUNNEL_GUARD_PUBSUB_ENDPOINT: w.endpoints.google,
    TUNNEL_GUARD_GCP_AUTH: 'none',
    TUNNEL_GUARD_RETRY_BASE_MS: '0',
    TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0',
  };
}

/** What an exact restore must give back: every writable field of every route, per cloud. */
export function routesOf(w: World) {
  const writable = (r: Record<string, unknown>) => ({
    name: r.name,
    network: r.network,
    destRange: r.destRange,
    priority: r.priority,
    tags: r.tags,
    description: r.description,
    nextHopVpnTunnel: r.nextHopVpnTunnel,
  });
  return {
    aws: w.ec2.connections.map((c) => ({
      id: c.vpnConnectionId,
      routes: c.routes.filter((r) => r.state !== 'deleted').map((r) => ({ cidr: r.destinationCidrBlock, state: r.state })),
    })),
    gcp: [...w.compute.state.routes.values()].map(writable).sort((a, b) => String(a.name).localeCompare(String(b.name))),
  };
}
