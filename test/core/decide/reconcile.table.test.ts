/**
 * The policy as a table, one row per situation: the scheduled reconcile (`onReconcile` in shared/decide/triggers.ts) —
 * retry a refused drain, restore after the hold-down, withdraw drift again, say once what waits for a human. After
 * the table, the same rules carried out by the engine on the in-memory cloud.
 */
import { checkRow, T1, T2, A1, A1b, P0, at, CANNOT_TELL, drainedWith, type Row } from './support';
import { incident, gcp, gcpRoute, gcpTunnel } from '../../fakes/topology';
import { handleSignal, reconcile } from '../../../shared/engine';
import type { Path } from '../../../shared/types';
import { testDeps, sig } from '../../fakes/core-deps';
import { MemoryCloud, portsOf } from '../../fakes/memory-cloud';
import { gcpTwo } from '../../fakes/scenario';

const rows: Row[] = [
  {
    name: 'tick while drained and healthy past hold-down → restore',
    trigger: { type: 'reconcile' },
    record: { state: 'drained', health: 'healthy', healthySince: at(301), withdrawn: incident().gcpPaths.slice(0, 1) },
    withdrawnAlready: true,
    kind: 'restore',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'NOTICE',
    writes: 'restoring',
  },
  {
    name: 'tick while active and degraded (an earlier refusal) → drain',
    trigger: { type: 'reconcile' },
    record: { health: 'degraded' },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: 'draining',
  },
  {
    name: 'tick while active and down, AWS sibling up → ignore',
    tunnel: A1,
    trigger: { type: 'reconcile' },
    record: { health: 'down' },
    status: { [A1b]: 'up' },
    kind: 'ignore',
    actions: 0,
    guards: [],
    notify: false,
    severity: 'INFO',
    writes: null,
  },
  {
    name: 'tick while active and down, AWS sibling down → drain',
    tunnel: A1,
    trigger: { type: 'reconcile' },
    record: { health: 'down' },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: 'draining',
  },
  {
    name: 'tick while active and healthy → ignore',
    trigger: { type: 'reconcile' },
    record: { health: 'healthy' },
    kind: 'ignore',
    actions: 0,
    guards: [],
    notify: false,
    severity: 'INFO',
    writes: null,
  },
  {
    name: 'tick while drained, held only by a monitor that cannot tell → refuse, urgent',
    trigger: { type: 'reconcile' },
    record: drainedWith({ health: 'unknown', monitors: { drops: { health: 'unknown', at: at(60) } } }),
    withdrawnAlready: true,
    kind: 'refuse',
    actions: 0,
    guards: ['no-evidence'],
    notify: true,
    severity: 'CRITICAL',
    writes: 'drained',
  },
  {
    name: 'the same, already reported → refuse, not notified, nothing written',
    trigger: { type: 'reconcile' },
    record: drainedWith({ health: 'unknown', monitors: { drops: { health: 'unknown', at: at(60) } }, lastRefusal: CANNOT_TELL }),
    withdrawnAlready: true,
    kind: 'refuse',
    actions: 0,
    guards: ['no-evidence'],
    notify: false,
    severity: 'CRITICAL',
    writes: null,
  },
  {
    name: 'tick while drained and degraded → ignore',
    trigger: { type: 'reconcile' },
    record: drainedWith({ health: 'degraded' }),
    withdrawnAlready: true,
    kind: 'ignore',
    actions: 0,
    guards: [],
    notify: false,
    severity: 'INFO',
    writes: null,
  },
  {
    name: 'tick while drained, a withdrawn path is back → withdraw it again (drift)',
    trigger: { type: 'reconcile' },
    record: drainedWith({ health: 'degraded' }),
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: 'draining',
  },
  {
    name: 'tick while drained, a withdrawn path is back with another definition → refuse (a human decides)',
    trigger: { type: 'reconcile' },
    record: drainedWith({ health: 'degraded' }),
    pathsFor: (ps) => ps.map((p) => (p.key === P0.key ? { ...p, definition: { ...p.definition, priority: 10 } } : p)),
    kind: 'refuse',
    actions: 0,
    guards: ['conflict'],
    notify: true,
    severity: 'CRITICAL',
    writes: 'drained',
  },
  {
    name: 'AWS healthy past the hold-down, the sibling sharing the route degraded → refuse, restore waits',
    tunnel: A1,
    trigger: { type: 'reconcile' },
    record: { state: 'drained', withdrawn: [incident().awsPaths[0]!], health: 'healthy', healthySince: at(400) },
    withdrawnAlready: true,
    status: { [A1b]: 'up' },
    otherRecords: [{ tunnelId: A1b, health: 'degraded' }],
    kind: 'refuse',
    actions: 0,
    guards: ['shared-path'],
    notify: true,
    severity: 'WARNING',
    writes: 'drained',
  },
  {
    name: 'AWS healthy past the hold-down, the sibling sharing the route healthy → restore (control for the row above)',
    tunnel: A1,
    trigger: { type: 'reconcile' },
    record: { state: 'drained', withdrawn: [incident().awsPaths[0]!], health: 'healthy', healthySince: at(400) },
    withdrawnAlready: true,
    status: { [A1b]: 'up' },
    kind: 'restore',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'NOTICE',
    writes: 'restoring',
  },
  {
    name: 'tick while drained and suppressed → suppress, quietly',
    trigger: { type: 'reconcile' },
    record: drainedWith({ suppressed: true, health: 'healthy', healthySince: at(4000) }),
    withdrawnAlready: true,
    kind: 'suppress',
    actions: 0,
    guards: [],
    notify: false,
    severity: 'INFO',
    writes: null,
  },
  {
    name: 'tick while drained, a path back but the other tunnel degraded → refuse, stays drained',
    trigger: { type: 'reconcile' },
    record: drainedWith({ health: 'degraded' }),
    others: { [T2]: 'degraded' },
    kind: 'refuse',
    actions: 0,
    guards: ['black-hole'],
    notify: true,
    severity: 'CRITICAL',
    writes: 'drained',
    suppressed: false,
  },
  {
    name: 'drift of a tunnel that is not suppressed is withdrawn without suppressing it',
    trigger: { type: 'reconcile' },
    record: drainedWith({ health: 'degraded' }),
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: 'draining',
    suppressed: false,
  },
  {
    name: 'tick while active and degraded without a path of its own → ignore',
    trigger: { type: 'reconcile' },
    record: { health: 'degraded' },
    pathsFor: (ps) => ps.filter((p) => !p.tunnelIds.includes(T1)),
    kind: 'ignore',
    actions: 0,
    guards: [],
    notify: false,
    severity: 'INFO',
    writes: null,
  },
];

