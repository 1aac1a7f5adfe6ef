import { authConfigFromEnv, authenticate, secretEquals } from '../../gcp-functions/auth';

const TOKEN = 'a-long-enough-token-123';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('webhook authentication', () => {
  it.each([
    ['nothing configured', {}, /no webhook credentials configured/],
    ['a username without a password', { TUNNEL_GUARD_WEBHOOK_USERNAME: 'u' }, /must be set together/],
    ['a short token', { TUNNEL_GUARD_WEBHOOK_TOKEN: 'short' }, /shorter than 16/],
    ['an unknown mode', { TUNNEL_GUARD_WEBHOOK_AUTH: 'off', TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN }, /not "none" or "required"/],
    ['query tokens accepted but no token', { TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept' }, /no webhook credentials configured/],
    [
      'an unknown query-token setting',
      { TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'yes', TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN },
      /is not "accept" or "refuse"/,
    ],
  ])('fails closed with %s', (_what, env, reason) => {
    const cfg = authConfigFromEnv(env);
    expect(cfg).toMatchObject({ mode: 'refuse-all', reason: expect.stringMatching(reason) });
    expect(authenticate({ query: { auth_token: TOKEN }, headers: {} }, cfg)).toMatchObject({ ok: false });
  });

  it('refuses a query-string token by default: a URL lands in request logs', () => {
    const both = authConfigFromEnv({
      TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
      TUNNEL_GUARD_WEBHOOK_USERNAME: 'mon',
      TUNNEL_GUARD_WEBHOOK_PASSWORD: 'pw',
    });
    expect(both).toEqual({ mode: 'required', basic: { username: 'mon', password: 'pw' } });
    expect(authenticate({ query: { auth_token: TOKEN }, headers: {} }, both)).toEqual({ ok: false, reason: 'invalid credentials' });
    expect(authenticate({ query: {}, headers: { authorization: basic('mon', 'pw') } }, both)).toEqual({ ok: true, method: 'basic' });
    // A token alone is a configuration the function refuses to serve, with the way out in the reason.
    const alone = authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN });
    expect(alone).toMatchObject({
      mode: 'refuse-all',
      reason: expect.stringMatching(/query-string tokens are refused.*QUERY_TOKEN=accept/),
    });
    expect(authenticate({ query: { auth_token: TOKEN }, headers: {} }, alone)).toMatchObject({ ok: false });
  });

  it('accepts the previous password during a rotation, and only while it is set', () => {
    const env = { TUNNEL_GUARD_WEBHOOK_USERNAME: 'mon', TUNNEL_GUARD_WEBHOOK_PASSWORD: 'new-pw' };
    const rotating = authConfigFromEnv({ ...env, TUNNEL_GUARD_WEBHOOK_PASSWORD_PREVIOUS: 'old-pw' });
    for (const pw of ['new-pw', 'old-pw'])
      expect(authenticate({ headers: { authorization: basic('mon', pw) } }, rotating)).toEqual({ ok: true, method: 'basic' });
    expect(authenticate({ headers: { authorization: basic('mon', 'other') } }, rotating)).toMatchObject({ ok: false });
    const done = authConfigFromEnv(env);
    expect(authenticate({ headers: { authorization: basic('mon', 'old-pw') } }, done)).toMatchObject({ ok: false });
    expect(authenticate({ headers: { authorization: basic('mon', 'new-pw') } }, done)).toEqual({ ok: true, method: 'basic' });
  });

  it('accepts the token in the query (only when explicitly enabled) and HTTP Basic, and nothing else', () => {
    const cfg = authConfigFromEnv({
      TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept',
      TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
      TUNNEL_GUARD_WEBHOOK_USERNAME: 'mon',
      TUNNEL_GUARD_WEBHOOK_PASSWORD: 'pw',
    });
    expect(authenticate({ query: { auth_token: TOKEN }, headers: {} }, cfg)).toEqual({ ok: true, method: 'token' });
    expect(authenticate({ query: {}, headers: { authorization: basic('mon', 'pw') } }, cfg)).toEqual({ ok: true, method: 'basic' });
    expect(authenticate({ query: { auth_token: `${TOKEN}x` }, headers: {} }, cfg)).toEqual({ ok: false, reason: 'invalid credentials' });
    expect(authenticate({ query: {}, headers: { authorization: basic('mon', 'pw:') } }, cfg)).toEqual({
      ok: false,
      reason: 'invalid credentials',
    });
    expect(authenticate({ query: {}, headers: { authorization: `Bearer ${TOKEN}` } }, cfg)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/missing/),
    });
    expect(authenticate({ query: { auth_token: [TOKEN, 'x'] }, headers: {} }, cfg)).toEqual({ ok: true, method: 'token' });
  });

  it('a token alone does not enable Basic with an empty password', () => {
    const cfg = authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN });
    expect(authenticate({ query: {}, headers: { authorization: basic('', '') } }, cfg)).toMatchObject({ ok: false });
  });

  it('TUNNEL_GUARD_WEBHOOK_AUTH=none lets everything in (local experiments only)', () => {
    expect(authenticate({ headers: {} }, authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_AUTH: 'none' }))).toEqual({ ok: true, method: 'none' });
  });

  it('compares secrets of any length without throwing', () => {
    expect(secretEquals('abc', 'abc')).toBe(true);
    expect(secretEquals('abc', 'abcd')).toBe(false);
    expect(secretEquals('', 'x'.repeat(1000))).toBe(false);
  });
});
