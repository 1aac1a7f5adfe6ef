/**
 * The traffic figures a run decides with: each tunnel's load and the loss its cloud's counters show, read through the
 * optional traffic port and laid onto the tunnels' statuses; and each tunnel's capacity, where the configuration does
 * not say it: the cloud's documented limit, or for a tunnel paired with the other cloud the smaller of the two (both
 * ends of one IPsec tunnel carry the same packets, and the stricter gateway drops first).
 */
import type { CloudPorts, CoreDeps } from '../ports';
import { errorMessage } from '../errors';
import { peerOf } from '../links/rules';
import { capacityPpsOf } from '../measure';
import type { Policy } from '../policy';
import type { TunnelStatus, TunnelTraffic } from '../types';

type Links = NonNullable<CoreDeps['links']>;

/** The capacity a tunnel is held to when nothing names one. */
export function defaultCapacityPps(s: TunnelStatus, policy: Policy, links: Links | undefined): number {
  const own = capacityPpsOf({ ref: s.ref }, policy);
  return links && peerOf(links, s.ref.id) ? Math.min(policy.awsTunnelCapacityPps, policy.gcpTunnelCapacityPps) : own;
}

/** Lay traffic figures onto statuses (a status's own figures win: an adapter that reads them knows better). Pure. */
export function withTraffic(
  tunnels: readonly TunnelStatus[],
  traffic: readonly TunnelTraffic[],
  policy: Policy,
  links?: Links,
): TunnelStatus[] {
  const byId = new Map(traffic.map((t) => [t.tunnelId, t]));
  return tunnels.map((s) => {
    const t = byId.get(s.ref.id);
    return {
      ...s,
      ...(s.load || !t ? {} : { load: t.load }),
      ...(s.counted || !t?.counted ? {} : { counted: t.counted }),
      capacityPps: s.capacityPps ?? defaultCapacityPps(s, policy, links),
    };
  });
}

/** Read the traffic port, if the cloud has one. A failure is logged and leaves the figures out: they are advisory. */
export async function readTraffic(deps: CoreDeps, ports: CloudPorts, tunnels: readonly TunnelStatus[]): Promise<TunnelStatus[]> {
  let traffic: TunnelTraffic[] = [];
  if (ports.traffic && tunnels.length > 0) {
    try {
      traffic = await ports.traffic.read(tunnels.map((t) => t.ref));
    } catch (e) {
      deps.logger.log({
        severity: 'WARNING',
        message: `traffic figures not read (deciding without load and counters): ${errorMessage(e)}`,
      });
    }
  }
  return withTraffic(tunnels, traffic, deps.policy, deps.links);
}
