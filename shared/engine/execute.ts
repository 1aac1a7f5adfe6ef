/**
 * Carry out a plan: many paths at once with a bounded concurrency (cloud write quotas are finite), retries with
 * exponential backoff and full jitter for transient errors (after the SDKs' own retries), an outcome per action.
 */
import { errorMessage, isTransient } from '../errors';
import type { PathTable } from '../ports';
import type { Policy } from '../policy';
import type { Action, ActionResult, Outcome } from '../report-types';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Run `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Full-jitter backoff: uniform in [0, min(max, base·2^attempt)). `random` is injectable for seeded tests. */
export const backoffMs = (
  attempt: number,
  policy: Pick<Policy, 'retryBaseMs' | 'retryMaxMs'>,
  random: () => number = Math.random,
): number => Math.floor(random() * Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** attempt));

export async function runAction(
  action: Action,
  table: PathTable,
  policy: Pick<Policy, 'retryAttempts' | 'retryBaseMs' | 'retryMaxMs'>,
  sleep: Sleep,
  now: () => number = Date.now,
): Promise<ActionResult> {
  const started = now();
  let attempts = 0;
  let lastError: unknown;
  while (attempts < policy.retryAttempts) {
    attempts++;
    try {
      const outcome: Outcome = action.type === 'withdraw' ? await table.withdraw(action.path) : await table.restore(action.path);
      return {
        type: action.type,
        pathKey: action.path.key,
        destinations: action.path.destinations,
        outcome,
        attempts,
        ms: now() - started,
      };
    } catch (e) {
      lastError = e;
      if (!isTransient(e)) break;
      if (attempts < policy.retryAttempts) await sleep(backoffMs(attempts - 1, policy));
    }
  }
  return {
    type: action.type,
    pathKey: action.path.key,
    destinations: action.path.destinations,
    outcome: 'failed',
    error: `${errorMessage(lastError)}${isTransient(lastError) ? ` (transient; gave up after ${attempts} attempts)` : ''}`,
    attempts,
    ms: now() - started,
  };
}

/** Execute every action of a plan; never throws. */
export function executePlan(
  actions: readonly Action[],
  table: PathTable,
  policy: Policy,
  sleep: Sleep = realSleep,
): Promise<ActionResult[]> {
  return mapBounded(actions, policy.concurrency, (a) => runAction(a, table, policy, sleep));
}
