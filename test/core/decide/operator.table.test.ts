/**
 * The policy as a table, one row per situation: an operator's drain, restore and release (`onOperatorDrain`,
 * `onOperatorRestore`, `onRelease` in shared/decide/triggers.ts) — operators win and stay won; `--force` overrides
 * the guards, never silently. After the table, the same rules carried out by the engine on the in-memory cloud.
 */
import { checkRow, T2, P0, at, drainedWith, type Row } from './support';
import { handleSignal, reconcile, runCommand } from '../../../shared/engine';
import { testDeps, sig } from '../../fakes/core-deps';
import { portsOf } from '../../fakes/memory-cloud';
import { gcpTwo, into } from '../../fakes/scenario';
import { gcp } from '../../fakes/topology';

const rows: Row[] = [
  {
    name: 'operator drain → drain, suppressed',
    trigger: { type: 'drain', reason: 'x', force: false },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'WARNING',
    writes: 'draining',
    suppressed: true,
    forced: false,
  },
  {
    name: 'operator drain of last path → refuse',
    trigger: { type: 'drain', reason: 'x', force: false },
    others: { [T2]: 'degraded' },
    kind: 'refuse',
    actions: 0,
    guards: ['black-hole'],
    notify: true,
    severity: 'CRITICAL',
    writes: 'active',
  },
  {
    name: 'operator drain --force of last path → drain, forced',
    trigger: { type: 'drain', reason: 'x', force: true },
    others: { [T2]: 'degraded' },
    kind: 'drain',
    actions: 1,
    guards: ['black-hole'],
    notify: true,
    severity: 'CRITICAL',
    writes: 'draining',
    suppressed: true,
    forced: true,
  },
  {
    name: 'release when not suppressed → ignore',
    trigger: { type: 'release' },
    kind: 'ignore',
    actions: 0,
    guards: [],
    notify: false,
    severity: 'INFO',
    writes: null,
  },
  {
    name: 'operator drain --force with nothing to override → drain, not forced',
    trigger: { type: 'drain', reason: 'x', force: true },
    kind: 'drain',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'CRITICAL',
    writes: 'draining',
    suppressed: true,
    forced: false,
  },
  {
    name: 'operator drain of a drained tunnel → record, now suppressed',
    trigger: { type: 'drain', reason: 'x', force: false },
    record: drainedWith(),
    withdrawnAlready: true,
    kind: 'record',
    actions: 0,
    guards: [],
    notify: true,
    severity: 'INFO',
    writes: 'drained',
    suppressed: true,
  },
  {
    name: 'operator restore of an active tunnel with nothing withdrawn → ignore',
    trigger: { type: 'restore', force: false },
    kind: 'ignore',
    actions: 0,
    guards: [],
    notify: false,
    severity: 'INFO',
    writes: null,
  },
  {
    name: 'operator restore while degraded → refuse, not notified',
    trigger: { type: 'restore', force: false },
    record: drainedWith({ health: 'degraded', monitors: { m: { health: 'degraded', at: at(60) } } }),
    withdrawnAlready: true,
    kind: 'refuse',
    actions: 0,
    guards: ['unhealthy'],
    notify: false,
    severity: 'WARNING',
    writes: null,
  },
  {
    name: 'operator restore --force while degraded → restore, forced',
    trigger: { type: 'restore', force: true },
    record: drainedWith({ health: 'degraded', monitors: { m: { health: 'degraded', at: at(60) } } }),
    withdrawnAlready: true,
    kind: 'restore',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'NOTICE',
    writes: 'restoring',
    forced: true,
    suppressed: false,
  },
  {
    name: 'operator restore of a suppressed, healthy tunnel → restore, suppression lifted',
    trigger: { type: 'restore', force: false },
    record: drainedWith({ suppressed: true, health: 'healthy', healthySince: at(10) }),
    withdrawnAlready: true,
    kind: 'restore',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'NOTICE',
    writes: 'restoring',
    forced: false,
    suppressed: false,
  },
  {
    name: 'release of a suppressed drained tunnel healthy past the hold-down → restore',
    trigger: { type: 'release' },
    record: drainedWith({ suppressed: true, health: 'healthy', healthySince: at(400) }),
    withdrawnAlready: true,
    kind: 'restore',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'NOTICE',
    writes: 'restoring',
    suppressed: false,
  },
  {
    name: 'release of a suppressed drained tunnel still degraded → release',
    trigger: { type: 'release' },
    record: drainedWith({ suppressed: true, health: 'degraded' }),
    withdrawnAlready: true,
    kind: 'release',
    actions: 0,
    guards: [],
    notify: true,
    severity: 'INFO',
    writes: 'drained',
    suppressed: false,
  },
  {
    name: 'restore --force of an active tunnel with something withdrawn → restore',
    trigger: { type: 'restore', force: true },
    record: { withdrawn: [P0] },
    withdrawnAlready: true,
    kind: 'restore',
    actions: 1,
    guards: [],
    notify: true,
    severity: 'NOTICE',
    writes: 'restoring',
    forced: true,
  },
];

describe("decide() on an operator's drain, restore or release", () => {
  it.each(rows)('$name', checkRow);
});

describe("an operator's drain through the engine", () => {
  // The first tunnel of `gcpTwo()`.
  const T1 = gcp('tunnel-aws-1');

  it('an operator drain on a drained or restoring tunnel is remembered: no automatic restore', async () => {
    const { cloud } = gcpTwo();
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 0 });
    clock.t += 10_000;
    await handleSignal(deps, sig(T1, 'degraded', 0));
    const d = await runCommand(deps, { type: 'drain', tunnelId: T1, reason: 'vendor maintenance' });
    expect(d.decision).toBe('record');
    await handleSignal(deps, sig(T1, 'healthy', 5));
    clock.t += 600_000;
    await reconcile(deps);
    expect(into(cloud, T1)).toEqual([]);
    expect((await deps.ledger.get(T1))?.suppressed).toBe(true);
  });
});
