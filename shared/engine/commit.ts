/**
 * Committing a decision: fence first, then the record, both conditional writes; a lost race re-reads and re-decides.
 * And settling the outcome once the cloud confirmed.
 */
import { decide, staleFor, withSignalMark, type Decision, type Trigger } from '../decide';
import { LedgerConflictError } from '../errors';

import { joinFence, leaveFence } from './fence';
import { readTraffic } from './traffic';

import type { CloudPorts, CoreDeps, UnreadableRecord } from '../ports';
import { backoffMs, realSleep } from './execute';
import { emptyRecord, fenceId, isFenceId, type Cloud, type LedgerRecord, type Path, type Signal, type TunnelStatus } from '../types';
import type { ActionResult } from '../report-types';

/** How many times a decision is re-made after losing a conditional write to another writer. */
export const MAX_CONFLICT_RETRIES = 5;

/** What a decision committed: the decision, the record as written, and the record before it. */
export interface Committed {
  decision: Decision;
  record: LedgerRecord;
  before?: LedgerRecord;
  /** What the decision was made from. */
  world?: World;
}

/** Why nothing was committed: an unknown tunnel, an unreadable record, or a conflict budget spent. */
export type NotCommitted = { kind: 'unknown' } | { kind: 'unreadable'; problem: string } | { kind: 'conflicts'; world?: World };

/** What one decision reads: the cloud once, the ledger once. Reconcile reads it once for every decision it makes. */
export interface World {
  tunnels: TunnelStatus[];
  paths: Path[];
  records: LedgerRecord[];
  unreadable: UnreadableRecord[];
}

export async function readWorld(deps: CoreDeps, ports: CloudPorts): Promise<World> {
  const [listed, paths, scan] = await Promise.all([ports.tunnels.list(), ports.paths.list(), deps.ledger.scan()]);
  const tunnels = await readTraffic(deps, ports, listed);
  return { tunnels, paths, records: scan.records, unreadable: scan.unreadable };
}

/** Jittered pause after a lost conditional write, so writers that collided do not collide again in step. */
export const conflictPause = (deps: CoreDeps, attempt: number): Promise<void> => (deps.sleep ?? realSleep)(backoffMs(attempt, deps.policy));

/**
 * Read the cloud and the ledger, decide, and commit the decision (fence first, then the record). A conflicting
 * writer makes it pause (jittered), read and decide again, a bounded number of times. In a dry run nothing is
 * written. `first` is a world already read (reconcile's snapshot): the first decision is made from it, and the
 * conditional writes re-check it; a lost race reads afresh.
 */
export async function decideAndCommit(
  deps: CoreDeps,
  cloud: Cloud,
  ports: CloudPorts,
  tunnelId: string,
  trigger: Trigger,
  first?: World,
): Promise<Committed | NotCommitted> {
  let world: World | undefined;
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    world = attempt === 0 && first ? first : await readWorld(deps, ports);
    const { tunnels, paths, records: all } = world;
    // A record that cannot be read may hold withdrawn definitions: never decide over it (a fresh record would
    // overwrite nothing, but act as if nothing were withdrawn). Its tunnel alone is refused.
    const mine = world.unreadable.find((u) => u.tunnelId === tunnelId || u.tunnelId === fenceId(cloud));
    if (mine) return { kind: 'unreadable', problem: mine.problem };
    const fence = all.find((r) => r.tunnelId === fenceId(cloud)) ?? emptyRecord(fenceId(cloud), cloud);
    const records = all.filter((r) => !isFenceId(r.tunnelId) && r.cloud === cloud);
    const before = records.find((r) => r.tunnelId === tunnelId);
    if (!before && !tunnels.some((t) => t.ref.id === tunnelId)) return { kind: 'unknown' };
    const current = before ?? emptyRecord(tunnelId, cloud);
    const decision = decide({
      trigger,
      record: current,
      records,
      members: fence.members ?? [],
      tunnels,
      paths,
      policy: deps.policy,
      now: deps.clock.now(),
    });
    if (deps.policy.dryRun) return { decision, record: current, before, world };
    try {
      // Commit point of a drain: the fence's conditional write. A concurrent drain in the same cloud that decided
      // on the same stale view loses here and re-decides, seeing this tunnel as draining.
      if (decision.joinsFence) await joinFence(deps, fence, tunnelId);
      const record = decision.next ? await deps.ledger.put(decision.next) : current;
      return { decision, record, before, world };
    } catch (e) {
      if (!(e instanceof LedgerConflictError)) throw e;
      deps.logger.log({ severity: 'NOTICE', message: 'ledger conflict: re-deciding', tunnelId, attempt: attempt + 1 });
      if (attempt + 1 < MAX_CONFLICT_RETRIES) await conflictPause(deps, attempt);
    }
  }
  return { kind: 'conflicts', world };
}

