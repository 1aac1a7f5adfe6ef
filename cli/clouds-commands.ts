/**
 * The commands on `--target clouds`. Everything cloud-specific is behind `CloudSeat` (loaded lazily from its own
 * bundle); this file holds the operator's flow: read, show, and for a change print the plan first and apply it
 * only with `--yes` or a confirmation at a terminal.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolveFromCaller } from '../config/source';
import { commandFor, type ChangeOptions, type ChangeType } from './change-command';
import type { Report } from '../shared/report-types';
import { clockFrom, parseInstant } from './clock';
import { linksEnabled } from './compose';
import { configOf, formatCloudDiscovery } from './discover-format';
import { doctorExitCode, formatDoctor } from './doctor-format';
import { discoverClouds, openSeat, runDoctor, type SeatOptions } from './cloud-seat';
import { EXIT, UsageError, type CliIo, type ExitCode } from './io';
import { exitCodeFor, formatReport } from './report-format';
import { resolveTunnel } from './resolve-tunnel';
import { buildStatus, formatStatus, type StatusLinks } from './status-view';
import { participatingClouds } from './target';

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

/** On the clouds the pairs come from the configuration only: the deployed edges never guess them either. */
function statusLinks(io: CliIo, links: StatusLinks['links']): StatusLinks {
  return linksEnabled(io.env) && links.length > 0 ? { links, source: 'config' } : { links: [], source: 'off' };
}

export async function cloudsStatus(io: CliIo, verbose: boolean, json: boolean): Promise<ExitCode> {
  const seat = await openSeat(seatOptions(io, verbose));
  const snap = await seat.read();
  const links = statusLinks(io, seat.config.links);
  const doc = buildStatus(snap.tunnels, snap.paths, snap.records, links);
  if (json) io.stdout(`${JSON.stringify(doc)}\n`);
  else {
    io.stdout(formatStatus(doc));
    io.stdout(
      `links: ${links.source === 'config' ? `${links.links.length} pair(s) from the configuration` : 'none in use (configure them: tunnel-guard discover --target clouds)'}\n`,
    );
    io.stdout(`ledgers: ${seat.describe().join('; ')}\n`);
  }
  return EXIT.ok;
}

const printReport = (io: CliIo, r: Report, json: boolean) => io.stdout(json ? `${JSON.stringify(r, null, 2)}\n` : formatReport(r));

/**
 * drain / restore / release. The plan is the engine's own dry run on the same deployed state; then the real run
 * decides again (guards, fence, conditional writes): a function acting in between is seen, never overwritten.
 */
export async function cloudsChange(io: CliIo, verbose: boolean, type: ChangeType, tunnel: string, o: ChangeOptions): Promise<ExitCode> {
  const clock = clockFrom(o.now ? parseInstant(o.now, '--now') : undefined, io.now ?? (() => new Date()));
  const seat = await openSeat(seatOptions(io, verbose));
  const ref = resolveTunnel(
    tunnel,
    (await seat.read()).tunnels.map((t) => t.ref),
  );
  const command = commandFor(type, ref.id, o, ' --target clouds');
  const plan = await seat.run(ref.cloud, command, clock, true);
  const json = !!o.json;
  const nothingToApply = plan.decision === 'refuse' || plan.decision === 'ignore';
  if (o.dryRun || nothingToApply) {
    // A refusal or "nothing to do" is the answer: applying it would change nothing in the cloud.
    if (!json) io.stdout(o.dryRun ? 'Plan (dry run, nothing changed):\n' : '');
    printReport(io, plan, json);
    return exitCodeFor(plan);
  }
  if (!json) io.stdout(`Plan for ${ref.id}:\n${formatReport(plan)}`);
  if (!o.yes) {
    const ok = io.confirm ? await io.confirm(`Apply this ${type} to ${ref.id}? [y/N] `) : undefined;
    if (ok === undefined)
      throw new UsageError(`${type} on the real clouds changes them: add --yes to apply the plan above (or --dry-run to only print it)`);
    if (!ok) {
      io.stdout('Not applied: nothing changed.\n');
      return EXIT.ok;
    }
  }
  const r = await seat.run(ref.cloud, command, clock, false);
  printReport(io, r, json);
  return exitCodeFor(r);
}

export async function cloudsDiscover(
  io: CliIo,
  verbose: boolean,
  o: { json?: boolean; write?: string; awsRegions: string[] },
): Promise<ExitCode> {
  const target = o.write ? resolveFromCaller(o.write, io.env, io.cwd) : undefined;
  if (target && existsSync(target))
    throw new UsageError(`--write ${o.write}: the file exists; remove it or name another (discover never overwrites a configuration)`);
  const d = await discoverClouds({ ...seatOptions(io, verbose, 'inventory', { aws: o.awsRegions.length > 0 }), awsRegions: o.awsRegions });
  const config = configOf(d);
  if (target) writeFileSync(target, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
  if (o.json) io.stdout(`${JSON.stringify({ ...d, config }, null, 2)}\n`);
  else {
    io.stdout(formatCloudDiscovery(d, []));
    if (target) io.stdout(`written: ${target} (point TUNNEL_GUARD_CONFIG at it)\n`);
  }
  return EXIT.ok;
}

export async function cloudsDoctor(io: CliIo, verbose: boolean, json: boolean): Promise<ExitCode> {
  const checks = await runDoctor(seatOptions(io, verbose));
  const code = doctorExitCode(checks);
  io.stdout(json ? `${JSON.stringify({ ok: code === EXIT.ok, checks }, null, 2)}\n` : formatDoctor(checks));
  return code;
}
