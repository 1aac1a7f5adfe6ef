/**
 * `serverless package` (osls + serverless-esbuild) must work offline, without AWS credentials, and produce a
 * least-privilege, cfn-lint-clean CloudFormation template. Runs the real CLI once (a few seconds).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POLICY_OPTIONS } from '../../config/options';

const ROOT = join(__dirname, '../..');
let out: string;
let outOptions: string;
let template: any;
/** The same service packaged with the optional settings on (reserved concurrency, direct alarm-action permission). */
let optioned: any;
const TUNNELS = ['vpn-0a1b2c3d4e5f60001:203.0.113.11', 'vpn-0a1b2c3d4e5f60001:203.0.113.12'];
/** A distinct, valid value for every policy knob, so each can be found in the packaged template. */
const KNOB_VALUES: Record<string, string> = Object.fromEntries(
  Object.values(POLICY_OPTIONS).map((o, i) => [
    o.env,
    o.env === 'TUNNEL_GUARD_DRY_RUN'
      ? 'true'
      : o.env === 'TUNNEL_GUARD_DRAIN_MODE'
        ? 'withdraw'
        : /SCOPE|EXCLUDE/.test(o.env)
          ? `aws:*${i}`
          : String(i + 1),
  ]),
);
const LINK_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:tunnel-guard/link-AbCdEf';
const GCP_SECRET_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:tunnel-guard/gcp-webhook-AbCdEf';

function slsPackage(dir: string, extra: Record<string, string>): any {
  const env: Record<string, string | undefined> = {
    ...process.env,
    TUNNEL_GUARD_AWS_ALARM_TUNNELS: TUNNELS.join(','),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
  // Prove it needs no credentials at all.
  for (const k of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'TUNNEL_GUARD_RESERVED_CONCURRENCY',
    'TUNNEL_GUARD_ALARM_ACTION_PERMISSION',
  ]) {
    if (!(k in extra)) delete env[k];
  }
  env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'no-credentials');
  env.AWS_CONFIG_FILE = join(dir, 'no-config');
  execFileSync(join(ROOT, 'node_modules/.bin/serverless'), ['package', '--package', dir], {
    cwd: ROOT,
    env,
    stdio: 'pipe',
    timeout: 60_000,
  });
  return JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
}

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'tg-sls-'));
  outOptions = mkdtempSync(join(tmpdir(), 'tg-sls-options-'));
  template = slsPackage(out, {});
  optioned = slsPackage(outOptions, {
    TUNNEL_GUARD_RESERVED_CONCURRENCY: '1',
    TUNNEL_GUARD_ALARM_ACTION_PERMISSION: 'true',
    ...KNOB_VALUES,
    TUNNEL_GUARD_LINK_SECRET_ARN: LINK_SECRET_ARN,
    TUNNEL_GUARD_GCP_LINK_SECRET_ARN: GCP_SECRET_ARN,
    TUNNEL_GUARD_GCP_LINK_URL: 'https://asia-northeast1-example.cloudfunctions.net/tunnelIncident',
  });
}, 120_000);
afterAll(() => {
  for (const d of [out, outOptions]) if (d) rmSync(d, { recursive: true, force: true });
});

const resources = (type: string): [string, any][] =>
  Object.entries(template.Resources).filter(([, r]: [string, any]) => r.Type === type) as [string, any][];
const statements = (): any[] =>
  resources('AWS::IAM::Role').flatMap(([, r]) => r.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement));
const actionsOf = (s: any): string[] => [s.Action].flat();

it('grants no wildcard IAM actions', () => {
  const actions = statements().flatMap(actionsOf);
  expect(actions.length).toBeGreaterThan(5);
  expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  for (const s of statements()) expect(s.NotAction).toBeUndefined();
});

