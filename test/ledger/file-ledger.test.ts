import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptStateError, LedgerConflictError } from '../../shared/errors';
import { FileLedger } from '../../simulator/file-ledger';
import { emptyRecord } from '../../shared/types';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-ledger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ID = 'gcp:example-project:asia-northeast1:tunnel-aws-1';

describe('FileLedger', () => {
  it('reads an absent file as an empty ledger and does not create it', async () => {
    const ledger = new FileLedger(join(dir, 'l.json'));
    expect(await ledger.list()).toEqual([]);
    expect(await ledger.get(ID)).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stores version+1 and a second instance on the same file sees it (state lives in the file)', async () => {
    const file = join(dir, 'l.json');
    const a = new FileLedger(file);
    const stored = await a.put({ ...emptyRecord(ID, 'gcp'), state: 'drained', reason: 'lossy' });
    expect(stored.version).toBe(1);
    const b = new FileLedger(file);
    expect(await b.get(ID)).toEqual(stored);
    const again = await b.put({ ...stored, state: 'active' });
    expect(again.version).toBe(2);
    expect((await a.get(ID))?.state).toBe('active');
  });

  it('refuses a write based on a stale version with LedgerConflictError and keeps the stored record', async () => {
    const file = join(dir, 'l.json');
    const ledger = new FileLedger(file);
    const v1 = await ledger.put(emptyRecord(ID, 'gcp'));
    await ledger.put({ ...v1, state: 'drained' });
    const before = readFileSync(file, 'utf8');
    await expect(ledger.put({ ...v1, state: 'active' })).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(ledger.put(emptyRecord(ID, 'gcp'))).rejects.toThrow(/expected version 0, found 2/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('lets exactly one of two concurrent writers of the same version win', async () => {
    const ledger = new FileLedger(join(dir, 'l.json'));
    const results = await Promise.allSettled([ledger.put(emptyRecord(ID, 'gcp')), ledger.put(emptyRecord(ID, 'gcp'))]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await ledger.get(ID))?.version).toBe(1);
  });

  it.each([
    ['not JSON', '{"format": "tunnel-guard-ledger/1", "records": {'],
    ['unknown format', JSON.stringify({ records: {} })],
    ['empty file', ''],
  ])('treats a corrupt file (%s) as CorruptStateError and never overwrites it', async (_what, content) => {
    const file = join(dir, 'l.json');
    writeFileSync(file, content);
    const ledger = new FileLedger(file);
    await expect(ledger.list()).rejects.toBeInstanceOf(CorruptStateError);
    await expect(ledger.get(ID)).rejects.toThrow(/left untouched/);
    await expect(ledger.put(emptyRecord(ID, 'gcp'))).rejects.toBeInstanceOf(CorruptStateError);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  const OTHER = 'gcp:example-project:asia-northeast1:tunnel-aws-2';
  it.each([
    ['wrong shape', { tunnelId: ID, version: 'x' }],
    ['another tunnel inside', { ...emptyRecord(OTHER, 'gcp'), version: 1 }],
    [
      'a withdrawn route whose definition cannot re-create it',
      {
        ...emptyRecord(ID, 'gcp'),
        version: 1,
        state: 'drained',
        withdrawn: [
          {
            key: 'r1',
            kind: 'gcp-static-route',
            cloud: 'gcp',
            destinations: ['10.0.0.0/16'],
            tunnelIds: [ID],
            definition: { destRange: '10.0.0.0/16' },
          },
        ],
      },
    ],
  ])(
    'sets a record that does not validate (%s) aside: the others stay readable and writable, it is never overwritten',
    async (_what, bad) => {
      const file = join(dir, 'l.json');
      const good = { ...emptyRecord(OTHER, 'gcp'), version: 3 };
      writeFileSync(file, JSON.stringify({ format: 'tunnel-guard-ledger/1', records: { [ID]: bad, [OTHER]: good } }));
      const ledger = new FileLedger(file);
      expect(await ledger.list()).toEqual([good]);
      const scan = await ledger.scan();
      expect(scan.unreadable.map((u) => u.tunnelId)).toEqual([ID]);
      expect(scan.unreadable[0]!.problem).toMatch(/record/);
      await expect(ledger.get(ID)).rejects.toBeInstanceOf(CorruptStateError);
      await expect(ledger.put(emptyRecord(ID, 'gcp'))).rejects.toBeInstanceOf(CorruptStateError);
      expect((await ledger.put({ ...good, state: 'drained' })).version).toBe(4);
      // The unreadable record is written back exactly as it was, for a human to look at.
      expect(JSON.parse(readFileSync(file, 'utf8')).records[ID]).toEqual(bad);
    },
  );

  it('leaves no temp files behind after writes', async () => {
    const ledger = new FileLedger(join(dir, 'l.json'));
    let r = await ledger.put(emptyRecord(ID, 'gcp'));
    for (let i = 0; i < 5; i++) r = await ledger.put({ ...r, reason: `n${i}` });
    expect(readdirSync(dir)).toEqual(['l.json']);
  });
});
