/**
 * The probes the AWS deploy tooling declares: one pinned route, one probe and two alarms per link, with names the
 * Lambda's alarm parser reads, and a template that cfn-lint accepts (with the one narrow exception for the
 * Network Monitor resource types this cfn-lint does not know).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE_ALARM, PROBE_PREFIX } from '../../clouds/probes';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const probes = require('../../functions/deploy/probes.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const probeRoutes = require('../../deploy/gcp/probe-routes.js');

const P = {
  vpnId: 'vpn-0a1b2c3d4e5f60001',
  tunnelIp: '203.0.113.11',
  target: '10.240.255.10',
  subnetArn: 'arn:aws:ec2:ap-northeast-1:123456789012:subnet/subnet-0a1b2c3d4e5f60001',
};

describe('probe resources', () => {
  const { Resources } = probes.probeResources(JSON.stringify([P]), { monitorName: 'tunnel-guard-prod-probes' });
  const ofType = (t: string) =>
    Object.entries(Resources as Record<string, { Type: string; Properties: any }>).filter(([, r]) => r.Type === t);

  it('pins the probe to its link with a /32 on that connection only', () => {
    expect(ofType('AWS::EC2::VPNConnectionRoute').map(([, r]) => r.Properties)).toEqual([
      { VpnConnectionId: P.vpnId, DestinationCidrBlock: '10.240.255.10/32' },
    ]);
    expect(probes.probeTargets(JSON.stringify([P]))).toBe('10.240.255.10/32');
  });

  it('probes with ICMP from the probe subnet, on one monitor at 30 s aggregation', () => {
    expect(ofType('AWS::NetworkMonitor::Monitor').map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({ MonitorName: 'tunnel-guard-prod-probes', AggregationPeriod: 30 }),
    ]);
    expect(ofType('AWS::NetworkMonitor::Probe').map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({ SourceArn: P.subnetArn, Destination: P.target, Protocol: 'ICMP' }),
    ]);
  });

  it('alarms on PacketLoss at two speeds and a lower clear threshold, named so the Lambda finds the tunnel', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);
    expect(alarms.map((a) => a.AlarmName).sort()).toEqual([
      `tunnel-guard-probe-${P.vpnId}-${P.tunnelIp}-clear`,
      `tunnel-guard-probe-${P.vpnId}-${P.tunnelIp}-fast`,
      `tunnel-guard-probe-${P.vpnId}-${P.tunnelIp}-trip`,
    ]);
    for (const a of alarms) {
      expect(PROBE_ALARM.test(a.AlarmName)).toBe(true);
      expect(a).toMatchObject({
        Namespace: 'AWS/NetworkMonitor',
        MetricName: 'PacketLoss',
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'missing',
      });
      expect(a.Dimensions.map((d: { Name: string }) => d.Name)).toEqual(['Monitor', 'Probe']);
    }
    const trip = alarms.find((a) => a.AlarmName.endsWith('-trip'));
    const clear = alarms.find((a) => a.AlarmName.endsWith('-clear'));
    const fast = alarms.find((a) => a.AlarmName.endsWith('-fast'));
    expect(clear.Threshold).toBeLessThan(trip.Threshold);
    // Heavy loss: a higher threshold, one period — and a 60 s period, which CloudWatch stores for any metric.
    expect(fast).toMatchObject({ Threshold: 50, Period: 60, EvaluationPeriods: 1, DatapointsToAlarm: 1 });
    expect(fast.Threshold).toBeGreaterThan(trip.Threshold);
    expect(trip.Period * trip.EvaluationPeriods).toBeGreaterThan(fast.Period * fast.EvaluationPeriods);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['a bad VPN id', JSON.stringify([{ ...P, vpnId: 'x' }]), /vpnId/],
    ['a bad target', JSON.stringify([{ ...P, target: '10.0.0.0/24' }]), /target/],
    ['a bad subnet', JSON.stringify([{ ...P, subnetArn: 'subnet-1' }]), /subnetArn/],
  ])('fails the deploy on %s, naming the field', (_w, raw, re) => {
    expect(() => probes.probeResources(raw)).toThrow(re);
  });

  it('on a Transit Gateway link pins the probe in the TGW route table to the link attachment, never on the connection', () => {
    const tgw = { ...P, tgwRouteTableId: 'tgw-rtb-0a1b2c3d4e5f60001', transitGatewayAttachmentId: 'tgw-attach-0a1b2c3d4e5f60001' };
    const r = Object.values(probes.probeResources(JSON.stringify([tgw])).Resources as Record<string, { Type: string; Properties: any }>);
    expect(r.filter((x) => x.Type === 'AWS::EC2::VPNConnectionRoute')).toEqual([]);
    expect(r.filter((x) => x.Type === 'AWS::EC2::TransitGatewayRoute').map((x) => x.Properties)).toEqual([
      {
        TransitGatewayRouteTableId: tgw.tgwRouteTableId,
        TransitGatewayAttachmentId: tgw.transitGatewayAttachmentId,
        DestinationCidrBlock: '10.240.255.10/32',
      },
    ]);
    // BGP on the connection does not matter on a TGW: the TGW takes a static route to the attachment.
    expect(() => probes.probeResources(JSON.stringify([{ ...tgw, routing: 'bgp' }]))).not.toThrow();
  });

  it('refuses a probe on a BGP link of a virtual private gateway (no way to pin it yet), and half a TGW entry', () => {
    expect(() => probes.parseProbes(JSON.stringify([{ ...P, routing: 'bgp' }]))).toThrow(
      /uses BGP on a virtual private gateway, and a probe there cannot be pinned .*Transit Gateway/,
    );
    expect(() => probes.parseProbes(JSON.stringify([{ ...P, tgwRouteTableId: 'tgw-rtb-0a1b' }]))).toThrow(/transitGatewayAttachmentId/);
    expect(() => probes.parseProbes(JSON.stringify([{ ...P, routing: 'ospf' }]))).toThrow(/routing must be/);
  });

  it('refuses a clear threshold that is not below the trip threshold', () => {
    expect(() => probes.probeResources(JSON.stringify([P]), { tripPercent: 1, clearPercent: 1 })).toThrow(/clear threshold/);
  });

  it('declares nothing without probes', () => {
    expect(probes.probeResources('')).toEqual({ Resources: {} });
  });

  it('passes cfn-lint, the unknown Network Monitor types excepted on those resources only', () => {
    const which = spawnSync('sh', ['-c', 'command -v cfn-lint'], { encoding: 'utf8' });
    if (which.status !== 0) throw new Error('cfn-lint is not installed: the template cannot be validated');
    const dir = mkdtempSync(join(tmpdir(), 'tg-probes-lint-'));
    try {
      const file = join(dir, 'template.json');
      writeFileSync(file, JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources }));
      const r = spawnSync('cfn-lint', [file, '--regions', 'ap-northeast-1'], { encoding: 'utf8', timeout: 60_000 });
      expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
      expect(r.status).toBe(0);
      // The exception is narrow: without it, the same template fails on exactly those two types.
      const bare = structuredClone(Resources);
      for (const res of Object.values(bare as Record<string, { Metadata?: unknown }>)) delete res.Metadata;
      writeFileSync(file, JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: bare }));
      const r2 = spawnSync('cfn-lint', [file, '--regions', 'ap-northeast-1'], { encoding: 'utf8', timeout: 60_000 });
      const codes = [...new Set([...`${r2.stdout}`.matchAll(/^(E\d{4})/gm)].map((m) => m[1]))];
      expect(codes).toEqual(['E3006']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GCP probe return routes', () => {
  const env = {
    TUNNEL_GUARD_GCP_PROJECT: 'example-project',
    TUNNEL_GUARD_GCP_PROBE_ROUTES: JSON.stringify([
      { tunnel: 'tunnel-aws-1', region: 'asia-northeast1', network: 'vpc-main', sourceCidr: '10.0.255.0/28' },
    ]),
  };

  it('routes the probe subnet back through the link tunnel, under the name tunnel-guard never withdraws', () => {
    const [cmd] = probeRoutes.probeRouteCommands(env);
    expect(cmd.slice(0, 5)).toEqual(['gcloud', 'compute', 'routes', 'create', 'tunnel-guard-probe-tunnel-aws-1']);
    expect(cmd[4].startsWith(PROBE_PREFIX)).toBe(true);
    expect(cmd).toEqual(
      expect.arrayContaining([
        '--destination-range=10.0.255.0/28',
        '--next-hop-vpn-tunnel=tunnel-aws-1',
        '--next-hop-vpn-tunnel-region=asia-northeast1',
        '--network=vpc-main',
      ]),
    );
  });

  it('refuses a bad declaration with exit 2 and the field', () => {
    const err: string[] = [];
    const code = probeRoutes.main(
      ['--print'],
      {
        ...env,
        TUNNEL_GUARD_GCP_PROBE_ROUTES: JSON.stringify([
          { tunnel: 'tunnel-aws-1', region: 'asia-northeast1', network: 'vpc-main', sourceCidr: '10.0.0.0/8' },
        ]),
      },
      { out: () => undefined, err: (s: string) => err.push(s) },
    );
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/sourceCidr/);
  });
});

describe('links without a probe are said at deploy and by doctor (a silent black hole shows in no loss ratio)', () => {
  const probed = { gcp: 'gcp:p:r:tunnel-aws-1', aws: 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11' };
  const bare = { gcp: 'gcp:p:r:tunnel-aws-2', aws: 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60002:203.0.113.21' };

  it('names each configured link whose AWS end has no probe', () => {
    expect(probes.unprobedLinks(JSON.stringify([P]), [probed, bare])).toEqual([bare]);
    expect(probes.unprobedLinks('', [probed])).toEqual([probed]);
    expect(probes.unprobedLinks(JSON.stringify([P]), [probed])).toEqual([]);
  });

  it("the deploy's warning line counts and names them, and is empty when every link is probed", () => {
    const w = probes.unprobedLinksWarning(JSON.stringify([P]), JSON.stringify({ links: [probed, bare] }));
    expect(w).toMatch(
      /^tunnel-guard: warning: 1 of 2 link\(s\) have no probe .*vpn-0a1b2c3d4e5f60002:203\.0\.113\.21\..*silent black hole/,
    );
    expect(probes.unprobedLinksWarning(JSON.stringify([P]), JSON.stringify({ links: [probed] }))).toBe('');
    expect(probes.unprobedLinksWarning('', '')).toBe('');
  });

  it('doctor warns on its own line for each such link', async () => {
    const { unprobedLinkChecks } = await import('../../cli/clouds/doctor-probes');
    const checks = unprobedLinkChecks({ TUNNEL_GUARD_AWS_PROBES: JSON.stringify([P]) }, [probed, bare]);
    expect(checks).toEqual([
      expect.objectContaining({ cloud: 'aws', name: `probe for link ${bare.aws}`, detail: expect.stringMatching(/^warning: no probe/) }),
    ]);
    expect(unprobedLinkChecks({}, [])).toEqual([]);
  });
});
