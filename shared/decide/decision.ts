/**
 * The decision's input and output, and the context every rule reads: what the tunnel's record says, what the cloud
 * shows, and the view of the other tunnels built from both. Pure.
 */
import { buildView, type View } from '../health';
import type { Policy } from '../policy';
import type { LinkNews } from '../links/rules';
import type { LedgerRecord, Path, Signal, TunnelState, TunnelStatus } from '../types';
import type { Action, DecisionKind, GuardNote, Severity } from '../report-types';

export type Trigger =
  | { type: 'signal'; signal: Signal }
  | { type: 'drain'; reason: string; force: boolean }
  | { type: 'restore'; force: boolean }
  | { type: 'release' }
  | { type: 'reconcile' };

export interface DecisionInput {
  trigger: Trigger;
  /** The tunnel's record (or `emptyRecord`). */
  record: LedgerRecord;
  /** All records of the tunnel's cloud (fences excluded), used for the other tunnels' health and state. */
  records: readonly LedgerRecord[];
  /** The cloud fence's members: tunnels of this cloud that are draining, drained or restoring. */
  members: readonly string[];
  tunnels: readonly TunnelStatus[];
  /** Paths currently present in the cloud. */
  paths: readonly Path[];
  policy: Policy;
  now: Date;
}

export interface Decision {
  kind: DecisionKind;
  summary: string;
  severity: Severity;
  /** The record to write before acting (write-ahead); `undefined` = write nothing. */
  next?: LedgerRecord;
  /** The state the record reaches once every action is confirmed. */
  finalState: TunnelState;
  actions: Action[];
  refusals: GuardNote[];
  /** Does this decision change fence membership (drain commit)? */
  joinsFence: boolean;
  notify: boolean;
  forced: boolean;
  /** What to tell the other end of the link, decided with everything else; the engine sends it. */
  tell?: LinkNews;
}

export const sec = (ms: number) => Math.round(ms / 1000);

/** Paths that send traffic into the tunnel. A standby left by a de-preference is not one: it only waits. */
export const pathsOfTunnel = (paths: readonly Path[], tunnelId: string): Path[] =>
  paths.filter((p) => p.tunnelIds.includes(tunnelId) && !p.standbyFor);

/** The path as this drain takes it out: by de-preference where the policy asks for it and the lever allows it. */
export const withLever = (p: Path, policy: Pick<Policy, 'drainMode'>): Path =>
  policy.drainMode === 'deprefer' && p.canDeprefer ? { ...p, lever: 'deprefer' } : p;

export function decisionOf(kind: DecisionKind, summary: string, record: LedgerRecord, extra: Partial<Decision> = {}): Decision {
  return {
    kind,
    summary,
    severity: kind === 'refuse' ? 'WARNING' : 'INFO',
    finalState: record.state,
    actions: [],
    refusals: [],
    joinsFence: false,
    notify: false,
    forced: false,
    ...extra,
  };
}

export interface Ctx {
  input: DecisionInput;
  view: View;
  record: LedgerRecord;
  id: string;
}

/** The decision's view of the cloud: the other tunnels' records and fence membership, beside this record. */
export function contextOf(input: DecisionInput, record: LedgerRecord): Ctx {
  const id = record.tunnelId;
  const view = buildView(
    input.tunnels,
    input.records.filter((r) => r.tunnelId !== id).concat([record]),
    input.members.filter((m) => m !== id),
  );
  return { input, view, record, id };
}