describe('decide() on a scheduled reconcile', () => {
  it.each(rows)('$name', checkRow);
});

describe('reconcile through the engine: drift and refused drains', () => {
  // The tunnels of `gcpTwo()`.
  const T1 = gcp('tunnel-aws-1');
  const T2 = gcp('tunnel-aws-2');

  it('a refused drift re-withdrawal keeps the tunnel drained and restores everything after recovery', async () => {
    const { cloud, paths } = gcpTwo();
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 300 });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    const r1 = paths.find((p) => p.key.endsWith('/r1'))!;
    cloud.table.set(r1.key, structuredClone(r1)); // someone re-adds r1 by hand
    await handleSignal(deps, sig(T2, 'degraded', 5)); // refused: last path
    clock.t += 10_000;
    await reconcile(deps); // drift re-withdrawal of r1 is refused (T2 degraded)
    expect((await deps.ledger.get(T1))?.state).toBe('drained');
    await handleSignal(deps, sig(T2, 'healthy', 20));
    await handleSignal(deps, sig(T1, 'healthy', 20));
    for (let i = 0; i < 3; i++) {
      clock.t += 600_000;
      await reconcile(deps);
    }
    expect(cloud.snapshot()).toHaveLength(4);
  });

  it('a path re-created with a different definition is neither withdrawn nor overwritten: a human decides', async () => {
    const { cloud, paths } = gcpTwo();
    const { deps, notes } = testDeps({ gcp: portsOf(cloud) });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    const r1 = paths.find((p) => p.key.endsWith('/r1'))!;
    const changed: Path = {
      ...structuredClone(r1),
      destinations: ['10.50.0.0/16'],
      definition: { ...r1.definition, destRange: '10.50.0.0/16', priority: 500 },
    };
    cloud.table.set(r1.key, changed);
    const [r] = await reconcile(deps);
    expect(r!.decision).toBe('refuse');
    expect(r!.severity).toBe('CRITICAL');
    expect(cloud.table.get(r1.key)).toEqual(changed);
    expect((await deps.ledger.get(T1))?.withdrawn.find((p) => p.key === r1.key)?.definition).toEqual(r1.definition);
    expect(notes.at(-1)?.decision).toBe('refuse');
  });

  it('a refused drain on "down" is retried by reconcile once the fallback recovers', async () => {
    const cloud = new MemoryCloud(
      [gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')],
      [gcpRoute('a', 'tunnel-1', '10.0.0.0/16'), gcpRoute('b', 'tunnel-2', '10.0.0.0/16')],
    );
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { maxDrainedFraction: 1, restoreHoldDownSeconds: 0 });
    clock.t += 60_000;
    await handleSignal(deps, sig(gcp('tunnel-2'), 'degraded', 0));
    expect((await handleSignal(deps, sig(gcp('tunnel-1'), 'down', 10))).decision).toBe('refuse');
    await handleSignal(deps, sig(gcp('tunnel-2'), 'healthy', 20)); // tunnel-2 restored at once
    clock.t += 600_000;
    await reconcile(deps);
    expect(cloud.snapshot().map((p) => p.key.split('/').pop())).toEqual(['b']);
  });
});
