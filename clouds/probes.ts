/**
 * The routes that pin a link's probe to that link: a /32 to the probe target on the link's AWS VPN connection, and
 * on GCP a route back to the probe subnet through the link's tunnel. They are not paths — tunnel-guard never
 * withdraws them (a drained tunnel must stay measured) and never counts them as coverage for production prefixes.
 * GCP routes are recognised by name (the deploy tooling names them); AWS routes have no name, so by their target.
 */
export const PROBE_ROUTE_PREFIX = 'tunnel-guard-probe-';

export const isProbeRouteName = (name: string | null | undefined): boolean => !!name && name.startsWith(PROBE_ROUTE_PREFIX);
