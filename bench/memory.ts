/**
 * Peak RSS when draining and restoring 1000 paths, each in a fresh child process, against the same child doing
 * nothing (node + the loaded code): once with the cloud in memory as the real adapters see it, once with the heap
 * capped at 64 MB (does it fit a 128 MB Lambda?), and once on the simulator file (which re-reads and validates its
 * ~1 MB JSON world on every call — the simulator's cost, not tunnel-guard's).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function benchMemory(self: string, n: number) {
  const run = (mode: string, nodeArgs: string[] = []) => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-mem-'));
    try {
      const r = spawnSync(process.execPath, [...nodeArgs, self, mode, String(n), join(dir, 'sim.json')], { encoding: 'utf8' });
      if (r.status !== 0)
        return { maxRssMB: Number.NaN, error: r.stderr.split('\n').find((l) => /Error|heap/.test(l)) ?? `exit ${r.status}` };
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as { maxRssMB: number };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const idle = run('--memory-child-idle');
  const rows = [
    { run: 'idle (baseline)', ...idle },
    { run: `drain + restore ${n} paths (cloud in memory)`, ...run('--memory-child') },
    { run: `same, heap capped at 64 MB`, ...run('--memory-child', ['--max-old-space-size=64']) },
    { run: `same on the simulator file`, ...run('--memory-child-sim') },
  ].map((r) => ({ ...r, vsIdle: +(r.maxRssMB / idle.maxRssMB).toFixed(2) }));
  return { paths: n, rows };
}
