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
