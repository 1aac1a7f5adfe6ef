/**
 * The webhook authentication rules, edge by edge: how the environment is read (fail closed), and what a
 * request must present.
 */
import { authConfigFromEnv, authenticate } from '../../gcp-functions/auth';

const TOKEN = 'sixteen-chars-ok'; // exactly 16
const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

describe('authConfigFromEnv', () => {
  it('reads the mode case- and space-insensitively', () => {
    expect(authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_AUTH: ' NONE ' })).toEqual({ mode: 'none' });
    expect(
      authConfigFromEnv({
        TUNNEL_GUARD_WEBHOOK_AUTH: ' Required ',
        TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
        TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept',
      }),
    ).toEqual({
      mode: 'required',
      token: TOKEN,
    });
  });

  it('names an unknown mode in the refusal', () => {
    expect(
      authConfigFromEnv({
        TUNNEL_GUARD_WEBHOOK_AUTH: 'Off',
        TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
        TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept',
      }),
    ).toEqual({
      mode: 'refuse-all',
      reason: 'TUNNEL_GUARD_WEBHOOK_AUTH="off" is not "none" or "required"',
    });
  });

  it('a token of 16 characters is enough, 15 is not', () => {
    expect(authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN, TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept' })).toEqual({
      mode: 'required',
      token: TOKEN,
    });
    expect(authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN.slice(1), TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept' })).toEqual({
      mode: 'refuse-all',
      reason: 'TUNNEL_GUARD_WEBHOOK_TOKEN is shorter than 16 characters: refusing a guessable token',
    });
  });

  it('an empty variable counts as unset', () => {
    expect(
      authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_TOKEN: '', TUNNEL_GUARD_WEBHOOK_USERNAME: 'mon', TUNNEL_GUARD_WEBHOOK_PASSWORD: 'pw' }),
    ).toEqual({
      mode: 'required',
      basic: { username: 'mon', password: 'pw' },
    });
    expect(
      authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_TOKEN: '', TUNNEL_GUARD_WEBHOOK_USERNAME: '', TUNNEL_GUARD_WEBHOOK_PASSWORD: '' }),
    ).toMatchObject({
      mode: 'refuse-all',
      reason: expect.stringMatching(/^no webhook credentials configured/),
    });
  });

  it('a password without a username is half a credential', () => {
    expect(
      authConfigFromEnv({
        TUNNEL_GUARD_WEBHOOK_PASSWORD: 'pw',
        TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
        TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept',
      }),
    ).toEqual({
      mode: 'refuse-all',
      reason: 'TUNNEL_GUARD_WEBHOOK_USERNAME and TUNNEL_GUARD_WEBHOOK_PASSWORD must be set together',
    });
  });

  it('both methods configured: both kept', () => {
    expect(
      authConfigFromEnv({
        TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
        TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept',
        TUNNEL_GUARD_WEBHOOK_USERNAME: 'mon',
        TUNNEL_GUARD_WEBHOOK_PASSWORD: 'pw',
      }),
    ).toEqual({
      mode: 'required',
      token: TOKEN,
      basic: { username: 'mon', password: 'pw' },
    });
  });
});

describe('authenticate', () => {
  const both = authConfigFromEnv({
    TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN,
    TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept',
    TUNNEL_GUARD_WEBHOOK_USERNAME: 'mon',
    TUNNEL_GUARD_WEBHOOK_PASSWORD: 'p:w',
  });

  it('refuse-all refuses with its reason, whatever is presented', () => {
    const cfg = { mode: 'refuse-all' as const, reason: 'not configured' };
    expect(authenticate({ query: { auth_token: TOKEN }, headers: { authorization: basic('mon', 'p:w') } }, cfg)).toEqual({
      ok: false,
      reason: 'not configured',
    });
  });

  it('the Basic scheme is case-insensitive, may have trailing space, and the password may contain a colon', () => {
    expect(authenticate({ headers: { authorization: basic('mon', 'p:w').replace('Basic', 'basic') } }, both)).toEqual({
      ok: true,
      method: 'basic',
    });
    expect(authenticate({ headers: { authorization: `${basic('mon', 'p:w')}  ` } }, both)).toEqual({ ok: true, method: 'basic' });
    expect(authenticate({ headers: { authorization: [basic('mon', 'p:w'), 'x'] } }, both)).toEqual({ ok: true, method: 'basic' });
  });

  it('a wrong username, a wrong password, or no colon at all are invalid credentials', () => {
    for (const authorization of [basic('mom', 'p:w'), basic('mon', 'p:x'), `Basic ${Buffer.from('monp:w').toString('base64')}`]) {
      expect(authenticate({ headers: { authorization } }, both)).toEqual({ ok: false, reason: 'invalid credentials' });
    }
  });

  it('any run of spaces may follow the scheme', () => {
    expect(authenticate({ headers: { authorization: basic('mon', 'p:w').replace('Basic ', 'Basic   ') } }, both)).toEqual({
      ok: true,
      method: 'basic',
    });
  });

  it('a Basic value without a colon is never a username and password', () => {
    // Would match if the missing colon were read as "username = all but the last character".
    const cfg = authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_USERNAME: 'ab', TUNNEL_GUARD_WEBHOOK_PASSWORD: 'abc' });
    expect(authenticate({ headers: { authorization: `Basic ${Buffer.from('abc').toString('base64')}` } }, cfg)).toEqual({
      ok: false,
      reason: 'invalid credentials',
    });
    // A colon in first place is an empty username, compared like any other.
    const empty = { mode: 'required' as const, basic: { username: '', password: 'pw' } };
    expect(authenticate({ headers: { authorization: basic('', 'pw') } }, empty)).toEqual({ ok: true, method: 'basic' });
  });

  it('a Basic header with junk around it is not Basic at all', () => {
    expect(authenticate({ headers: { authorization: `x ${basic('mon', 'p:w')}` } }, both)).toEqual({
      ok: false,
      reason: 'missing credentials (auth_token query parameter or HTTP Basic)',
    });
    expect(authenticate({ headers: { authorization: `${basic('mon', 'p:w')} extra` } }, both)).toEqual({
      ok: false,
      reason: 'missing credentials (auth_token query parameter or HTTP Basic)',
    });
  });

  it('an empty or non-string token is not presented; a token where only Basic is configured is invalid', () => {
    expect(authenticate({ query: { auth_token: '' }, headers: {} }, both)).toEqual({
      ok: false,
      reason: 'missing credentials (auth_token query parameter or HTTP Basic)',
    });
    expect(authenticate({ query: { auth_token: 42 }, headers: {} }, both)).toEqual({
      ok: false,
      reason: 'missing credentials (auth_token query parameter or HTTP Basic)',
    });
    const basicOnly = authConfigFromEnv({ TUNNEL_GUARD_WEBHOOK_USERNAME: 'mon', TUNNEL_GUARD_WEBHOOK_PASSWORD: 'pw' });
    expect(authenticate({ query: { auth_token: TOKEN }, headers: {} }, basicOnly)).toEqual({ ok: false, reason: 'invalid credentials' });
  });

  it('one good method is enough, whichever the other says', () => {
    expect(authenticate({ query: { auth_token: 'wrong-wrong-wrong' }, headers: { authorization: basic('mon', 'p:w') } }, both)).toEqual({
      ok: true,
      method: 'basic',
    });
    expect(authenticate({ query: { auth_token: TOKEN }, headers: { authorization: basic('mon', 'bad') } }, both)).toEqual({
      ok: true,
      method: 'token',
    });
  });
});
