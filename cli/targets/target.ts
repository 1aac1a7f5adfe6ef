/**
 * What a command acts on: the simulator file or the deployed clouds. Each command is written once against this
 * interface; `simulator.ts` and `clouds.ts` are its two implementations. Both open lazily, so a command that
 * fails on its arguments touches neither the file nor a cloud.
 */
import type { Command } from '../../shared/engine';
import type { Clock } from '../../shared/ports';
import type { Report } from '../../shared/report-types';
import type { LedgerRecord, Path, Signal, TunnelRef, TunnelStatus } from '../../shared/types';
import type { Env } from '../../config/source';
import type { Config } from '../../shared/policy';
import type { LinkDelivery } from '../../simulator';
import { UsageError } from '../io';
import type { DoctorCheck } from '../seat';
import type { StatusLinks } from '../status-view';

export type TargetName = 'simulator' | 'clouds';

/** Everything a status needs, read once. */
export interface Snapshot {
  tunnels: TunnelStatus[];
  paths: Path[];
  /** The ledger's records, fences included. */
  records: LedgerRecord[];
}

/** The links in use, and one line saying so for people. */
export interface TargetLinks extends StatusLinks {
  line: string;
}

/** One decision and what the other end of its link did with the link message (when that is known here). */
export interface Change {
  report: Report;
  linked: LinkDelivery[];
}

/** What `discover` proposes: the JSON document, the configuration to write, and the text for people. */
export interface Proposal {
  json: unknown;
  config: unknown;
  text: string;
}

export interface Target {
  readonly name: TargetName;
  /** Appended to an operator drain's default reason, so the ledger says where it came from. */
  readonly commandSuffix: string;
  /** The real clouds show a change as a plan and apply it only with --yes or a confirmation at a terminal. */
  readonly confirmsChanges: boolean;
  /** The target and where its state lives, for people: the simulator file and its ledger, or each cloud's ledger. */
  describe(): Promise<string>;
  read(): Promise<Snapshot>;
  links(): Promise<TargetLinks>;
  /** The policy in force (the capacity defaults `status` and `doctor` measure utilisation against). */
  policy(): Promise<Config['policy']>;
  /** Resolve a `<tunnel>` argument against the tunnels the target has. */
  tunnel(arg: string): Promise<TunnelRef>;
  /** The engine's dry run: the plan, nothing changed. */
  plan(ref: TunnelRef, command: Command, clock: Clock): Promise<Change>;
  apply(ref: TunnelRef, command: Command, clock: Clock): Promise<Change>;
  signal(signal: Signal, clock: Clock): Promise<Change>;
  reconcile(clock: Clock): Promise<{ reports: Report[]; linked: LinkDelivery[] }>;
  discover(o: { awsRegions: string[] }): Promise<Proposal>;
  doctor(): Promise<DoctorCheck[]>;
  /** The last decisions notified (newest last), where the target keeps them; undefined where it does not. */
  history(): Promise<Report[] | undefined>;
}

/** The flag wins over the variable; anything but the two words is a usage error, never a silent default. */
export function targetOf(flag: string | undefined, env: Env): TargetName {
  const raw = (flag ?? env.TUNNEL_GUARD_TARGET ?? '').trim().toLowerCase();
  if (raw === '' || raw === 'simulator') return 'simulator';
  if (raw === 'clouds') return 'clouds';
  const from = flag !== undefined ? '--target' : 'TUNNEL_GUARD_TARGET';
  throw new UsageError(`${from} ${JSON.stringify(flag ?? env.TUNNEL_GUARD_TARGET)} must be simulator or clouds`);
}

/** The commands that only make sense on the simulator: on the clouds the deployed functions do them. */
export const simulatorOnlyError = (what: string): UsageError =>
  new UsageError(
    `${what} acts on the simulator only; on the clouds the deployed functions do it (use status, drain, restore, release, discover, doctor)`,
  );

export function simulatorOnly(target: TargetName, what: string): void {
  if (target === 'clouds') throw simulatorOnlyError(what);
}
