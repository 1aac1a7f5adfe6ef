/** `tunnel-guard status`: tunnels, health, state, active and withdrawn routes (`--json`: the status contract). */
import { EXIT } from '../io';
import type { Register } from '../session';
import { buildStatus, formatStatus } from '../status-view';

export const status: Register = (program, s) => {
  program
    .command('status')
    .description('tunnels, health, state, active routes and withdrawn routes')
    .option('--json', 'print the status contract as JSON')
    .action(
      s.act(async (o: { json?: boolean }) => {
        const target = s.target();
        const [snap, links] = await Promise.all([target.read(), target.links()]);
        const doc = buildStatus(snap.tunnels, snap.paths, snap.records, links);
        if (o.json) {
          s.io.stdout(`${JSON.stringify(doc)}\n`);
          return EXIT.ok;
        }
        s.io.stdout(formatStatus(doc) + links.line);
        if (target.name === 'clouds') s.io.stdout(`ledgers: ${(await target.where()).join('; ')}\n`);
        return EXIT.ok;
      }),
    );
};
