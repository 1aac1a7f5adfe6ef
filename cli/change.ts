/**
 * The operator's three changes (drain, restore, release), one flow for both targets: resolve the tunnel, and on a
 * target that confirms changes (the real clouds) print the plan first and apply it only with --yes or a `y` at a
 * terminal. The real run decides again, so a function that acted in between is seen, never overwritten.
 */
import type { Command as CommanderCommand } from 'commander';
import type { Command } from '../shared/engine';
import { printChange } from './print';
import { EXIT, UsageError, type ExitCode } from './io';
import { formatReport } from './report-format';
import type { Session } from './session';

export type ChangeType = Command['type'];

export interface ChangeOptions {
  reason?: string;
  force?: boolean;
  now?: string;
  json?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

/** The options every change takes, after the ones of its own. */
export function changeOptions(cmd: CommanderCommand, applyHelp: string): CommanderCommand {
  return cmd
    .option('--now <iso>', 'decide as if it were this instant')
    .option('--json', 'print the report as JSON')
    .option('--dry-run', 'print the plan only; change nothing')
    .option('-y, --yes', applyHelp);
}

/** The engine command for a change. `where` tells the ledger which seat an operator drain came from. */
export function commandFor(type: ChangeType, tunnelId: string, o: ChangeOptions, where: string): Command {
  return {
    type,
    tunnelId,
    ...(type === 'drain' ? { reason: o.reason ?? `manual drain (tunnel-guard drain${where})` } : {}),
    ...(type !== 'release' && o.force ? { force: true } : {}),
  };
}

export async function runChange(s: Session, type: ChangeType, tunnel: string, o: ChangeOptions): Promise<ExitCode> {
  const clock = s.clock(o.now, '--now');
  const target = s.target();
  const ref = await target.tunnel(tunnel);
  const command = commandFor(type, ref.id, o, target.commandSuffix);
  const json = !!o.json;
  if (o.dryRun || target.confirmsChanges) {
    const plan = await target.plan(ref, command, clock);
    // A refusal or "nothing to do" is the answer: applying it would change nothing.
    const nothingToApply = plan.report.decision === 'refuse' || plan.report.decision === 'ignore';
    if (o.dryRun || nothingToApply) {
      if (!json && o.dryRun) s.io.stdout('Plan (dry run, nothing changed):\n');
      return printChange(s.io, plan, json);
    }
    if (!json) s.io.stdout(`Plan for ${ref.id}:\n${formatReport(plan.report)}`);
    if (!o.yes) {
      const ok = s.io.confirm ? await s.io.confirm(`Apply this ${type} to ${ref.id}? [y/N] `) : undefined;
      if (ok === undefined)
        throw new UsageError(`${type} on the real clouds changes them: add --yes to apply the plan above (or --dry-run to only print it)`);
      if (!ok) {
        s.io.stdout('Not applied: nothing changed.\n');
        return EXIT.ok;
      }
    }
  }
  return printChange(s.io, await target.apply(ref, command, clock), json);
}
