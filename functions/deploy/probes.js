// Probes pinned through each link (CloudWatch Network Synthetic Monitor), for serverless.yml (`resources`), because
// serverless.yml cannot loop. Each probe measures ONE link whether or not tunnel-guard has drained it:
// - one monitor (30 s aggregation) and one ICMP probe per link, from a probe subnet of the VPC to a target address
//   on the GCP side (AWS::NetworkMonitor::Monitor, AWS::NetworkMonitor::Probe);
// - a /32 static route to the target, so the probe leaves through that link only; tunnel-guard never withdraws it and
//   never counts it as a path. Where the route goes depends on how the connection is attached:
//   * a virtual private gateway connection with static routing: a route on the connection
//     (AWS::EC2::VPNConnectionRoute — CreateVpnConnectionRoute exists for VGW connections only);
//   * a Transit Gateway attachment: a static route in the TGW route table that the probe subnet's traffic is looked
//     up in, pointing at the link's VPN attachment (AWS::EC2::TransitGatewayRoute; the entry names
//     `tgwRouteTableId` and `transitGatewayAttachmentId`). A TGW takes static routes to a VPN attachment whether the
//     connection itself uses BGP or static routing;
//   * a VGW connection with BGP (`routing: "bgp"`): refused — it takes no static routes, and the routes it learns
//     from the peer cannot be told to prefer one connection for one /32; there is no pinning method for it yet.
// - a probe vouches for the link it is pinned to, never for one tunnel of it: AWS chooses which of a connection's
//   tunnels carries the probe's packets (the alarm names the tunnel the operator configured; see docs/recovery.md);
// - two alarms on the probe's PacketLoss (AWS/NetworkMonitor, dimensions Monitor and Probe): `-trip` above the trip
//   threshold drains, `-clear` above the lower clear threshold holds the recovery (hysteresis). The alarm names
//   carry the tunnel: EventBridge alarm events do not carry tags by default, and the probe's dimensions name none.
// The return path is pinned on the GCP side by a route to the probe subnet through the link's tunnel
// (deploy/gcp/probe-routes.js). Plain CommonJS: the Serverless Framework loads it directly.
// Sources: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/what-is-network-monitor.html ,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-networkmonitor-monitor.html ,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-networkmonitor-probe.html ,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/nw-monitor-metrics.html

// The one spelling of the probe names, shared with the Lambda's alarm parser and the GCP probe routes.
const { prefix: PROBE_ALARM_PREFIX } = require('../../clouds/probe-names.json');
const { configJsonOf } = require('../../deploy/config-json');

/**
 * How the two alarms of a probe evaluate. 30 s periods follow the monitor's 30 s aggregation; the trip alarm needs
 * five of five periods (2.5 minutes) above the trip threshold, so a shorter blip changes nothing; the clear alarm
 * is OK only after four clean periods in a row (any loss above the clear threshold keeps it in ALARM). Missing data
 * is `missing`: a probe that stops reporting goes to INSUFFICIENT_DATA, which tunnel-guard reads as `unknown` —
 * never a reason to drain, never a reason to restore.
 */
const PROBE_EVALUATION = Object.freeze({
  trip: { Period: 30, EvaluationPeriods: 5, DatapointsToAlarm: 5 },
  // Heavy loss trips at once: one minute above the heavy threshold. A 60 s period, not 30 s: CloudWatch documents
  // sub-minute periods only for metrics stored at high resolution, and Network Synthetic Monitor documents its 30 s
  // aggregation without saying how the metric is stored — a 30 s alarm could lapse into INSUFFICIENT_DATA.
  fast: { Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1 },
  clear: { Period: 30, EvaluationPeriods: 4, DatapointsToAlarm: 1 },
});
const DEFAULTS = Object.freeze({ tripPercent: 2, clearPercent: 0.5, heavyPercent: 50 });

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The `probes` setting: a JSON list of { vpnId, tunnelIp, target, subnetArn } plus, on a Transit Gateway link,
 * { tgwRouteTableId, transitGatewayAttachmentId }, and optionally `routing` ("static", the default, or "bgp");
 * throws with the field on anything else.
 */
