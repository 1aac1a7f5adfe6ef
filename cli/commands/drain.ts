/** `tunnel-guard drain <tunnel>`: withdraw every route into a tunnel, through the guards. */
import { changeOptions, runChange, type ChangeOptions } from '../change';
import type { Register } from '../session';

export const drain: Register = (program, s) => {
  const cmd = program
    .command('drain <tunnel>')
    .description('withdraw every route into a tunnel (through the guards)')
    .option('--reason <text>', 'why (recorded in the ledger and the notification)')
    .option('--force', 'skip the guards (reported and notified as such)');
  changeOptions(cmd, 'on the clouds: apply the plan without asking').action(
    s.act((tunnel: string, o: ChangeOptions) => runChange(s, 'drain', tunnel, o)),
  );
};
