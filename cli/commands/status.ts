/**
 * `tunnel-guard status [tunnel]`: a header naming the target, then every tunnel (health, state, routes, peer,
 * since when, why) in 120 columns; `-o wide` adds the full ids and every route; `-o json`/`--json` is the status
 * contract. With a tunnel: both ends of its link, its monitors and its last decisions.
 */
import { EXIT } from '../io';
import { outputOf, outputOption, type OutputFlags } from '../output';
import type { Register } from '../session';
import { formatTunnelDetail } from '../status-detail';
import { formatStatus } from '../status-table';
import { buildStatus } from '../status-view';

const EXAMPLES = `
Examples:
  tunnel-guard status                          # every tunnel, 120 columns
  tunnel-guard status -o wide                  # with full ids, routes, withdrawn routes and standbys
  tunnel-guard status tunnel-aws-1             # one tunnel: both ends, monitors, last decisions
  tunnel-guard status -o json | jq '.tunnels[] | select(.state != "active")'
  tunnel-guard --target clouds status          # the deployed clouds and their ledgers
`;

export const status: Register = (program, s) => {
  const cmd = program
    .command('status [tunnel]')
    .description('tunnels, health, state, active routes and withdrawn routes; with a tunnel, both ends of it and its history');
  outputOption(cmd, 'print the status contract as JSON (same as -o json)')
    .addHelpText('after', EXAMPLES)
    .action(
      s.act(async (tunnel: string | undefined, o: OutputFlags) => {
        const output = outputOf(o);
        const target = s.target();
        const [snap, links, policy] = await Promise.all([target.read(), target.links(), target.policy()]);
        const doc = buildStatus(snap.tunnels, snap.paths, snap.records, links, policy);
        if (tunnel !== undefined) {
          const ref = await target.tunnel(tunnel);
          const history = await target.history();
          const mine = doc.tunnels.filter((t) => t.id === ref.id || t.peer === ref.id);
          if (output === 'json') {
            const ids = new Set(mine.map((t) => t.id));
            s.io.stdout(
              `${JSON.stringify({ tunnels: mine, ...(history ? { history: history.filter((h) => ids.has(h.tunnelId)) } : {}) })}\n`,
            );
            return EXIT.ok;
          }
          s.io.stdout(`target: ${await target.describe()}\n`);
          s.io.stdout(formatTunnelDetail(ref.id, doc, snap.records, history, s.now(), s.paint));
          return EXIT.ok;
        }
        if (output === 'json') {
          s.io.stdout(`${JSON.stringify(doc)}\n`);
          return EXIT.ok;
        }
        s.io.stdout(`target: ${await target.describe()}\n`);
        s.io.stdout(formatStatus(doc, { wide: output === 'wide', records: snap.records, now: s.now(), paint: s.paint }));
        s.io.stdout(links.line);
        return EXIT.ok;
      }),
    );
};
