/** `tunnel-guard signal <tunnel> <health>`: feed a health signal as an edge would (the simulator only). */
import { HEALTHS, SPANS, type Health, type LossMeasure, type Span } from '../../shared/types';
import { parseInstant } from '../clock';
import { UsageError } from '../io';
import { outputOf, outputOption, type OutputFlags } from '../output';
import { printChange } from '../print';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  tunnel-guard signal tunnel-aws-1 degraded --loss 4.5 --span gcp-to-aws
  tunnel-guard signal tunnel-aws-1 healthy --at 2026-11-25T10:05:00Z
`;
import { simulatorOnly } from '../targets/target';

export const signal: Register = (program, s) => {
  const cmd = program
    .command('signal <tunnel> <health>')
    .description(`feed a health signal as an edge would (${HEALTHS.join('|')})`)
    .option('--at <iso>', 'when it was observed (default: now); also the decision time')
    .option('--evidence <text>', 'human-readable evidence', 'operator signal (tunnel-guard signal)')
    .option('--loss <percent>', 'the loss the monitor measured, in percent (shown by status <tunnel>)')
    .option('--span <span>', `what --loss covers: ${SPANS.join(', ')}`, 'round-trip');
  outputOption(cmd, 'print the report as JSON (same as -o json)')

    .addHelpText('after', EXAMPLES)
    .action(
      s.act(async (tunnel: string, health: string, o: OutputFlags & { at?: string; evidence: string; loss?: string; span: string }) => {
        simulatorOnly(s.targetName(), 'signal');
        const target = s.target();
        if (!(HEALTHS as readonly string[]).includes(health)) {
          throw new UsageError(`health ${JSON.stringify(health)} must be one of ${HEALTHS.join(', ')}`);
        }
        const at = o.at ? parseInstant(o.at, '--at') : undefined;
        const clock = s.clock(o.at, '--at');
        const ref = await target.tunnel(tunnel);
        const observedAt = (at ?? clock.now()).toISOString();
        const change = await target.signal(
          {
            tunnelId: ref.id,
            health: health as Health,
            observedAt,
            source: 'cli',
            monitor: 'cli',
            key: `cli:${ref.id}:${health}:${observedAt}`,
            evidence: o.evidence,
            ...(o.loss !== undefined ? { measure: lossOf(o.loss, o.span) } : {}),
          },
          clock,
        );
        return printChange(s.io, change, outputOf(o), true);
      }),
    );
};

function lossOf(percent: string, span: string): LossMeasure {
  const ratio = Number(percent) / 100;
  if (percent.trim() === '' || !(ratio >= 0 && ratio <= 1))
    throw new UsageError(`--loss ${JSON.stringify(percent)} must be a percentage, 0..100`);
  if (!(SPANS as readonly string[]).includes(span))
    throw new UsageError(`--span ${JSON.stringify(span)} must be one of ${SPANS.join(', ')}`);
  return { ratio, span: span as Span };
}
