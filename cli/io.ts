/**
 * What the CLI touches of its process, passed in so that tests run `main()` in-process with fakes.
 */
import type { Env } from '../config/source';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Env;
  cwd: string;
  /** The real clock unless a test pins it. `--now`/`--at` override it per command. */
  now?: () => Date;
  /** Whether stdout is a terminal (colour, see `paint.ts`). */
  isTTY?: boolean;
  /** Told what to say if the process is interrupted now (a change under way), and `undefined` once it is done. */
  inFlight?: (note: string | undefined) => void;
  /** Ask a yes/no question; present only when a person is at a terminal (stdin and stdout are TTYs). */
  confirm?: (question: string) => Promise<boolean>;
}

/** Exit codes are a contract. */
export const EXIT = { ok: 0, failure: 1, usage: 2, refused: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Bad usage or input: exit 2, nothing changed. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
