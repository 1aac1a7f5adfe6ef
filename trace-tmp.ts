import { runScenario } from './gameday/run';
import { loadDeployed } from './gameday/deployed';
import { loadScenarioFile } from './gameday/scenario';
(async () => {
  const sc = loadScenarioFile(process.argv[2]!);
  const out = await runScenario(sc, loadDeployed('/work/main'), [process.argv[3] ?? 'tunnel-guard'] as any);
  const tl = (out as any).timelines[process.argv[3] ?? 'tunnel-guard'];
  for (const s of tl.signals) console.log('S', s.t, s.text.slice(0, 140));
  for (const d of tl.decisions) console.log('D', d.t, d.kind, d.tunnelId.split(':').slice(-2).join(':'), d.summary.slice(0, 300));
})();
