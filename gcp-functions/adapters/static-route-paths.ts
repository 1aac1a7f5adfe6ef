/**
 * Classic VPN static routes as a `PathTable`: one `Path` per `Route` whose `nextHopVpnTunnel` is a tunnel.
 * Routes are immutable in Compute Engine, so withdraw = delete and restore = insert of the saved writable
 * fields; both wait on the global operation and check its `error`.
 */
import type { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client';
import type { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client';
import { PermanentError, TransientError } from '../../shared/errors';
import { networkDomain } from '../../shared/gcp-network';
import type { PathTable } from '../../shared/ports';
import { gcpTunnelId, type Outcome, type Path, type PathSnapshot } from '../../shared/types';
import {
  classifyComputeError,
  httpStatusOf,
  latestOperation,
  parseTunnelUrl,
  pick,
  waitOperation,
  type ComputeOperation,
} from './compute-calls';

/**
 * The fields a caller may set on insert. Everything else (`id`, `selfLink`, `creationTimestamp`, `kind`,
 * `warnings`, `routeStatus`, `routeType`, `asPaths`, …) is output-only and makes an insert fail.
 */
export const ROUTE_WRITABLE_FIELDS = [
  'name',
  'description',
  'network',
  'destRange',
  'priority',
  'tags',
  'nextHopVpnTunnel',
  'params',
] as const;

export interface StaticRouteClients {
  routes: Pick<RoutesClient, 'listAsync' | 'insert' | 'delete' | 'get'>;
  globalOperations: Pick<GlobalOperationsClient, 'wait'>;
}

export interface StaticRouteOptions {
  project: string;
  /** Only routes into tunnels of these regions (empty = any region). */
  regions?: string[];
  maxPolls?: number;
  /** Overall bound on waiting for one operation (default: below the function timeout, see compute-calls.ts). */
  waitDeadlineMs?: number;
}

const routeKey = (project: string, name: string): string => `projects/${project}/global/routes/${name}`;


export { networkDomain };

export class StaticRoutePaths implements PathTable {
  constructor(
    private readonly clients: StaticRouteClients,
    private readonly opts: StaticRouteOptions,
  ) {}

  /** Every route of the project whose next hop is a VPN tunnel (`nextHopVpnTunnel:*` = "has the field"). */
  async list(): Promise<Path[]> {
    const out: Path[] = [];
    try {
      for await (const r of this.clients.routes.listAsync({ project: this.opts.project, filter: 'nextHopVpnTunnel:*' }, { autoPaginate: false })) {
        const tunnel = parseTunnelUrl(r.nextHopVpnTunnel);
        if (!tunnel || !r.name || !r.destRange) continue;
        if (this.opts.regions?.length && !this.opts.regions.includes(tunnel.region)) continue;
        out.push({
          key: routeKey(this.opts.project, r.name),
          kind: 'gcp-static-route',
          cloud: 'gcp',
          destinations: [r.destRange],
          tunnelIds: [gcpTunnelId(tunnel)],
          definition: pick(r, ROUTE_WRITABLE_FIELDS),
          domain: networkDomain(r.network, this.opts.project),
          // A route with instance tags reaches only those instances: it backs up nothing for the others.
          appliesTo: [...(r.tags ?? [])],
        });
      }
    } catch (e) {
      throw classifyComputeError(`routes.list ${this.opts.project}`, e);
    }
    return out;
  }

  /** Delete the route. Already gone (404 on delete, or RESOURCE_NOT_FOUND in the operation) = already-in-state. */
  async withdraw(path: Path): Promise<Outcome> {
    const name = nameOf(path);
    let first: ComputeOperation;
    try {
      const [lro] = await this.clients.routes.delete({ project: this.opts.project, route: name });
      first = latestOperation(lro);
    } catch (e) {
      if (httpStatusOf(e) === 404) return 'already-in-state';
      throw classifyComputeError(`routes.delete ${name}`, e);
    }
    const r = await this.wait(`routes.delete ${name}`, first);
    if (r.ok) return 'applied';
    if (r.codes.every((c) => c === 'RESOURCE_NOT_FOUND')) return 'already-in-state';
    throw r.transient ? new TransientError(`routes.delete ${name} failed: ${r.message}`) : new PermanentError(`routes.delete ${name} failed: ${r.message}`);
  }

  /** Insert exactly the saved writable fields. Already exists (409) = already-in-state. */
  async restore(snapshot: PathSnapshot): Promise<Outcome> {
    const name = nameOf(snapshot);
    const routeResource = pick(snapshot.definition, ROUTE_WRITABLE_FIELDS);
    let first: ComputeOperation;
    try {
      const [lro] = await this.clients.routes.insert({ project: this.opts.project, routeResource });
      first = latestOperation(lro);
    } catch (e) {
      if (httpStatusOf(e) === 409) return this.sameAsSaved(name, routeResource);
      throw classifyComputeError(`routes.insert ${name}`, e);
    }
    const r = await this.wait(`routes.insert ${name}`, first);
    if (r.ok) return 'applied';
    if (r.codes.every((c) => c === 'RESOURCE_ALREADY_EXISTS' || c === 'ALREADY_EXISTS')) return this.sameAsSaved(name, routeResource);
    throw r.transient ? new TransientError(`routes.insert ${name} failed: ${r.message}`) : new PermanentError(`routes.insert ${name} failed: ${r.message}`);
  }

  /**
   * A route with this name exists already: it is "already restored" only if it is the saved route. A route someone
   * created under the same name with another next hop or range is not ours to accept — the ledger keeps the saved
   * definition and a human decides.
   */
  private async sameAsSaved(name: string, saved: Record<string, unknown>): Promise<Outcome> {
    let current: Record<string, unknown>;
    try {
      [current] = (await this.clients.routes.get({ project: this.opts.project, route: name })) as unknown as [Record<string, unknown>];
    } catch (e) {
      throw classifyComputeError(`routes.get ${name}`, e);
    }
    const norm = (v: unknown) => JSON.stringify(v ?? null);
    const differs = Object.keys(saved).filter((k) => {
      const a = saved[k];
      const b = current[k];
      if (Array.isArray(a) || Array.isArray(b)) return norm([...((a as unknown[]) ?? [])].sort()) !== norm([...((b as unknown[]) ?? [])].sort());
      if (k === 'priority') return Number(a) !== Number(b);
      if (k === 'nextHopVpnTunnel' || k === 'network') return String(a ?? '').replace(/^https:\/\/[^/]+\/compute\/v1\//, '') !== String(b ?? '').replace(/^https:\/\/[^/]+\/compute\/v1\//, '');
      return (a ?? '') !== (b ?? '');
    });
    if (differs.length === 0) return 'already-in-state';
    throw new PermanentError(`routes.insert ${name}: a different route with this name exists (${differs.join(', ')} differ): not overwritten, the saved definition stays in the ledger`);
  }

  private wait(what: string, first: ComputeOperation) {
    return waitOperation(
      what,
      first,
      async (operation, timeout) => (await this.clients.globalOperations.wait({ project: this.opts.project, operation }, { timeout }))[0],
      { maxPolls: this.opts.maxPolls, deadlineMs: this.opts.waitDeadlineMs },
    );
  }
}

function nameOf(path: Path): string {
  const name = path.definition.name;
  if (path.kind !== 'gcp-static-route' || typeof name !== 'string' || !name) {
    throw new PermanentError(`not a GCP static route path: ${path.key}`);
  }
  return name;
}
