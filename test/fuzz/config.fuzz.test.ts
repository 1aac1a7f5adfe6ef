import fc from 'fast-check';
import { configFromEnv } from '../../config/source';
import { loadConfig } from '../../shared/policy';
import { fuzzPayload } from '../support/mutate';

const realConfig = {
  policy: { minHealthyPaths: 1, maxDrainedTunnels: 2, restoreHoldDownSeconds: 300, dryRun: false, scope: ['gcp:*', 'aws:*'] },
  alarmTunnels: { 'vpn-anomaly': 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11' },
  policyTunnels: { 'VPN dropped packets': 'gcp:example-project:asia-northeast1:tunnel-aws-1' },
  links: [{ gcp: 'gcp:example-project:asia-northeast1:tunnel-aws-1', aws: 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11' }],
};

const envArb = fc.dictionary(
  fc.constantFrom(
    'TUNNEL_GUARD_DRY_RUN',
    'TUNNEL_GUARD_MIN_HEALTHY_PATHS',
    'TUNNEL_GUARD_SCOPE',
    'TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS',
    'TUNNEL_GUARD_MAX_DRAINED_FRACTION',
    'OTHER',
  ),
  fc.oneof(fc.string(), fc.constantFrom('true', '0', '-1', '1e9', 'NaN', ' 3 ', '')),
);

describe('config loader fuzzing', () => {
  it('never throws on 10,000 generated and mutated configurations, and always says why it refuses', () => {
    fc.assert(
      fc.property(fuzzPayload([realConfig]), envArb, (file, env) => {
        const r = loadConfig(file, env);
        if (!r.ok) expect(r.reason).toMatch(/\S{3,}/);
        else expect(r.value.policy.minHealthyPaths).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: 10_000, seed: 42 },
    );
  });

  it('never throws on 10,000 raw config file contents', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fuzzPayload([realConfig]).map((v) => JSON.stringify(v) ?? 'undefined'),
        ),
        (text) => {
          const r = configFromEnv({ TUNNEL_GUARD_CONFIG: 'x.json' }, () => text, '/tmp');
          if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
        },
      ),
      { numRuns: 10_000, seed: 43 },
    );
  });

  it('the real configuration itself is accepted', () => {
    expect(loadConfig(realConfig, {})).toMatchObject({ ok: true });
  });
});
