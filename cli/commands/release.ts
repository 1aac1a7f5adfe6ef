/** `tunnel-guard release <tunnel>`: clear flap suppression. */
import { changeOptions, runChange, type ChangeOptions } from '../change';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  tunnel-guard release tunnel-aws-1                                # then restored after the hold-down
`;

export const release: Register = (program, s) => {
  const cmd = program.command('release <tunnel>').description('clear flap suppression so the tunnel can be restored again');
  changeOptions(cmd, 'on the clouds: apply without asking')
    .addHelpText('after', EXAMPLES)
    .action(s.act((tunnel: string, o: ChangeOptions) => runChange(s, 'release', tunnel, o)));
};
