/**
 * `tunnel-guard invoke aws|gcp <file>`: run an edge's handler on an event file against the simulator, print the
 * result, and turn it into the CLI's exit code. The edges write their log lines to stderr themselves, so stdout
 * carries only the result and can be piped to jq.
 */
import { readFileSync } from 'node:fs';
import { resolveFromCaller } from '../../config/source';
import { errorMessage } from '../../shared/errors';
import { DEFAULT_SIMULATOR_FILE } from '../compose';
import { loadInvoker } from '../invoke-loader';
import { EXIT, UsageError, type CliIo, type ExitCode } from '../io';
import type { Register } from '../session';
import { simulatorOnly } from '../targets/target';

const EDGES = [
  { cloud: 'aws', arg: '<event>', help: 'run the Lambda handler on an EventBridge/SNS/alarm-action event JSON file' },
  { cloud: 'gcp', arg: '<payload>', help: 'run the Cloud Function handler on a Cloud Monitoring webhook payload JSON file' },
] as const;

export const invoke: Register = (program, s) => {
  const group = program
    .command('invoke')
    .description('run an edge handler locally against the simulator')
    .addHelpText(
      'after',
      '\nExamples:\n  tunnel-guard invoke aws test/fixtures/aws/eventbridge-single-metric.json | jq .reports\n  tunnel-guard invoke gcp incident.json\n',
    );
  for (const edge of EDGES)
    group
      .command(`${edge.cloud} ${edge.arg}`)
      .description(edge.help)
      .action(
        s.act(async (file: string) => {
          simulatorOnly(s.targetName(), 'invoke');
          return runInvoke(s.io, edge.cloud, file);
        }),
      );
};

async function runInvoke(io: CliIo, cloud: 'aws' | 'gcp', file: string): Promise<ExitCode> {
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(resolveFromCaller(file, io.env, io.cwd), 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read ${file} as JSON: ${errorMessage(e)}`);
  }
  // Absolute, so the edge finds the same file whatever its working directory (serverless runs in .esbuild/.build).
  const env = {
    ...io.env,
    TUNNEL_GUARD_SIMULATOR: resolveFromCaller(io.env.TUNNEL_GUARD_SIMULATOR || DEFAULT_SIMULATOR_FILE, io.env, io.cwd),
  };
  const result = await loadInvoker(cloud)(event, env);
  io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  return invokeExitCode(cloud, result);
}

/**
 * The edges acknowledge bad input (so the platform does not retry it); the CLI still owes the caller the exit-code
 * contract: nothing usable in the event → 2, a failure → 1, a guard refusal → 3.
 */
export function invokeExitCode(cloud: 'aws' | 'gcp', result: unknown): ExitCode {
  const r = (result ?? {}) as {
    reports?: { decision?: string; refusals?: { guard: string }[]; ok?: boolean }[];
    ignored?: unknown[];
    failed?: unknown[];
    status?: number;
    body?: { report?: { decision?: string; refusals?: { guard: string }[]; ok?: boolean } };
  };
  const refused = (rep?: { decision?: string; refusals?: { guard: string }[] }) =>
    rep?.decision === 'refuse' && !!rep.refusals?.some((x) => x.guard !== 'input');
  if (cloud === 'aws') {
    if (r.failed?.length) return EXIT.failure;
    const reports = r.reports ?? [];
    if (reports.length === 0) return r.ignored?.length ? EXIT.usage : EXIT.ok;
    if (reports.some(refused)) return EXIT.refused;
    if (reports.some((x) => x.decision === 'refuse')) return EXIT.usage;
    return reports.every((x) => x.ok !== false) ? EXIT.ok : EXIT.failure;
  }
  const status = r.status ?? 500;
  if (status >= 500) return EXIT.failure;
  if (status >= 400) return EXIT.usage;
  const rep = r.body?.report;
  if (refused(rep)) return EXIT.refused;
  if (rep?.decision === 'refuse') return EXIT.usage;
  return rep && rep.ok === false ? EXIT.failure : EXIT.ok;
}
