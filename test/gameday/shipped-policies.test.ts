/** The game day evaluates whatever ships: every shipped alert policy parses in its model, none is skipped. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadShippedPolicies } from '../../gameday/model/gcp-alerts';

it('loads every shipped GCP alert policy, the dropped-packets pair and the anchored clear included', () => {
  const dir = join(__dirname, '..', '..', 'deploy', 'gcp');
  const files = readdirSync(dir).filter((f) => /^alert-policy-.*\.json$/.test(f));
  const policies = loadShippedPolicies(dir);
  expect(policies.map((p) => p.file.split('/').pop()).sort()).toEqual(files.sort());
  expect(policies.map((p) => p.userLabels['tunnel-guard-monitor'])).toEqual(expect.arrayContaining(['dropped-packets', 'loss-ratio']));
});
