/**
 * The decision tables' common ground: one row type, the builders the rows share, and the one check every row
 * goes through (straight through the pure `decide()`, every column spelled out). The tables themselves are split by
 * what triggered the decision, as `shared/decide/` is.
 */
import { decide, type Trigger } from '../../../shared/decide';
import { DEFAULT_POLICY, type Policy } from '../../../shared/policy';
import { emptyRecord, type Health, type LedgerRecord, type Path, type TunnelState, type TunnelStatus } from '../../../shared/types';
import type { DecisionKind, Severity } from '../../../shared/report-types';
import { sig } from '../../fakes/core-deps';
import { NETWORK, aws, gcp, incident } from '../../fakes/topology';

export const NOW = new Date('2026-11-25T01:00:00Z');
export const T1 = gcp('tunnel-1');
export const T2 = gcp('tunnel-2');
export const A1 = aws('vpn-1', '203.0.113.10');
export const A2 = aws('vpn-2', '203.0.113.20');
/** A1's sibling: the other tunnel of the same AWS connection. */
export const A1b = aws('vpn-1', '203.0.113.11');
/** T1's first route. */
export const P0 = incident().gcpPaths[0]!;

export interface Row {
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

export const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
/** A monitor's signal about `id`, observed `secondsAgo` before NOW, with an optional de-duplication key. */
export const s = (id: string, h: Health, secondsAgo = 0, key?: string): Trigger => ({
  type: 'signal',
  signal: { ...sig(id, h, at(secondsAgo)), ...(key ? { key } : {}) },
});
/** The refusal text for draining T1 while tunnel-2 cannot carry its route. */
export const LAST_PATH = `draining ${T1} would leave 10.0.0.0/16 in ${NETWORK} (0 healthy paths left) with fewer than 1 healthy path(s): a human must decide`;
/** T1's refusal while it is held drained only by a monitor that cannot tell. */
export const CANNOT_TELL = `${T1} stays drained: its monitors cannot tell whether it is healthy (drops); restore --force once a human has checked it`;
export const drainedWith = (extra: Partial<LedgerRecord> = {}): Partial<LedgerRecord> => ({ state: 'drained', withdrawn: [P0], ...extra });

/** Decide the row's situation and check every column, and that the decision explains itself. */
export function checkRow(row: Row): void {
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
  const d = decide({
    trigger: row.trigger,
    record,
    records,
    members: [],
    tunnels,
    paths,
    policy: { ...DEFAULT_POLICY, ...row.policy },
    now: NOW,
  });
  expect({
    kind: d.kind,
    actions: d.actions.length,
    guards: d.refusals.map((r) => r.guard),
    notify: d.notify,
    severity: d.severity,
    writes: d.next?.state ?? null,
  }).toEqual({
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
  if (d.kind === 'drain' && d.next)
    expect(d.next.withdrawn.map((p) => p.key)).toEqual(expect.arrayContaining(d.actions.map((a) => a.path.key)));
  // Every decision explains itself: a summary, and a reason with each refusal.
  expect(d.summary).toMatch(/\S/);
  for (const r of d.refusals) expect(r.reason).toMatch(/\S/);
}
