/**
 * Test order for mutation runs: the fast, pure tests first, the slow end-to-end and property suites last.
 * Stryker stops a mutant's run at the first failing test, and jest's default order (slowest first) would start
 * every run with the slowest suite.
 */
const FIRST = [
  'test/core/decide.table.test.ts',
  'test/core/signal-mark.test.ts',
  'test/core/decide-details.test.ts',
  'test/core/coverage.test.ts',
  'test/core/health.test.ts',
  'test/core/fence.test.ts',
  'test/core/link-rules.test.ts',
  'test/aws/aws-errors.test.ts',
  'test/gcp/auth.test.ts',
  'test/gcp/auth-rules.test.ts',
  'test/core/engine-read-back.test.ts',
  'test/core/engine-report.test.ts',
  'test/core/engine.test.ts',
  'test/core/link.test.ts',
  'test/reliability/review-regressions.test.ts',
];
const LAST = ['test/core/never-black-hole.property.test.ts', 'test/reliability/crash-every-step.test.ts'];

const rank = (path) => {
  const p = path.replace(/\\/g, '/');
  const first = FIRST.findIndex((f) => p.endsWith(f));
  if (first >= 0) return first;
  const last = LAST.findIndex((f) => p.endsWith(f));
  return last >= 0 ? 1000 + last : 500;
};

class MutationSequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
  cacheResults() {}
  allFailedTests(tests) {
    return tests;
  }
  shard(tests) {
    return tests;
  }
}

module.exports = MutationSequencer;
