/**
 * `npm run gameday` — run the built-in scenarios (or one file with `--scenario`), print a table per scenario, write
 * the picture. Exit codes as the CLI's: 0 done, 1 failure, 2 bad usage or a bad scenario file (nothing run).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadDeployed } from './deployed';
import { renderHtml } from './html';
import { runScenario, type RunOutput } from './run';
import { loadScenarioFile, ScenarioError, type Scenario } from './scenario';
import { STRATEGIES } from './strategies';

const num = (n: number | null): string => (n === null ? '—' : n.toLocaleString('en-US'));

export function table(out: RunOutput): string {
  const r = out.result;
  const head = [
    'strategy',
    'lost (total)',
    'lost GCP→AWS',
    'lost AWS→GCP',
    'unreachable',
    'route changes',
    'drains',
    'restores',
    'restores into loss',
    'time to mitigate (s)',
  ];
  const rows = STRATEGIES.filter((s) => r.strategies[s]).map((s) => {
    const x = r.strategies[s];
    return [
      s,
      num(x.lostPackets.total),
      num(x.lostPackets.gcpToAws),
      num(x.lostPackets.awsToGcp),
      num(x.unreachablePackets),
      num(x.routeChanges),
      num(x.drains),
      num(x.restores),
      num(x.restoresIntoLoss),
      num(x.timeToMitigateSeconds),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    `${r.scenario} (floor: ${r.floorSeconds === null ? 'no cloud metric sees the first loss' : `${r.floorSeconds} s`})`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}

export function builtInScenarioFiles(root: string): string[] {
  const dir = join(root, 'gameday', 'scenarios');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.world.json'))
    .sort()
    .map((f) => join(dir, f));
}

export async function main(
  argv: string[],
  io: { out: (s: string) => unknown; err: (s: string) => unknown; cwd: string } = {
    out: (s: string) => process.stdout.write(s),
    err: (s: string) => process.stderr.write(s),
    cwd: process.cwd(),
  },
): Promise<number> {
  const program = new Command('gameday')
    .description('packets lost against doing nothing: the built-in scenarios, or one file')
    .option('--scenario <file>', 'run one scenario file instead of the built-in ones')
    .option('--json', 'print one JSON result object per scenario (one per line)')
    .option('--html <file>', 'where to write the picture', 'dist/gameday/gameday.html')
    .option('--root <dir>', 'the checkout whose shipped definitions are evaluated', '.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const opts = program.opts<{ scenario?: string; json?: boolean; html: string; root: string }>();
  const root = resolve(io.cwd, opts.root);
  let scenarios: Scenario[];
  try {
    const files = opts.scenario ? [resolve(io.cwd, opts.scenario)] : builtInScenarioFiles(root);
    scenarios = files.map(loadScenarioFile);
  } catch (e) {
    if (e instanceof ScenarioError) {
      io.err(`gameday: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const deployed = loadDeployed(root);
    const outputs: { scenario: Scenario; out: RunOutput }[] = [];
    for (const scenario of scenarios) {
      const out = await runScenario(scenario, deployed);
      outputs.push({ scenario, out });
      io.out(opts.json ? `${JSON.stringify(out.result)}\n` : `${table(out)}\n\n`);
    }
    const html = resolve(io.cwd, opts.html);
    mkdirSync(dirname(html), { recursive: true });
    writeFileSync(html, renderHtml(outputs));
    if (!opts.json) io.out(`picture: ${html}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ScenarioError) {
      io.err(`gameday: ${e.message}\n`);
      return 2;
    }
    io.err(`gameday failed: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
