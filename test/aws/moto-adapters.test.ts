/**
 * Adapters with the real SDK clients against moto (started here on a free port): SNS publish (delivered to
 * local HTTP subscribers), DynamoDB conditional writes. TGW routes are tested against the EC2 Query fake
 * (tgw-paths.test.ts): moto 5.2.1 returns an empty `transitGatewayAttachments` for every route, so a route's
 * target cannot be read back there.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { DynamoDbLedger } from '../../functions/adapters/dynamodb-ledger';
import { SnsNotifier, subjectOf } from '../../functions/adapters/sns-notifier';
import { CorruptStateError, LedgerConflictError } from '../../shared/errors';
import { emptyRecord } from '../../shared/types';
import type { Report } from '../../shared/report-types';
import { startMoto, type Moto } from '../support/moto';

const REGION = 'us-east-1';
let moto: Moto;
const creds = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let sns: SNSClient;
let ddb: DynamoDBClient;

beforeAll(async () => {
  moto = await startMoto();
  const cfg = { region: REGION, endpoint: moto.endpoint, credentials: creds, maxAttempts: 1 };
  sns = new SNSClient(cfg);
  ddb = new DynamoDBClient(cfg);
}, 30_000);
afterAll(async () => {
  for (const c of [sns, ddb]) c?.destroy();
  await moto?.stop();
});
beforeEach(() => moto.reset());

describe('DynamoDB ledger (conditional writes on version)', () => {
  const TABLE = 'tunnel-guard-ledger';
  beforeEach(async () => {
    await ddb.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'tunnelId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'tunnelId', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });

  it('creates, reads back and updates a record, bumping the version', async () => {
    const ledger = new DynamoDbLedger(ddb, TABLE);
    const id = 'aws:us-east-1:vpn-1:203.0.113.11';
    expect(await ledger.get(id)).toBeUndefined();
    const v1 = await ledger.put({
      ...emptyRecord(id, 'aws'),
      state: 'drained',
      withdrawn: [
        {
          key: 'vpn-1:10.0.0.0/16',
          kind: 'aws-vgw-static',
          cloud: 'aws',
          destinations: ['10.0.0.0/16'],
          tunnelIds: [id],
          definition: { vpnConnectionId: 'vpn-1', destinationCidrBlock: '10.0.0.0/16' },
        },
      ],
    });
    expect(v1.version).toBe(1);
    expect(await ledger.get(id)).toEqual(v1);
    const v2 = await ledger.put({ ...v1, state: 'active', withdrawn: [] });
    expect(v2.version).toBe(2);
    expect((await ledger.list()).map((r) => [r.tunnelId, r.version, r.state])).toEqual([[id, 2, 'active']]);
  });

  it('fails a second writer with LedgerConflictError and keeps the first write', async () => {
    const ledger = new DynamoDbLedger(ddb, TABLE);
    const id = 'aws:us-east-1:vpn-1:203.0.113.12';
    const base = await ledger.put(emptyRecord(id, 'aws'));
    await ledger.put({ ...base, reason: 'first writer' });
    const err = await ledger.put({ ...base, reason: 'second writer' }).catch((e) => e);
    expect(err).toBeInstanceOf(LedgerConflictError);
    expect(err).toMatchObject({ tunnelId: id, expectedVersion: 1, actualVersion: 2 });
    // Creating a record that already exists is a conflict too (version 0 = "absent").
    await expect(ledger.put(emptyRecord(id, 'aws'))).rejects.toBeInstanceOf(LedgerConflictError);
    expect((await ledger.get(id))!.reason).toBe('first writer');
  });

  it('a writer holding version N > 0 of an item that was deleted meanwhile gets a conflict, not a re-created item', async () => {
    const ledger = new DynamoDbLedger(ddb, TABLE);
    const id = 'aws:us-east-1:vpn-1:203.0.113.13';
    const v1 = await ledger.put({ ...emptyRecord(id, 'aws'), state: 'drained' });
    await ddb.send(new DeleteItemCommand({ TableName: TABLE, Key: { tunnelId: { S: id } } }));
    await expect(ledger.put({ ...v1, state: 'active' })).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await ledger.get(id)).toBeUndefined();
  });

  it('reports an unreadable item as CorruptStateError', async () => {
    await ddb.send(
      new PutItemCommand({ TableName: TABLE, Item: { tunnelId: { S: 'x' }, version: { N: '1' }, record: { S: '{not json' } } }),
    );
    await expect(new DynamoDbLedger(ddb, TABLE).get('x')).rejects.toBeInstanceOf(CorruptStateError);
  });

  it('scan names an unreadable item and still returns every readable record', async () => {
    const ledger = new DynamoDbLedger(ddb, TABLE);
    const ok = 'aws:us-east-1:vpn-1:203.0.113.14';
    await ledger.put(emptyRecord(ok, 'aws'));
    await ddb.send(
      new PutItemCommand({ TableName: TABLE, Item: { tunnelId: { S: 'y' }, version: { N: '1' }, record: { S: '{not json' } } }),
    );
    const scan = await ledger.scan();
    expect(scan.records.map((r) => r.tunnelId)).toContain(ok);
    expect(scan.unreadable).toEqual(expect.arrayContaining([expect.objectContaining({ tunnelId: 'y' })]));
    expect(scan.records.map((r) => r.tunnelId)).not.toContain('y');
  });
});

describe('SNS notifier', () => {
  let server: Server;
  let received: any[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ ...JSON.parse(body), path: req.url });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (received = []));

  const report: Report = {
    tunnelId: 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11',
    cloud: 'aws',
    trigger: 'signal',
    decision: 'drain',
    summary: 'drained 2 route(s) of vpn-0a1b2c3d4e5f60001',
    dryRun: false,
    forced: false,
    plan: [],
    results: [
      {
        type: 'withdraw',
        pathKey: 'vpn-0a1b2c3d4e5f60001:10.240.0.0/16',
        destinations: ['10.240.0.0/16'],
        outcome: 'applied',
        attempts: 1,
        ms: 5,
      },
    ],
    refusals: [],
    withdrawn: [
      {
        key: 'vpn-0a1b2c3d4e5f60001:10.240.0.0/16',
        kind: 'aws-vgw-static',
        cloud: 'aws',
        destinations: ['10.240.0.0/16'],
        tunnelIds: [],
        definition: { vpnConnectionId: 'vpn-0a1b2c3d4e5f60001', destinationCidrBlock: '10.240.0.0/16' },
      },
    ],
    stateBefore: 'active',
    stateAfter: 'drained',
    severity: 'WARNING',
    viaLink: false,
    startedAt: '2026-11-01T00:00:00.000Z',
    durationMs: 12,
    ok: true,
  };

  it('publishes one message with a short subject, a readable body, the full report and filterable attributes', async () => {
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'tunnel-guard' }))).TopicArn!;
    const port = (server.address() as AddressInfo).port;
    // moto's HTTP delivery drops MessageAttributes from the body, but it applies subscription filter policies
    // to them: two subscribers filtering on `kind` prove the attributes are sent and usable for filtering.
    const sub = (path: string, filter: object) =>
      sns.send(
        new SubscribeCommand({
          TopicArn: topic,
          Protocol: 'http',
          Endpoint: `http://127.0.0.1:${port}${path}`,
          Attributes: { FilterPolicy: JSON.stringify(filter) },
        }),
      );
    await sub('/drains', { kind: ['drain'], severity: ['WARNING'] });
    await sub('/restores', { kind: ['restore'] });
    await new SnsNotifier(sns, topic).notify(report);
    const notes = received.filter((m) => m.Type === 'Notification');
    expect(notes.map((m) => m.path)).toEqual(['/drains']);
    const n = notes[0];
    expect(n.Subject).toBe(subjectOf(report));
    expect(n.Subject.length).toBeLessThan(100);
    expect(n.Message).toContain('drained 2 route(s)');
    expect(n.Message).toContain('withdrawn definitions');
    const json = JSON.parse(n.Message.split('--- report (JSON) ---\n')[1]);
    expect(json).toEqual(report);
  });

  it('does not throw when the topic does not exist (a retry cannot fix it), but logs it', async () => {
    const logged: any[] = [];
    await new SnsNotifier(sns, `arn:aws:sns:${REGION}:123456789012:missing`, { log: (e) => logged.push(e) }).notify(report);
    expect(logged[0]).toMatchObject({ severity: 'ERROR', message: 'notification not delivered' });
  });

  it('keeps the subject under 100 characters for long tunnel ids', () => {
    expect(subjectOf({ ...report, tunnelId: `aws:${'x'.repeat(200)}` }).length).toBeLessThan(100);
  });
});
