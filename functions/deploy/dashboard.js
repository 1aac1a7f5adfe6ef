// The CloudWatch dashboard of the AWS half, for serverless.yml (`resources`): what tunnel-guard publishes about itself
// (functions/metrics.ts: EMF lines, namespace TunnelGuard) beside the tunnels' own AWS/VPN metrics and the probes'
// AWS/NetworkMonitor loss. Two parts:
// - an overview that needs no configuration: SEARCH expressions draw one line per tunnel (or guard) that has data,
//   so a tunnel added later appears without a redeploy;
// - one row per tunnel of `custom.tunnelGuard.alarmTunnels` (vpn-id:outside-ip): its state, loss and probe, and
//   drains, with the tunnel's AWS/VPN TunnelState on the same graph.
// Plain CommonJS: the Serverless Framework loads it directly; the metric names come from the file the Lambda uses.
// Body format: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html
// SEARCH: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html

const N = require('../../shared/metric-names.json');

const NS = N.namespace;
/** The region placeholder, resolved by CloudFormation (the body is an Fn::Sub string). */
const REGION = '${AWS::Region}';
/** The periods the metrics arrive at: reconcile publishes every minute; AWS/VPN is read over 5 minutes, as AWS's examples do. */
const MINUTE = 60;
const FIVE_MINUTES = 300;

/** `vpn-0a1:203.0.113.11` → { vpnId, ip }; anything else fails the package (tunnel-alarms.js reads the same list). */
function parseTunnels(list) {
  return String(list || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^(vpn-[0-9a-f]+):(\d{1,3}(?:\.\d{1,3}){3})$/.exec(item);
      if (!m) throw new Error(`tunnel-guard: "${item}" is not vpn-id:outside-ip (TUNNEL_GUARD_AWS_ALARM_TUNNELS)`);
      return { vpnId: m[1], ip: m[2] };
    });
}

/** A SEARCH expression: one line per dimension combination that has data (tunnels, guards), labelled by CloudWatch. */
const search = (schema, metric, stat, period, id) => ({
  expression: `SEARCH('{${schema}} MetricName="${metric}"', '${stat}', ${period})`,
  id,
});

const chart = (title, metrics, { x, y, width = 8, height = 6, stat = 'Maximum', period = MINUTE, yAxis } = {}) => ({
  type: 'metric',
  x,
  y,
  width,
  height,
  properties: { title, view: 'timeSeries', stacked: false, region: REGION, stat, period, metrics, ...(yAxis ? { yAxis } : {}) },
});

