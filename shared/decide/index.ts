/**
 * The decision: a pure function of (trigger, ledger, observed paths and tunnel status, policy,
 * now). All branching lives here; `engine.ts` only carries out what this returns.
 */
import { contextOf, type Decision, type DecisionInput } from './decision';
import { localHealthOf, staleFor, withSignalMark } from './monitors';
import { resumeInterrupted } from './resume';
import { onOperatorDrain, onOperatorRestore, onRelease, onSignal, onTick } from './triggers';

export { pathsOfTunnel, withLever, type Decision, type DecisionInput, type Trigger } from './decision';
export { localHealthOf, speakingMonitors, staleFor, withSignalMark } from './monitors';

/** Decide what to do. Pure: no I/O, no clock, no environment. */
export function decide(input: DecisionInput): Decision {
  const d = decideInner(input);
  const t = input.trigger;
  if (t.type !== 'signal' || t.signal.viaLink || !d.next) return d;
  // The tunnel's own monitors all healthy again (the other end's link message aside): the other end must hear it,
  // or each end could hold the other drained forever.
  const before = localHealthOf(input.record);
  const after = localHealthOf(d.next);
  return before !== 'healthy' && after === 'healthy' ? { ...d, localRecovered: true } : d;
}

function decideInner(input: DecisionInput): Decision {
  const record = input.record;
  const ctx = contextOf(input, record);
  const t = input.trigger;
  // A signal is applied to the record before anything is decided, unless it is a copy or older news.
  const signal = t.type === 'signal' ? t.signal : undefined;
  const fresh = !!signal && !record.recentKeys.some((k) => k.key === signal.key) && !staleFor(record, signal);
  const marked = fresh && signal ? contextOf(input, withSignalMark(record, signal)) : ctx;

  const resumed = resumeInterrupted(marked, fresh);
  if (resumed) return resumed;
  switch (t.type) {
    case 'signal':
      return onSignal(ctx, marked, t.signal);
    case 'drain':
      return onOperatorDrain(ctx, t.reason, t.force);
    case 'restore':
      return onOperatorRestore(ctx, t.force);
    case 'release':
      return onRelease(ctx);
    case 'tick':
      return onTick(ctx);
  }
}
