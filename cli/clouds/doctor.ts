/**
 * `doctor --target clouds`: a read-only preflight of a deployment, one check per line. Each cloud that takes part
 * is checked on its own, so one broken cloud does not hide the other's results.
 */
import { readFileSync } from 'node:fs';
import { configFromEnv } from '../../shared/config-source';
import { UsageError } from '../io';
import type { DoctorCheck, SeatOptions } from '../seat';
import { participatingClouds } from '../target';
import { resolveAwsRegion } from './aws-side';
import { doctorAws } from './doctor-aws';
import { doctorGcp } from './doctor-gcp';
import { doctorLinks } from './doctor-links';
import { cloudsEnv } from './seat';

export async function runDoctor(opts: SeatOptions): Promise<DoctorCheck[]> {
  const env = cloudsEnv(opts.env);
  const clouds = participatingClouds(env, 'full');
  const cfg = configFromEnv(env, (p) => readFileSync(p, 'utf8'), opts.cwd);
  if (!cfg.ok) throw new UsageError(cfg.reason);
  const region = clouds.includes('aws') ? await resolveAwsRegion(env) : undefined;
  const [aws, gcp] = await Promise.all([
    region ? doctorAws(env, region, cfg.value) : Promise.resolve(undefined),
    clouds.includes('gcp') ? doctorGcp(env, cfg.value) : Promise.resolve(undefined),
  ]);
  const links = await doctorLinks(env, cfg.value, [...(aws?.tunnels ?? []), ...(gcp?.tunnels ?? [])], { aws: !!aws, gcp: !!gcp });
  const probes: DoctorCheck = { cloud: 'links', name: 'probes', status: 'skip', detail: 'no probes configured (the configuration has no probe settings)' };
  return [...(aws?.checks ?? []), ...(gcp?.checks ?? []), ...links, probes];
}
