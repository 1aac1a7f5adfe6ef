/**
 * What the CLI needs of the real clouds, as an interface free of SDK imports: `main.ts` programs against it, and
 * the implementation (`cli/clouds/`) is a separate bundle loaded only for `--target clouds`.
 */
import type { Env } from '../shared/config-source';
import type { Discovery } from '../shared/discover';
import type { Config } from '../shared/policy';
import type { Command } from '../shared/engine';
import type { Clock } from '../shared/ports';
import type { Cloud, LedgerRecord, Path, Report, TunnelStatus } from '../shared/types';

/** One cloud's view, read through the deployed edge's own adapters. */
export interface CloudSnapshot {
  tunnels: TunnelStatus[];
  paths: Path[];
  /** The deployed ledger's records (DynamoDB table or Cloud Storage bucket), fences included. */
  records: LedgerRecord[];
}

export interface CloudSeat {
  clouds: Cloud[];
  config: Config;
  /** Where each cloud's state lives, for people (`aws:eu-west-1 table tg-ledger`). */
  describe(): string[];
  read(): Promise<CloudSnapshot>;
  /**
   * Run an operator command through the edge's own dependencies (engine, guards, fence, ledger, notifier, link).
   * `preview`: decide as a dry run with no notification and no link message (the plan shown before `--yes`).
   * The engine runs inside the seat's bundle so its error classes (ledger conflict, transient) are the adapters' own.
   */
  run(cloud: Cloud, command: Command, clock: Clock, preview: boolean): Promise<Report>;
}

export type CheckStatus = 'pass' | 'fail' | 'skip';
export interface DoctorCheck {
  cloud: Cloud | 'links';
  name: string;
  status: CheckStatus;
  /** What was found, or why it failed. */
  detail: string;
  /** What to do about a failure (or a skip). */
  fix?: string;
}

export interface CloudDiscovery extends Discovery {
  /** Every tunnel read, for the suggested scope. */
  tunnels: string[];
  alarmTunnels: Record<string, string>;
  policyTunnels: Record<string, string>;
  scope: string[];
  /** Where discovery looked (`aws:eu-west-1`, `gcp:my-project (aggregated)`). */
  sources: string[];
  /** Reads that could not be made (a missing permission does not hide the rest). */
  warnings: string[];
}

export interface SeatOptions {
  env: Env;
  cwd: string;
  verbose: boolean;
  stderr(text: string): void;
}

/** The module `cli/clouds/index.ts` (bundled as `dist/clouds.js`). */
export interface CloudsModule {
  openSeat(opts: SeatOptions): Promise<CloudSeat>;
  discoverClouds(opts: SeatOptions & { awsRegions: string[] }): Promise<CloudDiscovery>;
  runDoctor(opts: SeatOptions): Promise<DoctorCheck[]>;
}
