/**
 * An operator command through an edge's own dependencies. Bundled into each side, so the engine and the adapters
 * share one copy of the error classes (a ledger conflict is recognised and re-decided, a throttle is retried).
 */
import { runCommand, type Command } from '../../shared/engine';
import { jsonLogger, memoryLogger } from '../../shared/log';
import type { Clock, CoreDeps, Logger } from '../../shared/ports';
import type { Report } from '../../shared/report-types';
import type { SideOptions } from '../seat';

export const sideLogger = (o: SideOptions): Logger => (o.verbose ? jsonLogger((line) => o.stderr(`${line}\n`)) : memoryLogger());

export function runOnSide(base: CoreDeps, command: Command, clock: Clock, preview: boolean): Promise<Report> {
  const deps: CoreDeps = { ...base, clock };
  if (!preview) return runCommand(deps, command);
  // The plan: the engine's own dry run on the deployed state, telling nobody (no notification, no link message).
  const { link: _link, ...quiet } = deps;
  return runCommand(
    { ...quiet, policy: { ...deps.policy, dryRun: true }, notifier: { notify: async () => undefined }, logger: memoryLogger() },
    command,
  );
}
