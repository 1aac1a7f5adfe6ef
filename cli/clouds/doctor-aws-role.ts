/**
 * doctor, AWS: the Lambda role's permissions by IAM policy simulation. SimulatePrincipalPolicy
 * (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html) evaluates the role's
 * policies for each action without performing it.
 */
import { IAMClient, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import type { Env } from '../../config/source';
import type { DoctorCheck } from '../seat';
import { awsEndpointOf, list } from './aws-side';
import { boundedAwsConfig, explainAwsError } from './bounded';
import { awsCheck as check } from './doctor-aws-check';

/**
 * The Lambda role's permissions, by IAM policy simulation (`TUNNEL_GUARD_AWS_FUNCTION_ROLE_ARN`). Each group of
 * actions is simulated against the resource the function really touches: the role grants route changes on
 * `vpn-connection/*`, the table by ARN and the topic by ARN, and a simulation against `*` would not match those.
 */
export async function simulateRole(env: Env, region: string, callerArn: string, vpnIds: string[]): Promise<DoctorCheck> {
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
      actions: ['ec2:CreateVpnConnectionRoute', 'ec2:DeleteVpnConnectionRoute', 'ec2:CreateTags', 'ec2:DeleteTags'],
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