it('grants only describes on Resource "*", and the route levers, table and topic by ARN', () => {
  const starred = statements()
    .filter((s) => s.Resource === '*' || [s.Resource].flat().includes('*'))
    .flatMap(actionsOf);
  for (const a of starred) expect(a).toMatch(/^ec2:(Describe|Search)/);
  const mutating = statements()
    .flatMap(actionsOf)
    .filter((a) => /^ec2:(Create|Delete|Replace)/.test(a))
    .sort();
  expect(mutating).toEqual([
    'ec2:CreateTags',
    'ec2:CreateTransitGatewayRoute',
    'ec2:CreateVpnConnectionRoute',
    'ec2:DeleteTags',
    'ec2:DeleteTransitGatewayRoute',
    'ec2:DeleteVpnConnectionRoute',
    'ec2:ReplaceTransitGatewayRoute',
  ]);
  // Tags only on VPN connections, and only tunnel-guard's own keys (the mark of a de-preferred route).
  expect(statements().find((s) => actionsOf(s).includes('ec2:CreateTags'))).toMatchObject({
    Resource: { 'Fn::Sub': expect.stringMatching(/:vpn-connection\/\*$/) },
    Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': 'tunnel-guard:standby:*' } },
  });
  const byAction = (a: string) => statements().find((s) => actionsOf(s).includes(a));
  expect(byAction('dynamodb:PutItem').Resource).toEqual({ 'Fn::GetAtt': ['LedgerTable', 'Arn'] });
  expect(byAction('sns:Publish').Resource).toEqual({ Ref: 'NotificationsTopic' });
});

it('declares both functions on nodejs22.x, without reserved concurrency unless it is asked for', () => {
  const fns = resources('AWS::Lambda::Function');
  expect(fns.map(([id]) => id).sort()).toEqual(['ReconcileLambdaFunction', 'TunnelAlarmLambdaFunction']);
  for (const [id, f] of fns) {
    expect(f.Properties.Runtime).toBe('nodejs22.x');
    // Reserving concurrency needs 100 unreserved executions left in the account: off by default, so a new account
    // (limit 10) can deploy.
    expect(f.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(optioned.Resources[id].Properties.ReservedConcurrentExecutions).toBe(1);
    // Plain strings only, so `serverless invoke local` works offline.
    for (const v of Object.values(f.Properties.Environment.Variables)) expect(typeof v).toBe('string');
  }
});

it('lets CloudWatch alarms named tunnel-guard-* invoke tunnelAlarm directly, only when enabled', () => {
  const permission = template.Resources.TunnelAlarmInvokeFromAlarms;
  expect(permission.Condition).toBe('CreateAlarmActionPermission');
  expect(template.Conditions.CreateAlarmActionPermission).toEqual({ 'Fn::Equals': [{ Ref: 'AlarmActionPermission' }, 'true'] });
  expect(template.Parameters.AlarmActionPermission.Default).toBe('false');
  expect(optioned.Parameters.AlarmActionPermission.Default).toBe('true');
  expect(optioned.Resources.TunnelAlarmInvokeFromAlarms.Properties).toEqual({
    Action: 'lambda:InvokeFunction',
    FunctionName: { 'Fn::GetAtt': ['TunnelAlarmLambdaFunction', 'Arn'] },
    Principal: 'lambda.alarms.cloudwatch.amazonaws.com',
    SourceAccount: { Ref: 'AWS::AccountId' },
    SourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:tunnel-guard-*' },
  });
});

it('scopes SearchTransitGatewayRoutes to transit gateway route tables (it supports resource-level permissions)', () => {
  const search = statements().filter((s) => actionsOf(s).includes('ec2:SearchTransitGatewayRoutes'));
  expect(search).toHaveLength(1);
  expect(search[0].Resource).toEqual({
    'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:transit-gateway-route-table/*',
  });
});

it('routes the project alarms from EventBridge and reconciles every minute', () => {
  const rules = resources('AWS::Events::Rule').map(([, r]) => r.Properties);
  expect(rules.find((r) => r.EventPattern)?.EventPattern).toEqual({
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: { alarmName: [{ prefix: 'tunnel-guard-' }] },
  });
  expect(rules.find((r) => r.ScheduleExpression)?.ScheduleExpression).toBe('rate(1 minute)');
});

it('declares the ledger table, the topics and a TunnelState alarm per configured tunnel', () => {
  const [[, table]] = resources('AWS::DynamoDB::Table');
  expect(table.Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'tunnelId', KeyType: 'HASH' }] });
  expect(resources('AWS::SNS::Topic').length).toBe(2);
  const alarms = resources('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
  expect(alarms).toHaveLength(TUNNELS.length);
  for (const a of alarms) {
    expect(a).toMatchObject({
      Namespace: 'AWS/VPN',
      MetricName: 'TunnelState',
      Period: 300,
      TreatMissingData: 'missing',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
    });
    expect(a.AlarmName.startsWith('tunnel-guard-')).toBe(true);
  }
  expect(alarms.map((a) => a.Dimensions.find((d: any) => d.Name === 'TunnelIpAddress').Value).sort()).toEqual([
    '203.0.113.11',
    '203.0.113.12',
  ]);
});

