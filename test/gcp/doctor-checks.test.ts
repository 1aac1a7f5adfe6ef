import { queryTokenCheck, topicPublishersCheck } from '../../gcp-functions/doctor-checks';

const AGENT = 'serviceAccount:service-123@gcp-sa-monitoring-notification.iam.gserviceaccount.com';

describe('doctor checks of the GCP trust boundaries (pure)', () => {
  it('flags a token in a channel URL, in the Scheduler URI, or still accepted', () => {
    const f = queryTokenCheck(
      { TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept' },
      [{ displayName: 'old', type: 'webhook_tokenauth', labels: { url: 'https://x/?auth_token=abc' } }],
      ['https://reconcile/?auth_token=abc'],
    );
    expect(f.map((x) => x.severity)).toEqual(['warning', 'error', 'error']);
    expect(JSON.stringify(f)).not.toContain('abc'.repeat(2));
    expect(queryTokenCheck({}, [{ type: 'webhook_basicauth', labels: { url: 'https://x/' } }])).toEqual([
      expect.objectContaining({ severity: 'ok' }),
    ]);
  });

  it('names every principal besides the notification agent that may publish incidents', () => {
    expect(topicPublishersCheck('123', [{ bindings: [{ role: 'roles/pubsub.publisher', members: [AGENT] }] }])[0]!.severity).toBe('ok');
    const f = topicPublishersCheck('123', [
      { bindings: [{ role: 'roles/pubsub.publisher', members: [AGENT, 'user:mallory@example.com'] }] },
      {
        bindings: [
          { role: 'roles/editor', members: ['group:ops@example.com'] },
          { role: 'roles/viewer', members: ['allUsers'] },
        ],
      },
    ]);
    expect(f[0]).toMatchObject({ severity: 'warning' });
    expect(f[0]!.message).toMatch(/group:ops@example.com \(roles\/editor\), user:mallory@example.com \(roles\/pubsub.publisher\)/);
    expect(topicPublishersCheck('123', [{ bindings: [{ role: 'roles/pubsub.publisher', members: ['allUsers'] }] }])[0]!.severity).toBe(
      'error',
    );
  });
});
