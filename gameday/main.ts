/**
 * `npm run gameday` — run the built-in scenarios (or one file with `--scenario`), print a table per scenario, write
 * the picture. Exit codes as the CLI's: 0 done, 1 failure, 2 bad usage or a bad scenario file (nothing run).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { loadDeployed } from './deployed';
import { renderHtml } from './picture/page';
import { runScenario, type RunOutput } from './run';
import { loadScenarioFile, ScenarioError, type Scenario } from './scenario';
import { STRATEGIES } from './strategies';

const num = (n: number | null): string => (n === null ? '—' : n.toLocaleString('en-US'));

/** `part` as a percentage of `whole` ("—" when the whole is nothing to compare with). */
export function share(part: number, whole: number): string {
  if (whole === 0) return part === 0 ? '100 %' : '∞';
  const p = (part / whole) * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p).toLocaleString('en-US')} %`;
}

export const TABLE_HEAD = [
  'strategy',
  'lost (total)',
  'of none',
  'of oracle',
  'lost GCP→AWS',
  'lost AWS→GCP',
  'unreachable',
  'throttled',
  'route changes',
  'drains',
  'restores',
  'restores into loss',
  'time to mitigate (s)',
  'healthy drained (min)',
  'disagree (min)',
  'exposure (s)',
];

/** One row per strategy: the numbers, with each loss as a share of doing nothing and of the oracle. */
export function rows(out: RunOutput): string[][] {
  const r = out.result;
  const none = r.strategies.none?.lostPackets.total;
  const oracle = r.strategies.oracle?.lostPackets.total;
  return STRATEGIES.filter((s) => r.strategies[s]).map((s) => {
    const x = r.strategies[s];
    return [
      s,
      num(x.lostPackets.total),
      none === undefined ? '—' : share(x.lostPackets.total, none),
      oracle === undefined ? '—' : share(x.lostPackets.total, oracle),
      num(x.lostPackets.gcpToAws),
      num(x.lostPackets.awsToGcp),
      num(x.unreachablePackets),
      num(x.throttledPackets),
      num(x.routeChanges),
      num(x.drains),
      num(x.restores),
      num(x.restoresIntoLoss),
      num(x.timeToMitigateSeconds),
      num(x.healthyDrainedMinutes),
      num(x.disagreeMinutes),
      num(x.exposureSeconds),
    ];
  });
}

export function table(out: RunOutput): string {
  const r = out.result;
  const body = rows(out);
  const widths = TABLE_HEAD.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    `${r.scenario} (floor: ${r.floorSeconds === null ? 'no cloud metric sees the first loss' : `${r.floorSeconds} s`})`,
    line(TABLE_HEAD),
    ...body.map(line),
  ].join('\n');
}

/** The table of every scenario as Markdown, for docs/gameday.md. */
export function markdown(outs: readonly RunOutput[]): string {
  const head = ['scenario', 'floor', ...TABLE_HEAD];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i < 3 ? '---' : '---:')).join(' | ')} |`];
  for (const out of outs)
    rows(out).forEach((row, i) => {
      const floor = out.result.floorSeconds === null ? '—' : `${out.result.floorSeconds} s`;
      lines.push(`| ${i === 0 ? out.result.scenario : ''} | ${i === 0 ? floor : ''} | ${row.join(' | ')} |`);
    });
  return lines.join('\n');
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
    .option('--markdown <file>', 'also write every table as one Markdown table (the one docs/gameday.md publishes)')
    .option('--root <dir>', 'the checkout whose shipped definitions are evaluated', '.')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  try {
    program.parse(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    throw e;
  }
  const opts = program.opts<{ scenario?: string; json?: boolean; html: string; markdown?: string; root: string }>();
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
    if (opts.markdown) writeFileSync(resolve(io.cwd, opts.markdown), `${markdown(outputs.map((o) => o.out))}\n`);
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
