/**
 * doctor, AWS side, as a list of named checks run in order: credentials, the ledger table (and a conditional
 * write), the VPN connections, an alarm per in-scope tunnel that reaches the Lambda (and the probes, when
 * configured), the decisions topic, and the Lambda role's permissions.
 */
import { ConditionalCheckFailedException, DescribeTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { GetTopicAttributesCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { randomUUID } from 'node:crypto';
import type { Env } from '../../config/source';
import type { Config } from '../../shared/policy';
import type { TunnelStatus } from '../../shared/types';
import { VpnInventory } from '../../functions/adapters/vpn-inventory';
import { VpnTunnelHealthView } from '../../functions/adapters/vpn-tunnel-health';
import type { DoctorCheck } from '../seat';
import { awsEndpointOf, list } from './aws-side';
import { boundedAwsConfig, explainAwsError } from './bounded';
import { alarmsCheck } from './doctor-aws-alarms';
import { awsCheck as check, type AwsDoctorCheck, type AwsDoctorContext } from './doctor-aws-check';
import { simulateRole } from './doctor-aws-role';

const credentials: AwsDoctorCheck = {
  name: 'credentials',
  gate: true,
  async run(c) {
    const sts = new STSClient(c.sdk);
    try {
      const who = await sts.send(new GetCallerIdentityCommand({}));
      c.callerArn = who.Arn ?? '';
      return [check('credentials', 'pass', `account ${who.Account}, ${who.Arn} (region ${c.region})`)];
    } catch (e) {
      return [
        check(
          'credentials',
          'fail',
          explainAwsError(e, 'GetCallerIdentity', awsEndpointOf(c.env, 'sts', c.region)),
          'set AWS_PROFILE (aws sso login) or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and AWS_REGION',
        ),
      ];
    } finally {
      sts.destroy();
    }
  },
};

const ledgerTable: AwsDoctorCheck = {
  name: 'ledger table',
  async run(c) {
    const table = c.env.TUNNEL_GUARD_TABLE!;
    const ddb = new DynamoDBClient(c.sdk);
    try {
      await ddb.send(new DescribeTableCommand({ TableName: table }));
    } catch (e) {
      ddb.destroy();
      const missing = (e as { name?: string }).name === 'ResourceNotFoundException';
      return [
        check(
          'ledger table',
          'fail',
          missing
            ? `${table} does not exist in ${c.region}`
            : explainAwsError(e, `DescribeTable ${table}`, awsEndpointOf(c.env, 'dynamodb', c.region)),
          missing ? 'npm run deploy:aws, or fix TUNNEL_GUARD_TABLE' : undefined,
        ),
      ];
    }
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
      return [
        check(
          'ledger table',
          'fail',
          `${table}: a conditional write on a missing key succeeded (conditions are not enforced?)`,
          'check the table is a DynamoDB table with key tunnelId',
        ),
      ];
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException || (e as { name?: string }).name === 'ConditionalCheckFailedException')
        return [check('ledger table', 'pass', `${table} exists and evaluates conditional writes (scratch key, nothing written)`)];
      return [
        check(
          'ledger table',
          'fail',
          explainAwsError(e, `PutItem ${table}`, awsEndpointOf(c.env, 'dynamodb', c.region)),
          'grant dynamodb:PutItem on the table',
        ),
      ];
    } finally {
      ddb.destroy();
    }
  },
};

/** The tunnels in scope, read like the function reads them (the alarm checks look at them). */
const vpnConnections: AwsDoctorCheck = {
  name: 'VPN connections',
  async run(c) {
    const ec2 = new EC2Client(c.sdk);
    try {
      const inventory = new VpnInventory(ec2, { region: c.region, ...(c.vpnIds.length ? { vpnConnectionIds: c.vpnIds } : {}) });
      c.connections = await inventory.list();
      c.tunnels = await new VpnTunnelHealthView(inventory).list();
      const found = new Set(c.tunnels.map((t) => (t.ref.cloud === 'aws' ? t.ref.native.vpnConnectionId : '')));
      const missing = c.vpnIds.filter((id) => !found.has(id));
      return missing.length
        ? [
            check(
              'VPN connections',
              'fail',
              `TUNNEL_GUARD_AWS_VPN_IDS names ${missing.join(', ')}: not found in ${c.region}`,
              'remove them from TUNNEL_GUARD_AWS_VPN_IDS, or check AWS_REGION',
            ),
          ]
        : [check('VPN connections', 'pass', `${found.size} connection(s), ${c.tunnels.length} tunnel(s) in ${c.region}`)];
    } catch (e) {
      return [check('VPN connections', 'fail', explainAwsError(e, 'DescribeVpnConnections', awsEndpointOf(c.env, 'ec2', c.region)))];
    } finally {
      ec2.destroy();
    }
  },
};

const decisionsTopic: AwsDoctorCheck = {
  name: 'decisions topic',
  async run(c) {
    const topic = c.env.TUNNEL_GUARD_TOPIC_ARN;
    if (!topic)
      return [
        check(
          'decisions topic',
          'skip',
          'TUNNEL_GUARD_TOPIC_ARN is not set',
          "set it to the deployment's topic (drain/restore/release need it)",
        ),
      ];
    const sns = new SNSClient(c.sdk);
    try {
      await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }));
      return [check('decisions topic', 'pass', `${topic} exists`)];
    } catch (e) {
      return [
        check(
          'decisions topic',
          'fail',
          explainAwsError(e, `GetTopicAttributes ${topic}`, awsEndpointOf(c.env, 'sns', c.region)),
          'fix TUNNEL_GUARD_TOPIC_ARN, or redeploy',
        ),
      ];
    } finally {
      sns.destroy();
    }
  },
};

const functionPermissions: AwsDoctorCheck = {
  name: 'function permissions',
  run: async (c) => [await simulateRole(c.env, c.region, c.callerArn, c.vpnIds)],
};

/** In the order they are run and printed. */
export const AWS_CHECKS: readonly AwsDoctorCheck[] = [
  credentials,
  ledgerTable,
  vpnConnections,
  alarmsCheck,
  decisionsTopic,
  functionPermissions,
];

export async function doctorAws(env: Env, region: string, config: Config): Promise<{ checks: DoctorCheck[]; tunnels: TunnelStatus[] }> {
  const c: AwsDoctorContext = {
    env,
    region,
    config,
    sdk: boundedAwsConfig(env, region),
    vpnIds: list(env.TUNNEL_GUARD_AWS_VPN_IDS),
    callerArn: '',
    tunnels: [],
    connections: [],
  };
  const checks: DoctorCheck[] = [];
  for (const k of AWS_CHECKS) {
    const found = await k.run(c);
    checks.push(...found);
    if (k.gate && found.some((x) => x.status === 'fail')) break;
  }
  return { checks, tunnels: c.tunnels };
}
