// Generates one CloudWatch alarm per configured AWS tunnel for serverless.yml (`resources`), because
// serverless.yml cannot loop. Tunnels come from `custom.tunnelGuard.alarmTunnels`: a comma-separated list of
// `vpn-id:tunnel-outside-ip` (set it with TUNNEL_GUARD_AWS_ALARM_TUNNELS at deploy time). Plain CommonJS: the
// Serverless Framework loads it directly, it is not part of the Lambda bundle.
'use strict';

const ALARM_PREFIX = 'tunnel-guard-';

/** `vpn-0a1:203.0.113.11` → { vpnId, ip } (throws on anything else, so a typo fails the deploy). */
function parseTunnel(item) {
  const m = /^(vpn-[0-9a-f]+):(\d{1,3}(?:\.\d{1,3}){3})$/.exec(item.trim());
  if (!m) throw new Error(`tunnel-guard: "${item}" is not vpn-id:outside-ip (TUNNEL_GUARD_AWS_ALARM_TUNNELS)`);
  return { vpnId: m[1], ip: m[2] };
}

const logicalId = (vpnId, ip) => `TunnelStateAlarm${(vpnId + ip).replace(/[^A-Za-z0-9]/g, '')}`;

/** The resources fragment: { Resources: { ...alarms } } (an empty list yields no alarms). */
function tunnelAlarms(list) {
  const resources = {};
  for (const { vpnId, ip } of String(list || '').split(',').filter((s) => s.trim()).map(parseTunnel)) {
    resources[logicalId(vpnId, ip)] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        // The name prefix is what the EventBridge rule of `tunnelAlarm` matches on.
        AlarmName: `${ALARM_PREFIX}${vpnId}-${ip}-TunnelState`,
        AlarmDescription: `tunnel-guard: IPsec tunnel ${ip} of ${vpnId} is down (TunnelState < 1)`,
        Namespace: 'AWS/VPN',
        MetricName: 'TunnelState',
        Dimensions: [
          { Name: 'VpnId', Value: vpnId },
          { Name: 'TunnelIpAddress', Value: ip },
        ],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        // No data from a tunnel means nobody can see it working: treat it as down.
        TreatMissingData: 'breaching',
      },
    };
  }
  return { Resources: resources };
}

module.exports = async ({ resolveVariable }) => tunnelAlarms(await resolveVariable('self:custom.tunnelGuard.alarmTunnels'));
module.exports.tunnelAlarms = tunnelAlarms;
module.exports.ALARM_PREFIX = ALARM_PREFIX;
