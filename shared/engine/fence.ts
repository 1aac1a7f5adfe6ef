/**
 * A cloud's fence record: the tunnels of that cloud that are draining, drained or restoring. Every drain commits by
 * a conditional write of it, so two drains that decided on the same stale view cannot both go ahead (the loser gets
 * a `LedgerConflictError` and re-decides).
 */
import { CorruptStateError, LedgerConflictError } from '../errors';
import type { CoreDeps } from '../ports';
import { LONGEST_RUN_MS } from '../policy';
import type { Cloud, LedgerRecord } from '../types';
import { fenceId } from '../types';

const MAX_CONFLICT_RETRIES = 5;

/** The commit point of a drain: conditional on the fence version read with the decision's inputs. */
export async function joinFence(deps: CoreDeps, fence: LedgerRecord, tunnelId: string): Promise<void> {
  await deps.ledger.put({
    ...fence,
    members: [...new Set([...(fence.members ?? []), tunnelId])],
    updatedAt: deps.clock.now().toISOString(),
  });
}

/** Leave the fence once a restore is confirmed (idempotent; retries lost races). */
export async function leaveFence(deps: CoreDeps, cloud: Cloud, tunnelId: string): Promise<void> {
  for (let i = 0; i < MAX_CONFLICT_RETRIES; i++) {
    const fence = await deps.ledger.get(fenceId(cloud));
    if (!fence?.members?.includes(tunnelId)) return;
    try {
      await deps.ledger.put({ ...fence, members: fence.members.filter((m) => m !== tunnelId), updatedAt: deps.clock.now().toISOString() });
      return;
    } catch (e) {
      if (!(e instanceof LedgerConflictError)) throw e;
    }
  }
}

/**
 * Remove fence members whose record is active (a drain that joined the fence but died before writing its record) or
 * gone. Only once the fence is older than any invocation could be, so a live drain between its two writes is safe.
 * Returns the members dropped because their record is gone: a deleted record of a drained tunnel looks the same as a
 * drain that died before writing it, and only a human can tell which (the caller reports them). A member whose
 * record cannot be read stays: nothing is known about it.
 */
export async function dropStaleMembers(deps: CoreDeps, cloud: Cloud): Promise<string[]> {
  for (let i = 0; i < MAX_CONFLICT_RETRIES; i++) {
    // The fence alone first: the whole ledger is read only when there may be a member to drop.
    // An unreadable fence is reported by reconcile's audit, and every drain of the cloud is refused meanwhile.
    const first = await deps.ledger.get(fenceId(cloud)).catch((e: unknown) => {
      if (e instanceof CorruptStateError) return undefined;
      throw e;
    });
    if (!first?.members?.length) return [];
    const age = deps.clock.now().getTime() - Date.parse(first.updatedAt ?? '1970-01-01T00:00:00Z');
    if (age < LONGEST_RUN_MS) return [];
    const { records, unreadable } = await deps.ledger.scan();
    const fence = records.find((r) => r.tunnelId === fenceId(cloud));
    if (!fence?.members?.length) return [];
    const keep: string[] = [];
    const gone: string[] = [];
    for (const m of fence.members) {
      const r = records.find((x) => x.tunnelId === m);
      if (unreadable.some((u) => u.tunnelId === m) || (r && r.state !== 'active')) keep.push(m);
      else if (!r) gone.push(m);
    }
    if (keep.length === fence.members.length) return [];
    try {
      await deps.ledger.put({ ...fence, members: keep, updatedAt: deps.clock.now().toISOString() });
      return gone;
    } catch (e) {
      if (!(e instanceof LedgerConflictError)) throw e;
    }
  }
  return [];
}
