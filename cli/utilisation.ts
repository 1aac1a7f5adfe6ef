/**
 * How full each tunnel is, and whether a failover would still fit. Pure: `status` shows the figures, `doctor` warns.
 *
 * - A tunnel's limit is its own figure (read by an adapter, or the simulator's `capacityPps`), else the policy's
 *   default for its cloud (`awsTunnelCapacityPps`, `gcpTunnelCapacityPps`). For a linked pair the smaller end binds:
 *   the same IPsec packets cross both ends. Its load is its own peak, else its other end's (the same tunnel).
 * - The failover rule: n tunnels back each other up when they carry the same destinations. If one of them fails its
 *   traffic spreads over the other n − 1, so each must stay at or below (n − 1)/n of its limit for the spread to fit:
 *   50 % for two tunnels, 67 % for three. A lone tunnel has nothing to fail over to and is not judged here.
 */
import { peerOf } from '../shared/links/rules';
import { capacityPpsOf } from '../shared/measure';
import type { Config } from '../shared/policy';
import type { Path, TunnelStatus } from '../shared/types';
import type { DoctorCheck } from './seat';

export type CapacityDefaults = Pick<Config['policy'], 'awsTunnelCapacityPps' | 'gcpTunnelCapacityPps'>;

export interface Utilisation {
  pps: number;
  /** The limit the load is measured against (the binding one of a linked pair). */
  capacityPps: number;
  /** pps / capacityPps. */
  ratio: number;
}

const ownCapacity = capacityPpsOf;

/** Undefined when neither end's load is known. */
export function utilisationOf(t: TunnelStatus, peer: TunnelStatus | undefined, d: CapacityDefaults): Utilisation | undefined {
  const pps = t.load?.pps ?? peer?.load?.pps;
  if (pps === undefined) return undefined;
  const capacityPps = Math.min(ownCapacity(t, d), peer ? ownCapacity(peer, d) : Number.POSITIVE_INFINITY);
  return { pps, capacityPps, ratio: pps / capacityPps };
}

/** Every tunnel's utilisation where known, by id, with the links pairing the ends. */
export function utilisations(tunnels: readonly TunnelStatus[], links: Config['links'], d: CapacityDefaults): Map<string, Utilisation> {
  const byId = new Map(tunnels.map((t) => [t.ref.id, t]));
  const out = new Map<string, Utilisation>();
  for (const t of tunnels) {
    const peerId = peerOf(links, t.ref.id);
    const u = utilisationOf(t, peerId ? byId.get(peerId) : undefined, d);
    if (u) out.set(t.ref.id, u);
  }
  return out;
}

/** The share of its limit a tunnel may carry so that, in a group of n, the others still take it: (n − 1)/n. */
export const failoverShare = (n: number): number => (n <= 1 ? 0 : (n - 1) / n);

/**
 * The tunnels that back `id` up (itself included): those whose active paths carry any of its destinations, less
 * those the cloud reports down (they take nothing over).
 */
export function backupGroup(id: string, paths: readonly Path[], down: ReadonlySet<string> = new Set()): string[] {
  const active = paths.filter((p) => !p.standbyFor);
  const mine = new Set(active.filter((p) => p.tunnelIds.includes(id)).flatMap((p) => p.destinations));
  const group = new Set(active.filter((p) => p.destinations.some((x) => mine.has(x))).flatMap((p) => p.tunnelIds));
  return [...group].filter((t) => t === id || !down.has(t)).sort();
}

const pps = (n: number) => `${Math.round(n).toLocaleString('en-US')} pps`;
export const percentOf = (ratio: number): string => `${Math.round(ratio * 100)} %`;

/**
 * doctor: one line per tunnel whose utilisation is known. Above the failover share it is a warning (the check
 * passes: nothing is broken yet, a failover would overflow); a skip when no load is known anywhere.
 */
export function utilisationChecks(
  tunnels: readonly TunnelStatus[],
  paths: readonly Path[],
  links: Config['links'],
  d: CapacityDefaults,
): DoctorCheck[] {
  const known = utilisations(tunnels, links, d);
  if (known.size === 0)
    return [
      {
        cloud: 'links',
        name: 'utilisation',
        status: 'skip',
        detail: 'no tunnel load is known: nothing says whether a failover would fit',
      },
    ];
  const down = new Set(tunnels.filter((t) => t.status === 'down').map((t) => t.ref.id));
  const out: DoctorCheck[] = [];
  for (const t of tunnels) {
    const u = known.get(t.ref.id);
    // A tunnel the cloud reports down carries nothing and takes nothing over.
    if (!u || t.status === 'down') continue;
    const group = backupGroup(t.ref.id, paths, down);
    const share = failoverShare(group.length);
    const figures = `peak ${pps(u.pps)} of ${pps(u.capacityPps)} (${percentOf(u.ratio)})`;
    const name = `utilisation ${t.ref.id}`;
    if (group.length <= 1) {
      out.push({ cloud: t.ref.cloud, name, status: 'pass', detail: `${figures}; no other tunnel carries its destinations` });
      continue;
    }
    const over = u.ratio > share;
    out.push({
      cloud: t.ref.cloud,
      name,
      status: 'pass',
      detail: over
        ? `warning: ${figures} is above ${percentOf(share)}, the share at which a failover still fits: if one of the ${group.length} tunnels carrying its destinations fails, the others cannot take its traffic — add a tunnel or move load`
        : `${figures}; ${group.length} tunnels carry its destinations: a failover fits up to ${percentOf(share)}`,
    });
  }
  return out;
}
