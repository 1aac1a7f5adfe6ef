/**
 * Probe data points that never arrive: an alarm over periods with no data lapses into INSUFFICIENT_DATA, and no
 * strategy drains on absent data.
 */
import { PROBE_MISSING, runScenario } from '../../gameday/run';
import { deployed, scenario } from './scenarios';

// Loss only on GCP→AWS: no cloud metric sees it, only the probes do — so without their data nothing can act.
const blind = () => scenario('gcp-to-aws-only-probes');

describe('missing probe data points', () => {
  it('leave the probe alarms in INSUFFICIENT_DATA when every point goes missing, and nothing drains on absent data', async () => {
    let calls = -1;
    const { result, timelines } = await runScenario(blind(), deployed, ['naive', 'tunnel-guard'], {
      probeMissing: 1,
      onWorld: (name, world) => {
        if (name === 'tunnel-guard') calls = world.sim.stats().mutatingCalls;
      },
    });
    for (const name of ['naive', 'tunnel-guard'] as const) {
      const probeSignals = timelines[name].signals.filter((s) => s.kind === 'probe');
      expect(probeSignals.length).toBeGreaterThan(0);
      expect(probeSignals.every((s) => s.text.startsWith('AWS alarm INSUFFICIENT_DATA:'))).toBe(true);
      expect(result.strategies[name]).toMatchObject({ drains: 0, routeChanges: 0 });
    }
    // tunnel-guard did not even try to change a route.
    expect(calls).toBe(0);
  });

  it('are what stops them: with the points arriving, the same loss trips the probe alarms and both strategies drain', async () => {
    const { result, timelines } = await runScenario(blind(), deployed, ['naive', 'tunnel-guard'], { probeMissing: 0 });
    for (const name of ['naive', 'tunnel-guard'] as const) {
      expect(timelines[name].signals.some((s) => s.kind === 'probe' && s.text.startsWith('AWS alarm ALARM:'))).toBe(true);
      expect(timelines[name].signals.some((s) => s.text.includes('INSUFFICIENT_DATA'))).toBe(false);
      expect(result.strategies[name].drains).toBeGreaterThan(0);
    }
  });

  it('go missing at the assumed rate unless a test says otherwise', async () => {
    const a = await runScenario(blind(), deployed, ['tunnel-guard']);
    const b = await runScenario(blind(), deployed, ['tunnel-guard'], { probeMissing: PROBE_MISSING });
    expect(b.result).toEqual(a.result);
  });
});
