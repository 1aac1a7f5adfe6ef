/**
 * A Compute `Route` as tunnel-guard keeps it to re-create it: its writable fields, and nothing else. Routes are
 * immutable (no routes.patch), so a withdrawal is a delete and a restore an insert of exactly these fields; every
 * other field (`id`, `selfLink`, `creationTimestamp`, `kind`, `warnings`, `routeStatus`, `routeType`, `asPaths`, …)
 * is output-only and makes an insert fail. One list and one schema for the adapter, the simulator and the ledgers.
 * https://cloud.google.com/compute/docs/reference/rest/v1/routes
 */
import { z } from 'zod';

export const GCP_ROUTE_WRITABLE_FIELDS = [
  'name',
  'description',
  'network',
  'destRange',
  'priority',
  'tags',
  'nextHopVpnTunnel',
  'params',
] as const;

/** The strict definition: a field that is not writable is refused, so a ledger never holds what an insert rejects. */
export const gcpRouteDefinition = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    network: z.string().optional(),
    destRange: z.string().min(1).optional(),
    priority: z.number().int().min(0).max(65535).optional(),
    tags: z.array(z.string()).optional(),
    nextHopVpnTunnel: z.string().min(1).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type GcpRouteDefinition = z.infer<typeof gcpRouteDefinition>;
