/**
 * The paths of VPN connections' static routes on virtual private gateways, as the core sees them: one `Path` per
 * route, feeding BOTH tunnels of its connection (AWS has no per-tunnel lever). Shared by the EC2 adapter and the
 * simulator. Pure.
 *
 * A de-preferred route is listed as a standby (it carries traffic only when the preferred halves cannot); the halves
 * themselves are not paths: they belong to the de-preference and come and go with it (see vgw-standby.ts).
 */
import type { Path } from '../../shared/types';
import { isCover, noDepreferReason, STANDBY_KEY_SUFFIX, type VgwConnectionView } from './vgw-standby';

export const VGW_STATIC = 'aws-vgw-static' as const satisfies Path['kind'];

/** `vpn-0a1:10.0.0.0/16` */
export const vgwPathKey = (d: { vpnConnectionId: string; destinationCidrBlock: string }): string =>
  `${d.vpnConnectionId}:${d.destinationCidrBlock}`;

export interface VgwConnectionPaths extends VgwConnectionView {
  tunnelIds: string[];
}

/**
 * Every path of these connections. `probeTargets`: the /32 routes that pin the link probes to their connection; they
 * are not paths: tunnel-guard never withdraws them (a drained tunnel must stay measured) and never counts them as
 * coverage. `conns` should hold every connection of each gateway, so halves and de-preferences are recognised.
 */
export function vgwPathsOfAll(conns: readonly VgwConnectionPaths[], probeTargets: ReadonlySet<string> = new Set()): Path[] {
  return conns.flatMap((c) =>
    c.routes
      .filter((cidr) => !probeTargets.has(cidr) && !isCover(conns, c, cidr))
      .map((cidr): Path => {
        const definition = { vpnConnectionId: c.id, destinationCidrBlock: cidr };
        const key = vgwPathKey(definition);
        const base = {
          kind: VGW_STATIC,
          cloud: 'aws' as const,
          destinations: [cidr],
          tunnelIds: [...c.tunnelIds],
          definition,
          domain: c.domain,
        };
        if (c.standby.has(cidr)) return { key: `${key}${STANDBY_KEY_SUFFIX}`, ...base, standbyFor: key };
        const why = noDepreferReason(conns, c, cidr);
        return { key, ...base, ...(why ? { noDeprefer: why } : { canDeprefer: true }) };
      }),
  );
}
