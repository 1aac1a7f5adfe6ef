/**
 * What the ledger keeps to re-create a path, one shape per kind of lever. A definition crosses a trust boundary
 * twice — it is written into a ledger and read back, possibly by another version, after a crash — so it is parsed
 * here, once, by its `kind`, instead of being cast in each adapter. A definition that does not parse is a
 * permanent error: retrying cannot make it whole, and the record keeps it for a human.
 */
import { zodIssue } from '../shared/result';
import { z } from 'zod';
import { gcpRouteDefinition } from './gcp/route';
import { PermanentError } from '../shared/errors';
import type { Path, PathKind } from '../shared/types';

const id = z.string().min(1);

/** An AWS VPN connection's static route (`CreateVpnConnectionRoute` takes exactly these two). */
export const vgwRouteDefinition = z.object({ vpnConnectionId: id, destinationCidrBlock: id });

/** A static Transit Gateway route to a VPN attachment, and where a drain re-points it (absent = deleted). */
export const tgwRouteDefinition = z.object({
  transitGatewayRouteTableId: id,
  destinationCidrBlock: id,
  transitGatewayAttachmentId: id,
  vpnConnectionId: id,
  fallback: z.object({ transitGatewayAttachmentId: id, vpnConnectionId: id }).optional(),
});

/** A Cloud Router BGP peer: where it lives and every setting it had before tunnel-guard touched it. */
export const bgpPeerDefinition = z.object({
  project: id,
  region: id,
  router: id,
  peer: z.object({ name: id }).loose(),
});

const SCHEMAS = {
  'aws-vgw-static': vgwRouteDefinition,
  'aws-tgw-route': tgwRouteDefinition,
  'gcp-static-route': gcpRouteDefinition,
  'gcp-bgp-peer': bgpPeerDefinition,
} as const satisfies Record<PathKind, z.ZodType>;

export type VgwRouteDefinition = z.infer<typeof vgwRouteDefinition>;
export type TgwRouteDefinition = z.infer<typeof tgwRouteDefinition>;
export type BgpPeerDefinition = z.infer<typeof bgpPeerDefinition>;
export type DefinitionOf<K extends PathKind> = z.infer<(typeof SCHEMAS)[K]>;

/** Why this path's definition is not one of its kind, or undefined when it is. */
export function definitionProblem(path: Pick<Path, 'kind' | 'definition'>): string | undefined {
  const schema: z.ZodType | undefined = SCHEMAS[path.kind];
  if (!schema) return `unknown path kind ${JSON.stringify(path.kind)}`;
  const r = schema.safeParse(path.definition);
  if (r.success) return undefined;
  return zodIssue(r.error, '(definition)');
}

/** The definition of a path of kind `kind`; a `PermanentError` saying what is wrong when it is not one. */
export function definitionOf<K extends PathKind>(path: Pick<Path, 'key' | 'kind' | 'definition'>, kind: K): DefinitionOf<K> {
  if (path.kind !== kind) throw new PermanentError(`path ${path.key} is a ${path.kind} path, not ${kind}`);
  const r = SCHEMAS[kind].safeParse(path.definition);
  if (!r.success) throw new PermanentError(`path ${path.key}: not a ${kind} definition (${definitionProblem(path)})`);
  return r.data as DefinitionOf<K>;
}
