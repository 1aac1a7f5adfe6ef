/**
 * The AWS edge's metrics: CloudWatch embedded metric format lines written by the real handlers on the simulator,
 * checked against the format's rules (every declared metric and dimension is a member of the same line).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeAws } from '../../functions/compose';
import { makeReconcileHandler, makeTunnelAlarmHandler } from '../../functions/handlers';
import { emfDocument } from '../../functions/metrics';
import { jsonLogger, memoryLogger } from '../../shared/log';
import { METRIC_NAMES as N } from '../../shared/metrics';

const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/aws', name), 'utf8'));
const T1 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11';
const T2 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.12';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'tg-aws-metrics-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The EMF rules this project relies on; returns what is wrong (empty: valid). */
function emfProblems(line: any): string[] {
  const problems: string[] = [];
  const directives = line._aws?.CloudWatchMetrics;
  if (typeof line._aws?.Timestamp !== 'number') problems.push('no numeric _aws.Timestamp');
  if (!Array.isArray(directives) || directives.length === 0) return [...problems, 'no CloudWatchMetrics'];
  for (const d of directives) {
    if (d.Namespace !== N.namespace) problems.push(`namespace ${d.Namespace}`);
    for (const set of d.Dimensions)
      for (const k of set) if (typeof line[k] !== 'string') problems.push(`dimension ${k} is not a string member`);
    for (const m of d.Metrics) if (typeof line[m.Name] !== 'number') problems.push(`metric ${m.Name} is not a number member`);
  }
  return problems;
}

const emf = (entries: any[]) => entries.filter((e) => e._aws);

it('publishes a drain, then every tunnel out of service, as valid EMF lines before the invocation line', async () => {
  const logger = memoryLogger();
  const edge = composeAws(
    { TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'), TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '600' },
    { logger, cwd: dir },
  );
  await makeTunnelAlarmHandler(edge)(fixture('example-tunnel-degraded-alarm.json'));
  const drain = emf(logger.entries);
  expect(drain).toHaveLength(1);
  expect(drain[0]).toMatchObject({ Cloud: 'aws', Tunnel: T1, [N.drains]: 1 });
  expect(drain[0]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Cloud', 'Tunnel'], ['Cloud']]);
  expect(logger.entries.at(-1)).toMatchObject({ handler: 'tunnelAlarm' }); // the invocation's line stays last

  logger.entries.splice(0);
  await makeReconcileHandler(edge)();
  const seen = emf(logger.entries);
  for (const line of seen) expect(emfProblems(line)).toEqual([]);
  const tunnels = Object.fromEntries(seen.filter((l) => l.Tunnel).map((l) => [l.Tunnel, l[N.outOfService]]));
  // A static VGW connection drains as a whole: both of its tunnels are out of service.
  expect(tunnels).toMatchObject({ [T1]: 1, [T2]: 1 });
  expect(seen.find((l) => !l.Tunnel)).toMatchObject({ Cloud: 'aws', [N.tunnelsOutOfService]: 2 });
  expect(logger.entries.at(-1)).toMatchObject({ handler: 'reconcile' });
});

it('writes each EMF document as one JSON line whose top level is the document (what CloudWatch Logs parses)', () => {
  const lines: string[] = [];
  const doc = emfDocument(
    { kind: 'refusal', dimensions: { Cloud: 'aws', Guard: 'black-hole' }, values: { Refusals: { value: 1, unit: 'Count' } } },
    new Date(0),
  );
  jsonLogger((l) => lines.push(l)).log(doc);
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toContain('\n');
  const parsed = JSON.parse(lines[0]!);
  expect(emfProblems(parsed)).toEqual([]);
  expect(parsed._aws.CloudWatchMetrics[0]).toEqual({
    Namespace: 'TunnelGuard',
    Dimensions: [['Cloud', 'Guard']],
    Metrics: [{ Name: 'Refusals', Unit: 'Count' }],
  });
});
