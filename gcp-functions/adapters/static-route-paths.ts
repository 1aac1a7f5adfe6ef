/**
 * Classic VPN static routes as a `PathTable`: one `Path` per `Route` whose `nextHopVpnTunnel` is a tunnel.
 * Routes are immutable in Compute Engine, so withdraw = delete and restore = insert of the saved writable
 * fields; both wait on the global operation and check its `error`.
 *
 * De-preference (`lever: 'deprefer'`, see clouds/gcp/standby.ts) is make-before-break in three calls: insert the
 * standby copy (the same writable fields, `<name>-tg-standby`, priority 65535), read it back with routes.get and
 * compare, and only then delete the original. Its restore is the reverse: insert the original, read it back, delete
 * the copy. Every step is idempotent (409 on an identical route and 404 on a gone one are successes), so a run that
 * dies between two calls leaves both routes, and the next run finishes from the ledger.
 */
import { GCP_ROUTE_WRITABLE_FIELDS } from '../../clouds/gcp/route';
import { parseTunnelUrl } from '../../clouds/gcp/urls';
import { definitionOf } from '../../clouds/path-definitions';
import { isProbeRouteName } from '../../clouds/probes';
import type { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client';
import type { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client';
import { PermanentError, TransientError } from '../../shared/errors';
import { networkDomain } from '../../clouds/gcp/network';
import { STANDBY_PRIORITY, canDepreferRoute, originalOfStandby, standbyDefinition, standbyRouteName } from '../../clouds/gcp/standby';
import type { PathTable } from '../../shared/ports';
import { gcpTunnelId, isDeprefer, type Path, type PathSnapshot } from '../../shared/types';
import type { Outcome } from '../../shared/report-types';
import { classifyComputeError, httpStatusOf, latestOperation, pick, waitOperation, type ComputeOperation } from './compute-calls';

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
      for await (const r of this.clients.routes.listAsync(
        { project: this.opts.project, filter: 'nextHopVpnTunnel:*' },
        { autoPaginate: false },
      )) {
        const tunnel = parseTunnelUrl(r.nextHopVpnTunnel);
        // A probe's return route pins the probe to this tunnel: never a path (see clouds/probes.ts).
        if (!tunnel || !r.name || !r.destRange || isProbeRouteName(r.name)) continue;
        if (this.opts.regions?.length && !this.opts.regions.includes(tunnel.region)) continue;
        const definition = pick(r, GCP_ROUTE_WRITABLE_FIELDS);
        const original = originalOfStandby(r.name);
        out.push({
          key: routeKey(this.opts.project, r.name),
          kind: 'gcp-static-route',
          cloud: 'gcp',
          destinations: [r.destRange],
          tunnelIds: [gcpTunnelId(tunnel)],
          definition,
          domain: networkDomain(r.network, this.opts.project),
          // A route with instance tags reaches only those instances: it backs up nothing for the others.
          appliesTo: [...(r.tags ?? [])],
          ...(original ? { standbyFor: routeKey(this.opts.project, original) } : canDepreferRoute(definition) ? { canDeprefer: true } : {}),
        });
      }
    } catch (e) {
      throw classifyComputeError(`routes.list ${this.opts.project}`, e);
    }
    return out;
  }

  /** Delete the route, or de-prefer it (make-before-break) when the path says so. */
  async withdraw(path: Path): Promise<Outcome> {
    const name = nameOf(path);
    if (!isDeprefer(path)) return this.deleteRoute(name);
    const original = pick(path.definition, GCP_ROUTE_WRITABLE_FIELDS);
    if (!canDepreferRoute(original))
      throw new PermanentError(
        `route ${name} cannot be de-preferred (its name leaves no room for the standby suffix, or its priority is already ${STANDBY_PRIORITY})`,
      );
    const standby = standbyDefinition(original);
    const inserted = await this.insertRoute(standby.name, standby);
    // The copy must be there, exactly as written, before the original goes (sameAsSaved reads it back).
    await this.sameAsSaved(standby.name, standby);
    const removed = await this.deleteRoute(name);
    return inserted === 'applied' || removed === 'applied' ? 'applied' : 'already-in-state';
  }

  /** Insert exactly the saved writable fields; for a de-preferred route, then remove its standby. */
  async restore(snapshot: PathSnapshot): Promise<Outcome> {
    const name = nameOf(snapshot);
    const routeResource = pick(snapshot.definition, GCP_ROUTE_WRITABLE_FIELDS);
    if (!isDeprefer(snapshot)) return this.insertRoute(name, routeResource);
    const inserted = await this.insertRoute(name, routeResource);
    await this.sameAsSaved(name, routeResource);
    const standby = standbyRouteName(name);
    const removed = standby ? await this.deleteRoute(standby) : 'already-in-state';
    return inserted === 'applied' || removed === 'applied' ? 'applied' : 'already-in-state';
  }

  /** Delete a route. Already gone (404 on delete, or RESOURCE_NOT_FOUND in the operation) = already-in-state. */
  private async deleteRoute(name: string): Promise<Outcome> {
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
    throw r.transient
      ? new TransientError(`routes.delete ${name} failed: ${r.message}`)
      : new PermanentError(`routes.delete ${name} failed: ${r.message}`);
  }

  /** Insert exactly these writable fields. Already exists (409) with the same fields = already-in-state. */
  private async insertRoute(name: string, routeResource: Record<string, unknown>): Promise<Outcome> {
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
    throw r.transient
      ? new TransientError(`routes.insert ${name} failed: ${r.message}`)
      : new PermanentError(`routes.insert ${name} failed: ${r.message}`);
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
      if (Array.isArray(a) || Array.isArray(b))
        return norm([...((a as unknown[]) ?? [])].sort()) !== norm([...((b as unknown[]) ?? [])].sort());
      if (k === 'priority') return Number(a) !== Number(b);
      if (k === 'nextHopVpnTunnel' || k === 'network')
        return (
          String(a ?? '').replace(/^https:\/\/[^/]+\/compute\/v1\//, '') !== String(b ?? '').replace(/^https:\/\/[^/]+\/compute\/v1\//, '')
        );
      return (a ?? '') !== (b ?? '');
    });
    if (differs.length === 0) return 'already-in-state';
    throw new PermanentError(
      `routes.insert ${name}: a different route with this name exists (${differs.join(', ')} differ): not overwritten, the saved definition stays in the ledger`,
    );
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

const nameOf = (path: Path): string => definitionOf(path, 'gcp-static-route').name;
