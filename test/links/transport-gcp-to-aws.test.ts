/**
 * GCP → AWS over the real transport: the GCP edge (`composeGcp` with `TUNNEL_GUARD_AWS_LINK_TOPIC_ARN`)
 * handles a Cloud Monitoring incident and its `SnsLinkPublisher` publishes the signed link message with the REAL
 * `@aws-sdk/client-sns` to a topic in moto. An HTTP endpoint on 127.0.0.1:0 is subscribed to the topic; the
 * notification moto delivers there is wrapped as the Lambda SNS event record (`Records[].Sns`) and handed to the
 * REAL `tunnelAlarm` handler (`makeTunnelAlarmHandler(composeAws(...))`). Both edges act on ONE simulator file.
 * Keyless federation is exercised too: a fake metadata server issues the ID token, moto's STS exchanges it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { composeAws } from '../../functions/compose';
import { makeTunnelAlarmHandler } from '../../functions/handlers';
import { awsCredentialsFromEnv } from '../../gcp-functions/adapters/aws-credentials';
import { SnsLinkPublisher } from '../../gcp-functions/adapters/sns-link-publisher';
import { composeGcp, type GcpEdge } from '../../gcp-functions/compose';
import { processNotification } from '../../gcp-functions/handlers';
import { signLinkMessage, type LinkMessage } from '../../shared/links/message';
import { memoryLogger } from '../../shared/log';
import { ledgerFileFor, openSimulator, type SimulatorLink } from '../../simulator';
import { startMoto, type Moto } from '../support/moto';
import { AWS_ROUTES_WITH_VPN1_DEPREFERRED } from '../support/aws-deprefer';

const REGION = 'ap-northeast-1';
const A11 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11';
const G1 = 'gcp:example-project:asia-northeast1:tunnel-aws-1';
const SECRET = 'link-secret-shared-by-both-ends-0123';
const LINKS = JSON.stringify({ links: [{ gcp: G1, aws: A11 }] });
const ROLE = 'arn:aws:iam::123456789012:role/tunnel-guard-gcp-link';
const gcpFixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/gcp', name), 'utf8'));

let moto: Moto;
let sns: SNSClient;
let sink: Server;
let sinkUrl: string;
/** What moto POSTed to the subscribed endpoint (SNS HTTP/S notification documents). */
let delivered: any[];
let metadata: Server;
let metadataHost: string;
let metadataHits: Array<{ url: string; flavor: string | undefined }>;

let dir: string;
let simFile: string;
let topicArn: string;

const listen = async (s: Server) => {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return (s.address() as AddressInfo).port;
};

beforeAll(async () => {
  moto = await startMoto();
  sns = new SNSClient({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    maxAttempts: 1,
  });
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      delivered.push(JSON.parse(body));
      res.end('ok');
    });
  });
  sinkUrl = `http://127.0.0.1:${await listen(sink)}/sns`;
  // Google's metadata server, as far as an ID token goes: a JWT-shaped token for the requested audience.
  metadata = createServer((req, res) => {
    metadataHits.push({ url: req.url ?? '', flavor: req.headers['metadata-flavor'] as string | undefined });
    const aud = new URL(req.url ?? '/', 'http://x').searchParams.get('audience');
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    res.setHeader('Metadata-Flavor', 'Google');
    res.end(
      `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: 'https://accounts.google.com', aud, azp: '112233445566778899000', sub: '112233445566778899000' })}.c2ln`,
    );
  });
  metadataHost = `127.0.0.1:${await listen(metadata)}`;
});
afterAll(async () => {
  await new Promise<void>((r) => sink.close(() => r()));
  await new Promise<void>((r) => metadata.close(() => r()));
  await moto?.stop();
});

beforeEach(async () => {
  await moto.reset();
  delivered = [];
  metadataHits = [];
  dir = mkdtempSync(join(tmpdir(), 'tg-gcp-to-aws-'));
  simFile = join(dir, 'world.json');
  topicArn = (await sns.send(new CreateTopicCommand({ Name: 'tunnel-guard-prod-link' }))).TopicArn!;
  // Only link messages reach this subscriber: proves the `kind` message attribute is sent (moto applies filter
  // policies even though its HTTP delivery drops the attributes from the body).
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'http',
      Endpoint: sinkUrl,
      Attributes: { FilterPolicy: JSON.stringify({ kind: ['tunnel-guard-link'] }) },
    }),
  );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The GCP edge as deployed, except that the clouds are the simulator's GCP side and AWS is moto. */
