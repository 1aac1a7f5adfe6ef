/**
 * `--now` / `--at`: a clock that starts at the given instant and advances with real time, so durations in the
 * report stay meaningful while the decision sees the operator's instant.
 */
import { z } from 'zod';
import type { Clock } from '../shared/ports';
import { UsageError } from './io';

const isoSchema = z.iso.datetime({ offset: true });

/** Parse an ISO 8601 instant with a zone (`2026-11-25T10:00:00Z`); anything else is a `UsageError`. */
export function parseInstant(raw: string, flag: string): Date {
  if (!isoSchema.safeParse(raw).success) {
    throw new UsageError(`${flag} ${JSON.stringify(raw)} is not an ISO 8601 date-time with a zone (e.g. 2026-11-25T10:00:00Z)`);
  }
  return new Date(raw);
}

/** A clock, and the instant an operator asked for with `--now` (the simulator moves its world's clock to it). */
export interface CliClock extends Clock {
  requested?: Date;
  /** The process's real clock (the simulator's world clock is real time plus its offset). */
  real?: () => Date;
  /** Started at an instant the operator gave (`--now` or `--at`): not the simulator's world clock. */
  fixed?: boolean;
}

export function clockFrom(start: Date | undefined, real: () => Date = () => new Date(), asked = false): CliClock {
  if (!start) return { now: real, real };
  const offset = start.getTime() - real().getTime();
  return { now: () => new Date(real().getTime() + offset), real, fixed: true, ...(asked ? { requested: start } : {}) };
}
