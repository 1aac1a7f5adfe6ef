// Generates one CloudWatch alarm per configured AWS tunnel for serverless.yml (`resources`), because
// serverless.yml cannot loop. Tunnels come from `custom.tunnelGuard.alarmTunnels`: a comma-separated list of
// `vpn-id:tunnel-outside-ip` (set it with TUNNEL_GUARD_AWS_ALARM_TUNNELS at deploy time). Plain CommonJS: the
// Serverless Framework loads it directly, it is not part of the Lambda bundle.

const ALARM_PREFIX = 'tunnel-guard-';

/**
 * How every `TunnelState` alarm evaluates. AWS does not document how often `AWS/VPN` metrics are published, and
 * AWS's own TunnelState alarm examples use 300-second periods, so:
 * - `Period: 300`: a period always holds at least one data point whether AWS publishes every 60 s or every 300 s
 *   (a shorter period would be empty for four minutes out of five at a 300 s cadence).
 * - `TreatMissingData: 'missing'`: an empty period is neither breaching nor OK. With `breaching`, any period that a
 *   late or skipped data point leaves empty counts as "down", and a healthy tunnel alarms; a tunnel that is really
 *   down still publishes `TunnelState` 0, which is what trips the alarm. If no data at all arrives, the alarm goes
 *   to INSUFFICIENT_DATA, which tunnel-guard reads as `unknown`: it never acts on it, and such a tunnel does not
 *   count as a healthy fallback either.
 * - `Statistic: 'Maximum'`, 2 of 2 periods below 1: the tunnel was never up during ten whole minutes. AWS already
 *   fails a connection over to its other tunnel on "down"; this alarm informs the guards, so it may be slow but
 *   must not be wrong.
 * Sources: https://docs.aws.amazon.com/vpn/latest/s2svpn/monitoring-cloudwatch-vpn.html (metrics, examples) and
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
 */
const TUNNEL_STATE_EVALUATION = Object.freeze({
  Statistic: 'Maximum',
  Period: 300,
  EvaluationPeriods: 2,
  DatapointsToAlarm: 2,
  Threshold: 1,
  ComparisonOperator: 'LessThanThreshold',
  TreatMissingData: 'missing',
});

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
  for (const { vpnId, ip } of String(list || '')
    .split(',')
    .filter((s) => s.trim())
    .map(parseTunnel)) {
    resources[logicalId(vpnId, ip)] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        // The name prefix is what the EventBridge rule of `tunnelAlarm` matches on.
        AlarmName: `${ALARM_PREFIX}${vpnId}-${ip}-TunnelState`,
        AlarmDescription: `tunnel-guard: IPsec tunnel ${ip} of ${vpnId} is down (TunnelState < 1 for 10 minutes)`,
        Namespace: 'AWS/VPN',
        MetricName: 'TunnelState',
        Dimensions: [
          { Name: 'VpnId', Value: vpnId },
          { Name: 'TunnelIpAddress', Value: ip },
        ],
        ...TUNNEL_STATE_EVALUATION,
      },
    };
  }
  return { Resources: resources };
}

module.exports = async ({ resolveVariable }) => tunnelAlarms(await resolveVariable('self:custom.tunnelGuard.alarmTunnels'));
module.exports.tunnelAlarms = tunnelAlarms;
module.exports.ALARM_PREFIX = ALARM_PREFIX;
module.exports.TUNNEL_STATE_EVALUATION = TUNNEL_STATE_EVALUATION;