/**
 * The conflict budget is spent: write the signal's news on its own — no action, no fence — so that it is not lost
 * (reconcile acts on the recorded health). A decision that would only record (news set aside, a noted health) is
 * written as decided; one that would act records the signal's mark. Returns whether the news is now in the ledger.
 */
export async function markSignal(deps: CoreDeps, cloud: Cloud, signal: Signal, world: World | undefined): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const record = (await deps.ledger.get(signal.tunnelId)) ?? emptyRecord(signal.tunnelId, cloud);
    if (record.recentKeys.some((k) => k.key === signal.key) || staleFor(record, signal)) return true;
    let next = withSignalMark(record, signal);
    if (world) {
      const fence = world.records.find((r) => r.tunnelId === fenceId(cloud));
      const d = decide({
        trigger: { type: 'signal', signal },
        record,
        records: world.records
          .filter((r) => !isFenceId(r.tunnelId) && r.cloud === cloud && r.tunnelId !== record.tunnelId)
          .concat([record]),
        members: fence?.members ?? [],
        tunnels: world.tunnels,
        paths: world.paths,
        policy: deps.policy,
        now: deps.clock.now(),
      });
      if (!d.joinsFence && d.actions.length === 0) {
        if (!d.next) return true; // nothing to record (a hold, a copy)
        next = d.next;
      }
    }
    try {
      await deps.ledger.put(next);
      return true;
    } catch (e) {
      if (!(e instanceof LedgerConflictError)) throw e;
      await conflictPause(deps, attempt);
    }
  }
  return false;
}

/** Write the outcome: drained once every withdrawal is confirmed; active (and out of the fence) once every restore is. */
export async function settle(
  deps: CoreDeps,
  cloud: Cloud,
  written: LedgerRecord,
  decision: Decision,
  results: ActionResult[],
): Promise<LedgerRecord> {
  const failedKeys = new Set(results.filter((r) => r.outcome === 'failed').map((r) => r.pathKey));
  let record = written;
  for (let i = 0; i < MAX_CONFLICT_RETRIES; i++) {
    let next: LedgerRecord;
    if (decision.finalState === 'drained') {
      if (failedKeys.size > 0) {
        // Stays draining (reconcile finishes it); the failure is recorded so a repeat is not re-notified.
        try {
          return await deps.ledger.put(record);
        } catch (e) {
          if (!(e instanceof LedgerConflictError)) throw e;
          return (await deps.ledger.get(record.tunnelId)) ?? record;
        }
      }
      next = { ...record, state: 'drained', updatedAt: deps.clock.now().toISOString() };
    } else {
      // Only what the cloud confirmed leaves the ledger: the rest stays for the next attempt.
      const left = record.withdrawn.filter((p) => failedKeys.has(p.key));
      next = { ...record, withdrawn: left, state: left.length ? 'restoring' : 'active', updatedAt: deps.clock.now().toISOString() };
      if (left.length === 0) {
        next = { ...next, drains: record.drains, reason: undefined };
        // Leave the fence first: if we die in between, the record still says "restoring", which keeps the
        // tunnel out of every other decision's view until reconcile finishes the restore.
        await leaveFence(deps, cloud, record.tunnelId);
      }
    }
    try {
      record = await deps.ledger.put(next);
      break;
    } catch (e) {
      if (!(e instanceof LedgerConflictError)) throw e;
      const fresh = await deps.ledger.get(record.tunnelId);
      if (!fresh || fresh.state !== written.state) return fresh ?? record; // someone else moved it on: reconcile converges
      record = fresh;
    }
  }
  return record;
}
