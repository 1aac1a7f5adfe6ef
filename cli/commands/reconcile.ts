/** `tunnel-guard reconcile`: converge, as the functions' schedule does (the simulator only). */
import { printLinked } from '../print';
import { exitCodeForAll, formatReport } from '../report-format';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  tunnel-guard reconcile
  tunnel-guard reconcile --now "$(date -u -d '+6 min' +%FT%TZ)"   # as if the hold-down had passed
`;
import { simulatorOnly } from '../targets/target';

export const reconcile: Register = (program, s) => {
  program
    .command('reconcile')
    .description('converge: finish interrupted work, re-withdraw drift, restore tunnels whose hold-down has passed')
    .option('--now <iso>', 'reconcile as if it were this instant')
    .option('--json', 'print the reports as JSON')
    .addHelpText('after', EXAMPLES)
    .action(
      s.act(async (o: { now?: string; json?: boolean }) => {
        simulatorOnly(s.targetName(), 'reconcile');
        const { reports, linked } = await s.target().reconcile(s.clock(o.now, '--now'));
        if (o.json) s.io.stdout(`${JSON.stringify(reports, null, 2)}\n`);
        else if (reports.length === 0) s.io.stdout('reconcile: nothing to do\n');
        else for (const r of reports) s.io.stdout(formatReport(r));
        printLinked(s.io, linked, o.json ? 'json' : 'table');
        return exitCodeForAll(reports);
      }),
    );
};