/** The dashboard body (an object; serialised into the template by `dashboardResources`). */
function dashboardBody(tunnels) {
  const widgets = [
    {
      type: 'text',
      x: 0,
      y: 0,
      width: 24,
      height: 2,
      properties: {
        markdown:
          '# tunnel-guard\nWhat the functions see and do (namespace `TunnelGuard`, published by the functions themselves) beside ' +
          "the tunnels' own `AWS/VPN` metrics. Out of service = drained by tunnel-guard, or fed only by routes it withdrew.",
      },
    },
    chart('Tunnels out of service', [[NS, N.tunnelsOutOfService, 'Cloud', 'aws', { label: 'tunnels out of service' }]], { x: 0, y: 2 }),
    chart(
      'Drains and restores',
      [
        [NS, N.drains, 'Cloud', 'aws', { label: 'drains' }],
        [NS, N.restores, 'Cloud', 'aws', { label: 'restores' }],
      ],
      { x: 8, y: 2, stat: 'Sum', period: FIVE_MINUTES },
    ),
    chart('Refusals by guard', [search(`${NS},Cloud,Guard`, N.refusals, 'Sum', FIVE_MINUTES, 'refusals')], {
      x: 16,
      y: 2,
      stat: 'Sum',
      period: FIVE_MINUTES,
    }),
    chart('State per tunnel: out of service (1)', [search(`${NS},Cloud,Tunnel`, N.outOfService, 'Maximum', MINUTE, 'state')], {
      x: 0,
      y: 8,
    }),
    chart(
      'AWS/VPN TunnelState per tunnel (1 up)',
      [search('AWS/VPN,VpnId,TunnelIpAddress', 'TunnelState', 'Minimum', FIVE_MINUTES, 'vpn')],
      {
        x: 8,
        y: 8,
        stat: 'Minimum',
        period: FIVE_MINUTES,
      },
    ),
    chart('Loss per tunnel (%)', [search(`${NS},Cloud,Tunnel`, N.loss, 'Maximum', MINUTE, 'loss')], { x: 16, y: 8 }),
    chart(
      'Probe loss per tunnel (%)',
      [
        search(`${NS},Cloud,Tunnel`, N.probeLoss, 'Maximum', MINUTE, 'probe'),
        search('AWS/NetworkMonitor,Monitor,Probe', 'PacketLoss', 'Average', MINUTE, 'nsm'),
      ],
      { x: 0, y: 14 },
    ),
    chart('Load per tunnel (packets/s)', [search(`${NS},Cloud,Tunnel`, N.load, 'Maximum', MINUTE, 'load')], { x: 8, y: 14 }),
    chart(
      // Bytes only, and AWS says they keep counting status checks while a tunnel is down: context, not health.
      'AWS/VPN TunnelDataIn per tunnel (bytes)',
      [search('AWS/VPN,VpnId,TunnelIpAddress', 'TunnelDataIn', 'Sum', FIVE_MINUTES, 'datain')],
      { x: 16, y: 14, stat: 'Sum', period: FIVE_MINUTES },
    ),
  ];
  let y = 20;
  for (const { vpnId, ip } of tunnels) {
    const id = `aws:${REGION}:${vpnId}:${ip}`;
    const name = `${vpnId} ${ip}`;
    widgets.push(
      chart(
        `${name}: state`,
        [
          [NS, N.outOfService, 'Cloud', 'aws', 'Tunnel', id, { label: 'out of service (tunnel-guard)' }],
          [NS, N.up, 'Cloud', 'aws', 'Tunnel', id, { label: 'up (as tunnel-guard reads it)' }],
          [
            'AWS/VPN',
            'TunnelState',
            'VpnId',
            vpnId,
            'TunnelIpAddress',
            ip,
            { label: 'TunnelState (AWS/VPN)', stat: 'Minimum', period: FIVE_MINUTES },
          ],
        ],
        { x: 0, y },
      ),
      chart(
        `${name}: loss and probe (%)`,
        [
          [NS, N.loss, 'Cloud', 'aws', 'Tunnel', id, { label: 'loss' }],
          [NS, N.probeLoss, 'Cloud', 'aws', 'Tunnel', id, { label: 'probe loss' }],
        ],
        { x: 8, y },
      ),
      chart(
        `${name}: drains`,
        [
          [NS, N.drains, 'Cloud', 'aws', 'Tunnel', id, { label: 'drains' }],
          [NS, N.restores, 'Cloud', 'aws', 'Tunnel', id, { label: 'restores' }],
        ],
        { x: 16, y, stat: 'Sum', period: FIVE_MINUTES },
      ),
    );
    y += 6;
  }
  return { widgets };
}

/** The resources fragment: one AWS::CloudWatch::Dashboard whose body names every metric above. */
function dashboardResources(list, { dashboardName }) {
  return {
    Resources: {
      TunnelGuardDashboard: {
        Type: 'AWS::CloudWatch::Dashboard',
        Properties: {
          DashboardName: dashboardName,
          DashboardBody: { 'Fn::Sub': JSON.stringify(dashboardBody(parseTunnels(list))) },
        },
      },
    },
  };
}

module.exports = async ({ resolveVariable }) => {
  const tunnels = await resolveVariable('self:custom.tunnelGuard.alarmTunnels');
  const stage = await resolveVariable('sls:stage');
  return dashboardResources(tunnels, { dashboardName: `tunnel-guard-${stage}` });
};
module.exports.dashboardBody = dashboardBody;
module.exports.dashboardResources = dashboardResources;
module.exports.parseTunnels = parseTunnels;
