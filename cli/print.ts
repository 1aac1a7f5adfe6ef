/**
 * How a command prints a decision and its exit code. For people (`-o table`) a refusal is one short line; the
 * whole report is behind `-o wide` and `--json`. `--json` of a decision on the simulator carries what the other end
 * of the link did (`linked`); on the clouds the other end hears asynchronously, so there is no `linked`.
 */
import type { Report } from '../shared/report-types';
import type { LinkDelivery } from '../simulator';
import type { CliIo, ExitCode } from './io';
import { formatDelivery } from './link-format';
import { otherEndLine } from './other-end';
import type { Output } from './output';
import { exitCodeFor, formatReport } from './report-format';
import { shortId } from './status-names';
import type { Change } from './targets/target';

const LINE = 118;
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** One line per refusal, and where the rest is. */
function refusalLines(r: Report): string {
  const lines = r.refusals.map((f) =>
    cut(`${r.decision.toUpperCase()} ${shortId(r.tunnelId)}: refused by ${f.guard}${f.urgent ? ' (URGENT)' : ''}: ${f.reason}`, LINE),
  );
  return `${lines.join('\n')}\n  (the whole report: -o wide or --json)\n`;
}

export const printReport = (io: CliIo, r: Report, output: Output): void => {
  if (output === 'json') io.stdout(`${JSON.stringify(r, null, 2)}\n`);
  else if (output === 'table' && r.decision === 'refuse' && r.refusals.length > 0) io.stdout(refusalLines(r));
  else io.stdout(formatReport(r));
};

/** What the other end of a link did with this command's link messages. */
export function printLinked(io: CliIo, linked: readonly LinkDelivery[], output: Output): void {
  if (output === 'json') return;
  for (const d of linked) io.stdout(formatDelivery(d));
}

/** The linked end's outcome as JSON: its report, or why it refused the message. */
export const linkedJson = (linked: readonly LinkDelivery[]) =>
  linked.map((d) => (d.ok ? { ok: true, tunnelId: d.message.toTunnelId, health: d.message.health, report: d.report } : d));

/** After a restore: the other end of the link, put back too (its change), or why it stays as it is (text). */
export interface OtherEndOutcome {
  peer: string;
  change?: Change;
  text?: string;
}

/** `otherEnd` in `--json`: the other end's report, or what was said of it. */
const otherEndJson = (o: OtherEndOutcome) =>
  o.change ? { tunnelId: o.peer, report: o.change.report, linked: linkedJson(o.change.linked) } : { tunnelId: o.peer, note: o.text };

/** One decision's report and what the link did with it; its exit code is the command's (never the other end's). */
export function printChange(io: CliIo, c: Change, output: Output, inProcessLinks: boolean, other?: OtherEndOutcome): ExitCode {
  if (output === 'json') {
    const doc = inProcessLinks ? { ...c.report, linked: linkedJson(c.linked) } : c.report;
    io.stdout(`${JSON.stringify(other ? { ...doc, otherEnd: otherEndJson(other) } : doc, null, 2)}\n`);
  } else {
    printReport(io, c.report, output);
    printLinked(io, c.linked, output);
    if (other?.text) io.stdout(`${other.text}\n`);
    if (other?.change) io.stdout(otherEndLine(other.change.report));
  }
  return exitCodeFor(c.report);
}
