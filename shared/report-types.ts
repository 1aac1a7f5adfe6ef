/**
 * What a run reports: each action's outcome, the guards' refusals and notes, the decision, the report itself. Plain data.
 */
import type { Cloud, CountedLoss, PathSnapshot, Signal, TunnelLoad, TunnelState } from './types';

export type Outcome = 'applied' | 'already-in-state' | 'failed';

/**
 * What a guard or rule said about a decision: a refusal (a guard said no), or a note on a rule that bent the usual
 * course (hold-down, last resort, dry run, stale or repeated news). Named a note, not a refusal, because many are not
 * refusals; the report keeps them in `refusals` (a field name others read). `guard` names which one (for filtering):
 * - `black-hole`: a drain would leave a destination without a healthy path; `scope`, `blast-radius`: limits;
 * - `hold-down`: healthy, but not for long enough to restore; `shared-path`: a restore waits because its paths also
 *   feed another tunnel that is still degraded; `unhealthy`: an operator's restore of a degraded tunnel;
 * - `no-evidence`: drained, and nothing that watches it can ever say it healed; `last-resort`: restored although
 *   unhealthy, as the last path of its destinations; `conflict`: a withdrawn path re-appeared with another definition;
 * - `stale`, `duplicate`: old or repeated news; `dry-run`: nothing done; `input`: the request itself was wrong;
 * - `ledger`: the ledger cannot vouch for the tunnel (its record does not parse, or is gone while the fence or the
 *   cloud shows the tunnel out of service): a human must look;
 * - `worse-path`, `capacity`, `direction`, `drop-reason`: placement on quantities (see docs/quantities.md).
 * `reason` is for humans.
 */
export interface GuardNote {
  guard:
    | 'black-hole'
    | 'scope'
    | 'blast-radius'
    | 'hold-down'
    | 'shared-path'
    | 'unhealthy'
    | 'no-evidence'
    | 'last-resort'
    | 'conflict'
    | 'stale'
    | 'duplicate'
    | 'dry-run'
    | 'input'
    | 'worse-path'
    | 'capacity'
    | 'drop-reason'
    | 'direction'
    | 'ledger';
  reason: string;
  /** A human must decide (black-hole refusals are urgent). */
  urgent?: boolean;
}

export type ActionType = 'withdraw' | 'restore';
export interface Action {
  type: ActionType;
  path: PathSnapshot;
}
export interface ActionResult {
  type: ActionType;
  pathKey: string;
  destinations: string[];
  outcome: Outcome;
  error?: string;
  attempts: number;
  ms: number;
}

/** What kind of decision was made; also the SNS `kind` attribute. */
export type DecisionKind =
  | 'drain'
  | 'restore'
  | 'record' // state updated (health noted), no cloud change
  | 'ignore' // nothing to do (duplicate, stale, unknown, already in state)
  | 'refuse' // a guard said no
  | 'suppress' // flap damping tripped
  | 'release';

export type Severity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR' | 'CRITICAL';

/** The result of handling one signal or command: logged, notified, returned by the CLI, asserted in tests. */
export interface Report {
  tunnelId: string;
  cloud?: Cloud;
  trigger: string; // 'signal' | 'drain' | 'restore' | 'release' | 'reconcile'
  signal?: Signal;
  decision: DecisionKind;
  summary: string;
  dryRun: boolean;
  forced: boolean;
  plan: { type: ActionType; pathKey: string; destinations: string[]; lever?: 'deprefer' }[];
  results: ActionResult[];
  refusals: GuardNote[];
  /** Definitions withdrawn by this run: people hold a copy outside the ledger. */
  withdrawn: PathSnapshot[];
  stateBefore: TunnelState;
  stateAfter: TunnelState;
  severity: Severity;
  /** The change was caused by the other end of a link: not echoed back. */
  viaLink: boolean;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  /**
   * What this cloud's own counters read when the decision was made: the tunnel's counted loss, and every tunnel's load.
   * Carried to the other end of a link (which may have no such counters); absent where the cloud has no traffic port.
   */
  counters?: { counted?: CountedLoss; loads?: Record<string, TunnelLoad> };
}
