/**
 * The guards of a drain (scope, blast radius, never black-hole) and the one case where the cloud fails over by
 * itself. Pure; used by `decide()`.
 */
import { coverageGaps, type CoverageGap } from './coverage';
import { pathIsHealthy, type View } from './health';
import { inScope, type Policy } from './policy';
import { isDeprefer, type Path, type TunnelStatus } from './types';
import type { GuardNote } from './report-types';

/** What the guards read of a decision's input: the policy and the cloud as observed — never the trigger or a record. */
export interface GuardInput {
  policy: Policy;
  tunnels: readonly TunnelStatus[];
  paths: readonly Path[];
}

/** Guards 1–3 for a drain of `tunnelId` withdrawing `withdrawing`. Returns the refusals (empty = allowed). */
export function drainGuards(input: GuardInput, view: View, id: string, withdrawing: readonly Path[]): GuardNote[] {
  const { policy } = input;
  const refusals: GuardNote[] = [];
  // Every tunnel the plan touches must be in scope, not only the one signalled: an AWS connection's routes feed
  // both of its tunnels.
  const touched = [...new Set([id, ...withdrawing.flatMap((p) => p.tunnelIds)])];
  const outside = touched.filter((t) => !inScope(policy, t));
  if (outside.length > 0) {
    refusals.push({
      guard: 'scope',
      reason: `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not in scope (scope: ${policy.scope.join(', ')}; exclude: ${policy.exclude.join(', ') || 'none'})`,
    });
    return refusals;
  }
  // A de-preferred path stays as a standby that still carries traffic when nothing better exists: de-preferring
  // every path of every tunnel is no worse than doing nothing, so only outright withdrawals answer to the blast-radius
  // and black-hole guards. What de-preference leaves uncovered is said by `depreferGaps`, not refused.
  const removing = withdrawing.filter((p) => !isDeprefer(p));
  if (removing.length === 0) return refusals;
  // Blast radius counts every tunnel this plan takes out of service: on AWS a connection's routes feed both
  // of its tunnels, so draining one drains two.
  const affected = new Set<string>(view.unavailable);
  affected.add(id);
  for (const p of removing) for (const t of p.tunnelIds) affected.add(t);
  const total = input.tunnels.length;
  const byFraction = Math.floor(policy.maxDrainedFraction * total);
  const limit = Math.min(policy.maxDrainedTunnels, byFraction);
  if (affected.size > limit) {
    refusals.push({
      guard: 'blast-radius',
      reason: `draining ${id} would take ${affected.size} of ${total} tunnels out of service; the limit is ${limit} (maxDrainedTunnels ${policy.maxDrainedTunnels}, maxDrainedFraction ${policy.maxDrainedFraction})`,
      urgent: true,
    });
  }
  const draining = new Set<string>([id]);
  const gaps = coverageGaps(input.paths, removing, draining, view, policy.minHealthyPaths);
  if (gaps.length > 0) {
    const list = gaps.map((g) => `${g.destination} (${g.remaining} healthy path${g.remaining === 1 ? '' : 's'} left)`).join(', ');
    refusals.push({
      guard: 'black-hole',
      reason: `draining ${id} would leave ${list} with fewer than ${policy.minHealthyPaths} healthy path(s): a human must decide`,
      urgent: true,
    });
  }
  return refusals;
}

/**
 * The destinations that de-preferring these paths of `id` leaves without `minHealthyPaths` healthy paths. Not a
 * refusal: the standbys keep them reachable. Reported so that a human hears that every path of them is unhealthy.
 */
export function depreferGaps(input: GuardInput, view: View, id: string, paths: readonly Path[]): CoverageGap[] {
  const deprefer = paths.filter(isDeprefer);
  return deprefer.length ? coverageGaps(input.paths, deprefer, new Set([id]), view, input.policy.minHealthyPaths) : [];
}

/**
 * Would the cloud already fail over on its own? Either every path of the tunnel also feeds a healthy sibling (AWS:
 * a DOWN tunnel whose sibling in the connection is UP), or the cloud itself reports down every tunnel a path feeds
 * — GCP ignores routes through a tunnel without an IKE SA and its BGP session is down too; AWS sends nothing to a
 * connection without an UP tunnel — so withdrawing those paths moves no traffic. It would only keep the tunnel out
 * once it is back up and healthy (the game day measured that delay as packets lost on the remaining tunnels).
 */
export function nativeFailoverCovers(view: View, id: string, own: readonly Path[]): boolean {
  if (own.length === 0) return false;
  if (view.statusOf(id)?.status === 'down' && own.every((p) => p.tunnelIds.every((t) => view.statusOf(t)?.status !== 'up'))) return true;
  return own.every((p) => p.tunnelIds.length > 1 && pathIsHealthy(p, view, new Set([id])));
}
