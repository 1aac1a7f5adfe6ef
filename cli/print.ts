/** How a command prints a decision (its report, then what the other end of the link did) and its exit code. */
import type { LinkDelivery } from '../simulator';
import type { Report } from '../shared/report-types';
import type { CliIo, ExitCode } from './io';
import { formatDelivery } from './link-format';
import { exitCodeFor, formatReport } from './report-format';
import type { Change } from './targets/target';

export const printReport = (io: CliIo, r: Report, json: boolean): void =>
  io.stdout(json ? `${JSON.stringify(r, null, 2)}\n` : formatReport(r));

/** What the other end of a link did with this command's link messages (human output only: --json stays one document). */
export function printLinked(io: CliIo, linked: readonly LinkDelivery[], json: boolean): void {
  if (json) return;
  for (const d of linked) io.stdout(formatDelivery(d));
}

/** One decision's report and what the link did with it; its exit code is the command's. */
export function printChange(io: CliIo, c: Change, json: boolean): ExitCode {
  printReport(io, c.report, json);
  printLinked(io, c.linked, json);
  return exitCodeFor(c.report);
}
