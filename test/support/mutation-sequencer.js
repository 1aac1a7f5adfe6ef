/**
 * Mutation runs only: smallest test files first. They are the focused unit and table tests, quick to load and the
 * likeliest to kill a mutant, so with the bail-out (mutation-environment.js) a killed mutant rarely reaches the
 * long property and scenario suites. Jest's default order (slowest first) is the opposite of what a bail wants.
 */
const { statSync } = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

class SmallestFirst extends Sequencer {
  sort(tests) {
    const size = (t) => statSync(t.path).size;
    return [...tests].sort((a, b) => size(a) - size(b) || a.path.localeCompare(b.path));
  }
}

module.exports = SmallestFirst;
