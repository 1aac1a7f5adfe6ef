/**
 * The policy as a table: one row per situation, straight through the pure `decide()`.
 */
import { decide, type Trigger } from '../../shared/decide';
import { DEFAULT_POLICY, type Policy } from '../../shared/policy';
import { emptyRecord, type DecisionKind, type Path, type Health, type LedgerRecord, type Severity, type TunnelState, type TunnelStatus } from '../../shared/types';
import { sig } from '../fakes/core-deps';
import { NETWORK, aws, gcp, incident } from '../fakes/topology';

const NOW = new Date('2026-11-25T01:00:00Z');
const T1 = gcp('tunnel-1');
const T2 = gcp('tunnel-2');
const A1 = aws('vpn-1', '203.0.113.10');
const A2 = aws('vpn-2', '203.0.113.20');

interface Row {
  name: string;
  tunnel?: string;
  trigger: Trigger;
  record?: Partial<LedgerRecord>;
  others?: Record<string, Health>;
  status?: Record<string, TunnelStatus['status']>;
  policy?: Partial<Policy>;
  withdrawnAlready?: boolean;
  /** Change the cloud's paths for this row (a path missing, or re-created differently). */
  pathsFor?: (paths: Path[]) => Path[];
  /** Other tunnels' records, in full (`others` gives only a health). */
  otherRecords?: Partial<LedgerRecord>[];
  /** What the row expects, every column spelled out. */
  kind: DecisionKind;
  actions: number;
  guards: string[];
  notify: boolean;
  severity: Severity;
  /** The state of the record written before acting; `null` = nothing written. */
  writes: TunnelState | null;
  /** Only for the rows whose name promises it. */
  suppressed?: boolean;
  forced?: boolean;
  /** The written record forgets the last refusal (so the same refusal later is news again). */
  clearsRefusal?: boolean;
}

const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
const s = (id: string, h: Health, secondsAgo = 0, key?: string): Trigger => ({ type: 'signal', signal: { ...sig(id, h, at(secondsAgo)), ...(key ? { key } : {}) } });
/** The refusal text for draining T1 while tunnel-2 cannot carry its route. */
const LAST_PATH = `draining ${T1} would leave 10.0.0.0/16 in ${NETWORK} (0 healthy paths left) with fewer than 1 healthy path(s): a human must decide`;

const P0 = incident().gcpPaths[0]!;
const A1b = aws('vpn-1', '203.0.113.11');
const drainedWith = (extra: Partial<LedgerRecord> = {}): Partial<LedgerRecord> => ({ state: 'drained', withdrawn: [P0], ...extra });
const CANNOT_TELL = `${T1} stays drained: its monitors cannot tell whether it is healthy (drops); restore --force once a human has checked it`;