it.each([
  ['defaults', () => out],
  ['optional settings on', () => outOptions],
])(
  'passes cfn-lint (%s)',
  (_name, dir) => {
    const which = spawnSync('sh', ['-c', 'command -v cfn-lint'], { encoding: 'utf8' });
    if (which.status !== 0) throw new Error('cfn-lint is not installed (pip install cfn-lint): the template cannot be validated');
    const r = spawnSync('cfn-lint', [join(dir(), 'cloudformation-template-update-stack.json')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  },
  60_000,
);

it('bundles one minified handler file (size guard against pulling in unused SDKs)', () => {
  const zip = statSync(join(out, 'tunnel-guard.zip')).size;
  expect(zip).toBeLessThan(600 * 1024);
  const listing = execFileSync('unzip', ['-l', join(out, 'tunnel-guard.zip')], { encoding: 'utf8' });
  expect(listing).toMatch(/functions\/handlers\.js/);
  expect(listing).not.toMatch(/node_modules/);
});

it('declares the optional keyless GCP → AWS link role: trusts one GCP service account, may only publish to the link topic', () => {
  const role = template.Resources.GcpLinkPublisherRole;
  expect(role.Condition).toBe('CreateGcpLinkRole');
  expect(template.Conditions.CreateGcpLinkRole).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'GcpServiceAccountId' }, ''] }] });
  expect(template.Parameters.GcpServiceAccountId.Default).toBe(''); // not set for this package: no role is created
  expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
    {
      Effect: 'Allow',
      Principal: { Federated: 'accounts.google.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'accounts.google.com:aud': { Ref: 'GcpServiceAccountId' },
          'accounts.google.com:sub': { Ref: 'GcpServiceAccountId' },
          'accounts.google.com:oaud': { Ref: 'GcpIdTokenAudience' },
        },
      },
    },
  ]);
  const granted = role.Properties.Policies.flatMap((p: any) => p.PolicyDocument.Statement);
  expect(granted).toEqual([{ Sid: 'LinkTopicOnly', Effect: 'Allow', Action: ['sns:Publish'], Resource: { Ref: 'LinkTopic' } }]);
  // The Lambda itself gets the GCP link's settings as plain (empty by default) strings.
  const vars = template.Resources.TunnelAlarmLambdaFunction.Properties.Environment.Variables;
  expect(vars).toMatchObject({ TUNNEL_GUARD_GCP_LINK_URL: '', TUNNEL_GUARD_GCP_LINK_SECRET_ARN: '' });
  // Secrets travel by ARN only: no variable of the Lambda may hold a secret value.
  for (const k of ['TUNNEL_GUARD_LINK_SECRET', 'TUNNEL_GUARD_GCP_LINK_TOKEN', 'TUNNEL_GUARD_GCP_LINK_PASSWORD'])
    expect(vars[k]).toBeUndefined();
});

