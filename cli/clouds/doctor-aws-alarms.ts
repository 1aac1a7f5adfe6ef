/**
 * doctor, AWS: an alarm per in-scope tunnel whose state change reaches the Lambda (an enabled EventBridge rule
 * matching its name with a Lambda target, or a Lambda alarm action), and the probes when they are configured.
 */
import { inScope } from '../../shared/policy';
import { alarmRoutes, awsAlarms, tunnelOfAlarm } from './aws-alarms';
import { awsEndpointOf } from './aws-side';
import { explainAwsError } from './bounded';
import { awsCheck as check, type AwsDoctorCheck } from './doctor-aws-check';
import { probeChecks, unprobedLinkChecks } from './doctor-probes';

export const alarmsCheck: AwsDoctorCheck = {
  name: 'alarms',
  async run({ env, region, config, tunnels, connections }) {
    const scoped = tunnels.filter((t) => inScope(config.policy, t.ref.id));
    try {
      const [alarms, routes] = await Promise.all([awsAlarms(env, region), alarmRoutes(env, region)]);
      const fn = env.TUNNEL_GUARD_AWS_FUNCTION_NAME;
      const reaches = (name: string, actions: string[] | undefined) =>
        routes.some((r) => r.matches(name) && r.lambdaTargets.some((a) => !fn || a.endsWith(`:function:${fn}`))) ||
        (actions ?? []).some((a) => a.includes(':function:') && (!fn || a.endsWith(`:function:${fn}`)));
      const checks = scoped.map((t) => {
        const mine = alarms.filter(
          (a) => tunnelOfAlarm(a, region) === t.ref.id || (a.AlarmName && config.alarmTunnels[a.AlarmName] === t.ref.id),
        );
        const routed = mine.filter((a) => a.ActionsEnabled !== false && reaches(a.AlarmName ?? '', a.AlarmActions));
        if (mine.length === 0)
          return check(
            `alarm ${t.ref.id}`,
            'fail',
            'no CloudWatch alarm watches this tunnel (AWS/VPN, VpnId + TunnelIpAddress)',
            'list it in TUNNEL_GUARD_AWS_ALARM_TUNNELS and redeploy, or create an alarm named tunnel-guard-…',
          );
        if (routed.length === 0)
          return check(
            `alarm ${t.ref.id}`,
            'fail',
            `alarm(s) ${mine.map((a) => a.AlarmName).join(', ')} exist but no enabled EventBridge rule${fn ? ` targeting ${fn}` : ''} matches their name`,
            'name the alarm tunnel-guard-… (the deployed rule matches that prefix), or redeploy',
          );
        const rules = routes.filter((r) => routed.some((a) => r.matches(a.AlarmName ?? ''))).map((r) => r.rule);
        return check(`alarm ${t.ref.id}`, 'pass', `${routed.map((a) => a.AlarmName).join(', ')} → ${rules.join(', ') || 'alarm action'}`);
      });
      if (scoped.length === 0) checks.push(check('alarms', 'skip', 'no AWS tunnel in scope'));
      return [...checks, ...probeChecks(env, connections, alarms), ...unprobedLinkChecks(env, config.links)];
    } catch (e) {
      return [
        check(
          'alarms',
          'fail',
          explainAwsError(e, 'DescribeAlarms / ListRules', awsEndpointOf(env, 'cloudwatch', region)),
          'the caller needs cloudwatch:DescribeAlarms, events:ListRules, events:ListTargetsByRule',
        ),
      ];
    }
  },
};
