/**
 * doctor, AWS side: credentials, the ledger table (and a conditional write), the VPN connections, an alarm per
 * in-scope tunnel that reaches the Lambda, the probes (when configured), the decisions topic, and the Lambda role's
 * permissions.
 *
 * IAM policy simulation: SimulatePrincipalPolicy
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html) evaluates the role's
 * policies for each action without performing it.
 */
import { ConditionalCheckFailedException, DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { randomUUID } from 'node:crypto';
import type { Env } from '../../config/source';
import { inScope, type Config } from '../../shared/policy';
import type { TunnelStatus } from '../../shared/types';
import { VpnInventory, type VpnConnectionInfo } from '../../functions/adapters/vpn-inventory';
import { VpnTunnelHealthView } from '../../functions/adapters/vpn-tunnel-health';
import type { DoctorCheck } from '../seat';
import { alarmRoutes, awsAlarms, tunnelOfAlarm } from './aws-alarms';
import { awsEndpointOf, list } from './aws-side';
import { boundedAwsConfig, explainAwsError } from './bounded';
import { probeChecks } from './doctor-probes';

const check = (name: string, status: DoctorCheck['status'], detail: string, fix?: string): DoctorCheck => ({
  cloud: 'aws',
  name,
  status,
  detail,
  ...(fix ? { fix } : {}),
});

export async function doctorAws(env: Env, region: string, config: Config): Promise<{ checks: DoctorCheck[]; tunnels: TunnelStatus[] }> {
  const cfg = boundedAwsConfig(env, region);
  const checks: DoctorCheck[] = [];
  const table = env.TUNNEL_GUARD_TABLE!;

  const sts = new STSClient(cfg);
  let callerArn = '';
  try {
    const who = await sts.send(new GetCallerIdentityCommand({}));
    callerArn = who.Arn ?? '';
    checks.push(check('credentials', 'pass', `account ${who.Account}, ${who.Arn} (region ${region})`));
  } catch (e) {
    checks.push(
      check(
        'credentials',
        'fail',
        explainAwsError(e, 'GetCallerIdentity', awsEndpointOf(env, 'sts', region)),
        'set AWS_PROFILE (aws sso login) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and AWS_REGION',
      ),
    );
    return { checks, tunnels: [] }; // every other check would fail the same way
  } finally {
    sts.destroy();
  }

  const ddb = new DynamoDBClient(cfg);
  try {
    await ddb.send(new DescribeTableCommand({ TableName: table }));
    // A conditional write that cannot succeed (the scratch key does not exist): it proves the table takes the
    // caller's conditional writes without ever creating an item that a running function's Scan could read.
    try {
      await ddb.send(
        new PutItemCommand({
          TableName: table,
          Item: { tunnelId: { S: `doctor:scratch:${randomUUID()}` } },
          ConditionExpression: 'attribute_exists(tunnelId)',
        }),
      );
      checks.push(
        check(
          'ledger table',
          'fail',
          `${table}: a conditional write on a missing key succeeded (conditions are not enforced?)`,
          'check the table is a DynamoDB table with key tunnelId',
        ),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException') {
        checks.push(check('ledger table', 'pass', `${table} exists and evaluates conditional writes (scratch key, nothing written)`));
      } else {
        checks.push(
          check(
            'ledger table',
            'fail',
            explainAwsError(e, `PutItem ${table}`, awsEndpointOf(env, 'dynamodb', region)),
            'grant dynamodb:PutItem on the table',
          ),
        );
      }
    }
  } catch (e) {
    const missing = (e as { name?: string }).name === 'ResourceNotFoundException';
    checks.push(
      check(
        'ledger table',
        'fail',
        missing
          ? `${table} does not exist in ${region}`
          : explainAwsError(e, `DescribeTable ${table}`, awsEndpointOf(env, 'dynamodb', region)),
        missing ? 'npm run deploy:aws, or fix TUNNEL_GUARD_TABLE' : undefined,
      ),
    );
  } finally {
    ddb.destroy();
  }

  // The tunnels in scope, read like the function reads them.
  const ids = list(env.TUNNEL_GUARD_AWS_VPN_IDS);
  const ec2 = new EC2Client(cfg);
  let tunnels: TunnelStatus[] = [];
  let connections: VpnConnectionInfo[] = [];
  try {
    const inventory = new VpnInventory(ec2, { region, ...(ids.length ? { vpnConnectionIds: ids } : {}) });
    connections = await inventory.list();
    tunnels = await new VpnTunnelHealthView(inventory).list();
    const found = new Set(tunnels.map((t) => (t.ref.cloud === 'aws' ? t.ref.native.vpnConnectionId : '')));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length)
      checks.push(
        check(
          'VPN connections',
          'fail',
          `TUNNEL_GUARD_AWS_VPN_IDS names ${missing.join(', ')}: not found in ${region}`,
          'remove them from TUNNEL_GUARD_AWS_VPN_IDS, or check AWS_REGION',
        ),
      );
    else checks.push(check('VPN connections', 'pass', `${found.size} connection(s), ${tunnels.length} tunnel(s) in ${region}`));
  } catch (e) {
    checks.push(check('VPN connections', 'fail', explainAwsError(e, 'DescribeVpnConnections', awsEndpointOf(env, 'ec2', region))));
  } finally {
    ec2.destroy();
  }
  const scoped = tunnels.filter((t) => inScope(config.policy, t.ref.id));

  try {
    const [alarms, routes] = await Promise.all([awsAlarms(env, region), alarmRoutes(env, region)]);
    const fn = env.TUNNEL_GUARD_AWS_FUNCTION_NAME;
    const reaches = (name: string, actions: string[] | undefined) =>
      routes.some((r) => r.matches(name) && r.lambdaTargets.some((a) => !fn || a.endsWith(`:function:${fn}`))) ||
      (actions ?? []).some((a) => a.includes(':function:') && (!fn || a.endsWith(`:function:${fn}`)));
    for (const t of scoped) {
      const mine = alarms.filter(
        (a) => tunnelOfAlarm(a, region) === t.ref.id || (a.AlarmName && config.alarmTunnels[a.AlarmName] === t.ref.id),
      );
      const routed = mine.filter((a) => a.ActionsEnabled !== false && reaches(a.AlarmName ?? '', a.AlarmActions));
      if (mine.length === 0)
        checks.push(
          check(
            `alarm ${t.ref.id}`,
            'fail',
            'no CloudWatch alarm watches this tunnel (AWS/VPN, VpnId + TunnelIpAddress)',
            'list it in TUNNEL_GUARD_AWS_ALARM_TUNNELS and redeploy, or create an alarm named tunnel-guard-…',
          ),
        );
      else if (routed.length === 0)
        checks.push(
          check(
            `alarm ${t.ref.id}`,
            'fail',
            `alarm(s) ${mine.map((a) => a.AlarmName).join(', ')} exist but no enabled EventBridge rule${fn ? ` targeting ${fn}` : ''} matches their name`,
            'name the alarm tunnel-guard-… (the deployed rule matches that prefix), or redeploy',
          ),
        );
      else
        checks.push(
          check(
            `alarm ${t.ref.id}`,
            'pass',
            `${routed.map((a) => a.AlarmName).join(', ')} → ${
              routes
                .filter((r) => routed.some((a) => r.matches(a.AlarmName ?? '')))
                .map((r) => r.rule)
                .join(', ') || 'alarm action'
            }`,
          ),
        );
    }
    if (scoped.length === 0) checks.push(check('alarms', 'skip', 'no AWS tunnel in scope'));
    checks.push(...probeChecks(env, connections, alarms));
  } catch (e) {
    checks.push(
      check(
        'alarms',
        'fail',
        explainAwsError(e, 'DescribeAlarms / ListRules', awsEndpointOf(env, 'cloudwatch', region)),
        'the caller needs cloudwatch:DescribeAlarms, events:ListRules, events:ListTargetsByRule',
      ),
    );
  }

  const topic = env.TUNNEL_GUARD_TOPIC_ARN;
  if (!topic)
    checks.push(
      check(
        'decisions topic',
        'skip',
        'TUNNEL_GUARD_TOPIC_ARN is not set',
        "set it to the deployment's topic (drain/restore/release need it)",
      ),
    );
  else {
    const sns = new SNSClient(cfg);
    try {
      await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }));
      checks.push(check('decisions topic', 'pass', `${topic} exists`));
    } catch (e) {
      checks.push(
        check(
          'decisions topic',
          'fail',
          explainAwsError(e, `GetTopicAttributes ${topic}`, awsEndpointOf(env, 'sns', region)),
          'fix TUNNEL_GUARD_TOPIC_ARN, or redeploy',
        ),
      );
    } finally {
      sns.destroy();
    }
  }

  checks.push(await simulateRole(env, region, callerArn, ids));
  return { checks, tunnels };
}

