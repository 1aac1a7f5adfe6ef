/**
 * `openSeat`: the real clouds behind the CLI. Each cloud that takes part is built by its deployed edge's own
 * composition root, so a drain from the CLI goes through the same engine, guards, fence, ledger (DynamoDB table,
 * Cloud Storage bucket), notifier and link as the functions — never a second ledger. Each cloud keeps its own
 * ledger, as the functions do: an AWS tunnel's record is in the table, a GCP tunnel's in the bucket.
 */
import type { Env } from '../../shared/config-source';
import { jsonLogger, memoryLogger } from '../../shared/log';
import { runCommand } from '../../shared/engine';
import type { CoreDeps } from '../../shared/ports';
import type { Cloud } from '../../shared/types';
import { UsageError } from '../io';
import type { CloudSeat, CloudSnapshot, SeatOptions } from '../seat';
import { participatingClouds } from '../target';
import { composeAwsSide, preflightAws, resolveAwsRegion } from './aws-side';
import { resolveGcpAuth } from './gcp-api';
import { composeGcpSide, gcpProjectOf, preflightGcp } from './gcp-side';

/** The clouds' environment: the simulator variable would make the edges' roots pick the simulator. */
export const cloudsEnv = (env: Env): Env => ({ ...env, TUNNEL_GUARD_SIMULATOR: undefined });

export async function openSeat(opts: SeatOptions): Promise<CloudSeat> {
  const env = cloudsEnv(opts.env);
  const clouds = participatingClouds(env, 'full');
  const logger = opts.verbose ? jsonLogger((line) => opts.stderr(`${line}\n`)) : memoryLogger();
  const sides: Partial<Record<Cloud, { deps: CoreDeps; where: string }>> = {};
  let awsHasTopic = false;
  let config: CloudSeat['config'] | undefined;

  // Both preflights at once: the slowest cloud bounds the wait, not the sum.
  await Promise.all([
    (async () => {
      if (!clouds.includes('aws')) return;
      const region = await resolveAwsRegion(env);
      const { edge, hasTopic } = composeAwsSide(env, region, opts.cwd, logger); // bad configuration fails before any call
      for (const w of await preflightAws(env, region)) opts.stderr(`warning: ${w}\n`);
      awsHasTopic = hasTopic;
      config = edge.config;
      sides.aws = { deps: edge.deps, where: `aws:${region} table ${env.TUNNEL_GUARD_TABLE}` };
    })(),
    (async () => {
      if (!clouds.includes('gcp')) return;
      const auth = await resolveGcpAuth(env);
      const edge = composeGcpSide(env, opts.cwd, logger, auth);
      await preflightGcp(env, auth);
      config ??= edge.config;
      sides.gcp = { deps: edge.deps, where: `gcp:${gcpProjectOf(env)} bucket ${env.TUNNEL_GUARD_LEDGER_BUCKET}` };
    })(),
  ]);

  return {
    clouds,
    config: config!,
    describe: () => clouds.map((c) => sides[c]!.where),
    async read(): Promise<CloudSnapshot> {
      const parts = await Promise.all(
        clouds.map(async (c) => {
          const d = sides[c]!.deps;
          const ports = d.clouds[c]!;
          const [tunnels, paths, records] = await Promise.all([ports.tunnels.list(), ports.paths.list(), d.ledger.list()]);
          return { tunnels, paths, records };
        }),
      );
      return { tunnels: parts.flatMap((p) => p.tunnels), paths: parts.flatMap((p) => p.paths), records: parts.flatMap((p) => p.records) };
    },
    async run(cloud, command, clock, preview) {
      const side = sides[cloud];
      if (!side) throw new UsageError(`--target clouds: ${cloud.toUpperCase()} does not take part (its variables are not set)`);
      const deps: CoreDeps = { ...side.deps, clock };
      if (preview) {
        const { link: _link, ...quiet } = deps;
        return runCommand({ ...quiet, policy: { ...deps.policy, dryRun: true }, notifier: { notify: async () => undefined }, logger: memoryLogger() }, command);
      }
      if (cloud === 'aws' && !awsHasTopic) {
        throw new UsageError("--target clouds: TUNNEL_GUARD_TOPIC_ARN is not set. The AWS function publishes every decision to that topic; an operator's change is a decision too, so set it to the deployment's topic (--dry-run works without it)");
      }
      return runCommand(deps, command);
    },
  };
}
