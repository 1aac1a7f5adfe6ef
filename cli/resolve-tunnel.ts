/**
 * `<tunnel>` arguments: the canonical id, or a short form — a GCP tunnel name (`tunnel-aws-1`), an AWS outside
 * IP (`203.0.113.11`), or an AWS connection + tunnel index (`vpn-0a1b2c3d4e5f60001:1` or `…#1`), or any
 * fragment of exactly one id. Ambiguous or unknown → `UsageError` listing the candidates (exit 2).
 */
import type { TunnelRef } from '../shared/types';
import { UsageError } from './io';

/** Every short form of each tunnel. */
export function aliasesOf(ref: TunnelRef, indexInConnection?: number): string[] {
  if (ref.cloud === 'gcp') return [ref.id, ref.native.name];
  const out = [ref.id, ref.native.outsideIpAddress];
  if (indexInConnection !== undefined) out.push(`${ref.native.vpnConnectionId}:${indexInConnection}`, `${ref.native.vpnConnectionId}#${indexInConnection}`);
  return out;
}

export function resolveTunnel(input: string, refs: readonly TunnelRef[]): TunnelRef {
  const want = input.trim();
  if (!want) throw new UsageError('a tunnel is required (id, GCP tunnel name, AWS outside IP or vpn-…:1)');
  const perConnection = new Map<string, number>();
  const aliases = refs.map((ref) => {
    let index: number | undefined;
    if (ref.cloud === 'aws') {
      index = (perConnection.get(ref.native.vpnConnectionId) ?? 0) + 1;
      perConnection.set(ref.native.vpnConnectionId, index);
    }
    return { ref, names: aliasesOf(ref, index) };
  });
  const exact = aliases.filter((a) => a.names.includes(want));
  const matches = exact.length > 0 ? exact : aliases.filter((a) => a.ref.id.includes(want));
  if (matches.length === 1) return matches[0]!.ref;
  const list = (xs: typeof aliases) => xs.map((a) => `  ${a.ref.id}`).join('\n');
  if (matches.length > 1) throw new UsageError(`tunnel ${JSON.stringify(want)} is ambiguous; candidates:\n${list(matches)}`);
  throw new UsageError(`unknown tunnel ${JSON.stringify(want)}; known tunnels:\n${list(aliases)}`);
}
