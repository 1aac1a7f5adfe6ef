/** `tunnel-guard signal <tunnel> <health>`: feed a health signal as an edge would (the simulator only). */
import { HEALTHS, type Health } from '../../shared/types';
import { parseInstant } from '../clock';
import { UsageError } from '../io';
import { printChange } from '../print';
import type { Register } from '../session';
import { simulatorOnly } from '../targets/target';

export const signal: Register = (program, s) => {
  program
    .command('signal <tunnel> <health>')
    .description(`feed a health signal as an edge would (${HEALTHS.join('|')})`)
    .option('--at <iso>', 'when it was observed (default: now); also the decision time')
    .option('--evidence <text>', 'human-readable evidence', 'operator signal (tunnel-guard signal)')
    .option('--json', 'print the report as JSON')
    .action(
      s.act(async (tunnel: string, health: string, o: { at?: string; evidence: string; json?: boolean }) => {
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
          },
          clock,
        );
        return printChange(s.io, change, !!o.json);
      }),
    );
};
