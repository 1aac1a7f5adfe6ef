/**
 * Errors are classified by what a retry would do, so every edge answers its platform the same way: retry the
 * transient, acknowledge the permanent, refuse bad input.
 */

/** Throttling, 5xx, timeouts: the platform (or our retry loop) should try again. */
export class TransientError extends Error {
  override readonly name: string = 'TransientError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A retry cannot fix it (bad request, missing permission, invalid definition). */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Bad input from a user or an event: acknowledged, never retried, changes nothing. */
export class InputError extends PermanentError {
  override readonly name: string = 'InputError';
}

/** Optimistic concurrency: someone else wrote the ledger record since we read it. */
export class LedgerConflictError extends Error {
  override readonly name: string = 'LedgerConflictError';
  constructor(
    readonly tunnelId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | undefined,
  ) {
    super(`ledger record ${tunnelId} changed underneath us (expected version ${expectedVersion}, found ${actualVersion ?? 'none'})`);
  }
}

/** A ledger or simulator file that cannot be read back: never overwritten, a human must look. */
export class CorruptStateError extends PermanentError {
  override readonly name: string = 'CorruptStateError';
}

export const isTransient = (e: unknown): boolean => e instanceof TransientError;

/**
 * A bug in our own code (a TypeError reading a field of undefined, a ReferenceError): the same code meets the same
 * input on every delivery, so a retry only repeats it — for up to a week on Pub/Sub. Node's `fetch` reports a network
 * failure as a TypeError too ("fetch failed", with the socket error as its cause): that one is the network, not us.
 */
export function isProgrammingError(e: unknown): boolean {
  if (e instanceof ReferenceError || e instanceof SyntaxError || e instanceof RangeError) return true;
  if (!(e instanceof TypeError)) return false;
  const cause = (e as { cause?: { code?: unknown } }).cause;
  return !(e.message === 'fetch failed' || typeof cause?.code === 'string');
}

/**
 * Should the platform deliver the event again? The one rule both edges answer their platform by (Lambda: throw;
 * Cloud Functions: 503 instead of 500). Transient trouble and a lost conditional write: yes. A permanent error —
 * bad input, a missing permission, a broken configuration, a corrupt file — no: a retry cannot fix it, and it is
 * reported instead; a programming error likewise (it is logged as an error, and a fix is deployed). Anything else
 * unclassified (an SDK error no adapter translated): yes — every decision is idempotent, so another delivery is safe
 * and may succeed, and the platform's retry budget bounds it.
 */
export const shouldRetry = (e: unknown): boolean =>
  isTransient(e) || e instanceof LedgerConflictError || !(e instanceof PermanentError || isProgrammingError(e));

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
