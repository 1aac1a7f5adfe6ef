// @ts-check
/**
 * Mutation testing of the core and the adapters' safety paths (`npm run mutate`; not part of `npm test`).
 *
 * - Incremental: results are kept in reports/stryker-incremental.json (gitignored), so a re-run tests only the
 *   mutants whose code or covering tests changed. `npm run mutate -- --force` re-tests everything.
 * - Time box for CI (`npm run mutate:ci`): MUTATE_SINCE=<git ref> limits mutation to the files below that
 *   changed since that ref (default origin/main) or in the working tree; with none changed it exits at once.
 *   A full run of every file takes ~30 min on 2 shared cores; a CI run of one or two changed files a few minutes.
 * - TypeScript 7 has no JavaScript API, which Stryker's TypeScript preprocessor calls: `tsconfigFile` names a
 *   file that does not exist so the preprocessor is skipped. @swc/jest transpiles; `tsc --noEmit` typechecks.
 */
import { execFileSync } from 'node:child_process';

const CORE = [
  'shared/decide.ts',
  'shared/guards.ts',
  'shared/coverage.ts',
  'shared/engine.ts',
  'shared/fence.ts',
  'shared/health.ts',
  'shared/link.ts',
  // Safety paths of the edges: what a retry would do, and who may drain routes at all.
  'functions/adapters/aws-errors.ts',
  'gcp-functions/auth.ts',
];

function changedSince(ref) {
  const out = execFileSync('git', ['diff', '--name-only', `${ref}...HEAD`, '--', ...CORE], { encoding: 'utf8' });
  const working = execFileSync('git', ['diff', '--name-only', 'HEAD', '--', ...CORE], { encoding: 'utf8' });
  return [...new Set(`${out}\n${working}`.split('\n').filter(Boolean))];
}

const since = process.env.MUTATE_SINCE;
const mutate = since ? changedSince(since) : CORE;
if (since) {
  console.log(`mutating the files changed since ${since}: ${mutate.join(', ') || 'none'}`);
  // Nothing of the mutated code changed: nothing to test (Stryker would still run the whole dry run).
  if (mutate.length === 0) process.exit(0);
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.mutate.config.js', enableFindRelatedTests: true },
  coverageAnalysis: 'perTest',
  tsconfigFile: 'tsconfig.stryker-none.json',
  mutate,
  ignorePatterns: ['dist', '.serverless', '.esbuild', '.build', 'coverage', 'bench/results*', '*.sim.json', '*.ledger.json'],
  // The machine is shared: one test runner at a time.
  concurrency: 1,
  // A mutant's tests may take timeoutFactor × their time in the first run + timeoutMS before the mutant counts as
  // a timeout (detected). Generous, because the machine is shared: a run slowed down by other work must not pass
  // for a kill (on a loaded 2-core machine one mutant's jest run can take 20 s).
  timeoutFactor: 3,
  timeoutMS: 60000,
  incremental: true,
  // One file for full and partial runs: a run over some files keeps the other files' earlier results.
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: 85 },
};