/**
 * The Lambda role's permissions, by IAM policy simulation (`TUNNEL_GUARD_AWS_FUNCTION_ROLE_ARN`). Each group of
 * actions is simulated against the resource the function really touches: the role grants route changes on
 * `vpn-connection/*`, the table by ARN and the topic by ARN, and a simulation against `*` would not match those.
 */
async function simulateRole(env: Env, region: string, callerArn: string, vpnIds: string[]): Promise<DoctorCheck> {
  const role = env.TUNNEL_GUARD_AWS_FUNCTION_ROLE_ARN;
  if (!role)
    return check(
      'function permissions',
      'skip',
      'TUNNEL_GUARD_AWS_FUNCTION_ROLE_ARN is not set',
      'set it to the Lambda execution role ARN to simulate its policies',
    );
  const [, partition = 'aws', , , account = ''] = role.split(':');
  const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${account}:${resource}`;
  const tgwTables = list(env.TUNNEL_GUARD_AWS_TGW_ROUTE_TABLE_IDS);
  const groups: { actions: string[]; resource: string }[] = [
    {
      actions: [
        'ec2:DescribeVpnConnections',
        ...(tgwTables.length ? ['ec2:DescribeTransitGatewayAttachments', 'ec2:SearchTransitGatewayRoutes'] : []),
      ],
      resource: '*',
    },
    {
      actions: ['ec2:CreateVpnConnectionRoute', 'ec2:DeleteVpnConnectionRoute'],
      resource: arn('ec2', `vpn-connection/${vpnIds[0] ?? 'vpn-00000000000000000'}`),
    },
    ...tgwTables.map((id) => ({
      actions: ['ec2:CreateTransitGatewayRoute', 'ec2:DeleteTransitGatewayRoute'],
      resource: arn('ec2', `transit-gateway-route-table/${id}`),
    })),
    { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan'], resource: arn('dynamodb', `table/${env.TUNNEL_GUARD_TABLE}`) },
    ...(env.TUNNEL_GUARD_TOPIC_ARN ? [{ actions: ['sns:Publish'], resource: env.TUNNEL_GUARD_TOPIC_ARN }] : []),
  ];
  const iam = new IAMClient(boundedAwsConfig(env, region));
  try {
    const denied: string[] = [];
    let count = 0;
    for (const g of groups) {
      let Marker: string | undefined;
      do {
        const r = await iam.send(
          new SimulatePrincipalPolicyCommand({ PolicySourceArn: role, ActionNames: g.actions, ResourceArns: [g.resource], Marker }),
        );
        for (const e of r.EvaluationResults ?? []) {
          count++;
          if (e.EvalDecision !== 'allowed') denied.push(`${e.EvalActionName} on ${g.resource} (${e.EvalDecision})`);
        }
        Marker = r.IsTruncated ? r.Marker : undefined;
      } while (Marker);
    }
    return denied.length
      ? check(
          'function permissions',
          'fail',
          `${role} is not allowed: ${denied.join(', ')}`,
          'redeploy (serverless.yml grants them), or add them to the role',
        )
      : check('function permissions', 'pass', `${role}: ${count} action(s) allowed by simulation (simulated by ${callerArn})`);
  } catch (e) {
    return check(
      'function permissions',
      'fail',
      explainAwsError(e, 'SimulatePrincipalPolicy', awsEndpointOf(env, 'iam', region)),
      'the caller needs iam:SimulatePrincipalPolicy',
    );
  } finally {
    iam.destroy();
  }
}
