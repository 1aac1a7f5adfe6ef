/**
 * The promise, measured on every built-in scenario with the shipped alarms and policies: tunnel-guard loses no more
 * than doing nothing, and where capacity and drop reasons are the question, it neither overloads a survivor nor
 * moves routes that cannot help. The published table (docs/gameday.md) has every strategy; this keeps the promise from
 * quietly breaking.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadDeployed } from '../../gameday/deployed';
import { builtInScenarioFiles } from '../../gameday/main';
import { runScenario, type ScenarioResult } from '../../gameday/run';
import { loadScenarioFile } from '../../gameday/scenario';

const ROOT = join(__dirname, '..', '..');
const deployed = loadDeployed(ROOT);
const results = new Map<string, ScenarioResult>();

beforeAll(async () => {
  for (const file of builtInScenarioFiles(ROOT)) {
    const { result } = await runScenario(loadScenarioFile(file), deployed, ['none', 'tunnel-guard']);
    results.set(result.scenario, result);
  }
}, 600_000);

const of = (name: string) => {
  const r = results.get(name);
  if (!r) throw new Error(`no built-in scenario ${name}`);
  return { none: r.strategies.none, tg: r.strategies['tunnel-guard'] };
};

it('loses no more than doing nothing in any built-in scenario', () => {
  const files = readdirSync(join(ROOT, 'gameday', 'scenarios')).filter((f) => f.endsWith('.json') && !f.endsWith('.world.json'));
  expect(results.size).toBe(files.length);
  const worse = [...results.values()]
    .filter((r) => r.strategies['tunnel-guard'].lostPackets.total > r.strategies.none.lostPackets.total)
    .map((r) => `${r.scenario}: ${r.strategies['tunnel-guard'].lostPackets.total} > ${r.strategies.none.lostPackets.total}`);
  expect(worse).toEqual([]);
});

it('near capacity: no more throttled than doing nothing, and fewer packets lost', () => {
  const { none, tg } = of('near-capacity');
  expect(tg.throttledPackets).toBeLessThanOrEqual(none.throttledPackets);
  expect(tg.lostPackets.total).toBeLessThan(none.lostPackets.total);
});

it('overload alone: no more throttled or lost than doing nothing', () => {
  const { none, tg } = of('overload');
  expect(tg.throttledPackets).toBeLessThanOrEqual(none.throttledPackets);
  expect(tg.lostPackets.total).toBeLessThanOrEqual(none.lostPackets.total);
});

it('an MTU problem on every tunnel moves no route', () => {
  expect(of('mtu-every-tunnel').tg.routeChanges).toBe(0);
});

it('loss in one direction on each of two tunnels, with probes: below doing nothing', () => {
  const { none, tg } = of('one-direction-each-probes');
  expect(tg.lostPackets.total).toBeLessThan(none.lostPackets.total);
});

it('a relapse during the hold-down and a flapping tunnel: no restore into loss, the two ends never disagree', () => {
  for (const name of ['relapse-hold-down-probes', 'flapping-probes']) {
    expect(of(name).tg.restoresIntoLoss).toBe(0);
    expect(of(name).tg.disagreeMinutes).toBe(0);
  }
});
