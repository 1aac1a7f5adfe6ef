/**
 * What every command gets: the process's I/O, the global flags, the target (opened on first use) and a clock.
 * A command file registers itself with `Register` and resolves its action to the exit code.
 */
import type { Command } from 'commander';
import { clockFrom, parseInstant, type CliClock } from './clock';
import { UsageError, type CliIo, type ExitCode } from './io';
import type { Paint } from './paint';
import type { Target, TargetName } from './targets/target';

export interface Session {
  readonly io: CliIo;
  /** `-v`: also print the structured log line of each decision to stderr. */
  verbose(): boolean;
  /** `--target` or `TUNNEL_GUARD_TARGET`; anything but simulator or clouds is a usage error. */
  targetName(): TargetName;
  /** The target, opened on first use and shared by the rest of the run. */
  target(): Target;
  /** A clock that starts at the instant given with `flag` (`--now`, `--at`), else the real clock. */
  clock(iso: string | undefined, flag: string): CliClock;
  /** The real clock (tests pin it). */
  now(): Date;
  /** Colour for people at a terminal (plain for pipes, files and NO_COLOR). */
  paint: Paint;
  /** Wrap a command's action: the exit code it resolves to becomes the run's. */
  act<A extends unknown[]>(action: (...args: A) => Promise<ExitCode>): (...args: A) => Promise<void>;
}

/** One command: adds itself (name, arguments, options, help) to the program. */
export type Register = (program: Command, session: Session) => void;

/**
 * `--now`/`--at` parsed, or the real clock of the session. `--now` is time travel, which only the simulator can do:
 * on the clouds it would write a made-up time into the real ledger (a drain "started" in the future stays in flight,
 * a hold-down passes early), so it is bad usage there — refused before anything is read or changed.
 */
export function sessionClock(real: () => Date, target: () => TargetName = () => 'simulator'): Session['clock'] {
  return (iso, flag) => {
    if (iso && flag === '--now' && target() === 'clouds')
      throw new UsageError(
        '--now is time travel for the simulator only: on the clouds every decision is made at the real time (a made-up time would be written into the real ledger)',
      );
    return clockFrom(iso ? parseInstant(iso, flag) : undefined, real, flag === '--now' && !!iso);
  };
}
