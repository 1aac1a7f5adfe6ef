/**
 * `tunnel-guard --target clouds` in-process (`main()` from source), on the real SDK clients against moto and the
 * in-repo EC2, IAM, Compute and Cloud Storage fakes. The SDKs resolve endpoints and credentials from
 * `process.env` (AWS_ENDPOINT_URL*), so the world's variables are put there for this file and taken back after.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DeleteAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import type { CliIo } from '../../cli/io';
import { main } from '../../cli/main';
import { awsId, gcpId, routesOf, seed, startWorld, ROLE, FUNCTION_URL, type World } from './support/clouds-world';

// Several real SDK round trips per test on a shared 2-core machine: give each test room.
jest.setTimeout(120_000);

let w: World;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  w = await startWorld();
}, 60_000);
afterAll(async () => {
  process.env = saved;
  await w?.stop();
});
beforeEach(async () => {
  await seed(w);
  process.env = { ...saved, ...w.env };
  dir = mkdtempSync(join(tmpdir(), 'tg-clouds-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number;
  out: string;
  err: string;
}
async function tg(args: string[], env: Record<string, string | undefined> = {}, io: Partial<CliIo> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const merged = { ...w.env, ...env };
  for (const [k, v] of Object.entries(env))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  const code = await main(['--target', 'clouds', ...args], {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: merged,
    cwd: dir,
    ...io,
  });
  return { code, out, err };
}
const statusOf = async () => JSON.parse((await tg(['status', '--json'])).out) as { tunnels: Record<string, any>[] };

describe('status --target clouds', () => {
  it("shows both clouds' tunnels, paths and deployed ledgers in the simulator's status --json shape", async () => {
    const r = await tg(['status', '--json']);
    expect(r).toMatchObject({ code: 0, err: '' });
    const doc = JSON.parse(r.out);
    expect(Object.keys(doc)).toEqual(['tunnels']);
    expect(doc.tunnels.map((t: { id: string }) => t.id).sort()).toEqual(
      [awsId(1, 1), awsId(1, 2), awsId(2, 1), awsId(2, 2), gcpId(1), gcpId(2)].sort(),
    );
    const g1 = doc.tunnels.find((t: { id: string }) => t.id === gcpId(1));
    expect(g1).toMatchObject({
      id: gcpId(1),
      cloud: 'gcp',
      health: 'healthy',
      state: 'active',
      native: expect.objectContaining({ name: 'tunnel-aws-1', region: 'asia-northeast1', peerIp: '203.0.113.11' }),
      routes: [{ destination: '10.0.0.0/16', pathKey: expect.stringContaining('route-to-aws-via-tunnel-aws-1'), kind: 'gcp-static-route' }],
      withdrawn: [],
      linkStatus: 'up',
      suppressed: false,
      peer: null,
    });
    // Exactly the simulator's contract: the same fields, built by the same function.
    let simOut = '';
    await main(['status', '--json'], {
      stdout: (x) => void (simOut += x),
      stderr: () => undefined,
      env: { TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'), TUNNEL_GUARD_LINKS: 'off' },
      cwd: dir,
    }); // unpaired, like the clouds without configured links
    const simTunnel = JSON.parse(simOut).tunnels.find((t: { id: string }) => t.id.endsWith('tunnel-aws-1'));
    expect(Object.keys(g1).sort()).toEqual(Object.keys(simTunnel).sort());
    const a11 = doc.tunnels.find((t: { id: string }) => t.id === awsId(1, 1));
    expect(a11.routes).toEqual([{ destination: '10.1.0.0/16', pathKey: 'vpn-0a1b2c3d4e5f60001:10.1.0.0/16', kind: 'aws-vgw-static' }]);
    // The readable table names where each ledger lives.
    const human = await tg(['status']);
    expect(human.out).toMatch(/ledgers: aws:us-east-1 table tunnel-guard-prod-ledger; gcp:example-project bucket tg-ledger/);
  });

  it('one cloud alone is enough; none configured is exit 2 naming the variables', async () => {
    const gcpOnly = await tg(['status', '--json'], { TUNNEL_GUARD_TABLE: undefined, TUNNEL_GUARD_AWS_VPN_IDS: undefined });
    expect(gcpOnly.code).toBe(0);
    expect(JSON.parse(gcpOnly.out).tunnels.every((t: { cloud: string }) => t.cloud === 'gcp')).toBe(true);
    const none = await tg(['status'], {
      TUNNEL_GUARD_TABLE: undefined,
      TUNNEL_GUARD_AWS_VPN_IDS: undefined,
      TUNNEL_GUARD_GCP_PROJECT: undefined,
      TUNNEL_GUARD_GCP_REGIONS: undefined,
      TUNNEL_GUARD_LEDGER_BUCKET: undefined,
    });
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/no cloud is configured.*TUNNEL_GUARD_TABLE.*TUNNEL_GUARD_GCP_PROJECT/s);
    const half = await tg(['status'], { TUNNEL_GUARD_LEDGER_BUCKET: undefined });
    expect(half.code).toBe(2);
    expect(half.err).toMatch(/GCP takes part .* but TUNNEL_GUARD_LEDGER_BUCKET is not set/);
  });
});

describe('drain / restore on the real clouds', () => {
  it('GCP: plan without --yes is refused (exit 2, nothing changed); --dry-run prints it; --yes drains through the bucket ledger; restore puts back exactly the route', async () => {
    const before = routesOf(w);
    const noYes = await tg(['drain', 'tunnel-aws-1', '--reason', 'dropping packets']);
    expect(noYes.code).toBe(2);
    expect(noYes.out).toMatch(/Plan for gcp:example-project:asia-northeast1:tunnel-aws-1/);
    expect(noYes.err).toMatch(/add --yes/);
    const dry = await tg(['drain', 'tunnel-aws-1', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/dry run/i);
    expect(routesOf(w)).toEqual(before);
    expect(w.compute.mutations()).toEqual([]);
    expect([...w.gcs.objects.keys()].filter((k) => k.includes('ledger/'))).toEqual([]);

    const drained = await tg(['drain', 'tunnel-aws-1', '--reason', 'dropping packets', '--yes']);
    expect(drained.code).toBe(0);
    expect(drained.out).toMatch(/DRAIN/);
    expect(w.compute.route('example-project', 'route-to-aws-via-tunnel-aws-1')).toBeUndefined();
    const t = (await statusOf()).tunnels.find((x) => x.id === gcpId(1))!;
    expect(t).toMatchObject({
      state: 'drained',
      reason: expect.stringContaining('dropping packets'),
      routes: [],
      withdrawn: [expect.objectContaining({ destination: '10.0.0.0/16' })],
    });
    // The deployed ledger (the bucket's object), not a second one.
    const obj = [...w.gcs.objects.entries()].find(([k]) => k.startsWith('tg-ledger/tunnel-guard/ledger/') && k.includes('tunnel-aws-1'));
    expect(JSON.parse(obj![1].data.toString())).toMatchObject({
      state: 'drained',
      withdrawn: [expect.objectContaining({ kind: 'gcp-static-route' })],
    });

    const restored = await tg(['restore', 'tunnel-aws-1', '--yes']);
    expect(restored.code).toBe(0);
    expect(routesOf(w)).toEqual(before);
    expect((await statusOf()).tunnels.find((x) => x.id === gcpId(1))).toMatchObject({ state: 'active', withdrawn: [] });
  });

  it("AWS: drain a connection's static routes through the DynamoDB ledger and restore them exactly", async () => {
    const before = routesOf(w);
    const drained = await tg(['drain', '203.0.113.11', '--yes', '--json']);
    expect(drained.code).toBe(0);
    expect(JSON.parse(drained.out)).toMatchObject({ decision: 'drain', tunnelId: awsId(1, 1), stateAfter: 'drained' });
    // Make-before-break: the drained connection keeps its route (AWS falls back on it by itself if the other
    // connection goes down); the other connection takes the traffic by the halves, which AWS prefers.
    expect(w.ec2.route('vpn-0a1b2c3d4e5f60001', '10.1.0.0/16')).toMatchObject({ state: 'available' });
    expect(w.ec2.route('vpn-0a1b2c3d4e5f60002', '10.1.0.0/17')).toMatchObject({ state: 'available' });
    expect(w.ec2.route('vpn-0a1b2c3d4e5f60002', '10.1.128.0/17')).toMatchObject({ state: 'available' });
    expect((await statusOf()).tunnels.find((x) => x.id === awsId(1, 1))).toMatchObject({
      state: 'drained',
      withdrawn: [{ destination: '10.1.0.0/16', pathKey: 'vpn-0a1b2c3d4e5f60001:10.1.0.0/16', kind: 'aws-vgw-static' }],
    });

    // The guards are the functions' own. De-preferring the last connection carrying 10.1.0.0/16 too cannot black-hole
    // it: the halves go, both routes stay, the two share the prefix as with no automation, and the output says so.
    const last = await tg(['drain', '203.0.113.21', '--yes']);
    expect(last.code).toBe(0);
    expect(last.out).toMatch(/no healthy path is left for 10\.1\.0\.0\/16/);
    expect(w.ec2.route('vpn-0a1b2c3d4e5f60001', '10.1.0.0/16')).toBeDefined();
    expect(w.ec2.route('vpn-0a1b2c3d4e5f60002', '10.1.0.0/16')).toBeDefined();
    expect(w.ec2.route('vpn-0a1b2c3d4e5f60002', '10.1.0.0/17')).toBeUndefined();

    expect((await tg(['restore', '203.0.113.21', '--yes'])).code).toBe(0);
    expect((await tg(['restore', '203.0.113.11', '--yes'])).code).toBe(0);
    expect(routesOf(w)).toEqual(before);
    expect(w.ec2.connections.map((c) => c.tags ?? {})).toEqual(w.ec2.connections.map(() => ({})));
  });

  it('asks at a terminal and applies nothing on "no"', async () => {
    const asked: string[] = [];
    const r = await tg(['drain', 'tunnel-aws-2'], {}, { confirm: async (q) => (asked.push(q), false) });
    expect(r.code).toBe(0);
    expect(asked).toEqual([expect.stringMatching(/Apply this drain to gcp:.*tunnel-aws-2\?/)]);
    expect(r.out).toMatch(/Not applied/);
    expect(w.compute.mutations()).toEqual([]);
    const yes = await tg(['drain', 'tunnel-aws-2'], {}, { confirm: async () => true });
    expect(yes.code).toBe(0);
    expect(w.compute.route('example-project', 'route-to-aws-via-tunnel-aws-2')).toBeUndefined();
  });

  it('a change on AWS without the decisions topic is exit 2 (the functions publish every decision there)', async () => {
    const r = await tg(['drain', '203.0.113.11', '--yes'], { TUNNEL_GUARD_TOPIC_ARN: undefined });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/TUNNEL_GUARD_TOPIC_ARN is not set/);
    expect(w.ec2.count('DeleteVpnConnectionRoute')).toBe(0);
  });

  it('release on the clouds goes through the same flow (nothing suppressed: nothing to apply)', async () => {
    const r = await tg(['release', 'tunnel-aws-1', '--yes']);
    expect([0, 3]).toContain(r.code);
    expect(w.compute.mutations()).toEqual([]);
  });
});

describe('missing resources', () => {
  it('a ledger bucket that does not exist: exit 1 naming it, nothing changed; doctor says how to fix it', async () => {
    w.front.missingBuckets.add('tg-ledger');
    const r = await tg(['drain', 'tunnel-aws-1', '--yes']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/GCP: the ledger bucket tg-ledger does not exist/);
    expect(w.compute.mutations()).toEqual([]);
    const d = JSON.parse((await tg(['doctor', '--json'])).out);
    expect(d.checks.find((c: { cloud: string; name: string }) => c.cloud === 'gcp' && c.name === 'ledger bucket')).toMatchObject({
      status: 'fail',
      detail: 'tg-ledger does not exist',
      fix: expect.stringMatching(/create the bucket/),
    });
  });
});

describe('discover --target clouds', () => {
  it('reads both clouds, pairs the tunnels, maps alarms and single-tunnel policies, suggests a scope, and --write never overwrites', async () => {
    const file = join(dir, 'tunnel-guard.json');
    const r = await tg(['discover', '--write', file, '--json']);
    expect(r.code).toBe(0);
    const d = JSON.parse(r.out);
    expect(d.links).toEqual([
      { gcp: gcpId(1), aws: awsId(1, 1) },
      { gcp: gcpId(2), aws: awsId(2, 1) },
    ]);
    expect(d.alarmTunnels).toMatchObject({ [`tunnel-guard-vpn-0a1b2c3d4e5f60001-203.0.113.11`]: awsId(1, 1) });
    expect(Object.keys(d.alarmTunnels)).toHaveLength(4);
    expect(d.policyTunnels).toEqual({ 'tunnel-aws-1 established': gcpId(1) });
    expect(d.config.policy.scope).toEqual([awsId(1, 1), awsId(2, 1), gcpId(1), gcpId(2)].sort());
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(d.config);
    expect(w.compute.mutations()).toEqual([]);
    // The written file is a valid configuration for the other commands.
    expect((await tg(['status', '--json'], { TUNNEL_GUARD_CONFIG: file })).code).toBe(0);
    const human = await tg(['discover']);
    expect(human.out).toMatch(/Read: aws:us-east-1 \(4 tunnel\(s\)\); gcp:example-project \(aggregated, 2 tunnel\(s\)\)/);
    expect(human.out).toMatch(/tunnel-aws-1 {2}<-> {2}aws:us-east-1:vpn-0a1b2c3d4e5f60001:203\.0\.113\.11/);
    expect(human.out).toMatch(/Suggested configuration/);
    const again = await tg(['discover', '--write', file]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/exists/);
  });

  it('with only AWS_REGION (nothing deployed yet) reads that region', async () => {
    const bare = {
      TUNNEL_GUARD_TABLE: undefined,
      TUNNEL_GUARD_TOPIC_ARN: undefined,
      TUNNEL_GUARD_AWS_VPN_IDS: undefined,
      TUNNEL_GUARD_GCP_PROJECT: undefined,
      TUNNEL_GUARD_GCP_REGIONS: undefined,
      TUNNEL_GUARD_LEDGER_BUCKET: undefined,
    };
    const r = await tg(['discover', '--json'], bare);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).sources).toEqual(['aws:us-east-1 (4 tunnel(s))']);
  });
});

describe('doctor --target clouds', () => {
  const linked = JSON.stringify({ links: [{ gcp: gcpId(1), aws: awsId(1, 1) }] });
  const doctorEnv = () => ({
    TUNNEL_GUARD_AWS_FUNCTION_ROLE_ARN: ROLE,
    TUNNEL_GUARD_GCP_FUNCTION_URL: FUNCTION_URL,
    TUNNEL_GUARD_CONFIG_JSON: linked,
    TUNNEL_GUARD_LINK_SECRET: 's3cret',
    TUNNEL_GUARD_GCP_LINK_URL: FUNCTION_URL,
    TUNNEL_GUARD_GCP_LINK_TOKEN: 'secret-token',
    TUNNEL_GUARD_AWS_LINK_TOPIC_ARN: w.linkTopicArn,
  });

  const PROBES = JSON.stringify([
    {
      vpnId: 'vpn-0a1b2c3d4e5f60001',
      tunnelIp: '203.0.113.11',
      target: '10.0.99.10',
      subnetArn: 'arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0abc',
    },
  ]);
  /** What the deployment creates for that probe: the pinned /32 and the trip/clear alarms. */
  async function deployProbe(route = true) {
    if (route) w.ec2.connections[0]!.routes.push({ destinationCidrBlock: '10.0.99.10/32', state: 'available' });
    const cw = new CloudWatchClient({ region: 'us-east-1', endpoint: w.endpoints.moto });
    for (const role of ['trip', 'clear']) {
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: `tunnel-guard-probe-vpn-0a1b2c3d4e5f60001-203.0.113.11-${role}`,
          Namespace: 'AWS/NetworkMonitor',
          MetricName: 'PacketLoss',
          Statistic: 'Average',
          Dimensions: [
            { Name: 'Monitor', Value: 'tunnel-guard-prod-probes' },
            { Name: 'Probe', Value: 'probe-1' },
          ],
          Period: 30,
          EvaluationPeriods: 5,
          Threshold: 2,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
    }
    cw.destroy();
  }

  it('fails a notification channel that carries its credential in the URL, and warns while the query token is accepted', async () => {
    const basic = structuredClone(w.front.notificationChannels);
    w.front.notificationChannels = [
      {
        name: 'projects/example-project/notificationChannels/333',
        type: 'webhook_tokenauth',
        enabled: true,
        labels: { url: 'https://f.example/?auth_token=x' },
      },
    ];
    try {
      const r = await tg(['doctor', '--json'], { ...doctorEnv(), TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept' });
      const checks = JSON.parse(r.out).checks.filter((c: { name: string }) => c.name === 'webhook credentials out of URLs');
      expect(
        checks.some((c: { status: string; detail: string }) => c.status === 'fail' && /notificationChannels\/333/.test(c.detail)),
      ).toBe(true);
      expect(checks.some((c: { detail: string }) => /warning \(deprecated\)/.test(c.detail))).toBe(true);
      expect(r.code).toBe(1);
    } finally {
      w.front.notificationChannels = basic;
    }
  });

  it('names every principal besides the notification agent that may publish incidents; anyone at all fails', async () => {
    const agent = `serviceAccount:service-${w.front.projectNumber}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`;
    w.front.topicPolicies.set('tunnel-guard-incidents', { bindings: [{ role: 'roles/pubsub.publisher', members: [agent] }] });
    w.front.projectPolicy = { bindings: [{ role: 'roles/editor', members: ['group:ops@example.com'] }] };
    try {
      const name = 'who may publish incidents (tunnel-guard-incidents)';
      const warned = JSON.parse((await tg(['doctor', '--json'], doctorEnv())).out).checks.find((c: { name: string }) => c.name === name);
      expect(warned).toMatchObject({
        cloud: 'gcp',
        status: 'pass',
        detail: expect.stringMatching(/^warning: .*group:ops@example.com \(roles\/editor\)/),
      });
      w.front.projectPolicy = { bindings: [] };
      const clean = JSON.parse((await tg(['doctor', '--json'], doctorEnv())).out).checks.find((c: { name: string }) => c.name === name);
      expect(clean).toMatchObject({ status: 'pass', detail: 'only the Cloud Monitoring notification service agent may publish' });
      w.front.topicPolicies.set('tunnel-guard-incidents', { bindings: [{ role: 'roles/pubsub.publisher', members: [agent, 'allUsers'] }] });
      const r = await tg(['doctor', '--json'], doctorEnv());
      expect(JSON.parse(r.out).checks.find((c: { name: string }) => c.name === name)).toMatchObject({ status: 'fail' });
      expect(r.code).toBe(1);
    } finally {
      w.front.topicPolicies.clear();
      w.front.projectPolicy = { bindings: [] };
    }
  });

  it("warns when a tunnel's peak, read from GCP's counters, leaves no room for a failover (the check still passes)", async () => {
    // tunnel-aws-1 peaks at 100,000 pps (sent plus received) against the 140,000 a link to AWS is held to: 71 %, above
    // the 50 % at which one of two tunnels can take the other's traffic. tunnel-aws-2 carries 10,000.
    const minute = (ago: number) => new Date(Date.now() - ago * 60_000).toISOString();
    const series = (type: string, tunnel: string, rate: number) => ({
      metric: { type, labels: { tunnel_name: tunnel, gateway_name: 'gw', status: 'successful' } },
      resource: { type: 'vpn_gateway', labels: { project_id: 'example-project', region: 'asia-northeast1', gateway_id: '1' } },
      points: [1, 2, 3].map((ago) => ({ interval: { startTime: minute(ago + 1), endTime: minute(ago) }, value: { doubleValue: rate } })),
    });
    w.front.timeSeries = [
      series('vpn.googleapis.com/network/sent_packets_count', 'tunnel-aws-1', 40_000),
      series('vpn.googleapis.com/network/received_packets_count', 'tunnel-aws-1', 60_000),
      series('vpn.googleapis.com/network/sent_packets_count', 'tunnel-aws-2', 10_000),
    ];
    const r = await tg(['doctor', '--json'], doctorEnv()).finally(() => {
      w.front.timeSeries = [];
    });
    const doc = JSON.parse(r.out);
    const one = doc.checks.find((c: { name: string }) => c.name === `utilisation ${gcpId(1)}`);
    expect(one).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^warning: peak 100,000 pps of 140,000 pps \(71 %\) is above 50 %/),
    });
    const two = doc.checks.find((c: { name: string }) => c.name === `utilisation ${gcpId(2)}`);
    expect(two.detail).not.toMatch(/warning/);
  });

  it('passes every check of a wired deployment (exit 0) and leaves no scratch data', async () => {
    await deployProbe();
    const r = await tg(['doctor', '--json'], {
      ...doctorEnv(),
      TUNNEL_GUARD_AWS_PROBES: PROBES,
      TUNNEL_GUARD_AWS_PROBE_TARGETS: '10.0.99.10/32',
    });
    const doc = JSON.parse(r.out);
    const failed = doc.checks.filter((c: { status: string }) => c.status === 'fail');
    expect(failed).toEqual([]);
    expect(r.code).toBe(0);
    const names = doc.checks.map((c: { cloud: string; name: string }) => `${c.cloud} ${c.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'aws probe vpn-0a1b2c3d4e5f60001:203.0.113.11',
        'aws credentials',
        'aws ledger table',
        `aws alarm ${awsId(1, 1)}`,
        'aws function permissions',
        'gcp ledger bucket',
        `gcp alert policy ${gcpId(2)}`,
        'gcp function permissions',
        'links link secret',
        'links AWS → GCP',
        'links GCP → AWS',
        `links link ${gcpId(1)}`,
        // Read as `status` reads it (the fake Monitoring API has no counters yet: no load known, a skip).
        'links utilisation',
      ]),
    );
    expect(doc.checks.find((c: { name: string; status: string }) => c.name === 'function permissions' && c.status === 'pass')).toBeTruthy();
    expect([...w.gcs.objects.keys()]).toEqual([]);
    expect(w.iam.calls.length).toBeGreaterThan(0);
    const human = await tg(['doctor'], doctorEnv());
    expect(human.out).toMatch(/^PASS {2}aws {3}credentials:/m);
  });

  it("fails with the reason and the fix: a missing alarm, a denied action, a policy without the function's channel, a wrong link", async () => {
    w.iam.allowed.get(ROLE)!.delete('ec2:DeleteVpnConnectionRoute');
    w.front.notificationChannels[0]!.labels!.url = 'https://somewhere-else.example/';
    const wrongLink = JSON.stringify({ links: [{ gcp: gcpId(1), aws: awsId(1, 2) }] });
    const cw = new CloudWatchClient({ region: 'us-east-1', endpoint: w.endpoints.moto });
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['tunnel-guard-vpn-0a1b2c3d4e5f60001-203.0.113.12'] }));
    cw.destroy();
    await deployProbe(false); // the alarms, but not the pinned route
    const r = await tg(['doctor', '--json'], {
      ...doctorEnv(),
      TUNNEL_GUARD_AWS_PROBES: PROBES,
      TUNNEL_GUARD_CONFIG_JSON: wrongLink,
      TUNNEL_GUARD_AWS_VPN_IDS: 'vpn-0a1b2c3d4e5f60001,vpn-0a1b2c3d4e5f6dead',
    });
    expect(r.code).toBe(1);
    const fails = Object.fromEntries(
      JSON.parse(r.out)
        .checks.filter((c: { status: string }) => c.status === 'fail')
        .map((c: { cloud: string; name: string; detail: string; fix?: string }) => [`${c.cloud} ${c.name}`, c]),
    );
    expect(fails['aws function permissions'].detail).toMatch(/ec2:DeleteVpnConnectionRoute .*implicitDeny/);
    expect(fails['aws VPN connections'].detail).toMatch(/vpn-0a1b2c3d4e5f6dead/);
    expect(fails[`gcp alert policy ${gcpId(1)}`].detail).toMatch(/no webhook channel calling https:\/\/tunnelincident/);
    expect(fails[`gcp alert policy ${gcpId(1)}`].fix).toMatch(/webhook/);
    expect(fails[`links link ${gcpId(1)}`].detail).toMatch(/not the same tunnel/);
    expect(fails[`aws alarm ${awsId(1, 2)}`].detail).toMatch(/no CloudWatch alarm watches this tunnel/);
    expect(fails[`aws alarm ${awsId(1, 1)}`]).toBeUndefined();
    expect(fails['aws probe vpn-0a1b2c3d4e5f60001:203.0.113.11'].detail).toMatch(
      /10\.0\.99\.10\/32 is not a static route of vpn-0a1b2c3d4e5f60001/,
    );
  });
});

describe('--target', () => {
  const raw = async (args: string[], env: Record<string, string> = {}) => {
    let out = '';
    let err = '';
    const code = await main(args, {
      stdout: (s) => void (out += s),
      stderr: (s) => void (err += s),
      env: { ...w.env, TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'), ...env },
      cwd: dir,
    });
    return { code, out, err };
  };

  it('defaults to the simulator, takes TUNNEL_GUARD_TARGET, and refuses anything else (exit 2)', async () => {
    const sim = await raw(['status', '--json']);
    expect(sim.code).toBe(0);
    expect(JSON.parse(sim.out).tunnels.map((t: { id: string }) => t.id)).toContain('gcp:example-project:asia-northeast1:tunnel-aws-1');
    expect(JSON.parse(sim.out).tunnels.some((t: { id: string }) => t.id === awsId(1, 1))).toBe(false); // the simulator's own world
    const viaEnv = await raw(['status', '--json'], { TUNNEL_GUARD_TARGET: 'clouds' });
    expect(JSON.parse(viaEnv.out).tunnels.map((t: { id: string }) => t.id)).toContain(awsId(1, 1));
    const bad = await raw(['--target', 'prod', 'status']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--target "prod" must be simulator or clouds/);
  });

  it('doctor and discover with nothing configured, or a bad timeout, are usage errors (exit 2)', async () => {
    const bare = {
      TUNNEL_GUARD_TABLE: '',
      TUNNEL_GUARD_AWS_VPN_IDS: '',
      TUNNEL_GUARD_GCP_PROJECT: '',
      TUNNEL_GUARD_GCP_REGIONS: '',
      TUNNEL_GUARD_LEDGER_BUCKET: '',
      // discover needs no more than a region: with none, nothing is configured for it either.
      AWS_REGION: '',
    };
    for (const args of [['doctor', '--json'], ['discover']]) {
      const r = await raw(['--target', 'clouds', ...args], bare);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/no cloud is configured/);
    }
    const t = await raw(['--target', 'clouds', 'status'], { TUNNEL_GUARD_CLI_TIMEOUT_MS: 'soon' });
    expect(t.code).toBe(2);
    expect(t.err).toMatch(/TUNNEL_GUARD_CLI_TIMEOUT_MS/);
  });

  it('simulator-only commands say so on the clouds (exit 2)', async () => {
    for (const args of [['signal', 'tunnel-aws-1', 'degraded'], ['reconcile'], ['demo']]) {
      const r = await raw(['--target', 'clouds', ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/acts on the simulator only/);
    }
  });

  it('discover --write on the simulator writes the links it proposes, and never overwrites', async () => {
    const file = join(dir, 'links.json');
    expect((await raw(['discover', '--write', file])).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      links: expect.arrayContaining([expect.objectContaining({ gcp: 'gcp:example-project:asia-northeast1:tunnel-aws-1' })]),
    });
    expect((await raw(['discover', '--write', file])).code).toBe(2);
  });

  it('doctor on the simulator checks the configuration and the file (exit 0)', async () => {
    const r = await raw(['doctor', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true });
  });
});

describe('an operator and a function at the same moment', () => {
  it('the function drains between the plan and the confirmation: the CLI re-decides on what it did, nothing is withdrawn twice or overwritten', async () => {
    const before = routesOf(w);
    const { composeAws } = await import('../../functions/compose');
    const { runCommand } = await import('../../shared/engine');
    const { memoryLogger } = await import('../../shared/log');
    const r = await tg(
      ['drain', '203.0.113.11', '--json'],
      {},
      {
        confirm: async () => {
          // The deployed Lambda's own composition, acting on the same table and connection right now.
          const edge = composeAws(w.env, { logger: memoryLogger() });
          const fn = await runCommand(edge.deps, { type: 'drain', tunnelId: awsId(1, 1), reason: 'the function' });
          expect(fn).toMatchObject({ decision: 'drain', stateAfter: 'drained' });
          return true;
        },
      },
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).decision).not.toBe('drain'); // it saw the drained tunnel
    // One de-preference (one tag, one pair of halves), not two.
    expect(w.ec2.count('CreateTags')).toBe(1);
    expect(w.ec2.count('CreateVpnConnectionRoute')).toBe(2);
    const t = (await statusOf()).tunnels.find((x) => x.id === awsId(1, 1))!;
    expect(t).toMatchObject({
      state: 'drained',
      withdrawn: [{ destination: '10.1.0.0/16', pathKey: 'vpn-0a1b2c3d4e5f60001:10.1.0.0/16', kind: 'aws-vgw-static' }],
    });
    expect((await tg(['restore', '203.0.113.11', '--yes'])).code).toBe(0);
    expect(routesOf(w)).toEqual(before);
  });
});
