/**
 * Poll until a cloud change is really done. AWS route changes are asynchronous (`pending` → `available`,
 * `deleting` → `deleted`), so a withdraw is only reported once a read confirms it.
 */
import { TransientError } from '../../shared/errors';

export interface WaitOptions {
  /** First delay between polls. */
  initialDelayMs: number;
  /** Cap of the doubling delay. */
  maxDelayMs: number;
  /** Give up after this long: the caller gets a TransientError, so the platform (or reconcile) tries again. */
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_WAIT: WaitOptions = { initialDelayMs: 500, maxDelayMs: 4000, timeoutMs: 60_000 };

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `check` until it returns true, with bounded exponential backoff; throws TransientError on timeout. */
export async function waitUntil(what: string, check: () => Promise<boolean>, options: WaitOptions = DEFAULT_WAIT): Promise<void> {
  const sleep = options.sleep ?? realSleep;
  let delay = options.initialDelayMs;
  let waited = 0;
  for (;;) {
    if (await check()) return;
    if (waited >= options.timeoutMs) throw new TransientError(`timed out after ${waited} ms waiting for ${what}`);
    await sleep(delay);
    waited += delay;
    delay = Math.min(delay * 2, options.maxDelayMs);
  }
}
