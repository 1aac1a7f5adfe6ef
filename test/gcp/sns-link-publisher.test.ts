/**
 * The GCP → AWS link publisher's configuration and error classification (the message path itself, against moto,
 * is in test/links/transport-gcp-to-aws.test.ts): which credentials are chosen, what half a configuration does,
 * and what a failed Publish becomes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { awsCredentialsFromEnv, metadataIdToken } from '../../gcp-functions/adapters/aws-credentials';
import { parseTopicArn, SnsLinkPublisher } from '../../gcp-functions/adapters/sns-link-publisher';
import { composeGcp, snsLinkFromEnv } from '../../gcp-functions/compose';
import { PermanentError, TransientError } from '../../shared/errors';
import { verifyLinkMessage, type LinkMessage } from '../../shared/links/message';
import { memoryLogger } from '../../shared/log';

const SECRET = 'link-secret-for-gcp-publisher-tests';
const TOPIC = 'arn:aws:sns:ap-northeast-1:123456789012:tunnel-guard-prod-link';
const message: LinkMessage = {
  v: 1,
  id: 'gcp:gcp:p:asia-northeast1:t1:drain:2026-11-25T01:00:00.000Z',
  origin: 'gcp',
  fromTunnelId: 'gcp:p:asia-northeast1:t1',
  toTunnelId: 'aws:ap-northeast-1:vpn-1:203.0.113.11',
  health: 'degraded',
  observedAt: '2026-11-25T01:00:00.000Z',
  reason: 'GCP end drained',
};

describe('SnsLinkPublisher', () => {
  const snsMock = mockClient(SNSClient);
  beforeEach(() => snsMock.reset());
  const publisher = () =>
    new SnsLinkPublisher(new SNSClient({ region: 'ap-northeast-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), {
      topicArn: TOPIC,
      secret: SECRET,
    });

  it('publishes the signed envelope as the Message, with filterable attributes', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await publisher().publish(message);
    const input = snsMock.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(verifyLinkMessage(JSON.parse(input.Message!), SECRET)).toEqual({ ok: true, value: message });
    expect(input.MessageAttributes).toEqual({
      kind: { DataType: 'String', StringValue: 'tunnel-guard-link' },
      origin: { DataType: 'String', StringValue: 'gcp' },
      health: { DataType: 'String', StringValue: 'degraded' },
    });
  });

  it.each([
    [Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }), TransientError],
    [Object.assign(new Error('internal'), { name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } }), TransientError],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), TransientError],
    [
      Object.assign(new Error('not authorized to perform: SNS:Publish'), {
        name: 'AuthorizationErrorException',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
      }),
      PermanentError,
    ],
    [
      Object.assign(new Error('Topic does not exist'), { name: 'NotFoundException', $fault: 'client', $metadata: { httpStatusCode: 404 } }),
      PermanentError,
    ],
  ])('classifies %s', async (error, kind) => {
    snsMock.on(PublishCommand).rejects(error);
    const err = await publisher()
      .publish(message)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(kind);
    expect((err as Error).message).toContain(TOPIC);
  });

  it('parses topic ARNs (and refuses anything else)', () => {
    expect(parseTopicArn(TOPIC)).toEqual({
      partition: 'aws',
      region: 'ap-northeast-1',
      account: '123456789012',
      name: 'tunnel-guard-prod-link',
    });
    expect(parseTopicArn('arn:aws-cn:sns:cn-north-1:123456789012:t')?.region).toBe('cn-north-1');
    expect(parseTopicArn('arn:aws:sqs:ap-northeast-1:123456789012:q')).toBeUndefined();
  });
});

describe('AWS credentials for the GCP function', () => {
  const opts = { region: 'ap-northeast-1' };
  it('stored keys', () => {
    expect(awsCredentialsFromEnv({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 's', AWS_SESSION_TOKEN: 't' }, opts)).toEqual({
      mode: 'static-keys',
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's', sessionToken: 't' },
    });
  });
  it('keyless when a role is named', () => {
    expect(awsCredentialsFromEnv({ TUNNEL_GUARD_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/tg-link' }, opts).mode).toBe('web-identity');
  });
  it.each([
    [{}, /no AWS credentials/],
    [{ TUNNEL_GUARD_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/x', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' }, /not both/],
    [{ AWS_ACCESS_KEY_ID: 'a' }, /set together/],
    [{ TUNNEL_GUARD_AWS_ROLE_ARN: 'tg-link' }, /not an IAM role ARN/],
  ])('refuses %j', (env, error) => {
    expect(() => awsCredentialsFromEnv(env, opts)).toThrow(error);
  });

  it('metadata server: a refusal is permanent, trouble is transient, a non-JWT answer is refused', async () => {
    const answer = (status: number, body: string) => (async () => new Response(body, { status })) as unknown as typeof fetch;
    await expect(metadataIdToken({}, 'a', { fetch: answer(404, 'not found') })).rejects.toThrow(PermanentError);
    await expect(metadataIdToken({}, 'a', { fetch: answer(503, '') })).rejects.toThrow(TransientError);
    await expect(metadataIdToken({}, 'a', { fetch: answer(200, '<html>captive portal</html>') })).rejects.toThrow(/not an ID token/);
    const down = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    await expect(metadataIdToken({}, 'a', { fetch: down })).rejects.toThrow(TransientError);
    await expect(metadataIdToken({}, 'a', { fetch: answer(200, 'aaa.bbb.ccc\n') })).resolves.toBe('aaa.bbb.ccc');
  });
});

describe('composeGcp wiring of the GCP → AWS link', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tg-gcp-link-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const link = {
    TUNNEL_GUARD_AWS_LINK_TOPIC_ARN: TOPIC,
    TUNNEL_GUARD_LINK_SECRET: SECRET,
    AWS_ACCESS_KEY_ID: 'a',
    AWS_SECRET_ACCESS_KEY: 'b',
  };

  it('no topic → no SNS publisher; a topic → SnsLinkPublisher (also on the simulator)', () => {
    expect(snsLinkFromEnv({}, SECRET)).toBeUndefined();
    expect(snsLinkFromEnv(link, SECRET)).toBeInstanceOf(SnsLinkPublisher);
    const sim = composeGcp({ TUNNEL_GUARD_SIMULATOR: join(dir, 's.json'), TUNNEL_GUARD_WEBHOOK_AUTH: 'none' }, { logger: memoryLogger() });
    expect(sim.deps.link).toHaveProperty('wire'); // the in-process simulator delivery
    const real = composeGcp(
      { TUNNEL_GUARD_SIMULATOR: join(dir, 's.json'), TUNNEL_GUARD_WEBHOOK_AUTH: 'none', ...link },
      { logger: memoryLogger() },
    );
    expect(real.deps.link).toBeInstanceOf(SnsLinkPublisher);
  });

  it.each([
    [{ TUNNEL_GUARD_LINK_SECRET: '' }, /TUNNEL_GUARD_LINK_SECRET is not/],
    [{ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' }, /no AWS credentials/],
    [{ TUNNEL_GUARD_AWS_LINK_TOPIC_ARN: 'tunnel-guard-prod-link' }, /not an SNS topic ARN/],
  ])('half a configuration is an error, not "links off": %j', (patch, error) => {
    expect(() => composeGcp({ TUNNEL_GUARD_SIMULATOR: join(dir, 's.json'), ...link, ...patch }, { logger: memoryLogger() })).toThrow(error);
  });
});
