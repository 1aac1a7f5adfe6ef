/**
 * Figures from the other end of a link: what its counters read (the loss on what it receives — the direction this
 * end steers — and the loads of this end's tunnels). They are measurements, not news of health: no monitor moves and
 * no drain follows from them; they are kept for the comparisons the next decisions make, and a drained tunnel they show
 * to be measurably less lossy than the tunnels carrying its traffic comes back now. Pure.
 */
import { contextOf, decisionOf, type Ctx, type Decision } from './decision';
import { MAX_KEYS, monitorOf } from './monitors';
import { maybeRestore } from './restore';
import { withMeasure } from '../measure';
import type { Signal } from '../types';

export function onFigures(ctx: Ctx, s: Signal): Decision {
  const { record, id } = ctx;
  if (record.recentKeys.some((k) => k.key === s.key))
    return decisionOf('ignore', `duplicate figures ${s.key}: already noted`, record, {
      refusals: [{ guard: 'duplicate', reason: `figures ${s.key} were already noted` }],
    });
  const next = {
    ...withMeasure(record, s, monitorOf(s)),
    recentKeys: [...record.recentKeys, { key: s.key, at: s.observedAt }].slice(-MAX_KEYS),
  };
  if (next.state === 'drained' && !next.suppressed) {
    const d = maybeRestore(contextOf(ctx.input, next), next, true);
    if (d.kind === 'restore') return d;
  }
  return decisionOf('record', `${id}: the other end's figures noted (${s.evidence})`, next, { next });
}
