/** Entry point of the `dist/cli.js` bundle (loaded by `bin/tunnel-guard.js`). */
import { main } from './main';

main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
}).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    process.stderr.write(`tunnel-guard: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  },
);
