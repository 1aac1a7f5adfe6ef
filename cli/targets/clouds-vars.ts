/**
 * Which clouds take part on `--target clouds`: each one whose deployed functions' variables are set. Pure: no SDK
 * is loaded here.
 */
import type { Env } from '../../config/source';
import type { Cloud } from '../../shared/types';
import { UsageError } from '../io';

/** The variables that make each cloud take part (the deployed functions' own). */
export const CLOUD_VARS = {
  aws: ['TUNNEL_GUARD_TABLE', 'TUNNEL_GUARD_AWS_VPN_IDS', 'TUNNEL_GUARD_AWS_TGW_ROUTE_TABLE_IDS'],
  gcp: ['TUNNEL_GUARD_GCP_PROJECT', 'TUNNEL_GUARD_GCP_REGIONS', 'TUNNEL_GUARD_LEDGER_BUCKET'],
} as const;

/** What a command needs of a cloud once it takes part. */
export const REQUIRED_VARS = {
  /** status, drain, restore, release, doctor: the ledger is the point. */
  full: { aws: ['TUNNEL_GUARD_TABLE'], gcp: ['TUNNEL_GUARD_GCP_PROJECT', 'TUNNEL_GUARD_GCP_REGIONS', 'TUNNEL_GUARD_LEDGER_BUCKET'] },
  /** discover: only where to read (it runs before anything is deployed). */
  inventory: { aws: [], gcp: ['TUNNEL_GUARD_GCP_PROJECT'] },
} as const;

const isSet = (env: Env, name: string) => !!env[name]?.trim();

/**
 * The clouds that take part: each one whose variables are set. A cloud with only some of what the command needs
 * is a usage error naming the missing ones; none at all is a usage error naming what to set.
 */
export function participatingClouds(env: Env, need: keyof typeof REQUIRED_VARS, extra: { aws?: boolean } = {}): Cloud[] {
  const clouds: Cloud[] = [];
  for (const cloud of ['aws', 'gcp'] as const) {
    const on = CLOUD_VARS[cloud].some((v) => isSet(env, v)) || (cloud === 'aws' && !!extra.aws);
    if (!on) continue;
    const missing = REQUIRED_VARS[need][cloud].filter((v) => !isSet(env, v));
    if (missing.length)
      throw new UsageError(
        `--target clouds: ${cloud.toUpperCase()} takes part (${CLOUD_VARS[cloud].filter((v) => isSet(env, v)).join(', ') || 'an option'} is set) but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set`,
      );
    clouds.push(cloud);
  }
  if (clouds.length === 0) {
    throw new UsageError(
      `--target clouds: no cloud is configured. Set the deployed functions' variables: for AWS ${CLOUD_VARS.aws.join(', ')} ` +
        `(at least TUNNEL_GUARD_TABLE), for GCP ${CLOUD_VARS.gcp.join(', ')}`,
    );
  }
  return clouds;
}

/** discover runs before anything is deployed: an AWS region alone makes AWS take part (no table yet). */
export const awsRegionSet = (env: Env): boolean => isSet(env, 'AWS_REGION') || isSet(env, 'AWS_DEFAULT_REGION');
