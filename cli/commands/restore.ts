/** `tunnel-guard restore <tunnel>`: put back exactly what the ledger holds. */
import { changeOptions, runChange, type ChangeOptions } from '../change';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  tunnel-guard restore tunnel-aws-1                                # exactly what the ledger holds
  tunnel-guard --target clouds restore tunnel-aws-1 --yes
`;

export const restore: Register = (program, s) => {
  const cmd = program
    .command('restore <tunnel>')
    .description(
      'put back exactly the routes that were withdrawn; refused while the tunnel is degraded or down unless --force (no hold-down for an operator)',
    )
    .option('--force', 'skip the guards (reported and notified as such)');
  changeOptions(cmd, 'on the clouds: apply the plan without asking')
    .addHelpText('after', EXAMPLES)
    .action(s.act((tunnel: string, o: ChangeOptions) => runChange(s, 'restore', tunnel, o)));
};
