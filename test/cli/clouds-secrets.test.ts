/**
 * `--target clouds` on AWS reads the link secrets by ARN as the Lambda does, with the Lambda's own reader: the
 * deploy refuses the plain values, so the ARNs are what an operator holds.
 */
import type { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { composeAwsSide } from '../../cli/clouds/aws-side';
import { memoryLogger } from '../../shared/log';

const LINK_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:tunnel-guard/link-AbCdEf';
const GCP_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:tunnel-guard/gcp-webhook-AbCdEf';

/** A Secrets Manager that holds `values` by ARN (current versions only) and records what was asked. */
function fakeSecretsManager(values: Record<string, string>) {
  const asked: string[] = [];
  const client = {
    async send(cmd: GetSecretValueCommand) {
      const { SecretId, VersionStage } = cmd.input;
      asked.push(`${SecretId}@${VersionStage}`);
      const value = VersionStage === 'AWSCURRENT' ? values[SecretId!] : undefined;
      if (value === undefined) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
      return { SecretString: value };
    },
  } as unknown as SecretsManagerClient;
  return { client, asked };
}

const ENV = {
  TUNNEL_GUARD_TABLE: 'tunnel-guard-ledger',
  TUNNEL_GUARD_TOPIC_ARN: 'arn:aws:sns:ap-northeast-1:123456789012:tunnel-guard-decisions',
  TUNNEL_GUARD_GCP_LINK_URL: 'https://example.cloudfunctions.net/tunnelIncident',
  TUNNEL_GUARD_LINK_SECRET_ARN: LINK_ARN,
  TUNNEL_GUARD_GCP_LINK_SECRET_ARN: GCP_ARN,
};

describe('--target clouds: AWS secrets by ARN', () => {
  it('reads the link key and the GCP webhook credentials from Secrets Manager, as the Lambda does', async () => {
    const sm = fakeSecretsManager({
      [LINK_ARN]: 'link-key-from-the-store',
      [GCP_ARN]: JSON.stringify({ username: 'tunnel-guard', password: 'pw-0123456789' }),
    });
    const { edge } = await composeAwsSide(ENV, 'ap-northeast-1', process.cwd(), memoryLogger(), () => sm.client);
    expect(edge.linkSecret).toBe('link-key-from-the-store');
    expect(edge.deps.link).toBeDefined(); // link messages to GCP are signed and carry the Basic credentials
    expect(sm.asked).toEqual(expect.arrayContaining([`${LINK_ARN}@AWSCURRENT`, `${GCP_ARN}@AWSCURRENT`]));
  });

  it('a secret that cannot be read is a usage error naming the ARN, never its value', async () => {
    const sm = fakeSecretsManager({ [LINK_ARN]: 'link-key-from-the-store', [GCP_ARN]: 'not json' });
    await expect(composeAwsSide(ENV, 'ap-northeast-1', process.cwd(), memoryLogger(), () => sm.client)).rejects.toThrow(
      new RegExp(`^AWS: the secret ${GCP_ARN} \\(TUNNEL_GUARD_GCP_LINK_SECRET_ARN\\) must be JSON`),
    );
  });

  it('without ARNs nothing is read', async () => {
    const sm = fakeSecretsManager({});
    await composeAwsSide({ TUNNEL_GUARD_TABLE: 'tunnel-guard-ledger' }, 'ap-northeast-1', process.cwd(), memoryLogger(), () => sm.client);
    expect(sm.asked).toEqual([]);
  });
});

describe('doctor: the link secrets named by ARN count as set', () => {
  it('passes the link secret and the AWS → GCP credentials when only their ARNs are given', async () => {
    const { doctorLinks } = await import('../../cli/doctor-links');
    const { DEFAULT_POLICY } = await import('../../shared/policy');
    const config = {
      policy: DEFAULT_POLICY,
      alarmTunnels: {},
      policyTunnels: {},
      links: [{ gcp: 'gcp:p:r:t', aws: 'aws:r:vpn-1:1.1.1.1' }],
    };
    const checks = await doctorLinks(ENV, config as never, [], { aws: true, gcp: false });
    expect(checks.find((c) => c.name === 'link secret')).toMatchObject({ status: 'pass', detail: expect.stringContaining(LINK_ARN) });
    expect(checks.find((c) => c.name === 'AWS → GCP')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/Secrets Manager/) });
  });
});
