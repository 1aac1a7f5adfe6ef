/**
 * CloudWatch alarms on VPN tunnels and the EventBridge rules that carry their state changes to the Lambda.
 * APIs: DescribeAlarms (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html),
 * ListRules / ListTargetsByRule (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListRules.html).
 */
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import type { Env } from '../../config/source';
import { awsTunnelId } from '../../shared/types';
import { boundedAwsConfig } from './bounded';

/** Every metric alarm of the region (pages of 100). */
export async function awsAlarms(env: Env, region: string): Promise<MetricAlarm[]> {
  const cw = new CloudWatchClient(boundedAwsConfig(env, region));
  const out: MetricAlarm[] = [];
  try {
    let NextToken: string | undefined;
    do {
      const r = await cw.send(new DescribeAlarmsCommand({ AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken }));
      out.push(...(r.MetricAlarms ?? []));
      NextToken = r.NextToken;
    } while (NextToken);
  } finally {
    cw.destroy();
  }
  return out;
}

/** The tunnel an alarm watches: `AWS/VPN` with `VpnId` + `TunnelIpAddress`, directly or inside metric math. */
export function tunnelOfAlarm(alarm: MetricAlarm, region: string): string | undefined {
  const sets = [
    { ns: alarm.Namespace, dims: alarm.Dimensions },
    ...(alarm.Metrics ?? []).map((m) => ({ ns: m.MetricStat?.Metric?.Namespace, dims: m.MetricStat?.Metric?.Dimensions })),
  ];
  for (const s of sets) {
    if (s.ns !== 'AWS/VPN') continue;
    const vpn = s.dims?.find((d) => d.Name === 'VpnId')?.Value;
    const ip = s.dims?.find((d) => d.Name === 'TunnelIpAddress')?.Value;
    if (vpn && ip) return awsTunnelId({ region, vpnConnectionId: vpn, outsideIpAddress: ip });
  }
  return undefined;
}

export interface AlarmRoute {
  rule: string;
  /** `alarmName` patterns of the rule (undefined: every alarm). */
  matches(alarmName: string): boolean;
  lambdaTargets: string[];
}

/** One EventBridge `alarmName` pattern entry: an exact name or `{prefix}`. */
function entryMatches(entry: unknown, name: string): boolean {
  if (typeof entry === 'string') return entry === name;
  if (entry && typeof entry === 'object' && typeof (entry as { prefix?: unknown }).prefix === 'string')
    return name.startsWith((entry as { prefix: string }).prefix);
  return false;
}

/**
 * Enabled rules on the default bus that match CloudWatch alarm state changes, with their Lambda targets.
 * Pattern matching covers what the project's rule uses (source, detail-type, exact names and `prefix`); a rule
 * with other operators on `alarmName` is treated as not matching, so doctor errs towards "check it by hand".
 */
export async function alarmRoutes(env: Env, region: string): Promise<AlarmRoute[]> {
  const eb = new EventBridgeClient(boundedAwsConfig(env, region));
  const routes: AlarmRoute[] = [];
  try {
    let NextToken: string | undefined;
    do {
      const r = await eb.send(new ListRulesCommand({ Limit: 100, NextToken }));
      for (const rule of r.Rules ?? []) {
        if (rule.State !== 'ENABLED' || !rule.EventPattern || !rule.Name) continue;
        let pattern: { source?: unknown; 'detail-type'?: unknown; detail?: { alarmName?: unknown } };
        try {
          pattern = JSON.parse(rule.EventPattern);
        } catch {
          continue;
        }
        const has = (v: unknown, want: string) => Array.isArray(v) && v.includes(want);
        if (!has(pattern.source, 'aws.cloudwatch') || !has(pattern['detail-type'], 'CloudWatch Alarm State Change')) continue;
        const names = pattern.detail?.alarmName;
        const targets = await eb.send(new ListTargetsByRuleCommand({ Rule: rule.Name }));
        routes.push({
          rule: rule.Name,
          matches: (name) => names === undefined || (Array.isArray(names) && names.some((e) => entryMatches(e, name))),
          lambdaTargets: (targets.Targets ?? []).map((t) => t.Arn ?? '').filter((a) => a.includes(':lambda:') && a.includes(':function:')),
        });
      }
      NextToken = r.NextToken;
    } while (NextToken);
  } finally {
    eb.destroy();
  }
  return routes;
}
