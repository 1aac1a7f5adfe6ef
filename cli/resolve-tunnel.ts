/**
 * `<tunnel>` arguments: the canonical id, or a short form — a GCP tunnel name (`tunnel-aws-1`), an AWS outside
 * IP (`203.0.113.11`), an AWS connection + outside IP (`vpn-0a1b2c3d4e5f60001:203.0.113.11`), or any fragment of
 * exactly one id. Ambiguous or unknown → `UsageError` listing the candidates (exit 2).
 *
 * There is deliberately no "connection + tunnel number" form (`vpn-…:1`): the only number we could use is the
 * tunnel's position in `VgwTelemetry`, and that order is not AWS's "Tunnel 1 / Tunnel 2" label and not stable
 * (https://github.com/hashicorp/terraform-provider-aws/issues/19079). A guessed number could drain the wrong tunnel,
 * so such input is refused with the tunnels' outside IPs to choose from.
 */
import type { TunnelRef } from '../shared/types';
import { UsageError } from './io';

/** Every short form of each tunnel. */
export function aliasesOf(ref: TunnelRef): string[] {
  if (ref.cloud === 'gcp') return [ref.id, ref.native.name];
  return [ref.id, ref.native.outsideIpAddress, `${ref.native.vpnConnectionId}:${ref.native.outsideIpAddress}`];
}

/** `vpn-…:1`, `vpn-…#2`: the old positional form (a bare number, not an IP address). */
const POSITIONAL = /^(vpn-[0-9a-f]+)[:#](\d{1,2})$/;

export function resolveTunnel(input: string, refs: readonly TunnelRef[]): TunnelRef {
  const want = input.trim();
  if (!want) throw new UsageError('a tunnel is required (id, GCP tunnel name, AWS outside IP or vpn-…:<outside IP>)');
  const aliases = refs.map((ref) => ({ ref, names: aliasesOf(ref) }));
  const list = (xs: typeof aliases) => xs.map((a) => `  ${a.ref.id}`).join('\n');
  const positional = POSITIONAL.exec(want);
  if (positional) {
    // Checked before fragment matching: "vpn-…:2" is also a fragment of "vpn-…:203.0.113.11".
    const ofConnection = aliases.filter((a) => a.ref.cloud === 'aws' && a.ref.native.vpnConnectionId === positional[1]);
    throw new UsageError(
      `${JSON.stringify(want)}: AWS tunnels are named by their outside IP, not by a number (the order AWS lists them in is not stable); ` +
        (ofConnection.length
          ? `use one of:\n${ofConnection.map((a) => `  ${positional[1]}:${a.ref.cloud === 'aws' ? a.ref.native.outsideIpAddress : ''}`).join('\n')}`
          : `known tunnels:\n${list(aliases)}`),
    );
  }
  const exact = aliases.filter((a) => a.names.includes(want));
  const matches = exact.length > 0 ? exact : aliases.filter((a) => a.ref.id.includes(want));
  if (matches.length === 1) return matches[0]!.ref;
  if (matches.length > 1) throw new UsageError(`tunnel ${JSON.stringify(want)} is ambiguous; candidates:\n${list(matches)}`);
  throw new UsageError(`unknown tunnel ${JSON.stringify(want)}; known tunnels:\n${list(aliases)}`);
}