function gcpEdge(credentials: Record<string, string> = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' }): GcpEdge {
  return composeGcp(
    {
      TUNNEL_GUARD_SIMULATOR: simFile,
      TUNNEL_GUARD_WEBHOOK_TOKEN: 'gcp-webhook-token-0123456789abcdef',
      TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN: 'accept',
      TUNNEL_GUARD_LINK_SECRET: SECRET,
      TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0',
      TUNNEL_GUARD_CONFIG_JSON: LINKS,
      TUNNEL_GUARD_AWS_LINK_TOPIC_ARN: topicArn,
      TUNNEL_GUARD_AWS_ENDPOINT: moto.endpoint,
      ...credentials,
    },
    { logger: memoryLogger(), cwd: dir },
  );
}

function awsHandler() {
  const logger = memoryLogger();
  const edge = composeAws(
    {
      TUNNEL_GUARD_SIMULATOR: simFile,
      TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0',
      TUNNEL_GUARD_LINK_SECRET: SECRET,
      TUNNEL_GUARD_CONFIG_JSON: LINKS,
    },
    { logger, cwd: dir },
  );
  return { handler: makeTunnelAlarmHandler(edge), edge, logger };
}

/**
 * An SNS HTTP notification → the record Lambda receives for the same message (the documented Lambda SNS event:
 * same fields, but `SigningCertUrl`/`UnsubscribeUrl` spelled differently, plus the envelope keys).
 */