const rows: Row[] = [
  { name: 'degraded, other tunnel healthy → drain', trigger: s(T1, 'degraded'), kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining', suppressed: false },
  { name: 'down (GCP, single-tunnel routes) → drain', trigger: s(T1, 'down'), kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining' },
  { name: 'degraded, other tunnel degraded → refuse (black-hole)', trigger: s(T1, 'degraded'), others: { [T2]: 'degraded' }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'active' },
  // A refusal is notified once: the same reason on the next signal or reconcile is only logged...
  { name: 'the same refusal again → refuse, not notified', trigger: s(T1, 'degraded'), record: { lastRefusal: LAST_PATH }, others: { [T2]: 'degraded' }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: false, severity: 'CRITICAL', writes: 'active' },
  // ...while a refusal for a new reason is news.
  { name: 'a refusal for a new reason → refuse, notified', trigger: s(T1, 'degraded'), record: { lastRefusal: 'an older reason' }, others: { [T2]: 'degraded' }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'active' },
  { name: 'degraded, other tunnel down (cloud) → refuse', trigger: s(T1, 'degraded'), status: { [T2]: 'down' }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'active' },
  // Regressions found by the never-black-hole property test: neither of these may count as the last healthy path.
  { name: 'degraded, other tunnel signalled unknown (insufficient data) → refuse', trigger: s(T1, 'degraded'), others: { [T2]: 'unknown' }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'active' },
  { name: 'AWS degraded, the other connection has a tunnel signalled down that the cloud still reports up → refuse', tunnel: A1, trigger: s(A1, 'degraded'), others: { [A2]: 'down' }, status: { [aws('vpn-1', '203.0.113.11')]: 'up', [aws('vpn-2', '203.0.113.21')]: 'up' }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'active' },
  { name: 'AWS degraded, the other connection healthy (control for the row above) → drain', tunnel: A1, trigger: s(A1, 'degraded'), status: { [aws('vpn-1', '203.0.113.11')]: 'up', [aws('vpn-2', '203.0.113.21')]: 'up' }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining' },
  { name: 'degraded, minHealthyPaths 2 → refuse', trigger: s(T1, 'degraded'), policy: { minHealthyPaths: 2 }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'active' },
  { name: 'degraded, out of scope → refuse (scope)', trigger: s(T1, 'degraded'), policy: { exclude: ['gcp:*'] }, kind: 'refuse', actions: 0, guards: ['scope'], notify: true, severity: 'WARNING', writes: 'active' },
  { name: 'degraded, blast radius 0 → refuse', trigger: s(T1, 'degraded'), policy: { maxDrainedTunnels: 0 }, kind: 'refuse', actions: 0, guards: ['blast-radius'], notify: true, severity: 'CRITICAL', writes: 'active' },
  { name: 'healthy while active → record', trigger: s(T1, 'healthy'), kind: 'record', actions: 0, guards: [], notify: false, severity: 'INFO', writes: 'active' },
  { name: 'unknown → record, never acts', trigger: s(T1, 'unknown'), kind: 'record', actions: 0, guards: [], notify: false, severity: 'INFO', writes: 'active' },
  { name: 'duplicate key → ignore', trigger: s(T1, 'degraded', 0, 'dup'), record: { recentKeys: [{ key: 'dup', at: at(5) }] }, kind: 'ignore', actions: 0, guards: ['duplicate'], notify: false, severity: 'INFO', writes: null },
  { name: 'older than newest applied → ignore (stale)', trigger: s(T1, 'degraded', 100), record: { lastSignalAt: at(10) }, kind: 'ignore', actions: 0, guards: ['stale'], notify: false, severity: 'INFO', writes: null },
  { name: 'healthy while drained, hold-down passed → restore', trigger: s(T1, 'healthy', 0), record: { state: 'drained', health: 'healthy', healthySince: at(400), withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'restore', actions: 1, guards: [], notify: true, severity: 'NOTICE', writes: 'restoring' },
  { name: 'healthy while drained, within hold-down → record', trigger: s(T1, 'healthy', 0), record: { state: 'drained', health: 'degraded', withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'record', actions: 0, guards: ['hold-down'], notify: false, severity: 'INFO', writes: 'drained' },
  { name: 'healthy while drained and suppressed → suppress', trigger: s(T1, 'healthy', 0), record: { state: 'drained', suppressed: true, healthySince: at(4000), health: 'healthy', withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'suppress', actions: 0, guards: [], notify: true, severity: 'INFO', writes: 'drained', suppressed: true },
  { name: 'tick while drained and healthy past hold-down → restore', trigger: { type: 'tick' }, record: { state: 'drained', health: 'healthy', healthySince: at(301), withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'restore', actions: 1, guards: [], notify: true, severity: 'NOTICE', writes: 'restoring' },
  { name: 'tick while draining (crash) → finish the drain', trigger: { type: 'tick' }, record: { state: 'draining', withdrawn: incident().gcpPaths.slice(0, 1) }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: null },
  { name: 'tick while restoring (crash) → finish the restore', trigger: { type: 'tick' }, record: { state: 'restoring', withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'restore', actions: 1, guards: [], notify: true, severity: 'NOTICE', writes: 'restoring' },
  { name: 'AWS down, sibling up → record (AWS fails over itself)', tunnel: A1, trigger: s(A1, 'down'), status: { [aws('vpn-1', '203.0.113.11')]: 'up' }, kind: 'record', actions: 0, guards: [], notify: true, severity: 'WARNING', writes: 'active' },
  { name: 'AWS degraded, sibling up → drain the connection', tunnel: A1, trigger: s(A1, 'degraded'), status: { [aws('vpn-1', '203.0.113.11')]: 'up' }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining' },
  { name: 'operator drain → drain, suppressed', trigger: { type: 'drain', reason: 'x', force: false }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining', suppressed: true, forced: false },
  { name: 'operator drain of last path → refuse', trigger: { type: 'drain', reason: 'x', force: false }, others: { [T2]: 'degraded' }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'active' },
  { name: 'operator drain --force of last path → drain, forced', trigger: { type: 'drain', reason: 'x', force: true }, others: { [T2]: 'degraded' }, kind: 'drain', actions: 1, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'draining', suppressed: true, forced: true },
  { name: 'release when not suppressed → ignore', trigger: { type: 'release' }, kind: 'ignore', actions: 0, guards: [], notify: false, severity: 'INFO', writes: null },
];

/** Flaps, operators, reconcile ticks and interrupted work. */
const more: Row[] = [
  { name: 'degraded, no path of its own → record, notified', trigger: s(T1, 'degraded'), pathsFor: (ps) => ps.filter((p) => !p.tunnelIds.includes(T1)), kind: 'record', actions: 0, guards: [], notify: true, severity: 'INFO', writes: 'active' },
  { name: 'degraded, two drains in the window already (maxFlaps 2) → suppress (flapping)', trigger: s(T1, 'degraded'), record: { drains: [at(1200), at(600)] }, policy: { maxFlaps: 2 }, kind: 'suppress', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining', suppressed: true },
  { name: 'degraded, a drain exactly one window ago still counts → suppress', trigger: s(T1, 'degraded'), record: { drains: [at(3600), at(60)] }, policy: { maxFlaps: 2, flapWindowSeconds: 3600 }, kind: 'suppress', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining', suppressed: true },
  { name: 'degraded, earlier drains older than the window → drain', trigger: s(T1, 'degraded'), record: { drains: [at(7200), at(3601)] }, policy: { maxFlaps: 1, flapWindowSeconds: 3600 }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining', suppressed: false },
  { name: 'operator drain --force with nothing to override → drain, not forced', trigger: { type: 'drain', reason: 'x', force: true }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'CRITICAL', writes: 'draining', suppressed: true, forced: false },
  { name: 'operator drain of a drained tunnel → record, now suppressed', trigger: { type: 'drain', reason: 'x', force: false }, record: drainedWith(), withdrawnAlready: true, kind: 'record', actions: 0, guards: [], notify: true, severity: 'INFO', writes: 'drained', suppressed: true },
  { name: 'operator restore of an active tunnel with nothing withdrawn → ignore', trigger: { type: 'restore', force: false }, kind: 'ignore', actions: 0, guards: [], notify: false, severity: 'INFO', writes: null },
  { name: 'operator restore while degraded → refuse, not notified', trigger: { type: 'restore', force: false }, record: drainedWith({ health: 'degraded', monitors: { m: { health: 'degraded', at: at(60) } } }), withdrawnAlready: true, kind: 'refuse', actions: 0, guards: ['hold-down'], notify: false, severity: 'WARNING', writes: null },
  { name: 'operator restore --force while degraded → restore, forced', trigger: { type: 'restore', force: true }, record: drainedWith({ health: 'degraded', monitors: { m: { health: 'degraded', at: at(60) } } }), withdrawnAlready: true, kind: 'restore', actions: 1, guards: [], notify: true, severity: 'NOTICE', writes: 'restoring', forced: true, suppressed: false },
  { name: 'operator restore of a suppressed, healthy tunnel → restore, suppression lifted', trigger: { type: 'restore', force: false }, record: drainedWith({ suppressed: true, health: 'healthy', healthySince: at(10) }), withdrawnAlready: true, kind: 'restore', actions: 1, guards: [], notify: true, severity: 'NOTICE', writes: 'restoring', forced: false, suppressed: false },
  { name: 'release of a suppressed drained tunnel healthy past the hold-down → restore', trigger: { type: 'release' }, record: drainedWith({ suppressed: true, health: 'healthy', healthySince: at(400) }), withdrawnAlready: true, kind: 'restore', actions: 1, guards: [], notify: true, severity: 'NOTICE', writes: 'restoring', suppressed: false },
  { name: 'release of a suppressed drained tunnel still degraded → release', trigger: { type: 'release' }, record: drainedWith({ suppressed: true, health: 'degraded' }), withdrawnAlready: true, kind: 'release', actions: 0, guards: [], notify: true, severity: 'INFO', writes: 'drained', suppressed: false },
  { name: 'tick while active and degraded (an earlier refusal) → drain', trigger: { type: 'tick' }, record: { health: 'degraded' }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining' },
  { name: 'tick while active and down, AWS sibling up → ignore', tunnel: A1, trigger: { type: 'tick' }, record: { health: 'down' }, status: { [A1b]: 'up' }, kind: 'ignore', actions: 0, guards: [], notify: false, severity: 'INFO', writes: null },
  { name: 'tick while active and down, AWS sibling down → drain', tunnel: A1, trigger: { type: 'tick' }, record: { health: 'down' }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining' },
  { name: 'tick while active and healthy → ignore', trigger: { type: 'tick' }, record: { health: 'healthy' }, kind: 'ignore', actions: 0, guards: [], notify: false, severity: 'INFO', writes: null },
  { name: 'tick while drained, held only by a monitor that cannot tell → refuse, urgent', trigger: { type: 'tick' }, record: drainedWith({ health: 'unknown', monitors: { drops: { health: 'unknown', at: at(60) } } }), withdrawnAlready: true, kind: 'refuse', actions: 0, guards: ['hold-down'], notify: true, severity: 'CRITICAL', writes: 'drained' },
  { name: 'the same, already reported → refuse, not notified, nothing written', trigger: { type: 'tick' }, record: drainedWith({ health: 'unknown', monitors: { drops: { health: 'unknown', at: at(60) } }, lastRefusal: CANNOT_TELL }), withdrawnAlready: true, kind: 'refuse', actions: 0, guards: ['hold-down'], notify: false, severity: 'CRITICAL', writes: null },
  { name: 'tick while drained and degraded → ignore', trigger: { type: 'tick' }, record: drainedWith({ health: 'degraded' }), withdrawnAlready: true, kind: 'ignore', actions: 0, guards: [], notify: false, severity: 'INFO', writes: null },
  { name: 'tick while drained, a withdrawn path is back → withdraw it again (drift)', trigger: { type: 'tick' }, record: drainedWith({ health: 'degraded' }), kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining' },
  { name: 'tick while drained, a withdrawn path is back with another definition → refuse (a human decides)', trigger: { type: 'tick' }, record: drainedWith({ health: 'degraded' }), pathsFor: (ps) => ps.map((p) => (p.key === P0.key ? { ...p, definition: { ...p.definition, priority: 10 } } : p)), kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'drained' },
  { name: 'degraded during a restore, a path already back → withdraw it again', trigger: s(T1, 'degraded'), record: { state: 'restoring', withdrawn: [P0], health: 'healthy', monitors: { test: { health: 'healthy', at: at(100) } } }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining' },
  { name: 'degraded during a restore, nothing back yet → record, stays drained', trigger: s(T1, 'degraded'), record: { state: 'restoring', withdrawn: [P0], health: 'healthy', monitors: { test: { health: 'healthy', at: at(100) } } }, withdrawnAlready: true, kind: 'record', actions: 0, guards: [], notify: false, severity: 'INFO', writes: 'drained' },
  { name: 'tick while draining, the other tunnel degraded since → refuse, left drained', trigger: { type: 'tick' }, record: { state: 'draining', withdrawn: [P0] }, others: { [T2]: 'degraded' }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'drained' },
  { name: 'AWS healthy past the hold-down, the sibling sharing the route degraded → refuse, restore waits', tunnel: A1, trigger: { type: 'tick' }, record: { state: 'drained', withdrawn: [incident().awsPaths[0]!], health: 'healthy', healthySince: at(400) }, withdrawnAlready: true, status: { [A1b]: 'up' }, otherRecords: [{ tunnelId: A1b, health: 'degraded' }], kind: 'refuse', actions: 0, guards: ['hold-down'], notify: true, severity: 'WARNING', writes: 'drained' },
  { name: 'AWS healthy past the hold-down, the sibling sharing the route healthy → restore (control for the row above)', tunnel: A1, trigger: { type: 'tick' }, record: { state: 'drained', withdrawn: [incident().awsPaths[0]!], health: 'healthy', healthySince: at(400) }, withdrawnAlready: true, status: { [A1b]: 'up' }, kind: 'restore', actions: 1, guards: [], notify: true, severity: 'NOTICE', writes: 'restoring' },
  { name: 'degraded while drained → record', trigger: s(T1, 'degraded'), record: drainedWith({ health: 'degraded' }), withdrawnAlready: true, kind: 'record', actions: 0, guards: [], notify: false, severity: 'INFO', writes: 'drained' },
  { name: 'tick while drained and suppressed → suppress, quietly', trigger: { type: 'tick' }, record: drainedWith({ suppressed: true, health: 'healthy', healthySince: at(4000) }), withdrawnAlready: true, kind: 'suppress', actions: 0, guards: [], notify: false, severity: 'INFO', writes: null },
  { name: 'degraded while drained and suppressed → record', trigger: s(T1, 'degraded'), record: drainedWith({ suppressed: true, health: 'healthy', healthySince: at(4000) }), withdrawnAlready: true, kind: 'record', actions: 0, guards: [], notify: false, severity: 'INFO', writes: 'drained', suppressed: true },
  { name: 'a fresh signal while draining → finish the drain, the signal recorded', trigger: s(T1, 'degraded'), record: { state: 'draining', withdrawn: [P0] }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining' },
  { name: 'tick while draining, the path already gone → finish (nothing left to guard)', trigger: { type: 'tick' }, record: { state: 'draining', withdrawn: [P0] }, others: { [T2]: 'degraded' }, withdrawnAlready: true, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: null },
  { name: 'tick while drained, a path back but the other tunnel degraded → refuse, stays drained', trigger: { type: 'tick' }, record: drainedWith({ health: 'degraded' }), others: { [T2]: 'degraded' }, kind: 'refuse', actions: 0, guards: ['black-hole'], notify: true, severity: 'CRITICAL', writes: 'drained', suppressed: false },
  { name: 'drift of a tunnel that is not suppressed is withdrawn without suppressing it', trigger: { type: 'tick' }, record: drainedWith({ health: 'degraded' }), kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining', suppressed: false },
  { name: 'operator drain during a restore, a path already back → withdraw it again, suppressed', trigger: { type: 'drain', reason: 'x', force: false }, record: { state: 'restoring', withdrawn: [P0], health: 'healthy' }, kind: 'drain', actions: 1, guards: [], notify: true, severity: 'WARNING', writes: 'draining', suppressed: true },
  { name: 'tick while active and degraded without a path of its own → ignore', trigger: { type: 'tick' }, record: { health: 'degraded' }, pathsFor: (ps) => ps.filter((p) => !p.tunnelIds.includes(T1)), kind: 'ignore', actions: 0, guards: [], notify: false, severity: 'INFO', writes: null },
  { name: 'restore --force of an active tunnel with something withdrawn → restore', trigger: { type: 'restore', force: true }, record: { withdrawn: [P0] }, withdrawnAlready: true, kind: 'restore', actions: 1, guards: [], notify: true, severity: 'NOTICE', writes: 'restoring', forced: true },
  { name: 'healthy while active after a refusal → record, the refusal forgotten', trigger: s(T1, 'healthy'), record: { lastRefusal: LAST_PATH }, kind: 'record', actions: 0, guards: [], notify: false, severity: 'INFO', writes: 'active', clearsRefusal: true },
];

describe('decide()', () => {
  it.each([...rows, ...more])('$name', (row) => {
    const t = incident();
    const id = row.tunnel ?? T1;
    const cloud = id.startsWith('aws') ? 'aws' : 'gcp';
    const tunnels = (cloud === 'aws' ? t.awsTunnels : t.gcpTunnels).map((x) => ({ ...x, status: row.status?.[x.ref.id] ?? x.status }));
    let paths = cloud === 'aws' ? t.awsPaths : t.gcpPaths;
    if (row.pathsFor) paths = row.pathsFor(paths);
    if (row.withdrawnAlready) paths = paths.filter((p) => !(row.record?.withdrawn ?? []).some((w) => w.key === p.key));
    const record: LedgerRecord = { ...emptyRecord(id, cloud), version: 3, ...row.record };
    const records = Object.entries(row.others ?? {})
      .map(([oid, health]): LedgerRecord => ({ ...emptyRecord(oid, cloud), health, lastSignalAt: at(30) }))
      .concat((row.otherRecords ?? []).map((r) => ({ ...emptyRecord(r.tunnelId!, cloud), lastSignalAt: at(30), ...r })));
    const d = decide({ trigger: row.trigger, record, records, members: [], tunnels, paths, policy: { ...DEFAULT_POLICY, ...row.policy }, now: NOW });
    expect({ kind: d.kind, actions: d.actions.length, guards: d.refusals.map((r) => r.guard), notify: d.notify, severity: d.severity, writes: d.next?.state ?? null }).toEqual({
      kind: row.kind,
      actions: row.actions,
      guards: row.guards,
      notify: row.notify,
      severity: row.severity,
      writes: row.writes,
    });
    if (row.suppressed !== undefined) expect(d.next?.suppressed).toBe(row.suppressed);
    if (row.forced !== undefined) expect(d.forced).toBe(row.forced);
    if (row.clearsRefusal) expect(d.next).toHaveProperty('lastRefusal', undefined);
    if (d.kind === 'drain' && d.next) expect(d.next.withdrawn.map((p) => p.key)).toEqual(expect.arrayContaining(d.actions.map((a) => a.path.key)));
    // Every decision explains itself: a summary, and a reason with each refusal.
    expect(d.summary).toMatch(/\S/);
    for (const r of d.refusals) expect(r.reason).toMatch(/\S/);
  });
});
