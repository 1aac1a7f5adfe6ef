/**
 * Peak RSS when draining and restoring 1000 paths on the simulator, measured in a child process, against the same
 * child doing nothing (the baseline of node + the loaded code).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function benchMemory(self: string, n: number) {
  const run = (mode: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-mem-'));
    try {
      const r = spawnSync(process.execPath, [self, mode, String(n), join(dir, 'sim.json')], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`memory child failed: ${r.stderr.slice(0, 500)}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { maxRssMB: number };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const idle = run('--memory-child-idle');
  const work = run('--memory-child');
  return { paths: n, idleMaxRssMB: idle.maxRssMB, drainRestoreMaxRssMB: work.maxRssMB, ratio: +(work.maxRssMB / idle.maxRssMB).toFixed(2) };
}
