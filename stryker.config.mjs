// @ts-check
/**
 * Mutation testing of the core and the adapters' safety paths (`npm run mutate`; not part of `npm test`).
 *
 * - Incremental: results are kept in reports/stryker-incremental.json (gitignored), so a re-run tests only the
 *   mutants whose code or covering tests changed. `npm run mutate -- --force` re-tests everything.
 * - Time box for CI (`npm run mutate:ci`): MUTATE_SINCE=<git ref> limits mutation to the files below that
 *   changed since that ref (default origin/main) or in the working tree; with none changed it exits at once.
 *   A run of one or two changed files takes a few minutes; a full run of every file, about an hour on 2 cores.
 * - Speed: a mutant's jest run stops at its first failing test and loads no further test file (the bail-out Stryker
 *   asks for but jest lacks; see jest.mutate.config.js), so a killed mutant costs a fraction of a second and only
 *   the survivors run everything. Concurrency is Stryker's default (cores - 1); `-- --concurrency 2` on a quiet
 *   2-core machine.
 * - TypeScript 7 has no JavaScript API, which Stryker's TypeScript preprocessor calls: `tsconfigFile` names a
 *   file that does not exist so the preprocessor is skipped. @swc/jest transpiles; `tsc --noEmit` typechecks.
 */
import { execFileSync } from 'node:child_process';

const CORE = [
  'shared/decide/*.ts',
  'shared/guards.ts',
  'shared/coverage.ts',
  'shared/engine/*.ts',
  'shared/health.ts',
  'shared/links/rules.ts',
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
  // A mutant's tests may take timeoutFactor × their time in the first run + timeoutMS before the mutant counts as
  // a timeout (detected): a mutant that loops forever is stopped within seconds of its tests' usual time. Three
  // times the measured time absorbs a machine slowed down by other work; a hung promise fails jest's own 10 s
  // test timeout first (jest.mutate.config.js).
  timeoutFactor: 3,
  timeoutMS: 15000,
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
