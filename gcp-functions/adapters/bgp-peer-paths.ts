/**
 * HA VPN + Cloud Router as a `PathTable`: one `Path` per BGP peer whose router interface is linked to a VPN
 * tunnel. Withdraw disables the peer (`enable: 'FALSE'`), restore puts the peer's previous settings back.
 *
 * Why disable rather than raise `advertisedRoutePriority`: the priority (MED) only changes how the *peer*
 * (AWS) chooses among the routes that GCP advertises, i.e. the AWS→GCP direction, and only if the peer honours
 * MED. GCP's own choice of the routes it learned from AWS is untouched, so GCP→AWS traffic keeps entering the
 * degraded tunnel. Disabling the session withdraws the routes in both directions at once; the IPsec tunnel
 * stays up, so it can be observed and the session re-enabled when it recovers.
 *
 * With `lever: 'deprefer'` (drainMode deprefer) a drain attaches BGP route policies to the peer instead and keeps the
 * session up (clouds/gcp/route-policy.ts: MED up on learned routes; AS path prepended and MED up on advertised ones):
 * first routers.updateRoutePolicy creates or replaces our two policies on the router (confirmed with
 * routers.getRoutePolicy), then routers.patch attaches them to the peer. Restore puts the peer's saved settings back
 * (so the policy lists are what they were) and routers.deleteRoutePolicy removes our policies once no peer uses them.
 * Where a precondition fails (a public peer ASN, route policies of the peer's own) the path says why and the drain
 * disables the peer instead.
 *
 * `routers.patch` replaces the whole `bgpPeers` list: read the router, change one peer, write the full list.
 * The Router resource has no `fingerprint` (the client's protos drop it), so the read-modify-write is not
 * atomic against other writers of the same router: tunnel-guard runs one instance at a time (max instances 1,
 * concurrency 1), and every write is read back and verified before it counts as applied.
 */
import { parseTunnelUrl } from '../../clouds/gcp/urls';
import { definitionOf, type BgpPeerDefinition } from '../../clouds/path-definitions';
import type { RegionOperationsClient } from '@google-cloud/compute/build/src/v1/region_operations_client';
import type { RoutersClient } from '@google-cloud/compute/build/src/v1/routers_client';
import { PermanentError, TransientError } from '../../shared/errors';
import type { PathTable } from '../../shared/ports';
import { gcpTunnelId, isDeprefer, type Path, type PathSnapshot } from '../../shared/types';
import type { Outcome } from '../../shared/report-types';
import { classifyComputeError, httpStatusOf, latestOperation, plain, waitOperation, type ComputeOperation } from './compute-calls';
import type { RouterLease } from './router-lease';
import { mapBounded } from '../../shared/engine/execute';

/** Routers whose status is read at once when listing paths. */
const STATUS_CONCURRENCY = 8;
import { learnedRoutesDomain } from '../../clouds/gcp/network';
import {
  EXPORT_POLICY,
  IMPORT_POLICY,
  depreferPolicies,
  isDepreferredPeer,
  whyNotDeprefer,
  withDepreferPolicies,
  type RoutePolicy,
} from '../../clouds/gcp/route-policy';

export interface BgpPeerClients {
  routers: Pick<
    RoutersClient,
    'listAsync' | 'get' | 'patch' | 'getRouterStatus' | 'getRoutePolicy' | 'updateRoutePolicy' | 'deleteRoutePolicy'
  >;
  regionOperations: Pick<RegionOperationsClient, 'wait'>;
}

export interface BgpPeerOptions {
  project: string;
  /** Regions whose Cloud Routers are read (routers are regional). */
  regions: string[];
  maxPolls?: number;
  /** Overall bound on waiting for one operation (default: below the function timeout, see compute-calls.ts). */
  waitDeadlineMs?: number;
  /** Serialises changes to one router across function instances (see router-lease.ts). */
  lease?: RouterLease;
}

export type { BgpPeerDefinition };

type Peer = Record<string, unknown> & {
  name?: string;
  interfaceName?: string;
  enable?: string;
  peerIpAddress?: string;
  peerAsn?: number | null;
  importPolicies?: string[] | null;
  exportPolicies?: string[] | null;
};
type Router = {
  name?: string | null;
  network?: string | null;
  bgp?: { asn?: number | null } | null;
  bgpPeers?: Peer[] | null;
  interfaces?: { name?: string | null; linkedVpnTunnel?: string | null }[] | null;
};

const peerKey = (d: Omit<BgpPeerDefinition, 'peer'>, peer: string): string =>
  `projects/${d.project}/regions/${d.region}/routers/${d.router}/bgpPeers/${peer}`;

/** A peer without `enable` is enabled (the API default is TRUE). */
const effective = (p: Peer): Peer => ({ ...p, enable: p.enable ?? 'TRUE' });

