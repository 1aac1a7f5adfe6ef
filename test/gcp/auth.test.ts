import { authConfigFromEnv, authenticate, secretEquals } from '../../gcp-functions/auth';

const TOKEN = 'a-long-enough-token-123';
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('webhook authentication', () => {
  it.each([
    ['nothing configured', {}, /no webhook credentials configured/],
    ['a username without a password', { TUNNEL_GUARD_WEBHOOK_USERNAME: 'u' }, /must be set together/],
    ['a short token', { TUNNEL_GUARD_WEBHOOK_TOKEN: 'short' }, /shorter than 16/],
    ['an unknown mode', { TUNNEL_GUARD_WEBHOOK_AUTH: 'off', TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN }, /not "none" or "required"/],
  ])('fails closed with %s', (_what, env, reason) => {
    const cfg = authConfigFromEnv(env);
    expect(cfg).toMatchObject({ mode: 'refuse-all', reason: expect.stringMatching(reason) });
    expect(authenticate({ query: { auth_token: TOKEN }, headers: {} }, cfg)).toMatchObject({ ok: false });
  });

  it('accepts the token in the query and HTTP Basic, and nothing else', () => {
    const cfg = authConfigFromEnv({
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