function parseProbes(raw) {
  if (raw === undefined || raw === null || String(raw).trim() === '') return [];
  let list;
  try {
    list = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch (e) {
    throw new Error(`tunnel-guard: TUNNEL_GUARD_AWS_PROBES is not JSON (${e.message})`);
  }
  if (!Array.isArray(list)) throw new Error('tunnel-guard: TUNNEL_GUARD_AWS_PROBES must be a JSON list');
  return list.map((p, i) => {
    const where = `TUNNEL_GUARD_AWS_PROBES[${i}]`;
    if (!p || typeof p !== 'object') throw new Error(`tunnel-guard: ${where} must be an object`);
    if (!/^vpn-[0-9a-f]+$/.test(String(p.vpnId))) throw new Error(`tunnel-guard: ${where}.vpnId must be a VPN connection id`);
    if (!IPV4.test(String(p.tunnelIp))) throw new Error(`tunnel-guard: ${where}.tunnelIp must be the tunnel's AWS outside IPv4 address`);
    if (!IPV4.test(String(p.target))) throw new Error(`tunnel-guard: ${where}.target must be an IPv4 address on the GCP side`);
    if (!/^arn:aws[a-z-]*:ec2:[a-z0-9-]+:\d{12}:subnet\/subnet-[0-9a-f]+$/.test(String(p.subnetArn))) {
      throw new Error(`tunnel-guard: ${where}.subnetArn must be the ARN of the probe subnet (arn:aws:ec2:REGION:ACCOUNT:subnet/subnet-…)`);
    }
    const tgw = p.tgwRouteTableId !== undefined || p.transitGatewayAttachmentId !== undefined;
    if (tgw) {
      if (!/^tgw-rtb-[0-9a-f]+$/.test(String(p.tgwRouteTableId)))
        throw new Error(
          `tunnel-guard: ${where}.tgwRouteTableId must be the Transit Gateway route table the probe subnet's traffic uses (tgw-rtb-…)`,
        );
      if (!/^tgw-attach-[0-9a-f]+$/.test(String(p.transitGatewayAttachmentId)))
        throw new Error(`tunnel-guard: ${where}.transitGatewayAttachmentId must be the link's VPN attachment (tgw-attach-…)`);
    }
    const routing = p.routing === undefined ? 'static' : p.routing;
    if (routing !== 'static' && routing !== 'bgp') throw new Error(`tunnel-guard: ${where}.routing must be "static" or "bgp"`);
    if (routing === 'bgp' && !tgw) {
      throw new Error(
        `tunnel-guard: ${where}: ${p.vpnId} uses BGP on a virtual private gateway, and a probe there cannot be pinned to this link yet — the connection takes no static routes (CreateVpnConnectionRoute is for static-routing connections) and its learned routes cannot be made to prefer it for one /32. Probe it through a Transit Gateway (tgwRouteTableId + transitGatewayAttachmentId), or leave this link out of the probes`,
      );
    }
    return {
      vpnId: p.vpnId,
      tunnelIp: p.tunnelIp,
      target: p.target,
      subnetArn: p.subnetArn,
      routing,
      ...(tgw ? { tgwRouteTableId: p.tgwRouteTableId, transitGatewayAttachmentId: p.transitGatewayAttachmentId } : {}),
    };
  });
}

const idOf = (p) => `${p.vpnId}${p.tunnelIp}`.replace(/[^A-Za-z0-9]/g, '');

/**
 * The resources fragment for `probes`. `monitorName` names the one monitor; thresholds are percent. An empty list
 * yields no resources at all.
 */
function probeResources(
  probes,
  {
    monitorName = 'tunnel-guard-probes',
    tripPercent = DEFAULTS.tripPercent,
    clearPercent = DEFAULTS.clearPercent,
    heavyPercent = DEFAULTS.heavyPercent,
  } = {},
) {
  const list = parseProbes(probes);
  const trip = Number(tripPercent);
  const clear = Number(clearPercent);
  const heavy = Number(heavyPercent);
  if (!(heavy > 0 && heavy <= 100)) throw new Error('tunnel-guard: the probe heavy-loss threshold must be a percentage in (0, 100]');
  if (!(trip > 0 && trip <= 100)) throw new Error('tunnel-guard: the probe trip threshold must be a percentage in (0, 100]');
  if (!(clear >= 0 && clear < trip)) throw new Error('tunnel-guard: the probe clear threshold must be below the trip threshold');
  const resources = {};
  if (list.length === 0) return { Resources: resources };
  // The cfn-lint on some machines predates these resource types and reports them as unknown (E3006); the
  // exception is on these two resources only, so every other check still applies to them and to the template.
  const lintUnknownType = { 'cfn-lint': { config: { ignore_checks: ['E3006'] } } };
  resources.TunnelGuardProbeMonitor = {
    Type: 'AWS::NetworkMonitor::Monitor',
    Metadata: lintUnknownType,
    Properties: { MonitorName: monitorName, AggregationPeriod: 30, Tags: [{ Key: 'tunnel-guard', Value: 'probes' }] },
  };
  for (const p of list) {
    const id = idOf(p);
    const tunnel = `${p.vpnId}-${p.tunnelIp}`;
    resources[`TunnelGuardProbe${id}`] = {
      Type: 'AWS::NetworkMonitor::Probe',
      Metadata: lintUnknownType,
      Properties: {
        MonitorName: { Ref: 'TunnelGuardProbeMonitor' },
        SourceArn: p.subnetArn,
        Destination: p.target,
        Protocol: 'ICMP',
        PacketSize: 56,
        Tags: [{ Key: 'tunnel-guard:tunnel', Value: tunnel }],
      },
    };
    resources[`TunnelGuardProbeRoute${id}`] = p.tgwRouteTableId
      ? {
          Type: 'AWS::EC2::TransitGatewayRoute',
          Properties: {
            TransitGatewayRouteTableId: p.tgwRouteTableId,
            TransitGatewayAttachmentId: p.transitGatewayAttachmentId,
            DestinationCidrBlock: `${p.target}/32`,
          },
        }
      : {
          Type: 'AWS::EC2::VPNConnectionRoute',
          Properties: { VpnConnectionId: p.vpnId, DestinationCidrBlock: `${p.target}/32` },
        };
    // Two speeds of detection and a recovery: `trip` (light loss held for minutes), `fast` (heavy loss, at once),
    // `clear` (hysteresis: below the lower threshold for minutes).
    const threshold = { trip, fast: heavy, clear };
    const says = {
      trip: `loses more than ${trip} % for 2.5 minutes (drain)`,
      fast: `loses more than ${heavy} % for a minute (heavy loss: drain at once)`,
      clear: `loses more than ${clear} % (not recovered yet)`,
    };
    for (const role of ['trip', 'fast', 'clear']) {
      const ev = PROBE_EVALUATION[role];
      resources[`TunnelGuardProbe${role[0].toUpperCase()}${role.slice(1)}Alarm${id}`] = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: `${PROBE_ALARM_PREFIX}${tunnel}-${role}`,
          AlarmDescription: `tunnel-guard: the probe through ${p.tunnelIp} of ${p.vpnId} ${says[role]}`,
          Namespace: 'AWS/NetworkMonitor',
          MetricName: 'PacketLoss',
          Dimensions: [
            { Name: 'Monitor', Value: { Ref: 'TunnelGuardProbeMonitor' } },
            { Name: 'Probe', Value: { 'Fn::GetAtt': [`TunnelGuardProbe${id}`, 'ProbeId'] } },
          ],
          Statistic: 'Average',
          ...ev,
          Threshold: threshold[role],
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'missing',
        },
      };
    }
  }
  return { Resources: resources };
}

