/**
 * Mutation runs only: the most discriminating test files first. With the bail-out (mutation-environment.js) a killed
 * mutant stops at its first failing test and loads no further file, so the order decides the cost: the decision
 * tables and the engine's unit tests kill most mutants of the core, and go first; the rest follow smallest first;
 * the long scenario and property suites go last. Jest's default order (slowest first) is the opposite of what a bail
 * wants — with it, a decision mutant killed only by the table first paid for every other file.
 */
const { statSync } = require('node:fs');
const { basename } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = [
  // the decision table, split by trigger (test/core/decide/)
  'signal.table.test.ts',
  'reconcile.table.test.ts',
  'operator.table.test.ts',
  'resume.table.test.ts',
  'decide-details.test.ts',
  'engine.test.ts',
  'engine-report.test.ts',
  'engine-read-back.test.ts',
  'guards.test.ts',
  'coverage.test.ts',
];
const LAST = ['never-black-hole.property.test.ts'];

const rank = (path) => {
  const name = basename(path);
  if (FIRST.includes(name)) return FIRST.indexOf(name) - FIRST.length;
  if (LAST.includes(name)) return 1 + LAST.indexOf(name);
  return 0;
};

class MostDiscriminatingFirst extends Sequencer {
  sort(tests) {
    const size = (t) => statSync(t.path).size;
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || size(a) - size(b) || a.path.localeCompare(b.path));
  }
}

module.exports = MostDiscriminatingFirst;
