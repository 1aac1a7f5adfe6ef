/**
 * Transient failures: a seeded share of the clouds' mutating calls fails (503); the edges retry, the drains still
 * land, and the same seed fails the same calls.
 */
import { DEFAULT_FAIL_RATE, runScenario, type RunOptions } from '../../gameday/run';
import type { Scenario } from '../../gameday/scenario';
import { deployed, scenario } from './scenarios';

const run = async (over: Partial<Scenario>) => {
  const calls: { mutatingCalls: number; applied: number }[] = [];
  const onWorld: RunOptions['onWorld'] = (_name, world) => calls.push(world.sim.stats());
  const { result } = await runScenario(scenario('seed-incident-probes', over), deployed, ['tunnel-guard'], { onWorld });
  return { result: result.strategies['tunnel-guard'], calls: calls[0]! };
};

describe('transient cloud failures', () => {
  it('fail calls at the forced rate; the edges retry and every route change still lands', async () => {
    const clean = await run({ clouds: { failRate: 0 } });
    expect(clean.calls.mutatingCalls).toBe(clean.calls.applied);
    const flaky = await run({ clouds: { failRate: 0.5 } });
    expect(flaky.calls.mutatingCalls).toBeGreaterThan(flaky.calls.applied);
    expect(flaky.calls.applied).toBe(clean.calls.applied);
    expect(flaky.result).toMatchObject({
      drains: clean.result.drains,
      restores: clean.result.restores,
      routeChanges: clean.result.routeChanges,
    });
  });

  it('fail the same calls for the same seed, other calls for another', async () => {
    const a = await run({ clouds: { failRate: 0.5 }, seed: 1 });
    const b = await run({ clouds: { failRate: 0.5 }, seed: 1 });
    expect(b).toEqual(a);
    const c = await run({ clouds: { failRate: 0.5 }, seed: 2 });
    expect(c.calls.mutatingCalls).not.toBe(a.calls.mutatingCalls);
  });

  it('happen at the assumed rate when a scenario says nothing', async () => {
    const byDefault = await run({});
    expect(byDefault).toEqual(await run({ clouds: { failRate: DEFAULT_FAIL_RATE } }));
    // At the assumed 1 %, this scenario's seed fails one of its calls.
    expect(byDefault.calls.mutatingCalls).toBe(byDefault.calls.applied + 1);
  });
});
