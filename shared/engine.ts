/**
 * The core's entry points: handle one signal, run one operator command, reconcile everything.
 * Each reads the ledger and the cloud, asks the pure `decide()` what to do, carries out the plan through the
 * ports, writes the ledger (write-ahead), logs one line and notifies.
 */
import type { CoreDeps } from './ports';
import type { Report, Signal } from './types';

export interface Command {
  type: 'drain' | 'restore' | 'release';
  tunnelId: string;
  reason?: string;
  /** Skip the guards (never silently: the report says so and the notification is urgent). */
  force?: boolean;
}

/** Handle one normalised signal for one tunnel. Never throws for bad input (a refusal report instead);
 * throws `TransientError` when the platform should retry. */
export async function handleSignal(deps: CoreDeps, signal: Signal): Promise<Report> {
  void deps; void signal;
  throw new Error('engine: not implemented yet');
}

/** Operator override (`tunnel-guard drain|restore|release`). */
export async function runCommand(deps: CoreDeps, command: Command): Promise<Report> {
  void deps; void command;
  throw new Error('engine: not implemented yet');
}

/** Converge: finish interrupted work, re-withdraw drift, restore tunnels whose hold-down has passed. */
export async function reconcile(deps: CoreDeps): Promise<Report[]> {
  void deps;
  throw new Error('engine: not implemented yet');
}
