/**
 * deploy/gcp/monitoring.js: topic, both notification channels, the alert policies notifying both, invoker IAM and the
 * Scheduler job — driven with a recording gcloud and an in-memory Cloud Monitoring API, never a real cloud.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { apply, main, ATTEMPT_DEADLINE_S, MAX_RETRY_ATTEMPTS, MAX_DELIVERY_ATTEMPTS } = require('../../deploy/gcp/monitoring.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FUNCTION_TIMEOUT_S } = require('../../deploy/gcp/deploy.js');

const env = {
  TUNNEL_GUARD_GCP_PROJECT: 'example-project',
  TUNNEL_GUARD_GCP_REGIONS: 'asia-northeast1',
  TUNNEL_GUARD_SERVICE_ACCOUNT: 'tunnel-guard@example-project.iam.gserviceaccount.com',
};
const TOKEN = 'webhook-token-0123456789abcdef';

/** A gcloud that remembers topics and jobs, and answers describes. */
function fakeCloud() {
  const topics = new Set<string>();
  const jobs = new Set<string>();
  const calls: string[][] = [];
  const channels: any[] = [];
  const policies: any[] = [];
  const run = (argv: string[]) => {
    calls.push(argv);
    const a = argv.slice(1);
    const is = (...w: string[]) => w.every((x, i) => a[i] === x);
    if (is('pubsub', 'topics', 'describe')) return { status: topics.has(a[3]!) ? 0 : 1, stdout: '' };
    if (is('pubsub', 'topics', 'create')) return (topics.add(a[3]!), { status: 0, stdout: '' });
    if (is('projects', 'describe')) return { status: 0, stdout: '123456789012\n' };
    if (is('functions', 'describe') && a.some((x) => x.includes('eventTrigger')))
      return { status: 0, stdout: 'projects/example-project/locations/asia-northeast1/triggers/tunnelincidentpubsub-1\n' };
    if (is('functions', 'describe')) return { status: 0, stdout: `https://${a[2]!.toLowerCase()}-abc-an.a.run.app\n` };
    if (is('eventarc', 'triggers', 'describe')) return { status: 0, stdout: 'projects/example-project/subscriptions/eventarc-sub-1\n' };
    if (is('secrets', 'versions', 'access')) return { status: 0, stdout: TOKEN };
    if (is('scheduler', 'jobs', 'describe')) return { status: jobs.has(a[3]!) ? 0 : 1, stdout: '' };
    if (is('scheduler', 'jobs', 'create')) return (jobs.add(a[4]!), { status: 0, stdout: '' });
    return { status: 0, stdout: '' };
  };
  const http = async (method: string, url: string, body?: any) => {
    const u = new URL(url);
    if (method === 'GET' && u.pathname.endsWith('/notificationChannels')) return { notificationChannels: structuredClone(channels) };
    if (method === 'GET' && u.pathname.endsWith('/alertPolicies')) return { alertPolicies: structuredClone(policies) };
    if (method === 'POST' && u.pathname.endsWith('/notificationChannels')) {
      const c = { ...body, name: `projects/example-project/notificationChannels/${channels.length + 1}` };
      channels.push(c);
      return c;
    }
    if (method === 'POST' && u.pathname.endsWith('/alertPolicies')) {
      const p = { ...body, name: `projects/example-project/alertPolicies/${policies.length + 1}` };
      policies.push(p);
      return p;
    }
    if (method === 'PATCH') {
      const p = policies.find((x) => u.pathname.endsWith(x.name))!;
      expect(u.searchParams.get('updateMask')).toBe('notificationChannels');
      p.notificationChannels = body.notificationChannels;
      return p;
    }
    throw new Error(`unexpected ${method} ${url}`);
  };
  return { run, http, calls, channels, policies, topics, jobs };
}

const gcloudCalls = (c: ReturnType<typeof fakeCloud>, ...prefix: string[]) => c.calls.filter((x) => prefix.every((w, i) => x[i + 1] === w));

