/**
 * The real clouds behind the CLI, assembled from the sides that take part. Each side is built by its deployed
 * edge's own composition root (in its own bundle), so a drain from the CLI goes through the same engine, guards,
 * fence, ledger (DynamoDB table, Cloud Storage bucket), notifier and link as the functions — never a second
 * ledger. Each cloud keeps its own ledger, as the functions do.
 */
import { readFileSync } from 'node:fs';
import { configFromEnv, type Env } from '../../config/source';
import { discoverLinks } from '../../shared/links/discover';
import type { Config } from '../../shared/policy';
import type { Cloud } from '../../shared/types';
import { loadSide } from '../clouds-loader';
import { doctorLinks } from '../doctor-links';
import { utilisationChecks } from '../utilisation';
import { UsageError } from '../io';
import type { CloudDiscovery, CloudSeat, CloudSide, DoctorCheck, SideOptions } from '../seat';
import { awsRegionSet, participatingClouds } from './clouds-vars';

export interface SeatOptions {
  env: Env;
  cwd: string;
  verbose: boolean;
  stderr(text: string): void;
}

/** The clouds' environment: the simulator variable would make the edges' roots pick the simulator. */
const sideOptions = (o: SeatOptions): SideOptions => ({ ...o, env: { ...o.env, TUNNEL_GUARD_SIMULATOR: undefined } });

/** The configuration both edges parse (same function, same environment). */
function configOf(o: SideOptions): Config {
  const cfg = configFromEnv(o.env, (p) => readFileSync(p, 'utf8'), o.cwd);
  if (!cfg.ok) throw new UsageError(cfg.reason);
  return cfg.value;
}

export async function openSeat(opts: SeatOptions): Promise<CloudSeat> {
  const o = sideOptions(opts);
  const clouds = participatingClouds(o.env, 'full');
  const config = configOf(o);
  // Both sides at once: the slowest cloud bounds the wait, not the sum.
  const opened = await Promise.all(clouds.map((c) => loadSide(c).open(o)));
  const sides = new Map<Cloud, CloudSide>(opened.map((s) => [s.cloud, s]));
  return {
    clouds,
    config,
    describe: () => opened.map((s) => s.where),
    async read() {
      const parts = await Promise.all(opened.map((s) => s.read()));
      return { tunnels: parts.flatMap((p) => p.tunnels), paths: parts.flatMap((p) => p.paths), records: parts.flatMap((p) => p.records) };
    },
    run(cloud, command, clock, preview) {
      const side = sides.get(cloud);
      if (!side) throw new UsageError(`--target clouds: ${cloud.toUpperCase()} does not take part (its variables are not set)`);
      return side.run(command, clock, preview);
    },
  };
}

/** Read both clouds and propose the whole configuration (pairing as on the simulator: `discoverLinks`). */
export async function discoverClouds(opts: SeatOptions & { awsRegions: string[] }): Promise<CloudDiscovery> {
  const o = sideOptions(opts);
  const clouds = participatingClouds(o.env, 'inventory', { aws: opts.awsRegions.length > 0 || awsRegionSet(o.env) });
  const parts = await Promise.all(clouds.map((c) => loadSide(c).discover({ ...o, awsRegions: opts.awsRegions })));
  const all = parts.flatMap((p) => p.tunnels);
  const d = discoverLinks(
    all.filter((t) => t.ref.cloud === 'aws'),
    all.filter((t) => t.ref.cloud === 'gcp'),
  );
  const tunnels = all.map((t) => t.ref.id).sort();
  const paired = d.links.flatMap((l) => [l.gcp, l.aws]).sort();
  return {
    ...d,
    tunnels,
    alarmTunnels: Object.assign({}, ...parts.map((p) => p.alarmTunnels)),
    policyTunnels: Object.assign({}, ...parts.map((p) => p.policyTunnels)),
    scope: paired.length ? paired : tunnels,
    sources: parts.flatMap((p) => p.sources).sort(),
    warnings: parts.flatMap((p) => p.warnings),
  };
}

/** Each cloud checked on its own (one broken cloud does not hide the other's results), then the links. */
export async function runDoctor(opts: SeatOptions): Promise<DoctorCheck[]> {
  const o = sideOptions(opts);
  const clouds = participatingClouds(o.env, 'full');
  const config = configOf(o);
  const results = await Promise.all(clouds.map(async (c) => ({ cloud: c, ...(await loadSide(c).doctor(o, config)) })));
  const topic = o.env.TUNNEL_GUARD_AWS_LINK_TOPIC_ARN;
  const topicCheck = config.links.length > 0 && topic ? () => loadSide('aws').linkTopicCheck!(o, topic) : undefined;
  const links = await doctorLinks(
    o.env,
    config,
    results.flatMap((r) => r.tunnels),
    { aws: clouds.includes('aws'), gcp: clouds.includes('gcp') },
    topicCheck,
  );
  return [...results.flatMap((r) => r.checks), ...links, ...(await utilisationOnClouds(opts, config))];
}

/**
 * Each tunnel's peak load against its limit, from the reads `status` makes (GCP's per-tunnel counters, which see the
 * GCP end of every AWS tunnel too). Anything that stops the read is a skip here: the checks above say what is wrong.
 */
async function utilisationOnClouds(opts: SeatOptions, config: Config): Promise<DoctorCheck[]> {
  try {
    const { tunnels, paths } = await (await openSeat(opts)).read();
    return utilisationChecks(tunnels, paths, config.links, config.policy);
  } catch (e) {
    return [{ cloud: 'links', name: 'utilisation', status: 'skip', detail: `loads not read: ${(e as Error).message}` }];
  }
}
