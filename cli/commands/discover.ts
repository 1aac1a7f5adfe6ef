/**
 * `tunnel-guard discover`: pair GCP and AWS tunnels (GCP peerIp = AWS outside IP) and print the configuration to
 * paste; on the clouds also the alarms, alert policies and a scope. `--write` never overwrites a file.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolveFromCaller } from '../../config/source';
import { EXIT, UsageError } from '../io';
import type { Register } from '../session';

const EXAMPLES = `
Examples:
  tunnel-guard discover
  tunnel-guard discover --write tunnel-guard.json
  AWS_REGION=ap-northeast-1 tunnel-guard --target clouds discover --aws-regions ap-northeast-1,us-east-1
`;

export const discover: Register = (program, s) => {
  program
    .command('discover')
    .description(
      'pair GCP and AWS tunnels (GCP peerIp = AWS outside IP) and print the configuration to paste (on the clouds also alarms, alert policies and a scope)',
    )
    .option('--json', 'print the discovery as JSON ({links, pairs, unpairedGcp, unpairedAws, config})')
    .option('--write <file>', 'also write the proposed configuration to this new file (never overwrites)')
    .option('--aws-regions <list>', "on the clouds: comma list of AWS regions to read (default: AWS_REGION / the profile's)")
    .addHelpText('after', EXAMPLES)
    .action(
      s.act(async (o: { json?: boolean; write?: string; awsRegions?: string }) => {
        const file = o.write ? resolveFromCaller(o.write, s.io.env, s.io.cwd) : undefined;
        if (file && existsSync(file))
          throw new UsageError(
            `--write ${o.write}: the file exists; remove it or name another (discover never overwrites a configuration)`,
          );
        const awsRegions = (o.awsRegions ?? '')
          .split(',')
          .map((r) => r.trim())
          .filter(Boolean);
        const proposal = await s.target().discover({ awsRegions });
        if (file) writeFileSync(file, `${JSON.stringify(proposal.config, null, 2)}\n`, { flag: 'wx' });
        s.io.stdout(o.json ? `${JSON.stringify(proposal.json, null, 2)}\n` : proposal.text);
        if (file && !o.json) s.io.stdout(`written: ${file} (point TUNNEL_GUARD_CONFIG at it)\n`);
        // Unpaired tunnels are information, not an error: a built-in AWS tunnel 2 has no GCP peer by design.
        return EXIT.ok;
      }),
    );
};