/** The /32 targets, comma-separated: the Lambda leaves these VPN connection routes alone. */
function probeTargets(probes) {
  return parseProbes(probes)
    .map((p) => `${p.target}/32`)
    .join(',');
}

/**
 * The configured links whose AWS end no probe is pinned to. A tunnel that carries no traffic at all while up is
 * invisible to loss ratios (nothing arrives, so nothing is seen missing): only a probe catches that silent black
 * hole. `links` as in the configuration ({gcp, aws} ids, the AWS id `aws:<region>:<vpn>:<outside ip>`).
 */
function unprobedLinks(probes, links) {
  const probed = new Set(parseProbes(probes).map((p) => `${p.vpnId}:${p.tunnelIp}`));
  return (links || []).filter((l) => !probed.has(String(l.aws).split(':').slice(2).join(':')));
}

/** The deploy's summary line for them ('' when every link has a probe, or no link is configured). */
function unprobedLinksWarning(probes, configJson) {
  const links = configJson ? JSON.parse(configJson).links || [] : [];
  const missing = unprobedLinks(probes, links);
  if (!missing.length) return '';
  return `tunnel-guard: warning: ${missing.length} of ${links.length} link(s) have no probe (TUNNEL_GUARD_AWS_PROBES): ${missing.map((l) => l.aws).join(', ')}. A silent black hole (a tunnel that is up and carries nothing) shows in no loss ratio; only a probe catches it. See docs/troubleshooting.md`;
}

module.exports = async ({ resolveVariable }) => {
  const probes = await resolveVariable('self:custom.tunnelGuard.probes');
  const trip = await resolveVariable('self:custom.tunnelGuard.probeTripPercent');
  const clear = await resolveVariable('self:custom.tunnelGuard.probeClearPercent');
  const heavy = await resolveVariable('self:custom.tunnelGuard.probeHeavyPercent');
  const stage = await resolveVariable('sls:stage');
  // Said where a deploy is built, once: the deployer sees it in the deploy's output.
  if (process.argv.some((a) => a === 'package' || a === 'deploy')) {
    let warning = '';
    try {
      warning = unprobedLinksWarning(probes, configJsonOf(process.env));
    } catch {
      // a broken configuration stops the deploy in environment.js, with its reason
    }
    if (warning) process.stderr.write(`${warning}\n`);
  }
  return probeResources(probes, {
    monitorName: `tunnel-guard-${stage}-probes`,
    tripPercent: trip,
    clearPercent: clear,
    heavyPercent: heavy,
  });
};
module.exports.probeResources = probeResources;
module.exports.probeTargets = probeTargets;
module.exports.parseProbes = parseProbes;
module.exports.unprobedLinks = unprobedLinks;
module.exports.unprobedLinksWarning = unprobedLinksWarning;
module.exports.PROBE_EVALUATION = PROBE_EVALUATION;
module.exports.PROBE_ALARM_PREFIX = PROBE_ALARM_PREFIX;
