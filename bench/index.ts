/**
 * `npm run bench`: every comparison measured side by side in one run; prints a table and writes the numbers to
 * dist/bench/results.json (`-- --write`: bench/results.json, the committed run; see output.ts). Not part of `npm test`
 * (these machines are shared and noisy: read the ratios).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { handleSignal, runCommand } from '../shared/engine';
import { MemoryLedger } from '../simulator/memory-ledger';
import { silentLogger } from '../shared/log';
import { DEFAULT_POLICY } from '../shared/policy';
import { memoryWorld } from './memory-ports';
import { benchAuthTiming } from './auth-timing';
import { benchColdStart } from './cold-start';
import { benchDecide } from './decide-cost';
import { benchMemory } from './memory';
import { resultsFile } from './output';
import { LATENCY_MS, OPERATION_MS, benchRemediation, drainOnce } from './remediation';
import { CLOUD_LATENCY_MS, GCS_LATENCY_MS, benchReconcile } from './reconcile';

async function memoryChild(mode: string, n: number, file: string) {
  if (mode === '--memory-child-sim') await drainOnce(n, DEFAULT_POLICY, { latencyMs: 0, operationMs: 0 }, file);
  if (mode === '--memory-child') {
    const { ports, tunnelId } = memoryWorld(n);
    const deps = {
      clouds: { gcp: ports },
      ledger: new MemoryLedger(),
      notifier: { notify: async () => undefined },
      clock: { now: () => new Date() },
      logger: silentLogger,
      policy: DEFAULT_POLICY,
    };
    const d = await handleSignal(deps, {
      tunnelId,
      health: 'degraded',
      observedAt: new Date().toISOString(),
      source: 'bench',
      key: 'm1',
      evidence: 'bench',
    });
    const r = await runCommand(deps, { type: 'restore', tunnelId, force: true });
    if (d.results.length !== n || r.results.length !== n || !d.ok || !r.ok) throw new Error('memory bench: drain/restore incomplete');
  }
  console.log(JSON.stringify({ maxRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(1) }));
}

async function main() {
  const [mode, n, file] = process.argv.slice(2);
  if (mode?.startsWith('--memory-child')) return memoryChild(mode, Number(n), file!);
  const quick = process.env.BENCH_QUICK === '1';
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  log(`tunnel-guard bench on ${machine.cpu} (${machine.cores} cores, ${machine.memGiB} GiB), node ${machine.node}`);
  log(`remediation: ${LATENCY_MS} ms per API call, ${OPERATION_MS} ms per operation, concurrency ${DEFAULT_POLICY.concurrency}`);
  const remediation = await benchRemediation(quick ? [1, 10, 100] : [1, 10, 100, 1000], log);
  log(`reconcile: ${CLOUD_LATENCY_MS} ms per cloud list call, ${GCS_LATENCY_MS} ms per Cloud Storage request (real client, fake API)`);
  const reconcileRow = await benchReconcile(log);
  log('decision cost…');
  const decision = benchDecide();
  log('cold start…');
  const coldStart = await benchColdStart(quick ? 3 : 7);
  log('memory…');
  const memory = benchMemory(__filename, 1000);
  log('webhook authentication timing…');
  const authTiming = benchAuthTiming();
  const results = {
    when: new Date().toISOString(),
    machine,
    remediation,
    reconcile: reconcileRow,
    decision,
    coldStart,
    memory,
    authTiming,
  };
  const out = resultsFile(process.argv.slice(2));
  mkdirSync(dirname(join(process.cwd(), out)), { recursive: true });
  writeFileSync(
    join(process.cwd(), out),
    `${JSON.stringify(results, null, 2)}
`,
  );

  console.log('\nRemediation (drain one tunnel with N routes; simulator with injected latency)');
  console.table(
    remediation.map((r) => ({
      N: r.n,
      'tunnel-guard ms': r.tunnelGuardMs,
      'sequential ms': r.sequentialMs,
      'lower bound ms': r.lowerBoundMs,
      'speed-up vs sequential': `${r.speedupVsSequential}×`,
      'vs lower bound': `${r.ratioToLowerBound}×`,
      'restore ms': r.restoreMs,
    })),
  );
  console.log('Reconcile (200 tunnels, 20 drained and still degraded: nothing to do; per record = before, one snapshot = now)');
  console.table([
    {
      'per record ms': reconcileRow.perRecordMs,
      'snapshot ms': reconcileRow.snapshotMs,
      speedup: `${reconcileRow.speedup}×`,
      'per record calls (cloud + ledger)': `${reconcileRow.perRecordCloudCalls} + ${reconcileRow.perRecordLedgerRequests}`,
      'snapshot calls (cloud + ledger)': `${reconcileRow.snapshotCloudCalls} + ${reconcileRow.snapshotLedgerRequests}`,
      'fewer calls': `${reconcileRow.callRatio}×`,
    },
  ]);
  console.log('Decision cost (decide(), 100 tunnels × 100 prefixes)');
  console.table([{ 'decide() CPU ms': decision.decideMs, 'naive coverage ms': decision.naiveCoverageMs, speedup: `${decision.speedup}×` }]);
  console.log('Cold start (median of fresh node processes)');
  console.table([{ bundle: 'empty node process', sizeMB: 0, ...coldStart.emptyProcess }, ...coldStart.bundles]);
  console.log('Memory (peak RSS of a fresh process: drain + restore of 1000 paths vs the same process idle)');
  console.table(memory.rows);
  console.log(`Webhook authentication (median ns per check; wrong tokens differ by ${authTiming.wrongTokenSpread}× max/min)`);
  console.table(authTiming.rows);
  console.log(`wrote ${out}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