describe('monitoring:gcp', () => {
  it('creates the topic, both channels, the policies notifying both, invoker IAM and the Scheduler job', async () => {
    const c = fakeCloud();
    await apply(env, { run: c.run, http: c.http, log: () => undefined });
    expect([...c.topics]).toEqual(['tunnel-guard-incidents', 'tunnel-guard-incidents-dead-letter']);
    expect(c.channels.map((x) => [x.type, x.labels])).toEqual([
      ['pubsub', { topic: 'projects/example-project/topics/tunnel-guard-incidents' }],
      // HTTP Basic: the URL carries no credential (Cloud Run logs URLs; the password label is sensitive).
      ['webhook_basicauth', { url: 'https://tunnelincident-abc-an.a.run.app/', username: 'tunnel-guard', password: TOKEN }],
    ]);
    expect(gcloudCalls(c, 'pubsub', 'topics', 'add-iam-policy-binding')[0]).toEqual(
      expect.arrayContaining([
        '--member=serviceAccount:service-123456789012@gcp-sa-monitoring-notification.iam.gserviceaccount.com',
        '--role=roles/pubsub.publisher',
      ]),
    );
    expect(c.policies.map((p) => p.displayName).sort()).toEqual([
      'tunnel-guard: dropped received packets per tunnel (clear)',
      'tunnel-guard: dropped received packets per tunnel (trip)',
      'tunnel-guard: heavy loss per tunnel (fast trip)',
      'tunnel-guard: loss ratio per tunnel (clear)',
      'tunnel-guard: loss ratio per tunnel (trip)',
      'tunnel-guard: packets too big for the tunnel (MTU)',
      'tunnel-guard: tunnel established',
      'tunnel-guard: tunnel over its packet-rate limit (throttled)',
    ]);
    for (const p of c.policies) expect(p.notificationChannels).toEqual(c.channels.map((x) => x.name));
    expect(gcloudCalls(c, 'functions', 'add-invoker-policy-binding').map((x) => x[3])).toEqual(['tunnelIncidentPubSub', 'reconcile']);
    const [job] = gcloudCalls(c, 'scheduler', 'jobs', 'create', 'http');
    expect(job).toEqual(
      expect.arrayContaining([
        'tunnel-guard-reconcile',
        `--attempt-deadline=${ATTEMPT_DEADLINE_S}s`,
        `--max-retry-attempts=${MAX_RETRY_ATTEMPTS}`,
        '--uri=https://reconcile-abc-an.a.run.app/',
        `--oidc-service-account-email=${env.TUNNEL_GUARD_SERVICE_ACCOUNT}`,
        '--oidc-token-audience=https://reconcile-abc-an.a.run.app',
      ]),
    );
  });

  it('bounds redelivery: dead-letter topic and maximum delivery attempts on the trigger subscription', async () => {
    const c = fakeCloud();
    await apply(env, { run: c.run, http: c.http, log: () => undefined });
    expect(gcloudCalls(c, 'pubsub', 'subscriptions', 'update')[0]).toEqual(
      expect.arrayContaining([
        'projects/example-project/subscriptions/eventarc-sub-1',
        '--dead-letter-topic=tunnel-guard-incidents-dead-letter',
        `--max-delivery-attempts=${MAX_DELIVERY_ATTEMPTS}`,
      ]),
    );
    // Publishing on the incidents topic: the Monitoring notification agent only.
    const grants = gcloudCalls(c, 'pubsub', 'topics', 'add-iam-policy-binding').filter((x) => x[4] === 'tunnel-guard-incidents');
    expect(grants.map((g) => g.find((a) => a.startsWith('--member=')))).toEqual([
      '--member=serviceAccount:service-123456789012@gcp-sa-monitoring-notification.iam.gserviceaccount.com',
    ]);
  });

  it('refuses to create the Scheduler job without a service account: reconcile is authenticated by IAM only', async () => {
    const c = fakeCloud();
    const { TUNNEL_GUARD_SERVICE_ACCOUNT: _, ...noSa } = env;
    await expect(apply(noSa, { run: c.run, http: c.http, log: () => undefined })).rejects.toThrow(/TUNNEL_GUARD_SERVICE_ACCOUNT/);
  });

  it('gives Scheduler an attempt deadline longer than the function timeout, and retries', () => {
    expect(ATTEMPT_DEADLINE_S).toBeGreaterThanOrEqual(FUNCTION_TIMEOUT_S);
    expect(ATTEMPT_DEADLINE_S).toBeLessThanOrEqual(1800); // Scheduler's limit for HTTP targets
    expect(MAX_RETRY_ATTEMPTS).toBeGreaterThan(0); // Scheduler's default is 0: no retry
    expect(MAX_RETRY_ATTEMPTS).toBeLessThanOrEqual(5);
  });

  it('changes nothing when run again (channels and policies found by name, the job updated in place)', async () => {
    const c = fakeCloud();
    await apply(env, { run: c.run, http: c.http, log: () => undefined });
    const before = { channels: structuredClone(c.channels), policies: structuredClone(c.policies) };
    await apply(env, { run: c.run, http: c.http, log: () => undefined });
    expect({ channels: c.channels, policies: c.policies }).toEqual(before);
    expect(gcloudCalls(c, 'pubsub', 'topics', 'create')).toHaveLength(2); // the incidents topic and its dead-letter topic
    expect(gcloudCalls(c, 'scheduler', 'jobs', 'create')).toHaveLength(1);
    expect(gcloudCalls(c, 'scheduler', 'jobs', 'update', 'http')).toHaveLength(1);
  });

  it('adds the Pub/Sub channel to a policy created earlier with the webhook only', async () => {
    const c = fakeCloud();
    await apply(env, { run: c.run, http: c.http, log: () => undefined });
    c.policies[0].notificationChannels = [c.channels[1].name];
    await apply(env, { run: c.run, http: c.http, log: () => undefined });
    expect(c.policies[0].notificationChannels.sort()).toEqual(c.channels.map((x) => x.name).sort());
  });

  it('--print shows the plan without the webhook token and without running anything', async () => {
    const out: string[] = [];
    const code = await main(
      ['--print'],
      { ...env, PATH: '/nonexistent' },
      { out: (s: string) => out.push(s), err: (s: string) => out.push(s) },
    );
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/scheduler jobs create http tunnel-guard-reconcile .*--attempt-deadline=330s --max-retry-attempts=3/);
    expect(text).toMatch(
      /POST https:\/\/monitoring\.googleapis\.com\/v3\/projects\/example-project\/notificationChannels .*"type":"pubsub"/,
    );
    expect(text).toContain('"password":"<WEBHOOK_PASSWORD>"');
    expect(text).not.toMatch(/auth_token/);
    expect(text).not.toMatch(/alpha|beta/); // GA commands and the GA API only
  });

  it('names missing settings and exits 2', async () => {
    const err: string[] = [];
    expect(await main(['--print'], { PATH: '/nonexistent' }, { out: () => undefined, err: (s: string) => err.push(s) })).toBe(2);
    expect(err.join('')).toMatch(/TUNNEL_GUARD_GCP_PROJECT, TUNNEL_GUARD_GCP_REGIONS/);
  });
});
