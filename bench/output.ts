/**
 * Where `npm run bench` writes its numbers. A run on a shared, noisy machine is not a result to commit by accident, so
 * by default it goes under dist/ (ignored by git); `npm run bench -- --write` replaces bench/results.json, the run that
 * docs/performance.md quotes.
 */
import { join } from 'node:path';

export const UNTRACKED_RESULTS = join('dist', 'bench', 'results.json');
export const TRACKED_RESULTS = join('bench', 'results.json');

/** The file a run with these arguments writes, relative to the project root. */
export function resultsFile(args: readonly string[]): string {
  return args.includes('--write') ? TRACKED_RESULTS : UNTRACKED_RESULTS;
}
