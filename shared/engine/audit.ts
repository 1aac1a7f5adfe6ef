/**
 * Reconcile's comparison of the ledger with itself and with the cloud: what the ledger can no longer vouch for is
 * reported, never guessed at. An unreadable record, a fence member whose record is gone, a standby (a de-preferred
 * path's copy) that no record accounts for — each may hide withdrawn paths that exist nowhere else.
 */
import type { CoreDeps, Ledger } from '../ports';
import { fenceId, isFenceId, type Cloud } from '../types';
import type { Report } from '../report-types';
import type { World } from './commit';
import { cloudOf, finish, refusalReport } from './report';

/** Per ledger, what this process has already notified: a condition that persists is notified once, not every run. */
const notified = new WeakMap<Ledger, Set<string>>();

function once(deps: CoreDeps, key: string): boolean {
  const seen = notified.get(deps.ledger) ?? new Set<string>();
  notified.set(deps.ledger, seen);
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** A CRITICAL report about what the ledger cannot vouch for: it names the tunnel and what to do. */
export function ledgerReport(deps: CoreDeps, tunnelId: string, trigger: string, reason: string, started: Date): Report {
  const r = refusalReport(deps, tunnelId, trigger, reason, started);
  return { ...r, severity: 'CRITICAL', refusals: [{ guard: 'ledger', reason, urgent: true }] };
}

export const unreadableReason = (tunnelId: string, problem: string): string =>
  `the ledger record of ${tunnelId} cannot be read (${problem}); decisions for ${tunnelId} are refused until a human repairs or removes it — if it was drained, its withdrawn paths are described in that item and in the notification of its drain; restore them from there, then remove the item`;

export const missingReason = (tunnelId: string): string =>
  `${tunnelId} is in the fence (out of service) but its ledger record is gone: either a drain died before writing it (nothing was withdrawn) or the record was deleted — then its withdrawn paths exist nowhere but in the notification of its drain. Compare the cloud's routes of ${tunnelId} with that notification and re-create what is missing; tunnel-guard has dropped it from the fence`;

/** Report each condition once per process; the log line repeats at a lower severity so it stays visible. */
export async function auditCloud(deps: CoreDeps, cloud: Cloud, world: World, goneMembers: string[]): Promise<Report[]> {
  const started = deps.clock.now();
  const reports: Report[] = [];
  const say = async (tunnelId: string, key: string, reason: string) => {
    if (once(deps, key)) reports.push(await finish(deps, ledgerReport(deps, tunnelId, 'reconcile', reason, started), true));
    else deps.logger.log({ severity: 'WARNING', message: `still: ${reason}`, tunnelId, trigger: 'reconcile' });
  };
  const unreadable = world.unreadable.filter((u) => cloudOf(u.tunnelId) === cloud || u.tunnelId === fenceId(cloud));
  for (const u of unreadable) await say(u.tunnelId, `unreadable ${u.tunnelId} ${u.problem}`, unreadableReason(u.tunnelId, u.problem));
  // A member dropped from the fence is reported once by construction: it is no longer there next time.
  for (const m of goneMembers) reports.push(await finish(deps, ledgerReport(deps, m, 'reconcile', missingReason(m), started), true));

  // A standby exists only while its original is recorded as withdrawn (the record is written before the standby is
  // made, and the standby goes before the record lets the path go). One that nothing records is a drain whose record
  // was lost: the original exists only as this copy's definition.
  const recorded = new Set(world.records.filter((r) => !isFenceId(r.tunnelId)).flatMap((r) => r.withdrawn.map((p) => p.key)));
  const blind = new Set(unreadable.map((u) => u.tunnelId));
  for (const p of world.paths) {
    if (!p.standbyFor || recorded.has(p.standbyFor) || p.tunnelIds.some((t) => blind.has(t))) continue;
    const tunnel = p.tunnelIds[0] ?? p.standbyFor;
    await say(
      tunnel,
      `orphan ${p.key}`,
      `${p.standbyFor} is de-preferred (its standby ${p.key} is in the cloud) but no ledger record says so: the record of its drain was lost. Put the original back by hand from the standby's definition (same destinations, the original priority or peer settings), or drain and restore ${tunnel} with the CLI once its record exists again`,
    );
  }
  return reports;
}
