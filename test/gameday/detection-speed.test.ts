/**
 * Two speeds of detection, measured where they matter — on the game day with the shipped alarms and alert policies:
 * heavy loss is cut within a small multiple of the clouds' detection floor, and short blips change nothing.
 */
import { join } from 'node:path';
import { loadDeployed } from '../../gameday/deployed';
import { runScenario } from '../../gameday/run';
import { loadScenarioFile } from '../../gameday/scenario';

const ROOT = join(__dirname, '..', '..');
const deployed = loadDeployed(ROOT);
const run = (name: string) =>
  runScenario(loadScenarioFile(join(ROOT, 'gameday', 'scenarios', `${name}.json`)), deployed, ['none', 'tunnel-guard']);

it.each([
  ['heavy-loss', 1.5],
  ['heavy-loss-probes', 2.5],
])('%s: 30 %% loss is mitigated within %f× the detection floor', async (name, factor) => {
  const { result } = await run(name);
  const tg = result.strategies['tunnel-guard'];
  expect(result.floorSeconds).not.toBeNull();
  expect(tg.timeToMitigateSeconds).not.toBeNull();
  expect(tg.timeToMitigateSeconds!).toBeLessThanOrEqual(factor * result.floorSeconds!);
  expect(tg.lostPackets.total).toBeLessThan(result.strategies.none.lostPackets.total / 10);
});

it.each(['blip', 'blip-probes', 'blip-light', 'blip-light-probes'])('%s: a short blip changes no route', async (name) => {
  const { result } = await run(name);
  expect(result.strategies['tunnel-guard'].routeChanges).toBe(0);
});