describe('serverless invoke local (the real CLI) on the simulator', () => {
  const sls = (args: string[], env: Record<string, string>) =>
    spawnSync(join(ROOT, 'node_modules/.bin/serverless'), ['invoke', 'local', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 90_000,
    });

  it('drains on the documented ALARM example and restores on the OK example, acting on the simulator file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-invoke-'));
    try {
      const sim = join(dir, 'sim.json');
      const env = { TUNNEL_GUARD_SIMULATOR: sim, TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0', AWS_EC2_METADATA_DISABLED: 'true' };
      // The routes of the other connection: a drain adds the halves of both prefixes there (make-before-break).
      const routes = () =>
        JSON.parse(readFileSync(sim, 'utf8')).aws.vpnConnections.find((c: any) => c.vpnConnectionId === 'vpn-0a1b2c3d4e5f60002').routes
          .length;
      const drain = sls(['-f', 'tunnelAlarm', '-p', 'test/fixtures/aws/example-tunnel-degraded-alarm.json'], env);
      expect(drain.status).toBe(0);
      expect(drain.stdout).toMatch(/"decision": "drain"/);
      expect(routes()).toBe(6);
      const restore = sls(['-f', 'tunnelAlarm', '-p', 'test/fixtures/aws/example-tunnel-recovered-ok.json'], env);
      expect(restore.status).toBe(0);
      expect(restore.stdout).toMatch(/"decision": "restore"/);
      expect(routes()).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('ends fast, non-zero, with the reason, on a bad configuration (it used to print the error and hang)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-invoke-bad-'));
    try {
      const started = Date.now();
      const r = spawnSync(
        join(ROOT, 'node_modules/.bin/serverless'),
        ['invoke', 'local', '-f', 'tunnelAlarm', '-p', 'test/fixtures/aws/example-tunnel-down-alarm.json'],
        {
          cwd: ROOT,
          env: {
            ...process.env,
            TUNNEL_GUARD_ALARM_TOPIC_ARNS: 'bad',
            TUNNEL_GUARD_SIMULATOR: join(dir, 'x.json'),
            AWS_EC2_METADATA_DISABLED: 'true',
          },
          encoding: 'utf8',
          timeout: 20_000,
          killSignal: 'SIGKILL',
        },
      );
      expect(r.signal).toBeNull(); // not killed by the 20 s bound
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(r.status).not.toBe(0);
      expect(r.stdout + r.stderr).toMatch(/TUNNEL_GUARD_ALARM_TOPIC_ARNS must list SNS topic ARNs: \\?"bad/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

it("declares a CloudWatch dashboard whose widgets name tunnel-guard's metrics and each tunnel's AWS/VPN metrics", () => {
  const dashboards = resources('AWS::CloudWatch::Dashboard');
  expect(dashboards.map(([id]) => id)).toEqual(['TunnelGuardDashboard']);
  const props = dashboards[0]![1].Properties;
  expect(props.DashboardName).toBe('tunnel-guard-prod');
  // The body is an Fn::Sub string: the region (in every widget and in tunnel-guard's tunnel ids) comes from the stack.
  const body = JSON.parse(props.DashboardBody['Fn::Sub'].replaceAll('${AWS::Region}', 'ap-northeast-1'));
  const text = JSON.stringify(body);
  for (const name of [
    'TunnelsOutOfService',
    'TunnelOutOfService',
    'Drains',
    'Restores',
    'Refusals',
    'TunnelLossPercent',
    'TunnelProbeLossPercent',
    'TunnelLoadPps',
  ])
    expect(text).toContain(name);
  const series = body.widgets.filter((w: any) => w.type === 'metric').flatMap((w: any) => w.properties.metrics);
  // Per configured tunnel: its AWS/VPN TunnelState beside tunnel-guard's view of the same tunnel.
  for (const t of TUNNELS) {
    const [vpn, ip] = t.split(':');
    expect(series).toContainEqual(['AWS/VPN', 'TunnelState', 'VpnId', vpn, 'TunnelIpAddress', ip, expect.any(Object)]);
    expect(series).toContainEqual([
      'TunnelGuard',
      'TunnelOutOfService',
      'Cloud',
      'aws',
      'Tunnel',
      `aws:ap-northeast-1:${vpn}:${ip}`,
      expect.any(Object),
    ]);
  }
  expect(text).toContain('{AWS/VPN,VpnId,TunnelIpAddress} MetricName=\\"TunnelState\\"');
});

describe('what the deployer sets reaches the Lambda, and secrets stay out', () => {
  it.each(Object.keys(KNOB_VALUES).map((k) => [k]))('the policy knob %s reaches both functions', (knob) => {
    for (const fn of ['TunnelAlarmLambdaFunction', 'ReconcileLambdaFunction'])
      expect(optioned.Resources[fn].Properties.Environment.Variables[knob]).toBe(KNOB_VALUES[knob]);
  });

  it('carries secrets by ARN only, and the role may read only tunnel-guard/ secrets', () => {
    const vars = optioned.Resources.TunnelAlarmLambdaFunction.Properties.Environment.Variables;
    expect(vars).toMatchObject({ TUNNEL_GUARD_LINK_SECRET_ARN: LINK_SECRET_ARN, TUNNEL_GUARD_GCP_LINK_SECRET_ARN: GCP_SECRET_ARN });
    const read = statements().find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(read.Resource).toEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:tunnel-guard/*',
    });
    const describe = statements().find((s) => actionsOf(s).includes('cloudwatch:DescribeAlarms'));
    expect(describe.Resource).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*' });
  });

  it('refuses secret values set as plain variables, and no secret value lands in any generated file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-sls-secrets-'));
    const values = { TUNNEL_GUARD_LINK_SECRET: 'link-key-VALUE-0123456789', TUNNEL_GUARD_GCP_LINK_PASSWORD: 'gcp-password-VALUE-987' };
    try {
      let message = '';
      try {
        slsPackage(dir, values);
      } catch (e) {
        message = String((e as { stdout?: Buffer }).stdout ?? '') + String((e as { stderr?: Buffer }).stderr ?? '');
      }
      expect(message).toMatch(/refusing to deploy TUNNEL_GUARD_LINK_SECRET, TUNNEL_GUARD_GCP_LINK_PASSWORD as plain text/);
      expect(message).toMatch(/TUNNEL_GUARD_LINK_SECRET_ARN/);
      // Whatever was written before the refusal, and the packages built the supported way: no secret value anywhere.
      for (const d of [dir, outOptions, out]) {
        const files = execFileSync('find', [d, '-type', 'f'], { encoding: 'utf8' }).split('\n').filter(Boolean);
        for (const f of files) {
          const text = f.endsWith('.zip')
            ? execFileSync('unzip', ['-p', f], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 })
            : readFileSync(f, 'latin1');
          for (const v of Object.values(values)) expect(text.includes(v)).toBe(false);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('serverless package with a probe on a Transit Gateway link', () => {
  let dir: string;
  let tgwTemplate: any;
  const probe = {
    vpnId: 'vpn-0a1b2c3d4e5f60002',
    tunnelIp: '203.0.113.21',
    target: '10.240.255.20',
    subnetArn: 'arn:aws:ec2:ap-northeast-1:123456789012:subnet/subnet-0a1b2c3d4e5f60001',
    tgwRouteTableId: 'tgw-rtb-0a1b2c3d4e5f60001',
    transitGatewayAttachmentId: 'tgw-attach-0a1b2c3d4e5f60002',
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tg-sls-tgw-'));
    tgwTemplate = slsPackage(dir, { TUNNEL_GUARD_AWS_PROBES: JSON.stringify([probe]) });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pins the probe with a route in the TGW route table to the link attachment, and declares no VPN connection route', () => {
    const of = (type: string) => Object.values(tgwTemplate.Resources as Record<string, any>).filter((r) => r.Type === type);
    expect(of('AWS::EC2::VPNConnectionRoute')).toEqual([]);
    expect(of('AWS::EC2::TransitGatewayRoute').map((r) => r.Properties)).toEqual([
      {
        TransitGatewayRouteTableId: probe.tgwRouteTableId,
        TransitGatewayAttachmentId: probe.transitGatewayAttachmentId,
        DestinationCidrBlock: '10.240.255.20/32',
      },
    ]);
    // The Lambda leaves the pin alone on the TGW too.
    const fn = Object.values(tgwTemplate.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function');
    expect(fn.Properties.Environment.Variables.TUNNEL_GUARD_AWS_PROBE_TARGETS).toBe('10.240.255.20/32');
  });
});
