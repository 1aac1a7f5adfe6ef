/**
 * Compute Engine resource URLs: how routes, Cloud Router interfaces and the API name a tunnel, a network, a route.
 * One spelling for the adapters, the simulator and the game day.
 */
export const COMPUTE = 'https://www.googleapis.com/compute/v1';

export const gcpTunnelUrl = (project: string, region: string, name: string): string =>
  `${COMPUTE}/projects/${project}/regions/${region}/vpnTunnels/${name}`;
export const gcpNetworkUrl = (project: string, network: string): string => `${COMPUTE}/projects/${project}/global/networks/${network}`;
export const gcpRouteUrl = (project: string, name: string): string => `${COMPUTE}/projects/${project}/global/routes/${name}`;

/** `…/projects/P/regions/R/vpnTunnels/N` (full or relative) → its parts; undefined for anything else. */
export function parseTunnelUrl(url: string | null | undefined): { project: string; region: string; name: string } | undefined {
  const m = /projects\/([^/]+)\/regions\/([^/]+)\/vpnTunnels\/([^/?#]+)(?:[?#].*)?$/.exec(url ?? '');
  return m ? { project: m[1]!, region: m[2]!, name: m[3]! } : undefined;
}
