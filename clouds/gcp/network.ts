/**
 * A GCP VPC network as a routing domain: its full URL, whatever form an API object holds
 * (`https://…/projects/P/global/networks/N`, `projects/P/global/networks/N`, `global/networks/N` or a bare name),
 * so static routes and Cloud Routers of one network land in one domain. Used by the real adapters and the simulator.
 */
const COMPUTE_V1 = 'https://www.googleapis.com/compute/v1';

export function networkDomain(network: string | null | undefined, project: string): string | undefined {
  const n = network?.trim();
  if (!n) return undefined;
  const full = /(?:^|\/)projects\/([^/]+)\/global\/networks\/([^/?#]+)$/.exec(n);
  if (full) return `${COMPUTE_V1}/projects/${full[1]}/global/networks/${full[2]}`;
  const relative = /^(?:global\/networks\/)?([a-z]([-a-z0-9]*[a-z0-9])?)$/.exec(n);
  if (relative) return `${COMPUTE_V1}/projects/${project}/global/networks/${relative[1]}`;
  return n;
}

/**
 * The routing domain of routes a Cloud Router learns over BGP. With the VPC's default REGIONAL dynamic routing they
 * reach only instances in the router's region, so they back up only other paths of that region's routers (never a
 * global static route). The network's routing mode is not read: treating every network as REGIONAL can only make
 * the black-hole guard stricter, never looser.
 */
export const learnedRoutesDomain = (network: string | null | undefined, project: string, region: string): string | undefined => {
  const n = networkDomain(network, project);
  return n ? `${n}@${region}` : undefined;
};
