/**
 * The policy as a table: one row per situation, straight through the pure `decide()`.
 */
import { decide, type Trigger } from '../../shared/decide';
import { DEFAULT_POLICY, type Policy } from '../../shared/policy';
import { emptyRecord, type DecisionKind, type Health, type LedgerRecord, type Severity, type TunnelState, type TunnelStatus } from '../../shared/types';
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
}

const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
const s = (id: string, h: Health, secondsAgo = 0, key?: string): Trigger => ({ type: 'signal', signal: { ...sig(id, h, at(secondsAgo)), ...(key ? { key } : {}) } });
/** The refusal text for draining T1 while tunnel-2 cannot carry its route. */
const LAST_PATH = `draining ${T1} would leave 10.0.0.0/16 in ${NETWORK} (0 healthy paths left) with fewer than 1 healthy path(s): a human must decide`;

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

describe('decide()', () => {
  it.each(rows)('$name', (row) => {
    const t = incident();
    const id = row.tunnel ?? T1;
    const cloud = id.startsWith('aws') ? 'aws' : 'gcp';
    const tunnels = (cloud === 'aws' ? t.awsTunnels : t.gcpTunnels).map((x) => ({ ...x, status: row.status?.[x.ref.id] ?? x.status }));
    let paths = cloud === 'aws' ? t.awsPaths : t.gcpPaths;
    if (row.withdrawnAlready) paths = paths.filter((p) => !(row.record?.withdrawn ?? []).some((w) => w.key === p.key));
    const record: LedgerRecord = { ...emptyRecord(id, cloud), version: 3, ...row.record };
    const records = Object.entries(row.others ?? {}).map(([oid, health]) => ({ ...emptyRecord(oid, cloud), health, lastSignalAt: at(30) }));
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
    if (d.kind === 'drain' && d.next) expect(d.next.withdrawn.map((p) => p.key)).toEqual(expect.arrayContaining(d.actions.map((a) => a.path.key)));
    if (d.kind === 'refuse' || d.kind === 'ignore') expect(d.next?.state ?? record.state).toBe(record.state);
  });
});
