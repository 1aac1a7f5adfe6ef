/**
 * The policy as a table: one row per situation, straight through the pure `decide()`.
 */
import { decide, type Trigger } from '../../shared/decide';
import { DEFAULT_POLICY, type Policy } from '../../shared/policy';
import { emptyRecord, type Health, type LedgerRecord, type TunnelStatus } from '../../shared/types';
import { sig } from '../fakes/core-deps';
import { aws, gcp, incident } from '../fakes/topology';

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
  kind: string;
  actions: number;
  guards?: string[];
}

const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
const s = (id: string, h: Health, secondsAgo = 0, key?: string): Trigger => ({ type: 'signal', signal: { ...sig(id, h, at(secondsAgo)), ...(key ? { key } : {}) } });

const rows: Row[] = [
  { name: 'degraded, other tunnel healthy → drain', trigger: s(T1, 'degraded'), kind: 'drain', actions: 1 },
  { name: 'down (GCP, single-tunnel routes) → drain', trigger: s(T1, 'down'), kind: 'drain', actions: 1 },
  { name: 'degraded, other tunnel degraded → refuse (black-hole)', trigger: s(T1, 'degraded'), others: { [T2]: 'degraded' }, kind: 'refuse', actions: 0, guards: ['black-hole'] },
  { name: 'degraded, other tunnel down (cloud) → refuse', trigger: s(T1, 'degraded'), status: { [T2]: 'down' }, kind: 'refuse', actions: 0, guards: ['black-hole'] },
  // Regressions found by the never-black-hole property test: neither of these may count as the last healthy path.
  { name: 'degraded, other tunnel signalled unknown (insufficient data) → refuse', trigger: s(T1, 'degraded'), others: { [T2]: 'unknown' }, kind: 'refuse', actions: 0, guards: ['black-hole'] },
  { name: 'AWS degraded, the other connection has a tunnel signalled down that the cloud still reports up → refuse', tunnel: A1, trigger: s(A1, 'degraded'), others: { [A2]: 'down' }, status: { [aws('vpn-1', '203.0.113.11')]: 'up', [aws('vpn-2', '203.0.113.21')]: 'up' }, kind: 'refuse', actions: 0, guards: ['black-hole'] },
  { name: 'AWS degraded, the other connection healthy (control for the row above) → drain', tunnel: A1, trigger: s(A1, 'degraded'), status: { [aws('vpn-1', '203.0.113.11')]: 'up', [aws('vpn-2', '203.0.113.21')]: 'up' }, kind: 'drain', actions: 1 },
  { name: 'degraded, minHealthyPaths 2 → refuse', trigger: s(T1, 'degraded'), policy: { minHealthyPaths: 2 }, kind: 'refuse', actions: 0, guards: ['black-hole'] },
  { name: 'degraded, out of scope → refuse (scope)', trigger: s(T1, 'degraded'), policy: { exclude: ['gcp:*'] }, kind: 'refuse', actions: 0, guards: ['scope'] },
  { name: 'degraded, blast radius 0 → refuse', trigger: s(T1, 'degraded'), policy: { maxDrainedTunnels: 0 }, kind: 'refuse', actions: 0, guards: ['blast-radius'] },
  { name: 'healthy while active → record', trigger: s(T1, 'healthy'), kind: 'record', actions: 0 },
  { name: 'unknown → record, never acts', trigger: s(T1, 'unknown'), kind: 'record', actions: 0 },
  { name: 'duplicate key → ignore', trigger: s(T1, 'degraded', 0, 'dup'), record: { recentKeys: [{ key: 'dup', at: at(5) }] }, kind: 'ignore', actions: 0, guards: ['duplicate'] },
  { name: 'older than newest applied → ignore (stale)', trigger: s(T1, 'degraded', 100), record: { lastSignalAt: at(10) }, kind: 'ignore', actions: 0, guards: ['stale'] },
  { name: 'healthy while drained, hold-down passed → restore', trigger: s(T1, 'healthy', 0), record: { state: 'drained', health: 'healthy', healthySince: at(400), withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'restore', actions: 1 },
  { name: 'healthy while drained, within hold-down → record', trigger: s(T1, 'healthy', 0), record: { state: 'drained', health: 'degraded', withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'record', actions: 0 },
  { name: 'healthy while drained and suppressed → suppress', trigger: s(T1, 'healthy', 0), record: { state: 'drained', suppressed: true, healthySince: at(4000), health: 'healthy', withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'suppress', actions: 0 },
  { name: 'tick while drained and healthy past hold-down → restore', trigger: { type: 'tick' }, record: { state: 'drained', health: 'healthy', healthySince: at(301), withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'restore', actions: 1 },
  { name: 'tick while draining (crash) → finish the drain', trigger: { type: 'tick' }, record: { state: 'draining', withdrawn: incident().gcpPaths.slice(0, 1) }, kind: 'drain', actions: 1 },
  { name: 'tick while restoring (crash) → finish the restore', trigger: { type: 'tick' }, record: { state: 'restoring', withdrawn: incident().gcpPaths.slice(0, 1) }, withdrawnAlready: true, kind: 'restore', actions: 1 },
  { name: 'AWS down, sibling up → record (AWS fails over itself)', tunnel: A1, trigger: s(A1, 'down'), status: { [aws('vpn-1', '203.0.113.11')]: 'up' }, kind: 'record', actions: 0 },
  { name: 'AWS degraded, sibling up → drain the connection', tunnel: A1, trigger: s(A1, 'degraded'), status: { [aws('vpn-1', '203.0.113.11')]: 'up' }, kind: 'drain', actions: 1 },
  { name: 'operator drain → drain, suppressed', trigger: { type: 'drain', reason: 'x', force: false }, kind: 'drain', actions: 1 },
  { name: 'operator drain of last path → refuse', trigger: { type: 'drain', reason: 'x', force: false }, others: { [T2]: 'degraded' }, kind: 'refuse', actions: 0, guards: ['black-hole'] },
  { name: 'operator drain --force of last path → drain, forced', trigger: { type: 'drain', reason: 'x', force: true }, others: { [T2]: 'degraded' }, kind: 'drain', actions: 1, guards: ['black-hole'] },
  { name: 'release when not suppressed → ignore', trigger: { type: 'release' }, kind: 'ignore', actions: 0 },
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
    expect(d.kind).toBe(row.kind);
    expect(d.actions).toHaveLength(row.actions);
    expect(d.refusals.map((r) => r.guard)).toEqual(row.guards ?? (row.kind === 'record' && row.name.includes('hold-down') ? ['hold-down'] : []));
    if (d.kind === 'drain' && d.next) expect(d.next.withdrawn.map((p) => p.key)).toEqual(expect.arrayContaining(d.actions.map((a) => a.path.key)));
    if (d.kind === 'refuse' || d.kind === 'ignore') expect(d.next?.state ?? record.state).toBe(record.state);
  });
});
