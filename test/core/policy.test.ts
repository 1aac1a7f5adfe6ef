import { DEFAULT_POLICY, POLICY_ENV_VARS, envNameOf, globMatch, inScope, loadConfig } from '../../shared/policy';
import { configFromEnv } from '../../config/source';

describe('policy and configuration', () => {
  it('has safe defaults', () => {
    expect(DEFAULT_POLICY).toMatchObject({ minHealthyPaths: 1, dryRun: false, restoreHoldDownSeconds: 300, scope: ['*'] });
  });

  it('names every knob TUNNEL_GUARD_<UPPER_SNAKE>', () => {
    expect(envNameOf('restoreHoldDownSeconds')).toBe('TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS');
    expect(POLICY_ENV_VARS.map((v) => v.env)).toEqual(
      expect.arrayContaining(['TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS', 'TUNNEL_GUARD_DRY_RUN', 'TUNNEL_GUARD_MIN_HEALTHY_PATHS']),
    );
  });

  it('lets the environment override the file', () => {
    const r = loadConfig(
      { policy: { minHealthyPaths: 2, dryRun: false } },
      { TUNNEL_GUARD_DRY_RUN: 'true', TUNNEL_GUARD_SCOPE: 'gcp:*, aws:*' },
    );
    expect(r.ok && r.value.policy).toMatchObject({ minHealthyPaths: 2, dryRun: true, scope: ['gcp:*', 'aws:*'] });
  });

  it.each([
    [{}, { TUNNEL_GUARD_MIN_HEALTHY_PATHS: 'two' }, /TUNNEL_GUARD_MIN_HEALTHY_PATHS.*not a number/],
    [{}, { TUNNEL_GUARD_DRY_RUN: 'maybe' }, /not a boolean/],
    [{}, { TUNNEL_GUARD_MIN_HEALTHY_PATHS: '0' }, /policy.minHealthyPaths/],
    [{ policy: { minHealthyPath: 1 } }, {}, /policy/],
    [{ links: [{ gcp: 'x' }] }, {}, /links/],
    [[], {}, /JSON object/],
  ])('rejects bad configuration %j %j with a clear reason', (file, env, reason) => {
    const r = loadConfig(file, env);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('reports an unreadable config file instead of throwing', () => {
    const r = configFromEnv(
      { TUNNEL_GUARD_CONFIG: 'nope.json' },
      () => {
        throw new Error('ENOENT');
      },
      '/tmp',
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/ENOENT/);
  });

  it('matches scope globs literally except *', () => {
    expect(globMatch('gcp:*:tunnel-1', 'gcp:p:r:tunnel-1')).toBe(true);
    expect(globMatch('gcp:p.r', 'gcp:pxr')).toBe(false);
    expect(inScope({ scope: ['*'], exclude: ['aws:*'] }, 'aws:r:v:1')).toBe(false);
  });
});
