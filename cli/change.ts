/**
 * The operator's three changes (drain, restore, release), one flow for both targets: resolve the tunnel, and on a
 * target that confirms changes (the real clouds) print the plan first and apply it only with --yes or a `y` at a
 * terminal. The real run decides again, so a function that acted in between is seen, never overwritten.
 */
import type { Command as CommanderCommand } from 'commander';
import type { Command } from '../shared/engine';
import { outputOf, outputOption, type OutputFlags } from './output';
import { otherEndAfterRestore, type OtherEnd } from './other-end';
import { printChange, type OtherEndOutcome } from './print';
import { buildStatus } from './status-view';
import type { Change, Target } from './targets/target';
import type { Clock } from '../shared/ports';
import { errorMessage } from '../shared/errors';
import { shortId } from './status-names';
import { EXIT, UsageError, type ExitCode } from './io';
import { formatReport } from './report-format';
import type { Session } from './session';

export type ChangeType = Command['type'];

export interface ChangeOptions extends OutputFlags {
  reason?: string;
  force?: boolean;
  now?: string;
  yes?: boolean;
  dryRun?: boolean;
}

/** The options every change takes, after the ones of its own. */
export function changeOptions(cmd: CommanderCommand, applyHelp: string): CommanderCommand {
  return outputOption(cmd.option('--now <iso>', 'decide as if it were this instant'), 'print the report as JSON (same as -o json)')
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

/** Said when a change is interrupted (Ctrl-C): the state it may have left, and the commands that finish or undo it. */
function interruptedNote(type: ChangeType, tunnel: string, onClouds: boolean): string {
  const finish = onClouds ? "the functions' next scheduled reconcile finishes it" : 'tunnel-guard reconcile finishes it';
  return (
    `interrupted during ${type} of ${tunnel}: it may be half-done. The ledger holds every path already withdrawn ` +
    `(tunnel-guard${onClouds ? ' --target clouds' : ''} status ${tunnel} shows them); ${finish}; ` +
    `tunnel-guard${onClouds ? ' --target clouds' : ''} ${type === 'restore' ? 'drain' : 'restore'} ${tunnel} undoes it.`
  );
}

/** What happens after a release, since a release itself changes no route. */
const AFTER_RELEASE = (tunnel: string) =>
  `next: ${tunnel} is no longer held drained by flap damping; it is restored once every monitor has been healthy for the hold-down (at a reconcile), or now with: tunnel-guard restore ${tunnel}\n`;

export async function runChange(s: Session, type: ChangeType, tunnel: string, o: ChangeOptions): Promise<ExitCode> {
  const output = outputOf(o);
  const json = output === 'json';
  const clock = s.clock(o.now, '--now');
  const target = s.target();
  const ref = await target.tunnel(tunnel);
  const command = commandFor(type, ref.id, o, target.commandSuffix);
  const inProcess = target.name === 'simulator';
  if (o.dryRun || target.confirmsChanges) {
    const plan = await target.plan(ref, command, clock);
    // A refusal or "nothing to do" is the answer: applying it would change nothing.
    const nothingToApply = plan.report.decision === 'refuse' || plan.report.decision === 'ignore';
    if (o.dryRun || nothingToApply) {
      if (!json && o.dryRun) s.io.stdout('Plan (dry run, nothing changed):\n');
      return printChange(s.io, plan, output, inProcess);
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
  s.io.inFlight?.(interruptedNote(type, shortId(ref.id), !inProcess));
  try {
    const change = await target.apply(ref, command, clock);
    const other = type === 'restore' ? await restoreOtherEnd(target, change, clock) : undefined;
    const code = printChange(s.io, change, output, inProcess, other);
    if (type === 'release' && !json && change.report.ok) s.io.stdout(AFTER_RELEASE(shortId(ref.id)));
    return code;
  } finally {
    s.io.inFlight?.(undefined);
  }
}

/**
 * After a restore: the other end of the link, put back too or named with why it stays (`other-end.ts` decides).
 * Read after this end's change, so what the link already did is seen.
 */
async function restoreOtherEnd(target: Target, change: Change, clock: Clock): Promise<OtherEndOutcome | undefined> {
  try {
    return await followOtherEnd(target, change, clock);
  } catch (e) {
    // This end's change stands and is printed; only the look at the other end failed.
    return { peer: '', text: `the other end of the link was not checked: ${errorMessage(e)}` };
  }
}

async function followOtherEnd(target: Target, change: Change, clock: Clock): Promise<OtherEndOutcome | undefined> {
  const r = change.report;
  const restored = r.ok && (r.decision === 'restore' || r.decision === 'ignore') && !r.dryRun;
  const [snap, links] = await Promise.all([target.read(), target.links()]);
  const doc = buildStatus(snap.tunnels, snap.paths, snap.records, links);
  const peerId = doc.tunnels.find((t) => t.id === r.tunnelId)?.peer;
  const next: OtherEnd | undefined = otherEndAfterRestore(
    doc.tunnels.find((t) => t.id === peerId),
    target.name,
    restored,
  );
  if (!next) return undefined;
  if (next.act === 'say') return { peer: next.peer, text: next.text };
  const ref = await target.tunnel(next.peer);
  return { peer: next.peer, change: await target.apply(ref, { type: 'restore', tunnelId: ref.id }, clock) };
}
