/** Placeholder replaced below. */
import type { RunOutput } from './run';
import type { Scenario } from './scenario';
export function renderHtml(outputs: { scenario: Scenario; out: RunOutput }[]): string {
  return `<!doctype html><title>game day</title>${outputs.length}`;
}
