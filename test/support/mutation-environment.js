/**
 * Mutation runs only (jest.mutate.config.js): the node environment, plus a bail-out. Stryker wants a mutant's run to
 * stop at its first failing test (one failure kills the mutant), but jest cannot bail programmatically, so without
 * this every killed mutant would still run every covering test — on this project nearly the whole selection, since
 * every decision passes through the guards. Once a test fails while a mutant is active, every later test of that
 * run's file is skipped (jest-circus checks `mode` after `test_start`) and mutation-runner.js loads no further file.
 * Outside a mutant run it changes nothing.
 */
const { TestEnvironment } = require('jest-environment-node');

/** Stryker sets the active mutant's id in this variable for each mutant run (one id per run). */
const ACTIVE = '__STRYKER_ACTIVE_MUTANT__';
/** The mutant whose run already has a failure. Module state: it outlives the per-file environment instances. */
let killed;

const activeMutant = () => process.env[ACTIVE];
/** Has a test already failed in this mutant's run? */
const activeMutantKilled = () => activeMutant() !== undefined && killed === activeMutant();

class MutationBailEnvironment extends TestEnvironment {
  handleTestEvent(event) {
    const mutant = activeMutant();
    if (mutant === undefined) return;
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') killed = mutant;
    else if (event.name === 'test_start' && killed === mutant) event.test.mode = 'skip';
  }
}

module.exports = MutationBailEnvironment;
module.exports.activeMutantKilled = activeMutantKilled;
