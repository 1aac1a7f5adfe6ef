/**
 * What the CLI needs of the real clouds, as interfaces free of SDK imports. Each cloud's side is its own bundle
 * (`dist/clouds-aws.js`, `dist/clouds-gcp.js`), loaded only when that cloud takes part in a `--target clouds`
 * command: the simulator commands load neither, and an AWS-only operator never loads the Google libraries.
 */
import type { Env } from '../config/source';
import type { Discovery } from '../shared/links/discover';
import type { Command } from '../shared/engine';
import type { Config } from '../shared/policy';
import type { Clock } from '../shared/ports';
import type { Cloud, LedgerRecord, Path, TunnelStatus } from '../shared/types';
import type { Report } from '../shared/report-types';

/** One cloud's view, read through the deployed edge's own adapters. */
export interface CloudSnapshot {
  tunnels: TunnelStatus[];
  paths: Path[];
  /** The deployed ledger's records (DynamoDB table or Cloud Storage bucket), fences included. */
  records: LedgerRecord[];
}

/** One cloud, composed by its deployed edge's own composition root. */
export interface CloudSide {
  cloud: Cloud;
  /** Where its state lives, for people (`aws:eu-west-1 table tg-ledger`). */
  where: string;
  read(): Promise<CloudSnapshot>;
  /**
   * Run an operator command through the edge's own dependencies (engine, guards, fence, ledger, notifier, link).
   * `preview`: decide as a dry run with no notification and no link message (the plan shown before `--yes`).
   * The engine runs inside the side's bundle, so its error classes (ledger conflict, transient) are the adapters'.
   */
  run(command: Command, clock: Clock, preview: boolean): Promise<Report>;
}

/** All the clouds that take part. */
export interface CloudSeat {
  clouds: Cloud[];
  config: Config;
  describe(): string[];
  read(): Promise<CloudSnapshot>;
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

/** What one cloud's discovery read. */
export interface SideDiscovery {
  tunnels: TunnelStatus[];
  alarmTunnels: Record<string, string>;
  policyTunnels: Record<string, string>;
  sources: string[];
  warnings: string[];
}

export interface CloudDiscovery extends Discovery {
  /** Every tunnel read, for the suggested scope. */
  tunnels: string[];
  alarmTunnels: Record<string, string>;
  policyTunnels: Record<string, string>;
  scope: string[];
  /** Where discovery looked (`aws:eu-west-1 (4 tunnel(s))`, `gcp:my-project (aggregated, …)`). */
  sources: string[];
  /** Reads that could not be made (a missing permission does not hide the rest). */
  warnings: string[];
}

export interface SideOptions {
  /** The environment without the simulator variable (the edges' roots would pick the simulator). */
  env: Env;
  cwd: string;
  verbose: boolean;
  stderr(text: string): void;
}

/** The module each side's bundle exports as `side`. */
export interface SideModule {
  open(opts: SideOptions): Promise<CloudSide>;
  discover(opts: SideOptions & { awsRegions: string[] }): Promise<SideDiscovery>;
  doctor(opts: SideOptions, config: Config): Promise<{ checks: DoctorCheck[]; tunnels: TunnelStatus[] }>;
  /** AWS only: the GCP → AWS link topic exists and a Lambda is subscribed. */
  linkTopicCheck?(opts: SideOptions, topicArn: string): Promise<DoctorCheck>;
}