// An empty list and an absent field are the same to the API (protobuf repeated fields): compare them as equal.
const stable = (v: unknown): string =>
  JSON.stringify(Array.isArray(v) && v.length === 0 ? undefined : v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );

export class BgpPeerPaths implements PathTable {
  /** Serialises read-modify-write per router inside this process (the core runs path actions concurrently). */
  private readonly routerLocks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly clients: BgpPeerClients,
    private readonly opts: BgpPeerOptions,
  ) {}

  /** Enabled peers linked to a tunnel. Disabled peers carry nothing (drained by us, or by an operator). */
  async list(): Promise<Path[]> {
    const out: Path[] = [];
    for (const region of this.opts.regions) {
      let routers: Router[];
      try {
        routers = [];
        for await (const r of this.clients.routers.listAsync({ project: this.opts.project, region }, { autoPaginate: false }))
          routers.push(r as Router);
      } catch (e) {
        throw classifyComputeError(`routers.list ${region}`, e);
      }
      const withPeers = routers.flatMap((router) => {
        const linked = new Map((router.interfaces ?? []).map((i) => [i.name ?? '', parseTunnelUrl(i.linkedVpnTunnel)]));
        const peers = (router.bgpPeers ?? []).filter((p) => p.name && linked.get(p.interfaceName ?? '') && effective(p).enable !== 'FALSE');
        return peers.length ? [{ router, linked, peers }] : [];
      });
      // Router status a bounded number at a time: one after another, a region with many routers costs a round trip each.
      const statuses = await mapBounded(withPeers, STATUS_CONCURRENCY, ({ router }) => this.bestRoutes(region, router.name ?? ''));
      for (const [i, { router, linked, peers }] of withPeers.entries()) {
        const name = router.name ?? '';
        const best = statuses[i]!;
        for (const p of peers) {
          const tunnel = linked.get(p.interfaceName ?? '')!;
          const destinations = [
            ...new Set(
              best
                .filter((b) => (b.nextHopIp && b.nextHopIp === p.peerIpAddress) || sameTunnel(b.nextHopVpnTunnel, tunnel))
                .map((b) => b.destRange)
                .filter((d): d is string => typeof d === 'string' && d.length > 0),
            ),
          ].sort();
          const where = { project: this.opts.project, region, router: name };
          const definition: BgpPeerDefinition = { ...where, peer: plain(p) as BgpPeerDefinition['peer'] };
          const key = peerKey(where, p.name!);
          const why = whyNotDeprefer(p, router.bgp?.asn);
          out.push({
            key,
            kind: 'gcp-bgp-peer',
            cloud: 'gcp',
            destinations,
            tunnelIds: [gcpTunnelId(tunnel)],
            definition: { ...definition },
            // Learned routes apply to every instance of the router's network (no `appliesTo`) — in its region only.
            domain: learnedRoutesDomain(router.network, this.opts.project, region),
            // De-preferred (our policies attached): its own standby — session up, routes behind the other peers'.
            ...(isDepreferredPeer(p) ? { standbyFor: key } : why ? { noDeprefer: why } : { canDeprefer: true }),
          });
        }
      }
    }
    return out;
  }

  /** Disable the peer (or de-prefer it with route policies). Already disabled, or gone = already-in-state. */
  async withdraw(path: Path): Promise<Outcome> {
    const d = definitionOf(path, 'gcp-bgp-peer');
    if (isDeprefer(path)) return this.underRouter(d, () => this.deprefer(d));
    return this.change(d, 'withdraw', (peers) => {
      const i = peers.findIndex((p) => p.name === d.peer.name);
      if (i < 0 || effective(peers[i]!).enable === 'FALSE') return undefined;
      const next = peers.slice();
      next[i] = { ...peers[i]!, enable: 'FALSE' };
      return next;
    });
  }

  /**
   * Make-before-break on BGP: our policies exist (confirmed) before they are attached; the session never drops.
   * Runs inside the router's lease from the first read to the attach: a restore of another peer of the same router
   * deletes our policies once no peer uses them, and must not do so between our create and our attach.
   */
  private async deprefer(d: BgpPeerDefinition): Promise<Outcome> {
    let router: Router;
    try {
      [router] = (await this.clients.routers.get({ project: d.project, region: d.region, router: d.router })) as [Router, ...unknown[]];
    } catch (e) {
      if (httpStatusOf(e) === 404) return 'already-in-state';
      throw classifyComputeError(`routers.get ${d.region}/${d.router}`, e);
    }
    const asn = Number(router.bgp?.asn ?? NaN);
    const why = whyNotDeprefer(d.peer as Peer, asn);
    if (why) throw new PermanentError(`cannot de-prefer peer ${d.peer.name} of ${d.region}/${d.router}: ${why}`);
    let created = false;
    for (const policy of depreferPolicies(asn)) created = (await this.ensurePolicy(d, policy)) || created;
    const attached = await this.changeNow(d, 'withdraw', (peers) => {
      const i = peers.findIndex((p) => p.name === d.peer.name);
      if (i < 0 || effective(peers[i]!).enable === 'FALSE' || isDepreferredPeer(peers[i]!)) return undefined;
      const next = peers.slice();
      next[i] = withDepreferPolicies(peers[i]!);
      return next;
    });
    return created || attached === 'applied' ? 'applied' : 'already-in-state';
  }

  /** Create or replace one of our policies unless it is already exactly so; read it back. Returns whether it wrote. */
  private async ensurePolicy(d: BgpPeerDefinition, policy: RoutePolicy): Promise<boolean> {
    const where = { project: d.project, region: d.region, router: d.router };
    const read = async (): Promise<RoutePolicy | undefined> => {
      try {
        const [r] = await this.clients.routers.getRoutePolicy({ ...where, policy: policy.name });
        return (r.resource ? plain(r.resource) : undefined) as RoutePolicy | undefined;
      } catch (e) {
        if (httpStatusOf(e) === 404) return undefined;
        throw classifyComputeError(`routers.getRoutePolicy ${d.router}/${policy.name}`, e);
      }
    };
    const same = (p: RoutePolicy | undefined) => !!p && p.type === policy.type && stable(p.terms) === stable(policy.terms);
    if (same(await read())) return false;
    const what = `routers.updateRoutePolicy ${d.region}/${d.router} ${policy.name}`;
    let first: ComputeOperation;
    try {
      const [lro] = await this.clients.routers.updateRoutePolicy({ ...where, routePolicyResource: policy });
      first = latestOperation(lro);
    } catch (e) {
      throw classifyComputeError(what, e);
    }
    await this.waitRegional(what, d, first);
    if (!same(await read())) throw new TransientError(`${what}: read-back does not match what was written`);
    return true;
  }

  /** Our policies go once no peer of the router uses them (a policy in use cannot be deleted). */
  private async dropUnusedPolicies(d: BgpPeerDefinition): Promise<boolean> {
    const where = { project: d.project, region: d.region, router: d.router };
    let router: Router;
    try {
      [router] = (await this.clients.routers.get(where)) as [Router, ...unknown[]];
    } catch (e) {
      throw classifyComputeError(`routers.get ${d.region}/${d.router}`, e);
    }
    if ((router.bgpPeers ?? []).some((p) => isDepreferredPeer(p))) return false;
    let dropped = false;
    for (const policy of [IMPORT_POLICY, EXPORT_POLICY]) {
      const what = `routers.deleteRoutePolicy ${d.region}/${d.router} ${policy}`;
      let first: ComputeOperation;
      try {
        const [lro] = await this.clients.routers.deleteRoutePolicy({ ...where, policy });
        first = latestOperation(lro);
      } catch (e) {
        if (httpStatusOf(e) === 404) continue;
        throw classifyComputeError(what, e);
      }
      await this.waitRegional(what, d, first);
      dropped = true;
    }
    return dropped;
  }

  private async waitRegional(what: string, d: BgpPeerDefinition, first: ComputeOperation): Promise<void> {
    const r = await waitOperation(
      what,
      first,
      async (operation, timeout) =>
        (await this.clients.regionOperations.wait({ project: d.project, region: d.region, operation }, { timeout }))[0],
      { maxPolls: this.opts.maxPolls, deadlineMs: this.opts.waitDeadlineMs },
    );
    if (!r.ok) throw r.transient ? new TransientError(`${what} failed: ${r.message}`) : new PermanentError(`${what} failed: ${r.message}`);
  }

  /** Put the saved settings back exactly (re-adding the peer if someone deleted it). */
  async restore(snapshot: PathSnapshot): Promise<Outcome> {
    const plainPeer = definitionOf(snapshot, 'gcp-bgp-peer');
    if (!isDeprefer(snapshot)) return this.underRouter(plainPeer, () => this.restorePeer(plainPeer));
    const d = plainPeer;
    // One lease from putting the peer back to deleting the unused policies: "no peer uses them" must still hold
    // when they are deleted (a concurrent de-preference of another peer may be about to attach them).
    return this.underRouter(d, async () => {
      // The saved peer had no policies of ours: say so explicitly, or attached ones would survive the comparison.
      const back = await this.restorePeer({ ...d, peer: { importPolicies: [], exportPolicies: [], ...d.peer } });
      const dropped = await this.dropUnusedPolicies(d);
      return back === 'applied' || dropped ? 'applied' : 'already-in-state';
    });
  }

  private restorePeer(d: BgpPeerDefinition): Promise<Outcome> {
    const saved = effective(d.peer);
    return this.changeNow(d, 'restore', (peers) => {
      const i = peers.findIndex((p) => p.name === d.peer.name);
      if (i >= 0) {
        const current = effective(plain(peers[i]) as Peer);
        const same = Object.keys(saved).every((k) => stable(current[k]) === stable(saved[k]));
        if (same) return undefined;
        const next = peers.slice();
        next[i] = saved;
        return next;
      }
      return [...peers, saved];
    });
  }

  private change(d: BgpPeerDefinition, op: 'withdraw' | 'restore', edit: (peers: Peer[]) => Peer[] | undefined): Promise<Outcome> {
    return this.underRouter(d, () => this.changeNow(d, op, edit));
  }

  /**
   * Run a whole read-modify-write sequence on one router alone: in-process, one at a time per router; across
   * function instances, under the router lease when configured. Not re-entrant: `work` calls the `…Now` steps.
   */
  private underRouter<T>(d: BgpPeerDefinition, work: () => Promise<T>): Promise<T> {
    const key = `${d.project}/${d.region}/${d.router}`;
    const lease = this.opts.lease;
    const once = () => (lease ? lease.withLease(key, work) : work());
    const run = (this.routerLocks.get(key) ?? Promise.resolve()).catch(() => undefined).then(once);
    this.routerLocks.set(key, run);
    return run.finally(() => {
      if (this.routerLocks.get(key) === run) this.routerLocks.delete(key);
    });
  }

  /** Read the router, compute the new full `bgpPeers` list (undefined = nothing to do), patch, wait, verify. */
  private async changeNow(d: BgpPeerDefinition, op: 'withdraw' | 'restore', edit: (peers: Peer[]) => Peer[] | undefined): Promise<Outcome> {
    const what = `routers.patch ${d.region}/${d.router} peer ${d.peer.name}`;
    let router: Router;
    try {
      [router] = (await this.clients.routers.get({ project: d.project, region: d.region, router: d.router })) as [Router, ...unknown[]];
    } catch (e) {
      // A router that no longer exists sends nothing into the tunnel: for a withdrawal that is "already gone".
      if (httpStatusOf(e) === 404 && op === 'withdraw') return 'already-in-state';
      throw classifyComputeError(`routers.get ${d.region}/${d.router}`, e);
    }
    const peers = (router.bgpPeers ?? []).map((p) => plain(p) as Peer);
    const next = edit(peers);
    if (!next) return 'already-in-state';
    let first: ComputeOperation;
    try {
      const [lro] = await this.clients.routers.patch({
        project: d.project,
        region: d.region,
        router: d.router,
        // The whole list, or every other peer would be deleted.
        routerResource: { bgpPeers: next },
      });
      first = latestOperation(lro);
    } catch (e) {
      throw classifyComputeError(what, e);
    }
    const r = await waitOperation(
      what,
      first,
      async (operation, timeout) =>
        (await this.clients.regionOperations.wait({ project: d.project, region: d.region, operation }, { timeout }))[0],
      { maxPolls: this.opts.maxPolls, deadlineMs: this.opts.waitDeadlineMs },
    );
    if (!r.ok) throw r.transient ? new TransientError(`${what} failed: ${r.message}`) : new PermanentError(`${what} failed: ${r.message}`);
    // Verify by reading back: the peer must now hold exactly what we wrote (a concurrent writer would show here).
    const wanted = next.find((p) => p.name === d.peer.name);
    const [after] = (await this.clients.routers.get({ project: d.project, region: d.region, router: d.router }).catch((e: unknown) => {
      throw classifyComputeError(`routers.get ${d.region}/${d.router}`, e);
    })) as [Router, ...unknown[]];
    const now = (after.bgpPeers ?? []).map((p) => plain(p) as Peer).find((p) => p.name === d.peer.name);
    const ok = wanted ? !!now && Object.keys(wanted).every((k) => stable(effective(now)[k]) === stable(effective(wanted)[k])) : !now;
    if (!ok) throw new TransientError(`${what}: read-back does not match what was written (concurrent change?)`);
    return 'applied';
  }

  private async bestRoutes(
    region: string,
    router: string,
  ): Promise<{ destRange?: string | null; nextHopIp?: string | null; nextHopVpnTunnel?: string | null }[]> {
    try {
      const [status] = await this.clients.routers.getRouterStatus({ project: this.opts.project, region, router });
      return status.result?.bestRoutes ?? [];
    } catch (e) {
      throw classifyComputeError(`routers.getRouterStatus ${region}/${router}`, e);
    }
  }
}

function sameTunnel(url: string | null | undefined, t: { project: string; region: string; name: string }): boolean {
  const u = parseTunnelUrl(url);
  return !!u && u.project === t.project && u.region === t.region && u.name === t.name;
}
