/**
 * `status --json`: the contract shape (`{"tunnels":[{id,cloud,health,state,native,routes,withdrawn,…}]}`), built
 * purely from what the clouds and the ledger say. The table for people is `status-table.ts`.
 */
import { effectiveHealth } from '../shared/health';
import { peerOf } from '../shared/links/rules';
import { DEFAULT_POLICY, type Config } from '../shared/policy';
import { utilisations, type CapacityDefaults, type Utilisation } from './utilisation';
import { isFenceId, type Health, type LedgerRecord, type Path, type TunnelStatus } from '../shared/types';

export interface StatusRoute {
  destination: string;
  pathKey: string;
  kind: Path['kind'];
}
export interface StatusTunnel {
  id: string;
  cloud: 'aws' | 'gcp';
  health: Health;
  state: string;
  native: Record<string, unknown>;
  routes: StatusRoute[];
  withdrawn: StatusRoute[];
  /**
   * Recorded for withdrawal but still carrying traffic in the cloud (a drain cut short, a guard that refused to
   * finish it, or a path someone put back): the drain is not complete. Present only when non-empty.
   */
  pending?: StatusRoute[];
  /** Standbys left by de-preferring this tunnel's paths: they carry traffic only when nothing better exists. */
  standby: StatusRoute[];
  /** What the cloud reports of the tunnel itself (IPsec up/down); the field name is part of the `status --json` shape. */
  linkStatus: TunnelStatus['status'];
  suppressed: boolean;
  reason?: string;
  lastSignalAt?: string;
  healthySince?: string;
  /** The other cloud's end of this tunnel's link, or null when it is not paired. */
  peer: string | null;
  /** Where the pair came from: the configuration's `links`, or discovery on the simulator. */
  peerSource?: 'config' | 'discovered';
  /** Packets/s through the tunnel, sent plus received, where an adapter reads it (absent: not known). */
  loadPps?: number;
  /** The tunnel's packet-rate limit where known (configured, or the adapter's figure). */
  capacityPps?: number;
  /**
   * Peak load over the limit it meets (`loadPps` / `utilisationCapacityPps`), where a load is known for this end or
   * its other end: the limit is the tunnel's own, else the policy's default for its cloud, and the smaller end of a
   * linked pair binds.
   */
  utilisation?: number;
  /** The limit `utilisation` is measured against. */
  utilisationCapacityPps?: number;
  /** The latest measured loss ratio per span (`gcp-to-aws`, `aws-to-gcp`, `round-trip`), with when and who said it. */
  loss?: LedgerRecord['loss'];
  /** When a monitor last saw the tunnel over its packet-rate limit (throttled). */
  throttledAt?: string;
}
export interface StatusDoc {
  tunnels: StatusTunnel[];
}

const utilisationFields = (u: Utilisation | undefined) =>
  u ? { utilisation: Math.round(u.ratio * 1000) / 1000, utilisationCapacityPps: u.capacityPps } : {};

/** One entry per destination of each path (a BGP peer carries several). */
const perDestination = (paths: readonly Path[]): StatusRoute[] =>
  paths.flatMap((p) => p.destinations.map((destination) => ({ destination, pathKey: p.key, kind: p.kind })));

/** The links in use and where they came from (`peer`/`peerSource` of each tunnel). */
export interface StatusLinks {
  links: Config['links'];
  source: 'config' | 'discovered' | 'off';
}

export function buildStatus(
  tunnels: readonly TunnelStatus[],
  paths: readonly Path[],
  records: readonly LedgerRecord[],
  links: StatusLinks = { links: [], source: 'off' },
  capacity: CapacityDefaults = DEFAULT_POLICY, // the policy's defaults, for a caller without a configuration
): StatusDoc {
  const used = utilisations(tunnels, links.links, capacity);
  const byId = new Map(records.filter((r) => !isFenceId(r.tunnelId)).map((r) => [r.tunnelId, r]));
  return {
    tunnels: tunnels.map((t) => {
      const r = byId.get(t.ref.id);
      const peer = peerOf(links.links, t.ref.id) ?? null;
      const active = paths.filter((p) => p.tunnelIds.includes(t.ref.id) && !p.standbyFor);
      const stillThere = new Set(active.map((p) => p.key));
      // A path is listed as withdrawn only once it is gone from the cloud; the ledger's intent alone is `pending`.
      const pending = (r?.withdrawn ?? []).filter((p) => stillThere.has(p.key));
      const state = r?.state ?? 'active';
      return {
        id: t.ref.id,
        cloud: t.ref.cloud,
        health: effectiveHealth(t, r), // the guards' view: an explicit "unknown" stays unknown
        // "drained" while a recorded path still carries traffic would be a lie: say the drain is partial.
        state: state === 'drained' && pending.length > 0 ? 'partly-drained' : state,
        native: { ...t.ref.native },
        // A de-preferred path is not an active route: it is listed in `withdrawn`, and its copy in `standby`.
        routes: perDestination(active),
        withdrawn: perDestination((r?.withdrawn ?? []).filter((p) => !stillThere.has(p.key))),
        ...(pending.length > 0 ? { pending: perDestination(pending) } : {}),
        standby: perDestination(paths.filter((p) => p.tunnelIds.includes(t.ref.id) && p.standbyFor)),
        linkStatus: t.status,
        suppressed: r?.suppressed ?? false,
        ...(r?.reason ? { reason: r.reason } : {}),
        ...(r?.lastSignalAt ? { lastSignalAt: r.lastSignalAt } : {}),
        ...(r?.healthySince ? { healthySince: r.healthySince } : {}),
        peer,
        ...(peer && links.source !== 'off' ? { peerSource: links.source } : {}),
        ...(t.load ? { loadPps: t.load.pps } : {}),
        ...(t.capacityPps !== undefined ? { capacityPps: t.capacityPps } : {}),
        ...utilisationFields(used.get(t.ref.id)),
        ...(r?.loss && Object.keys(r.loss).length ? { loss: r.loss } : {}),
        ...(r?.throttledAt ? { throttledAt: r.throttledAt } : {}),
      };
    }),
  };
}

/** One line saying which links are in use and where they came from. */
export function formatLinksLine(links: StatusLinks & { unpaired?: number }): string {
  if (links.source === 'off') return 'links: off (TUNNEL_GUARD_LINKS=off): each cloud acts alone\n';
  if (links.source === 'config') return `links: ${links.links.length} pair(s) from the configuration\n`;
  const unpaired = links.unpaired ? `, ${links.unpaired} tunnel(s) unpaired` : '';
  return `links: ${links.links.length} pair(s) discovered on the simulator (peerIp = outside IP)${unpaired}; pin: tunnel-guard discover\n`;
}
