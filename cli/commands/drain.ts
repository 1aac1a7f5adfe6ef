/** `tunnel-guard drain <tunnel>`: withdraw every route into a tunnel, through the guards. */
import { changeOptions, runChange, type ChangeOptions } from '../change';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  tunnel-guard drain tunnel-aws-1 --reason "loss seen on the GCP side"
  tunnel-guard drain 203.0.113.11 --dry-run                       # AWS: the tunnel's connection, by outside IP
  tunnel-guard --target clouds drain tunnel-aws-1 --yes            # the deployed clouds: plan, then apply
`;

export const drain: Register = (program, s) => {
  const cmd = program
    .command('drain <tunnel>')
    .description('withdraw every route into a tunnel (through the guards)')
    .option('--reason <text>', 'why (recorded in the ledger and the notification)')
    .option('--force', 'skip the guards (reported and notified as such)');
  changeOptions(cmd, 'on the clouds: apply the plan without asking')
    .addHelpText('after', EXAMPLES)
    .action(s.act((tunnel: string, o: ChangeOptions) => runChange(s, 'drain', tunnel, o)));
};
