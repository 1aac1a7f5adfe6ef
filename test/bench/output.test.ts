/**
 * `npm run bench` must not rewrite a tracked file on every run: its numbers go under dist/ unless `--write` asks for
 * the committed bench/results.json.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TRACKED_RESULTS, UNTRACKED_RESULTS, resultsFile } from '../../bench/output';

const ROOT = join(__dirname, '..', '..');

it('writes an ordinary run where git does not look, and bench/results.json only with --write', () => {
  expect(resultsFile([])).toBe(UNTRACKED_RESULTS);
  expect(resultsFile(['--write'])).toBe(TRACKED_RESULTS);
  const ignored = (p: string) => spawnSync('git', ['check-ignore', '-q', p], { cwd: ROOT }).status === 0;
  expect(ignored(UNTRACKED_RESULTS)).toBe(true);
  expect(ignored(TRACKED_RESULTS)).toBe(false);
});
