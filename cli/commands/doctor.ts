/** `tunnel-guard doctor`: read-only checks, one line each with the reason and the fix (exit 0 all pass, 1 one failed). */
import { doctorExitCode, formatDoctor } from '../doctor-format';
import { EXIT } from '../io';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  tunnel-guard doctor
  tunnel-guard --target clouds doctor --json | jq '.checks[] | select(.status == "fail")'
`;

export const doctor: Register = (program, s) => {
  program
    .command('doctor')
    .description('read-only preflight of a deployment, one line per check with the reason and the fix (exit 0 all pass, 1 a check failed)')
    .option('--json', 'print {ok, checks:[{cloud, name, status, detail, fix?}]}')
    .addHelpText('after', EXAMPLES)
    .action(
      s.act(async (o: { json?: boolean }) => {
        const checks = await s.target().doctor();
        const code = doctorExitCode(checks);
        s.io.stdout(o.json ? `${JSON.stringify({ ok: code === EXIT.ok, checks }, null, 2)}\n` : formatDoctor(checks));
        return code;
      }),
    );
};
