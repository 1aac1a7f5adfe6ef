/**
 * The deployed clouds as a `Target` (`--target clouds`). Everything cloud-specific is behind `CloudSeat`, each
 * cloud's side loaded lazily from its own bundle, so the simulator commands never load a cloud SDK. A change goes
 * through the deployed edge's own composition root: same engine, guards, fence and ledger as the functions.
 */
import { configOf, formatCloudDiscovery } from '../discover-format';
import { UsageError, type CliIo } from '../io';
import { linksEnabled } from '../compose';
import { resolveTunnel } from '../resolve-tunnel';
import type { Command } from '../../shared/engine';
import type { Clock } from '../../shared/ports';
import type { TunnelRef } from '../../shared/types';
import type { CloudSeat } from '../seat';
import { discoverClouds, openSeat, runDoctor, type SeatOptions } from './clouds-seat';
import { awsRegionSet, participatingClouds } from './clouds-vars';
import { simulatorOnlyError, type Change, type Target } from './target';

/** Checks the variables before a side's bundle (and its SDKs) is loaded: a usage error comes back at once. */
function seatOptions(io: CliIo, verbose: boolean, need: 'full' | 'inventory' = 'full', extra: { aws?: boolean } = {}): SeatOptions {
  participatingClouds({ ...io.env, TUNNEL_GUARD_SIMULATOR: undefined }, need, extra);
  const timeout = io.env.TUNNEL_GUARD_CLI_TIMEOUT_MS;
  if (
    timeout !== undefined &&
    timeout !== '' &&
    !(Number.isInteger(Number(timeout)) && Number(timeout) >= 100 && Number(timeout) <= 120_000)
  ) {
    throw new UsageError(`TUNNEL_GUARD_CLI_TIMEOUT_MS=${JSON.stringify(timeout)} must be an integer number of milliseconds, 100..120000`);
  }
  return { env: io.env, cwd: io.cwd, verbose, stderr: (s) => io.stderr(s) };
}

export function cloudsTarget(io: CliIo, verbose: boolean): Target {
  let opened: Promise<CloudSeat> | undefined;
  const seat = () => (opened ??= (async () => openSeat(seatOptions(io, verbose)))());
  const run = async (ref: TunnelRef, command: Command, clock: Clock, preview: boolean): Promise<Change> => ({
    report: await (await seat()).run(ref.cloud, command, clock, preview),
    // The other end hears over SNS or HTTPS and acts on its own: its outcome is in its own log and notification.
    linked: [],
  });
  return {
    name: 'clouds',
    commandSuffix: ' --target clouds',
    confirmsChanges: true,
    describe: async () => `clouds (ledgers: ${(await seat()).describe().join('; ')})`,
    read: async () => (await seat()).read(),
    async links() {
      // On the clouds the pairs come from the configuration only: the deployed edges never guess them either.
      const configured = (await seat()).config.links;
      return linksEnabled(io.env) && configured.length > 0
        ? { links: configured, source: 'config', line: `links: ${configured.length} pair(s) from the configuration\n` }
        : { links: [], source: 'off', line: 'links: none in use (configure them: tunnel-guard discover --target clouds)\n' };
    },
    policy: async () => (await seat()).config.policy,
    async tunnel(arg) {
      return resolveTunnel(
        arg,
        (await (await seat()).read()).tunnels.map((t) => t.ref),
      );
    },
    plan: (ref, command, clock) => run(ref, command, clock, true),
    apply: (ref, command, clock) => run(ref, command, clock, false),
    signal: async () => Promise.reject(simulatorOnlyError('signal')),
    reconcile: async () => Promise.reject(simulatorOnlyError('reconcile')),
    async discover(o) {
      const d = await discoverClouds({
        ...seatOptions(io, verbose, 'inventory', { aws: o.awsRegions.length > 0 || awsRegionSet(io.env) }),
        awsRegions: o.awsRegions,
      });
      const config = configOf(d);
      return { json: { ...d, config }, config, text: formatCloudDiscovery(d, []) };
    },
    doctor: () => runDoctor(seatOptions(io, verbose)),
    // The decisions are published to the SNS topic and logged by the functions; nothing here keeps them.
    history: async () => undefined,
  };
}
