/**
 * Committing a decision: fence first, then the record, both conditional writes; a lost race re-reads and re-decides.
 * And settling the outcome once the cloud confirmed.
 */
import { decide, type Decision, type Trigger } from '../decide';
import { LedgerConflictError } from '../errors';

import { joinFence, leaveFence } from './fence';

import type { CloudPorts, CoreDeps } from '../ports';
import { emptyRecord, fenceId, isFenceId, type Cloud, type LedgerRecord } from '../types';
import type { ActionResult } from '../report-types';

/** How many times a decision is re-made after losing a conditional write to another writer. */
export const MAX_CONFLICT_RETRIES = 5;

/** What a decision committed: the decision, the record as written, and the record before it. */
export interface Committed {
  decision: Decision;
  record: LedgerRecord;
  before?: LedgerRecord;
}

/**
 * Read the cloud and the ledger, decide, and commit the decision (fence first, then the record). A conflicting
 * writer makes it read and decide again, a bounded number of times. In a dry run nothing is written.
 */
export async function decideAndCommit(
  deps: CoreDeps,
  cloud: Cloud,
  ports: CloudPorts,
  tunnelId: string,
  trigger: Trigger,
): Promise<Committed | 'unknown' | 'conflicts'> {
  for (let attempt = 0; attempt < MAX_CONFLICT_RETRIES; attempt++) {
    const [tunnels, paths, all] = await Promise.all([ports.tunnels.list(), ports.paths.list(), deps.ledger.list()]);
    const fence = all.find((r) => r.tunnelId === fenceId(cloud)) ?? emptyRecord(fenceId(cloud), cloud);
    const records = all.filter((r) => !isFenceId(r.tunnelId) && r.cloud === cloud);
    const before = records.find((r) => r.tunnelId === tunnelId);
    if (!before && !tunnels.some((t) => t.ref.id === tunnelId)) return 'unknown';
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
    if (deps.policy.dryRun) return { decision, record: current, before };
    try {
      // Commit point of a drain: the fence's conditional write. A concurrent drain in the same cloud that decided
      // on the same stale view loses here and re-decides, seeing this tunnel as draining.
      if (decision.joinsFence) await joinFence(deps, fence, tunnelId);
      const record = decision.next ? await deps.ledger.put(decision.next) : current;
      return { decision, record, before };
    } catch (e) {
      if (!(e instanceof LedgerConflictError)) throw e;
      deps.logger.log({ severity: 'NOTICE', message: 'ledger conflict: re-deciding', tunnelId, attempt: attempt + 1 });
    }
  }
  return 'conflicts';
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
