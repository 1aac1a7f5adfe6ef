/**
 * What the ledger cannot vouch for stays local and is said out loud: a record that does not parse refuses only its
 * own tunnel's decisions (on every ledger kind that can hold one), a fence member whose record is gone and a standby
 * that no record accounts for are CRITICAL notifications that say what to do.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleSignal, reconcile } from '../../shared/engine';
import { LONGEST_RUN_MS } from '../../shared/policy';
import type { Ledger } from '../../shared/ports';
import { FileLedger } from '../../simulator/file-ledger';
import { MemoryLedger } from '../../simulator/memory-ledger';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { gcp, gcpRoute, gcpTunnel } from '../fakes/topology';

const [T1, T2, T3] = [gcp('t1'), gcp('t2'), gcp('t3')];
const tmp: string[] = [];
afterAll(() => tmp.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** t1 and t2 share 10.1/16; t3 has its own 10.3/16 backed by t2's /8. */
function world() {
  return new MemoryCloud(
    [gcpTunnel('t1'), gcpTunnel('t2'), gcpTunnel('t3')],
    [gcpRoute('a1', 't1', '10.1.0.0/16'), gcpRoute('a3', 't3', '10.3.0.0/16'), gcpRoute('b', 't2', '10.0.0.0/8')],
  );
}

/** Two ledger kinds that can hold an unreadable item: the memory ledger (as a store would) and the file. */
const kinds: [string, (ledger: Ledger) => Promise<void>, () => Ledger][] = [
  ['memory', async (l) => (l as MemoryLedger).corrupt(T1, 'not JSON'), () => new MemoryLedger()],
  [
    'file',
    async (l) => {
      const f = (l as FileLedger).file;
      const data = JSON.parse(readFileSync(f, 'utf8'));
      data.records[T1] = { tunnelId: T1, version: 'seven' };
      writeFileSync(f, JSON.stringify(data));
    },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'tg-trust-'));
      tmp.push(dir);
      return new FileLedger(join(dir, 'ledger.json'));
    },
  ],
];

describe.each(kinds)('an unreadable record (%s ledger)', (_kind, corrupt, make) => {
  it("refuses only its own tunnel: another tunnel's drain goes ahead; reconcile reports it CRITICAL once", async () => {
    const cloud = world();
    const { deps, notes, logger } = testDeps({ gcp: portsOf(cloud) }, {}, make());
    await handleSignal(deps, sig(T1, 'healthy', 1, 'seed'));
    await corrupt(deps.ledger);

    const other = await handleSignal(deps, sig(T3, 'degraded', 5));
    expect(other.decision).toBe('drain');
    expect(cloud.snapshot().map((p) => p.key)).not.toContain('projects/example-project/global/routes/a3');

    const mine = await handleSignal(deps, sig(T1, 'degraded', 6));
    expect(mine).toMatchObject({ decision: 'refuse', severity: 'CRITICAL', refusals: [{ guard: 'ledger', urgent: true }] });
    expect(cloud.snapshot().map((p) => p.key)).toContain('projects/example-project/global/routes/a1');

    notes.length = 0;
    const first = await reconcile(deps);
    const second = await reconcile(deps);
    const about = (rs: typeof first) => rs.filter((r) => r.refusals.some((x) => x.guard === 'ledger'));
    expect(about(first)).toEqual([expect.objectContaining({ tunnelId: T1, severity: 'CRITICAL' })]);
    expect(about(first)[0]!.summary).toMatch(/cannot be read.*refused until a human repairs or removes it/);
    expect(about(second)).toEqual([]);
    expect(notes.filter((n) => n.tunnelId === T1)).toHaveLength(1);
    expect(logger.entries.some((e) => e.severity === 'WARNING' && String(e.message).startsWith('still:'))).toBe(true);
  });
});

describe('a drained tunnel whose record is gone', () => {
  it('is reported CRITICAL with what to do once the fence is older than any run, and dropped from the fence', async () => {
    const cloud = world();
    const ledger = new MemoryLedger();
    const { deps, clock, notes } = testDeps({ gcp: portsOf(cloud) }, {}, ledger);
    await handleSignal(deps, sig(T1, 'degraded', 5));
    expect((await ledger.get(T1))?.state).toBe('drained');
    ledger.delete(T1);

    expect((await reconcile(deps)).filter((r) => r.refusals.some((x) => x.guard === 'ledger'))).toEqual([]); // may be a live drain
    clock.t += LONGEST_RUN_MS + 60_000;
    notes.length = 0;
    const reports = await reconcile(deps);
    const said = reports.filter((r) => r.tunnelId === T1 && r.refusals.some((x) => x.guard === 'ledger'));
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ severity: 'CRITICAL' });
    expect(said[0]!.summary).toMatch(/record is gone.*notification of its drain.*re-create what is missing/);
    expect(notes.map((n) => n.tunnelId)).toContain(T1);
    expect((await ledger.get('fence:gcp'))?.members).toEqual([]);
    // Said once: the member is no longer in the fence.
    expect((await reconcile(deps)).filter((r) => r.tunnelId === T1)).toEqual([]);
  });

  it('a de-preferred path whose record is gone: its standby is reported at once', async () => {
    const cloud = world();
    const ledger = new MemoryLedger();
    const { deps } = testDeps({ gcp: portsOf(cloud) }, { drainMode: 'deprefer' }, ledger);
    const a1 = { ...gcpRoute('a1', 't1', '10.1.0.0/16'), canDeprefer: true };
    cloud.table.set(a1.key, a1);
    await handleSignal(deps, sig(T1, 'degraded', 5));
    expect(cloud.snapshot().some((p) => p.standbyFor === a1.key)).toBe(true);
    ledger.delete(T1);
    const said = (await reconcile(deps)).filter((r) => r.refusals.some((x) => x.guard === 'ledger'));
    expect(said).toEqual([expect.objectContaining({ tunnelId: T1, severity: 'CRITICAL' })]);
    expect(said[0]!.summary).toMatch(/no ledger record says so/);
  });
});

describe('a readable ledger', () => {
  it('reports nothing', async () => {
    const cloud = world();
    const { deps } = testDeps({ gcp: portsOf(cloud) }, {}, new MemoryLedger());
    await handleSignal(deps, sig(T2, 'degraded', 5));
    expect((await reconcile(deps)).filter((r) => r.refusals.some((x) => x.guard === 'ledger'))).toEqual([]);
  });
});
