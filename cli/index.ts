/** Entry point of the `dist/cli.js` bundle (loaded by `bin/tunnel-guard.js`). */
import { createInterface } from 'node:readline/promises';
import { main } from './main';

/** Only a person at a terminal is asked; piped or scripted runs must say --yes. */
const confirm =
  process.stdin.isTTY && process.stdout.isTTY
    ? async (question: string): Promise<boolean> => {
        // The question goes to stderr: stdout carries only the plan and the result (and stays valid JSON with --json).
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        try {
          return /^y(es)?$/i.test((await rl.question(question)).trim());
        } finally {
          rl.close();
        }
      }
    : undefined;

/** What to say if Ctrl-C arrives now: set while a change is under way. */
let inFlight: string | undefined;
process.on('SIGINT', () => {
  process.stderr.write(`\ntunnel-guard: ${inFlight ?? 'interrupted; nothing was being changed'}\n`);
  process.exit(130);
});

// `tunnel-guard status | head`: a reader that stops early is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
  isTTY: !!process.stdout.isTTY,
  inFlight: (note) => {
    inFlight = note;
  },
  ...(confirm ? { confirm } : {}),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`tunnel-guard: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  },
);
