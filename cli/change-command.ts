/**
 * The operator's three changes (drain, restore, release): their options and the engine command they become, one
 * definition for the simulator and the clouds, so the two targets cannot drift apart.
 */
import type { Command as CommanderCommand } from 'commander';
import type { Command } from '../shared/engine';

export type ChangeType = Command['type'];

export interface ChangeOptions {
  reason?: string;
  force?: boolean;
  now?: string;
  json?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

const DESCRIPTIONS: Record<ChangeType, string> = {
  drain: 'withdraw every route into a tunnel (through the guards)',
  restore:
    'put back exactly the routes that were withdrawn; refused while the tunnel is degraded or down unless --force (no hold-down for an operator)',
  release: 'clear flap suppression so the tunnel can be restored again',
};

/** Register `<type> <tunnel>` with the options that change takes. */
export function changeCommand(program: CommanderCommand, type: ChangeType): CommanderCommand {
  const cmd = program.command(`${type} <tunnel>`).description(DESCRIPTIONS[type]);
  if (type === 'drain') cmd.option('--reason <text>', 'why (recorded in the ledger and the notification)');
  if (type !== 'release') cmd.option('--force', 'skip the guards (reported and notified as such)');
  return cmd
    .option('--now <iso>', 'decide as if it were this instant')
    .option('--json', 'print the report as JSON')
    .option('--dry-run', 'print the plan only; change nothing')
    .option('-y, --yes', type === 'release' ? 'on the clouds: apply without asking' : 'on the clouds: apply the plan without asking');
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
