/**
 * De-preferring a GCP static route (make-before-break): the standby is an exact copy of the route's writable fields
 * under a deterministic name and at a worse priority. Shared by the real Compute adapter and the simulator, so both
 * name, recognise and rank standbys the same way. Pure.
 *
 * Why a copy and not an update: Compute routes are immutable (there is no routes.patch), so a route's priority can
 * only change by inserting another route and deleting the first. Inserting first means the destination always has at
 * least one route: the original until the copy is confirmed, then the copy.
 * https://cloud.google.com/compute/docs/reference/rest/v1/routes
 *
 * Why the copy is at priority 65535 (the worst a route can have): GCP picks the most specific route, then the lowest
 * priority value among routes whose tunnel has an established IKE SA, and ignores the others. A standby must lose to
 * every route that can carry the destination, whatever priorities the operator gave them (a backup route at 1500 would
 * still lose to a copy at 1001). Only another route at 65535 ties with it (ECMP).
 * https://cloud.google.com/vpc/docs/routes#routing_in_vpc
 */

/** The suffix that marks a standby copy; the rest of the name is the original route's name. */
export const STANDBY_SUFFIX = '-tg-standby';

/** The priority of every standby copy. */
export const STANDBY_PRIORITY = 65535;

/** Compute resource names: RFC 1035, at most 63 characters. */
const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The standby's name for a route, or undefined when the name would not fit in 63 characters. */
export function standbyRouteName(name: string): string | undefined {
  const standby = `${name}${STANDBY_SUFFIX}`;
  return NAME.test(standby) ? standby : undefined;
}

/** The original route's name if `name` is a standby copy's, else undefined. */
export function originalOfStandby(name: string): string | undefined {
  return name.endsWith(STANDBY_SUFFIX) && name.length > STANDBY_SUFFIX.length ? name.slice(0, -STANDBY_SUFFIX.length) : undefined;
}

/**
 * Can this route be de-preferred? It needs a name that leaves room for the suffix, must not be a standby itself, and
 * must be better than the standby priority (a route already at 65535 cannot be made worse).
 */
export function canDepreferRoute(def: { name?: unknown; priority?: unknown }): boolean {
  const name = typeof def.name === 'string' ? def.name : '';
  const priority = Number(def.priority ?? 1000);
  return !!name && !originalOfStandby(name) && !!standbyRouteName(name) && Number.isFinite(priority) && priority < STANDBY_PRIORITY;
}

/** The standby copy of a route's writable fields: the same everything, another name, the worst priority. */
export function standbyDefinition<T extends { name?: unknown; priority?: unknown }>(def: T): T & { name: string; priority: number } {
  const name = standbyRouteName(String(def.name ?? ''));
  if (!name) throw new Error(`route ${String(def.name)} has no standby name (the name is too long)`);
  return { ...structuredClone(def), name, priority: STANDBY_PRIORITY };
}
