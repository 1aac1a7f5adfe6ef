/**
 * Human output for links: what `tunnel-guard discover` proposes, and what the other end of a link did
 * with a link message sent by a command.
 */
import type { Discovery, UnpairedTunnel } from '../shared/links/discover';
import type { Config } from '../shared/policy';
import type { LinkDelivery } from '../simulator';
import { formatReport } from './report-format';

const indent = (text: string, by: string): string => text.replace(/^(?=.)/gm, by);

/** One delivery: the receiving end's report, indented under a `link →` header, or why it refused the message. */
export function formatDelivery(d: LinkDelivery): string {
  if (!d.ok) return `link → message refused by the other end, nothing changed there: ${d.reason}\n`;
  const end = d.message.toTunnelId.startsWith('aws:') ? 'AWS' : 'GCP';
  return `link → ${end} end ${d.message.toTunnelId} told "${d.message.health}" by the ${d.message.origin.toUpperCase()} end:\n${indent(formatReport(d.report), '  ')}`;
}

const unpairedLines = (title: string, xs: readonly UnpairedTunnel[]): string[] =>
  xs.length === 0
    ? []
    : [
        title,
        ...xs.flatMap((u) => [
          `  ${u.id}`,
          `    ${u.reason}`,
          ...(u.candidates?.length ? [`    candidates: ${u.candidates.join(', ')}`] : []),
        ]),
      ];

const key = (l: { gcp: string; aws: string }) => `${l.gcp} ${l.aws}`;

/** The proposal, the unpaired tunnels with reasons, and the configuration fragment ready to paste. */
export function formatDiscovery(d: Discovery, configured: Config['links']): string {
  const out: string[] = ["Proposed links (a GCP tunnel whose peerIp is an AWS tunnel's outside IP):"];
  if (d.pairs.length === 0) out.push('  (none)');
  for (const p of d.pairs) out.push(`  ${p.gcp}  <->  ${p.aws}   (${p.ip})`);
  out.push(...unpairedLines('GCP tunnels not paired:', d.unpairedGcp));
  out.push(...unpairedLines('AWS tunnels not paired:', d.unpairedAws));
  if (configured.length > 0) {
    const same = configured.length === d.links.length && configured.every((l) => d.links.some((x) => key(x) === key(l)));
    out.push(
      same
        ? `The configuration already names these ${configured.length} link(s).`
        : `The configuration names ${configured.length} link(s) that DIFFER from this proposal; the configured ones are in use.`,
    );
  } else {
    out.push("The configuration names no links: in simulator mode the commands use this proposal; the clouds' edges need it configured.");
  }
  out.push('Configuration to paste (the "links" of the file named by TUNNEL_GUARD_CONFIG):');
  out.push(JSON.stringify({ links: d.links }, null, 2));
  return out.join('\n') + '\n';
}
