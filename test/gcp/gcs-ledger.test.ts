import { Storage } from '@google-cloud/storage';
import { CorruptStateError, LedgerConflictError, TransientError } from '../../shared/errors';
import { emptyRecord } from '../../shared/types';
import { GcsLedger } from '../../gcp-functions/adapters/gcs-ledger';
import { GcsFake } from '../fakes/gcs-fake';
import { testAuthClient } from './support/auth';

const ID = 'gcp:example-project:asia-northeast1:tunnel-aws-1';
const BUCKET = 'tg-ledger';
let fake: GcsFake;
let ledger: GcsLedger;

beforeEach(async () => {
  fake = new GcsFake();
  await fake.start();
  const storage = new Storage({
    apiEndpoint: fake.endpoint,
    projectId: 'example-project',
    authClient: testAuthClient() as never,
    retryOptions: { autoRetry: false, maxRetries: 0 },
  });
  ledger = new GcsLedger(storage.bucket(BUCKET));
});
afterEach(() => fake.stop());

describe('GcsLedger (real @google-cloud/storage client against a GCS JSON API fake)', () => {
  it('creates, reads back and lists a record, bumping the version on each write', async () => {
    expect(await ledger.get(ID)).toBeUndefined();
    const v1 = await ledger.put({ ...emptyRecord(ID, 'gcp'), state: 'draining', reason: 'dropped packets' });
    expect(v1.version).toBe(1);
    expect(await ledger.get(ID)).toEqual(v1);
    const v2 = await ledger.put({ ...v1, state: 'drained' });
    expect(v2.version).toBe(2);
    expect(await ledger.list()).toEqual([v2]);
    // One object per tunnel, its name encoding the id; the version is mirrored in custom metadata.
    const obj = fake.objects.get(`${BUCKET}/tunnel-guard/ledger/${encodeURIComponent(ID)}.json`)!;
    expect(obj.metadata).toMatchObject({ version: '2' });
    // Every write carried a generation precondition (0 for the first: must not exist).
    const uploads = fake.requests.filter((r) => r.path.startsWith('/upload/'));
    expect(uploads.map((u) => u.query.get('ifGenerationMatch'))).toEqual(['0', expect.stringMatching(/^\d+$/)]);
  });

  it('refuses a write based on a stale version (LedgerConflictError), leaving the stored record alone', async () => {
    const v1 = await ledger.put(emptyRecord(ID, 'gcp'));
    await ledger.put({ ...v1, state: 'drained' });
    await expect(ledger.put({ ...v1, state: 'active' })).rejects.toThrow(LedgerConflictError);
    await expect(ledger.put(emptyRecord(ID, 'gcp'))).rejects.toThrow(LedgerConflictError);
    expect((await ledger.get(ID))!.state).toBe('drained');
  });

  it('turns a lost race (412 from the generation precondition) into LedgerConflictError', async () => {
    const v1 = await ledger.put(emptyRecord(ID, 'gcp'));
    // Another writer slips in between our metadata read and our upload.
    const name = ledger.objectName(ID);
    const orig = fake.objects.get(`${BUCKET}/${name}`)!;
    const spy = jest.spyOn(GcsFake.prototype as never, 'resource' as never).mockImplementationOnce(function (
      this: GcsFake,
      ...args: unknown[]
    ) {
      const out = (jest.requireActual('../fakes/gcs-fake').GcsFake.prototype as { resource: (...a: unknown[]) => unknown }).resource.apply(
        this,
        args,
      );
      fake.put(BUCKET, name, orig.data, orig.metadata); // bump the generation, same version metadata
      return out;
    } as never);
    const uploads = () => fake.requests.filter((r) => r.path.startsWith('/upload/')).length;
    const before = uploads();
    await expect(ledger.put({ ...v1, state: 'drained' })).rejects.toThrow(LedgerConflictError);
    spy.mockRestore();
    expect(uploads()).toBe(before + 1); // the conditional upload was sent and refused (412)
    expect((await ledger.get(ID))!.state).toBe('active');
  });

  it('never overwrites a corrupt object and says so', async () => {
    fake.put(BUCKET, ledger.objectName(ID), '{not json', { version: '3' });
    await expect(ledger.get(ID)).rejects.toThrow(CorruptStateError);
    fake.put(BUCKET, ledger.objectName(ID), '{"tunnelId":"x"}');
    await expect(ledger.put(emptyRecord(ID, 'gcp'))).rejects.toThrow(CorruptStateError);
    expect(fake.objects.get(`${BUCKET}/${ledger.objectName(ID)}`)!.data.toString()).toBe('{"tunnelId":"x"}');
  });

  it('scan names a corrupt object and still returns every readable record', async () => {
    const other = 'gcp:p:r:tunnel-ok';
    await ledger.put(emptyRecord(other, 'gcp'));
    fake.put(BUCKET, ledger.objectName(ID), '{not json', { version: '3' });
    const scan = await ledger.scan();
    expect(scan.records.map((r) => r.tunnelId)).toContain(other);
    expect(scan.records.map((r) => r.tunnelId)).not.toContain(ID);
    expect(scan.unreadable).toEqual([expect.objectContaining({ tunnelId: ID, problem: expect.any(String) })]);
    expect((await ledger.list()).map((r) => r.tunnelId)).toContain(other);
  });

  it('reports 5xx from Cloud Storage as transient', async () => {
    fake.failNext = { status: 503, count: 5 };
    await expect(ledger.get(ID)).rejects.toThrow(TransientError);
  });
});
