/** The build and deploy commands, without ever running a real deploy (gcloud here has no credentials). */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { deployCommands, render, gcloudTooOld, MIN_GCLOUD } = require('../../deploy/gcp/deploy.js');

const env = {
  TUNNEL_GUARD_GCP_PROJECT: 'example-project',
  TUNNEL_GUARD_GCP_REGIONS: 'asia-northeast1,us-central1',
  TUNNEL_GUARD_LEDGER_BUCKET: 'tg-ledger',
  TUNNEL_GUARD_SERVICE_ACCOUNT: 'tunnel-guard@example-project.iam.gserviceaccount.com',
  TUNNEL_GUARD_LINK_SECRET_NAME: 'tunnel-guard-link',
};

describe('deploy:gcp', () => {
  it('deploys the three functions gen2, nodejs22, secrets from Secret Manager; the IAM-protected ones one at a time', () => {
    const { missing, commands } = deployCommands(env);
    expect(missing).toEqual([]);
    expect(commands.map((c: string[]) => c.slice(0, 4).join(' '))).toEqual([
      'gcloud functions deploy tunnelIncident',
      'gcloud functions deploy tunnelIncidentPubSub',
      'gcloud functions deploy reconcile',
    ]);
    for (const c of commands) {
      expect(c).toEqual(
        expect.arrayContaining([
          '--gen2',
          '--runtime=nodejs22',
          '--source=dist/gcp',
          '--region=asia-northeast1',
          '--project=example-project',
        ]),
      );
      expect(c).toContain(
        '--set-secrets=TUNNEL_GUARD_WEBHOOK_PASSWORD=tunnel-guard-webhook-token:latest,TUNNEL_GUARD_LINK_SECRET=tunnel-guard-link:latest',
      );
      expect(c.find((a: string) => a.startsWith('--set-env-vars='))).toMatch(
        /^--set-env-vars=\^\|\^TUNNEL_GUARD_GCP_PROJECT=example-project\|TUNNEL_GUARD_GCP_REGIONS=asia-northeast1,us-central1\|TUNNEL_GUARD_LEDGER_BUCKET=tg-ledger\|TUNNEL_GUARD_WEBHOOK_USERNAME=tunnel-guard/,
      );
      expect(c).toContain(`--service-account=${env.TUNNEL_GUARD_SERVICE_ACCOUNT}`);
      expect(c[4]).toBe(`--entry-point=${c[3]}`);
    }
    const [incident, pubsub, reconcile] = commands;
    for (const c of [pubsub, reconcile])
      expect(c).toEqual(expect.arrayContaining(['--max-instances=1', '--concurrency=1', '--timeout=300s']));
    // The public function has no single slot a flood of cheap requests could hold, and a bounded request time.
    expect(incident).toEqual(expect.arrayContaining(['--max-instances=3', '--concurrency=16', '--cpu=1', '--timeout=120s']));
    // reconcile trusts IAM (Scheduler's OIDC token) alone.
    expect(reconcile.find((a: string) => a.startsWith('--set-env-vars='))).toMatch(/\|TUNNEL_GUARD_RECONCILE_AUTH=iam$/);
    expect(incident.join(' ')).not.toMatch(/RECONCILE_AUTH/);
    expect(incident).toEqual(expect.arrayContaining(['--trigger-http', '--allow-unauthenticated'])); // webhooks carry no Google identity: we authenticate
    expect(reconcile).toEqual(expect.arrayContaining(['--trigger-http', '--no-allow-unauthenticated'])); // Scheduler sends an OIDC token
    // The durable path: Pub/Sub trigger with retries (thrown failures are redelivered), invoked as our service account.
    expect(pubsub).toEqual(
      expect.arrayContaining([
        '--trigger-topic=tunnel-guard-incidents',
        '--retry',
        `--trigger-service-account=${env.TUNNEL_GUARD_SERVICE_ACCOUNT}`,
      ]),
    );
    expect(pubsub).not.toContain('--trigger-http');
    expect(pubsub.some((a: string) => /allow-unauthenticated/.test(a))).toBe(false);
    expect(render(commands[0])).toContain(`'--set-env-vars=^|^TUNNEL_GUARD_GCP_PROJECT=example-project|`);
    expect(commands.flat().join(' ')).not.toMatch(/\b(alpha|beta)\b/);
  });

  it('refuses a gcloud older than the one the commands were checked against', () => {
    expect(MIN_GCLOUD).toBe('528.0.0');
    expect(gcloudTooOld(JSON.stringify({ 'Google Cloud SDK': '527.0.0' }))).toMatch(/older than 528\.0\.0/);
    expect(gcloudTooOld(JSON.stringify({ 'Google Cloud SDK': '499.9.9' }))).toMatch(/gcloud components update/);
    expect(gcloudTooOld(JSON.stringify({ 'Google Cloud SDK': '528.0.0' }))).toBeUndefined();
    expect(gcloudTooOld(JSON.stringify({ 'Google Cloud SDK': '541.2.0' }))).toBeUndefined();
    expect(gcloudTooOld('not json')).toMatch(/cannot read the gcloud version/);
  });

  it('prints the exact commands and exits non-zero when gcloud is absent', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'deploy/gcp/deploy.js')], {
      env: { ...env, PATH: '/nonexistent' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/gcloud is not installed/);
    expect(r.stdout.trim().split('\n')).toEqual(deployCommands(env).commands.map(render));
  });

  it('names missing settings and exits 2 instead of deploying placeholders', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'deploy/gcp/deploy.js')], { env: { PATH: process.env.PATH }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/TUNNEL_GUARD_GCP_PROJECT, TUNNEL_GUARD_GCP_REGIONS, TUNNEL_GUARD_LEDGER_BUCKET/);
    expect(r.stdout).toContain('<PROJECT>');
  });

  it('build:gcp bundles with the Functions Framework external and a package.json that installs it', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'tg-gcp-build-'));
    const dist = join(tmp, 'gcp');
    try {
      execFileSync(process.execPath, [join(ROOT, 'deploy/gcp/build.js'), '--outdir', dist], { cwd: ROOT, stdio: 'pipe' });
      const pkg = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'));
      expect(pkg).toMatchObject({ main: 'index.js', dependencies: { '@google-cloud/functions-framework': expect.any(String) } });
      expect(readdirSync(dist).sort()).toEqual(['index.js', 'package.json']);
      const js = readFileSync(join(dist, 'index.js'), 'utf8');
      expect(js).toMatch(/require\("@google-cloud\/functions-framework"\)/);
      // Registers the three contract names, and loads in a fresh process (the framework resolved from the project).
      const probe = `require(${JSON.stringify(join(dist, 'index.js'))});const t=require('@google-cloud/functions-framework/testing');console.log(['tunnelIncident','tunnelIncidentPubSub','reconcile'].map((n)=>!!t.getFunction(n)).join(' '))`;
      const out = execFileSync(process.execPath, ['-e', probe], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
      });
      expect(out.trim()).toBe('true true true');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('alert policies shipped for gcloud monitoring policies create --policy-from-file', () => {
  const dir = join(ROOT, 'deploy/gcp');
  const policies = readdirSync(dir).filter((f) => f.startsWith('alert-policy-') && f.endsWith('.json'));

  it('exist for the loss ratio (trip and clear) and tunnel_established', () => {
    expect(policies.sort()).toEqual([
      'alert-policy-dropped-packets-clear.json',
      'alert-policy-dropped-packets-trip.json',
      'alert-policy-loss-ratio-clear.json',
      'alert-policy-loss-ratio-heavy.json',
      'alert-policy-loss-ratio-trip.json',
      'alert-policy-mtu.json',
      'alert-policy-throttled.json',
      'alert-policy-tunnel-established.json',
    ]);
  });

  it('the loss-ratio pair is one monitor with a trip and a lower clear threshold, both above a traffic floor', () => {
    const q = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const trip = q('alert-policy-loss-ratio-trip.json');
    const clear = q('alert-policy-loss-ratio-clear.json');
    expect(trip.userLabels).toEqual({ 'tunnel-guard-role': 'trip', 'tunnel-guard-monitor': 'loss-ratio' });
    expect(clear.userLabels).toEqual({ 'tunnel-guard-role': 'clear', 'tunnel-guard-monitor': 'loss-ratio' });
    const tq: string = trip.conditions[0].conditionPrometheusQueryLanguage.query;
    const cq: string = clear.conditions[0].conditionPrometheusQueryLanguage.query;
    const num = (re: RegExp, s: string) => Number(re.exec(s)?.[1]);
    const tripAt = num(/\) > ([\d.]+) and/, tq);
    const clearAt = num(/\) > ([\d.]+) or/, cq);
    expect(clearAt).toBeLessThan(tripAt);
    // The trip needs traffic; the clear stays open without it (an idle tunnel is not a recovered one), and without
    // any packet-count series at all (anchored to tunnel_established, which an idle tunnel still writes).
    expect(num(/>= (\d+)$/, tq)).toBe(num(/< (\d+) or/, cq));
    expect(cq).toMatch(/ or \(sum by \([^)]*\) \(vpn_googleapis_com:tunnel_established\{[^}]*\}\) unless sum by/);
    for (const query of [tq, cq]) {
      expect(query).toMatch(/status!="successful"/);
      expect(query).toMatch(/sum by \(project_id, region, gateway_id, gateway_name, tunnel_name\)/);
    }
  });

  it('a dropped-packets pair beside the ratio: its own monitor, throttled and MTU drops excluded, the clear anchored', () => {
    const q = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const trip = q('alert-policy-dropped-packets-trip.json');
    const clear = q('alert-policy-dropped-packets-clear.json');
    expect(trip.userLabels).toEqual({ 'tunnel-guard-role': 'trip', 'tunnel-guard-monitor': 'dropped-packets' });
    expect(clear.userLabels).toEqual({ 'tunnel-guard-role': 'clear', 'tunnel-guard-monitor': 'dropped-packets' });
    const tq: string = trip.conditions[0].conditionPrometheusQueryLanguage.query;
    const cq: string = clear.conditions[0].conditionPrometheusQueryLanguage.query;
    expect(tq).toMatch(/network_dropped_received_packets_count/);
    for (const status of ['throttled', 'exceeds_mtu', 'dont_fragment_icmp'])
      expect(tq).toContain(
        `unless sum by (project_id, region, gateway_id, gateway_name, tunnel_name) (rate(vpn_googleapis_com:network_received_packets_count{monitored_resource="vpn_gateway", status="${status}"}[2m])) > 0`,
      );
    expect(tq).toMatch(/status="throttled"/);
    expect(cq).toMatch(/tunnel_established/);
  });

  it.each(policies.filter((f) => !f.includes('loss-ratio')))(
    '%s watches Cloud VPN per tunnel, keeping the labels the webhook parser needs',
    (file) => {
      const p = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      expect(p.displayName).toMatch(/tunnel-guard/);
      expect(p.conditions.length).toBeGreaterThan(0);
      for (const c of p.conditions) {
        const promql: string | undefined = c.conditionPrometheusQueryLanguage?.query;
        if (promql) {
          // PromQL: per tunnel, with the labels the parser needs, on Cloud VPN's gateway metrics.
          expect(promql).toMatch(/monitored_resource="vpn_gateway"/);
          expect(promql).toMatch(/sum by \(project_id, region, gateway_id, gateway_name, tunnel_name\)/);
          continue;
        }
        const t = c.conditionThreshold;
        expect(t.filter).toMatch(/resource\.type = "vpn_gateway"/);
        expect(t.filter).toMatch(/metric\.type = "vpn\.googleapis\.com\//);
        for (const a of t.aggregations.filter((x: any) => x.crossSeriesReducer)) {
          expect(a.groupByFields).toEqual(
            expect.arrayContaining(['metric.label.tunnel_name', 'resource.label.project_id', 'resource.label.region']),
          );
        }
        expect(['COMPARISON_GT', 'COMPARISON_LT']).toContain(t.comparison);
      }
      // Closing notifications are what restores: they must be sent.
      expect(p.alertStrategy.notificationPrompts).toEqual(expect.arrayContaining(['OPENED', 'CLOSED']));
    },
  );
});

