/**
 * The policy as a table, one row per situation: interrupted work (shared/decide/resume.ts) — a drain or restore left
 * half done by a crash or a failed call is finished first, whatever the trigger, under the guards of now. After the
 * table, the same rule carried out by the engine on the in-memory cloud.
 */
import { checkRow, T1, T2, P0, at, s, type Row } from './support';
import { incident, gcp, gcpRoute, gcpTunnel } from '../../fakes/topology';
import { handleSignal, reconcile } from '../../../shared/engine';
import { testDeps, sig } from '../../fakes/core-deps';
import { MemoryCloud, portsOf } from '../../fakes/memory-cloud';
import { gcpTwo, into } from '../../fakes/scenario';

const rows: Row[] = [
  {
    name: 'tick while draining (crash) → finish the drain',
    trigger: { type: 'reconcile' },
    record: { state: 'draining', withdrawn: incident().gcpPaths.slice(0, 1) },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: null,
  },
  {
    name: 'tick while restoring (crash) → finish the restore',
    trigger: { type: 'reconcile' },
    record: { state: 'restoring', withdrawn: incident().gcpPaths.slice(0, 1) },
    withdrawnAlready: true,
    kind: 'restore',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'NOTICE',
    writes: 'restoring',
  },
  {
    name: 'degraded during a restore, a path already back → withdraw it again',
    trigger: s(T1, 'degraded'),
    record: { state: 'restoring', withdrawn: [P0], health: 'healthy', monitors: { test: { health: 'healthy', at: at(100) } } },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: 'draining',
  },
  {
    name: 'degraded during a restore, nothing back yet → record, stays drained',
    trigger: s(T1, 'degraded'),
    record: { state: 'restoring', withdrawn: [P0], health: 'healthy', monitors: { test: { health: 'healthy', at: at(100) } } },
    withdrawnAlready: true,
    kind: 'record',
    actions: 0,
    guards: [],
    notify: false,
    severity: 'INFO',
    writes: 'drained',
  },
  {
    name: 'tick while draining, the other tunnel degraded since → refuse, left drained',
    trigger: { type: 'reconcile' },
    record: { state: 'draining', withdrawn: [P0] },
    others: { [T2]: 'degraded' },
    kind: 'refuse',
    actions: 0,
    guards: ['black-hole'],
    notify: true,
    severity: 'CRITICAL',
    writes: 'drained',
  },
  {
    name: 'a fresh signal while draining → finish the drain, the signal recorded',
    trigger: s(T1, 'degraded'),
    record: { state: 'draining', withdrawn: [P0] },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: 'draining',
  },
  {
    name: 'a fresh signal while a drain is under way (younger than any run) → recorded, the drain left to itself',
    trigger: s(T1, 'down'),
    record: { state: 'draining', withdrawn: [P0], updatedAt: at(30) },
    kind: 'record',
    actions: 0,
    guards: [],
    notify: false,
    severity: 'INFO',
    writes: 'draining',
  },
  {
    name: 'a copy of the signal while its drain is under way → ignored, no second withdrawal',
    trigger: s(T1, 'degraded', 0, 'dup'),
    record: { state: 'draining', withdrawn: [P0], updatedAt: at(30), recentKeys: [{ key: 'dup', at: at(0) }] },
    kind: 'ignore',
    actions: 0,
    guards: ['duplicate'],
    notify: false,
    severity: 'INFO',
    writes: null,
  },
  {
    name: 'a fresh signal on a drain older than any run (it died) → finish the drain',
    trigger: s(T1, 'degraded'),
    record: { state: 'draining', withdrawn: [P0], updatedAt: at(16 * 60) },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: 'draining',
  },
  {
    name: 'tick while a drain is under way → reconcile finishes it anyway (it takes work over; withdrawals are idempotent)',
    trigger: { type: 'reconcile' },
    record: { state: 'draining', withdrawn: [P0], updatedAt: at(30) },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: null,
  },
  {
    name: 'tick while draining, the path already gone → finish (nothing left to guard)',
    trigger: { type: 'reconcile' },
    record: { state: 'draining', withdrawn: [P0] },
    others: { [T2]: 'degraded' },
    withdrawnAlready: true,
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: null,
  },
  {
    name: 'operator drain during a restore, a path already back → withdraw it again, suppressed',
    trigger: { type: 'drain', reason: 'x', force: false },
    record: { state: 'restoring', withdrawn: [P0], health: 'healthy' },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: 'draining',
    suppressed: true,
  },
];

describe('decide() with interrupted work in the ledger', () => {
  it.each(rows)('$name', checkRow);
});

describe('interrupted work, carried out by the engine', () => {
  // The first tunnel of `gcpTwo()`.
  const T1 = gcp('tunnel-aws-1');

  it('a degraded signal during an unfinished restore is recorded and takes back what was restored', async () => {
    const { cloud } = gcpTwo();
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 60, retryAttempts: 2 });
    clock.t += 10_000;
    await handleSignal(deps, sig(T1, 'degraded', 0));
    await handleSignal(deps, sig(T1, 'healthy', 5));
    expect((await deps.ledger.get(T1))?.state).toBe('drained'); // held down
    // The restore after the hold-down half-fails: one of the two routes keeps being throttled.
    const base = cloud.mutations;
    cloud.fault = (n) => (n === base + 1 || n === base + 3 ? 'transient' : undefined);
    clock.t += 120_000;
    const [rr] = await reconcile(deps);
    cloud.fault = undefined;
    expect(rr!.stateAfter).toBe('restoring');
    expect(into(cloud, T1)).toHaveLength(1);
    clock.t += 30_000;
    await handleSignal(deps, sig(T1, 'degraded', 150));
    const rec = await deps.ledger.get(T1);
    expect(rec?.health).toBe('degraded');
    expect(rec?.state).toBe('drained');
    expect(into(cloud, T1)).toEqual([]);
    expect(rec?.withdrawn.map((p) => p.key).sort()).toEqual([
      'projects/example-project/global/routes/r1',
      'projects/example-project/global/routes/r1b',
    ]);
  });

  it('finishing an interrupted drain re-checks the guards: it never withdraws the last path', async () => {
    const cloud = new MemoryCloud(
      [gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')],
      [gcpRoute('a', 'tunnel-1', '10.0.0.0/16'), gcpRoute('b', 'tunnel-2', '10.0.0.0/16')],
    );
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { retryAttempts: 1 });
    cloud.fault = (n) => (n === 1 ? 'transient' : undefined);
    const r = await handleSignal(deps, sig(gcp('tunnel-1'), 'degraded', 0));
    expect(r.stateAfter).toBe('draining');
    cloud.setStatus(gcp('tunnel-2'), 'down');
    await handleSignal(deps, sig(gcp('tunnel-1'), 'healthy', 30));
    clock.t += 60_000;
    await reconcile(deps);
    expect(cloud.snapshot().map((p) => p.key.split('/').pop())).toContain('a');
  });
});
