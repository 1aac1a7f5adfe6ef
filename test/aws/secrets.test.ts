/**
 * The Lambda's secrets come from Secrets Manager by ARN (the real SDK client against aws-sdk-client-mock): fetched at
 * composition, the previous version of the link key still verifies during a rotation, and a bad secret stops the edge
 * with a reason that does not echo the value.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { composeAwsWithSecrets } from '../../functions/compose';
import { makeTunnelAlarmHandler } from '../../functions/handlers';
import { signLinkMessage, type LinkMessage } from '../../shared/links/message';
import { memoryLogger } from '../../shared/log';

const LINK_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:tunnel-guard/link-AbCdEf';
const GCP_ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:tunnel-guard/gcp-webhook-AbCdEf';
const sm = mockClient(SecretsManagerClient);
let dir: string;
beforeEach(() => {
  sm.reset();
  dir = mkdtempSync(join(tmpdir(), 'tg-secrets-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
afterAll(() => sm.restore());

const compose = (env: Record<string, string>) =>
  composeAwsWithSecrets(
    { TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'), AWS_REGION: 'ap-northeast-1', ...env },
    { logger: memoryLogger(), cwd: dir, secretsManager: () => new SecretsManagerClient({ region: 'ap-northeast-1' }) },
  );

describe('secrets by ARN', () => {
  it('reads the link key (current and previous) and the GCP webhook credentials', async () => {
    sm.on(GetSecretValueCommand, { SecretId: LINK_ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'new-link-key' });
    sm.on(GetSecretValueCommand, { SecretId: LINK_ARN, VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: 'old-link-key' });
    sm.on(GetSecretValueCommand, { SecretId: GCP_ARN, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: JSON.stringify({ username: 'tunnel-guard', password: 'pw-0123456789' }),
    });
    const edge = await compose({
      TUNNEL_GUARD_LINK_SECRET_ARN: LINK_ARN,
      TUNNEL_GUARD_GCP_LINK_SECRET_ARN: GCP_ARN,
      TUNNEL_GUARD_GCP_LINK_URL: 'https://example.cloudfunctions.net/tunnelIncident',
    });
    expect(edge.linkSecret).toBe('new-link-key');
    expect(edge.linkSecretPrevious).toBe('old-link-key');
    expect(edge.deps.link).toBeDefined(); // the HTTP link publisher got its Basic credentials
  });

  it('still verifies a link message signed with the previous key during a rotation', async () => {
    sm.on(GetSecretValueCommand, { SecretId: LINK_ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'new-link-key' });
    sm.on(GetSecretValueCommand, { SecretId: LINK_ARN, VersionStage: 'AWSPREVIOUS' }).resolves({ SecretString: 'old-link-key' });
    const edge = await compose({ TUNNEL_GUARD_LINK_SECRET_ARN: LINK_ARN });
    const msg: LinkMessage = {
      v: 1,
      id: 'm-1',
      origin: 'gcp',
      fromTunnelId: 'gcp:example-project:asia-northeast1:tunnel-aws-1',
      toTunnelId: 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11',
      health: 'degraded',
      observedAt: '2026-11-25T01:00:00Z',
      reason: 'test',
    };
    const event = (secret: string) => ({
      Records: [
        {
          EventSource: 'aws:sns',
          Sns: { TopicArn: 'arn:aws:sns:ap-northeast-1:123456789012:l', Message: JSON.stringify(signLinkMessage(msg, secret)) },
        },
      ],
    });
    const stale = await makeTunnelAlarmHandler(edge)(event('old-link-key'));
    const forged = await makeTunnelAlarmHandler(edge)(event('someone-elses-key'));
    // Both fail on content (no such pair), but only the forged one fails on the signature.
    expect(forged.ignored[0]).toMatch(/signature/);
    expect(stale.ignored[0] ?? '').not.toMatch(/signature/);
  });

  it('treats a never-rotated key (no AWSPREVIOUS) as normal, and refuses a malformed credentials secret without echoing it', async () => {
    sm.on(GetSecretValueCommand, { SecretId: LINK_ARN, VersionStage: 'AWSCURRENT' }).resolves({ SecretString: 'k' });
    sm.on(GetSecretValueCommand, { SecretId: LINK_ARN, VersionStage: 'AWSPREVIOUS' }).rejects(
      new ResourceNotFoundException({ message: 'no previous', $metadata: {} }),
    );
    sm.on(GetSecretValueCommand, { SecretId: GCP_ARN }).resolves({ SecretString: 'not-json-SECRET-VALUE' });
    expect((await compose({ TUNNEL_GUARD_LINK_SECRET_ARN: LINK_ARN })).linkSecretPrevious).toBeUndefined();
    const err = await compose({ TUNNEL_GUARD_GCP_LINK_SECRET_ARN: GCP_ARN }).catch((e: Error) => e);
    expect(String(err)).toMatch(/must be JSON \{"username"/);
    expect(String(err)).not.toContain('SECRET-VALUE');
  });

  it('refuses a secret the role may not read, at composition', async () => {
    await expect(
      compose({ TUNNEL_GUARD_LINK_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:other/x' }),
    ).rejects.toThrow(/named tunnel-guard\//);
  });
});