describe('deploy:gcp passes what the functions read', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { POLICY_KNOB_VARS, FORWARDED_VARS } = require('../../deploy/gcp/deploy.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { POLICY_OPTIONS } = require('../../config/options');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { GCP_OPTIONS } = require('../../gcp-functions/options');
  const knobs = Object.values(POLICY_OPTIONS).map((o: any) => o.env as string);
  const envVarsOf = (c: string[]) =>
    (c.find((a) => a.startsWith('--set-env-vars='))!.slice('--set-env-vars=^|^'.length) as string).split('|');

  it('forwards exactly the knob table and the forwarded options of the GCP table', () => {
    expect([...POLICY_KNOB_VARS].sort()).toEqual([...knobs].sort());
    const always = ['TUNNEL_GUARD_GCP_PROJECT', 'TUNNEL_GUARD_GCP_REGIONS', 'TUNNEL_GUARD_LEDGER_BUCKET'];
    const forwarded = Object.values(GCP_OPTIONS)
      .filter((o: any) => o.delivery === 'forwarded' && o.readers.includes('deploy:gcp') && !always.includes(o.env))
      .map((o: any) => o.env);
    expect([...FORWARDED_VARS].sort()).toEqual(forwarded.sort());
  });

  it.each(knobs.map((k) => [k]))('sets the policy knob %s on all three functions when the deployer sets it', (knob) => {
    const value =
      knob === 'TUNNEL_GUARD_DRY_RUN'
        ? 'true'
        : knob === 'TUNNEL_GUARD_DRAIN_MODE'
          ? 'withdraw'
          : knob.endsWith('SCOPE') || knob.endsWith('EXCLUDE')
            ? 'gcp:*,aws:*'
            : '7';
    const { commands } = deployCommands({ ...env, [knob]: value });
    for (const c of commands) expect(envVarsOf(c)).toContain(`${knob}=${value}`);
  });

  it('sends the file TUNNEL_GUARD_CONFIG names as TUNNEL_GUARD_CONFIG_JSON (the function cannot read the file)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-deploy-config-'));
    try {
      const file = join(dir, 'tg.json');
      require('node:fs').writeFileSync(file, JSON.stringify({ policy: { dryRun: true } }, null, 2));
      const { commands } = deployCommands({ ...env, TUNNEL_GUARD_CONFIG: file });
      expect(envVarsOf(commands[0])).toContain('TUNNEL_GUARD_CONFIG_JSON={"policy":{"dryRun":true}}');
      expect(() => deployCommands({ ...env, TUNNEL_GUARD_CONFIG: join(dir, 'missing.json') })).toThrow(/cannot read the configuration/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a value it cannot pass intact, and secret values as plain variables, with the reason', () => {
    expect(() => deployCommands({ ...env, TUNNEL_GUARD_SCOPE: 'a|b' })).toThrow(/refusing TUNNEL_GUARD_SCOPE: a value containing "\|"/);
    expect(() => deployCommands({ ...env, TUNNEL_GUARD_LINK_SECRET: 'k' })).toThrow(
      /refusing to deploy TUNNEL_GUARD_LINK_SECRET.*TUNNEL_GUARD_LINK_SECRET_NAME/,
    );
    expect(() => deployCommands({ ...env, TUNNEL_GUARD_WEBHOOK_PASSWORD: 'p' })).toThrow(/TUNNEL_GUARD_WEBHOOK_SECRET/);
  });

  it('reads no variable in deploy/gcp that the tables do not declare', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { COMMON_OPTIONS } = require('../../config/options');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AWS_OPTIONS } = require('../../functions/options');
    const declared = new Set(
      [COMMON_OPTIONS, GCP_OPTIONS, AWS_OPTIONS, POLICY_OPTIONS].flatMap((t: any) => Object.values(t).map((o: any) => o.env)),
    );
    const dir = join(ROOT, 'deploy/gcp');
    const used = new Set(
      readdirSync(dir)
        .filter((f) => f.endsWith('.js'))
        .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/\benv\.(TUNNEL_GUARD_[A-Z0-9_]+)/g)].map((m) => m[1]!)),
    );
    expect([...used].filter((v) => !declared.has(v))).toEqual([]);
  });
});
