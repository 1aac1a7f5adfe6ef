/**
 * Mutation runs only: jest's own runner, file by file, that stops loading test files once the active mutant is
 * killed (see mutation-environment.js). Loading a file costs as much as running its tests here, so a mutant killed
 * by the first small file no longer pays for the other twenty. The files it never ran are not reported: Stryker needs
 * only the failure. Outside a mutant run, or with workers, it is jest's runner unchanged.
 */
const TestRunner = require('jest-runner').default;
const { activeMutantKilled } = require('./mutation-environment');

class MutationBailRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    if (!options.serial || process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) return super.runTests(tests, watcher, options);
    for (const test of tests) {
      if (activeMutantKilled()) return;
      await super.runTests([test], watcher, options);
    }
  }
}

module.exports = MutationBailRunner;
