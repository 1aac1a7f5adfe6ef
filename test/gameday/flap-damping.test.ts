/**
 * Flap damping: tunnel-guard logs a drain that trips flap damping as `suppress` (the tunnel stays drained until an
 * operator releases it), but it is a drain all the same and counts in `drains`.
 */
import { runScenario } from '../../gameday/run';
import { deployed, make } from './scenarios';

// tunnel-aws-1 loses 5 % for 3 minutes every 12: long enough clean for tunnel-guard to restore, then it relapses.
// The fourth drain within the hour is more than `maxFlaps` (3).
const relapsing = make({
  name: 'relapsing',
  minutes: 50,
  probes: true,
  events: [5, 17, 29, 41].map((at) => ({ at, until: at + 3, tunnel: 'tunnel-aws-1', loss: 0.05 })),
});

describe('drains under flap damping', () => {
  it('count in drains: four drains of each end, the last under flap damping, which then keeps the tunnel drained', async () => {
    const { result, timelines } = await runScenario(relapsing, deployed, ['tunnel-guard']);
    const tg = result.strategies['tunnel-guard'];
    const decisions = timelines['tunnel-guard'].decisions;
    const drains = decisions.filter((d) => d.kind === 'drain');
    expect(tg.drains).toBe(drains.length);
    expect(tg.drains).toBe(8);
    expect(tg.restores).toBe(6);
    // After the fourth drain the engine refuses to restore: flapping.
    const damped = decisions.filter((d) => d.kind === 'suppress');
    expect(damped.length).toBeGreaterThan(0);
    for (const d of damped) expect(d.summary).toMatch(/flapping: drained 4 times/);
    const lastDrain = Math.max(...drains.map((d) => d.t));
    expect(damped.every((d) => d.t >= lastDrain)).toBe(true);
  });
});
