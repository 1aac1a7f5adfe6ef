/**
 * The jest configuration for mutation runs (`npm run mutate`): the same transform and environment as
 * jest.config.js, over the tests that exercise the mutated files, with the seeded property suites cut down.
 * Each mutant re-runs every test that covers it, so a 1,000-run property would dominate the run while adding
 * little over the table and scenario tests; the full suite (`npm test`) still runs every property at full size.
 */
const path = require('node:path');
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: [
    '<rootDir>/test/core/**/*.test.ts',
    '<rootDir>/test/reliability/**/*.test.ts',
    // The adapters' safety paths by their unit tests (the adapter suites start HTTP fakes: slow per mutant).
    '<rootDir>/test/aws/aws-errors.test.ts',
    '<rootDir>/test/gcp/auth.test.ts',
    '<rootDir>/test/gcp/auth-rules.test.ts',
  ],
  testPathIgnorePatterns: [
    // Read files, not behaviour: no mutant of the core can change their outcome.
    '/test/core/readme\\.test\\.ts$',
    '/test/core/architecture\\.test\\.ts$',
    // Fixed-size seeded properties (~11 s per covering mutant); the scenario tests cover the same paths.
    '/test/reliability/delivery\\.property\\.test\\.ts$',
    // Log redaction through both edges (loads both cloud SDKs for every covering mutant); not a core behaviour.
    '/test/reliability/no-secret-in-logs\\.test\\.ts$',
    // Crash at every step on the simulator's file-backed ports (~10 s per covering mutant). Its promise — nothing
    // lost at any crash point — stays in npm test; here the engine is pinned by its own tests.
    '/test/reliability/crash-every-step\\.test\\.ts$',
  ],
  setupFiles: [...base.setupFiles, '<rootDir>/test/support/mutation-env.js'],
  // A mutant that leaves a promise hanging fails here in 10 s, not 30: no test of this selection needs more than 2.
  testTimeout: 10000,
  // A killed mutant stops at its first failing test, and the focused tests go first: see the three files.
  // Absolute paths: Stryker resolves the environment itself, before jest would expand <rootDir>.
  testEnvironment: path.join(__dirname, 'test/support/mutation-environment.js'),
  runner: path.join(__dirname, 'test/support/mutation-runner.js'),
  testSequencer: path.join(__dirname, 'test/support/mutation-sequencer.js'),
};
