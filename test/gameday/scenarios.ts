/** What the game-day tests share: the repository's deployed definitions, the built-in scenarios, small inline ones. */
import { join } from 'node:path';
import { loadDeployed } from '../../gameday/deployed';
import { loadScenarioFile, parseScenario, type Scenario } from '../../gameday/scenario';

export const ROOT = join(__dirname, '..', '..');
export const SCENARIOS = join(ROOT, 'gameday', 'scenarios');
export const deployed = loadDeployed(ROOT);

/** A built-in scenario, with fields replaced (`clouds`, `seed`, `events`…). */
export const scenario = (name: string, over: Partial<Scenario> = {}): Scenario => ({
  ...loadScenarioFile(join(SCENARIOS, `${name}.json`)),
  ...over,
});

/** A small inline scenario on the built-in topology: 10,000 pps each way, no events unless given. */
export const make = (over: Record<string, unknown>): Scenario =>
  parseScenario({ name: 'x', minutes: 60, traffic: { gcpToAwsPps: 10_000, awsToGcpPps: 10_000 }, events: [], ...over });