function lambdaEvent(n: any) {
  return {
    Records: [
      {
        EventVersion: '1.0',
        EventSubscriptionArn: `${n.TopicArn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
        EventSource: 'aws:sns',
        Sns: {
          SignatureVersion: n.SignatureVersion,
          Timestamp: n.Timestamp,
          Signature: n.Signature,
          SigningCertUrl: n.SigningCertURL,
          MessageId: n.MessageId,
          Message: n.Message,
          MessageAttributes: {},
          Type: n.Type,
          UnsubscribeUrl: n.UnsubscribeURL,
          TopicArn: n.TopicArn,
          Subject: n.Subject ?? null,
        },
      },
    ],
  };
}

async function world() {
  const s = await openSimulator(simFile).read();
  return {
    aws: s.aws.vpnConnections
      .flatMap((c) => c.routes.filter((r) => r.state === 'available').map((r) => `${c.vpnConnectionId}:${r.destinationCidrBlock}`))
      .sort(),
    gcp: s.gcp.routes.map((r) => r.name).sort(),
  };
}
const files = () => [
  readFileSync(simFile, 'utf8'),
  existsSync(ledgerFileFor(simFile)) ? readFileSync(ledgerFileFor(simFile), 'utf8') : '(no ledger)',
];

describe('GCP → AWS: a GCP incident drains the AWS end through SNS (moto) and the real tunnelAlarm handler', () => {
  it('drains both ends, a replayed record is a no-op, and the recovery restores both exactly', async () => {
    const edge = gcpEdge();
    expect(edge.deps.link).toBeInstanceOf(SnsLinkPublisher);
    const initial = await world();

    const open = await processNotification(edge, gcpFixture('incident-open-dropped-packets.json'));
    expect(open.body.report).toMatchObject({ tunnelId: G1, decision: 'drain', stateAfter: 'drained', ok: true });
    expect((await world()).gcp).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby', 'route-to-aws-via-tunnel-aws-2']);
    // Exactly one notification, carrying the signed envelope as the SNS Message.
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ Type: 'Notification', TopicArn: topicArn });
    const envelope = JSON.parse(delivered[0].Message);
    expect(Object.keys(envelope).sort()).toEqual(['message', 'signature']);
    expect(JSON.parse(envelope.message)).toMatchObject({ v: 1, origin: 'gcp', fromTunnelId: G1, toTunnelId: A11, health: 'degraded' });
    expect(initial.aws).toContain('vpn-0a1b2c3d4e5f60001:10.240.0.0/16'); // nothing happened on AWS yet

    const { handler, edge: aws } = awsHandler();
    const event = lambdaEvent(delivered[0]);
    const r = await handler(event);
    expect(r).toMatchObject({ ok: true, ignored: [], failed: [] });
    expect(r.reports[0]).toMatchObject({ tunnelId: A11, decision: 'drain', stateAfter: 'drained', viaLink: true });
    const drained = await world();
    // Make-before-break on AWS: vpn-1 keeps its routes as standbys; vpn-2 holds both halves of each prefix.
    expect(drained).toEqual({
      aws: AWS_ROUTES_WITH_VPN1_DEPREFERRED,
      gcp: ['route-to-aws-via-tunnel-aws-1-tg-standby', 'route-to-aws-via-tunnel-aws-2'],
    });
    // No echo: the AWS end's own publisher (towards GCP) sent nothing for a change a link message caused.
    expect((aws.deps.link as SimulatorLink).wire).toEqual([]);

    // SNS delivers at least once: the same record again changes nothing.
    const before = files();
    const replay = await handler(structuredClone(event));
    expect(replay.reports[0]!.results).toEqual([]);
    expect(files()[0]).toBe(before[0]);

    // Recovery on GCP → "healthy" through SNS → the AWS end restores with its own engine.
    const closed = await processNotification(edge, gcpFixture('incident-closed-recovered.json'));
    expect(closed.body.report).toMatchObject({ decision: 'restore', stateAfter: 'active' });
    expect(delivered).toHaveLength(2);
    expect(JSON.parse(JSON.parse(delivered[1].Message).message)).toMatchObject({ health: 'healthy', toTunnelId: A11 });
    const restored = await handler(lambdaEvent(delivered[1]));
    expect(restored.reports[0]).toMatchObject({ decision: 'restore', stateAfter: 'active' });
    expect(await world()).toEqual(initial);

    // The old "degraded" record delivered late (after the recovery) is stale: nothing changes.
    const afterRecovery = files();
    const late = await handler(structuredClone(event));
    expect(late.reports[0]!.results).toEqual([]);
    expect(await world()).toEqual(initial);
    expect(files()[0]).toBe(afterRecovery[0]);
  });

  it('a forged (wrong secret) or unsigned message published on the topic is refused and changes nothing', async () => {
    await world();
    const message: LinkMessage = {
      v: 1,
      id: 'gcp:forged:1',
      origin: 'gcp',
      fromTunnelId: G1,
      toTunnelId: A11,
      health: 'degraded',
      observedAt: new Date().toISOString(),
      reason: 'forged',
    };
    const publish = (body: unknown) =>
      sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: JSON.stringify(body),
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'tunnel-guard-link' } },
        }),
      );
    await publish(signLinkMessage(message, 'an-attacker-guess'));
    await publish({ message: JSON.stringify(message), signature: '' });
    await publish(message);
    await new SnsLinkPublisher(sns, { topicArn, secret: 'another-wrong-secret' }).publish({ ...message, id: 'gcp:forged:2' });
    expect(delivered).toHaveLength(4);

    const before = files();
    const { handler } = awsHandler();
    const results = [];
    for (const n of delivered) results.push(await handler(lambdaEvent(n)));
    expect(results.map((r) => r.reports)).toEqual([[], [], [], []]);
    expect(results[0]!.ignored[0]).toMatch(/link message refused: link message signature does not match/);
    expect(results[1]!.ignored[0]).toMatch(/link message refused: not a signed link message/);
    expect(results[2]!.ignored).toHaveLength(1); // a bare message is not an alarm either
    expect(results[3]!.ignored[0]).toMatch(/signature does not match/);
    expect(files()).toEqual(before);
  });
});

describe('GCP → AWS with keyless federation (metadata-server ID token → STS AssumeRoleWithWebIdentity)', () => {
  const keyless = () => ({
    TUNNEL_GUARD_AWS_ROLE_ARN: ROLE,
    TUNNEL_GUARD_AWS_ID_TOKEN_AUDIENCE: 'tunnel-guard-link',
    GCE_METADATA_HOST: metadataHost,
  });

  it('gets short-lived role credentials from STS with a Google ID token for the configured audience', async () => {
    const creds = awsCredentialsFromEnv(keyless(), { region: REGION, endpoint: moto.endpoint });
    expect(creds.mode).toBe('web-identity');
    const c = await (creds.credentials as () => Promise<{ accessKeyId: string; sessionToken?: string; expiration?: Date }>)();
    expect(c.accessKeyId).toMatch(/^ASIA/); // temporary credentials, as STS issues them
    expect(c.sessionToken).toBeTruthy();
    expect(c.expiration).toBeInstanceOf(Date);
    expect(metadataHits).toHaveLength(1);
    expect(metadataHits[0]!.flavor).toBe('Google');
    expect(metadataHits[0]!.url).toBe(
      '/computeMetadata/v1/instance/service-accounts/default/identity?audience=tunnel-guard-link&format=full',
    );
  });

  it('publishes through SNS with them, asking the metadata server once for several messages', async () => {
    const edge = gcpEdge(keyless());
    await processNotification(edge, gcpFixture('incident-open-dropped-packets.json'));
    await processNotification(edge, gcpFixture('incident-closed-recovered.json'));
    expect(delivered.map((n) => JSON.parse(JSON.parse(n.Message).message).health)).toEqual(['degraded', 'healthy']);
    expect(metadataHits).toHaveLength(1); // the SNS client keeps the credentials until shortly before they expire
  });
});
