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
 * `routers.patch` replaces the whole `bgpPeers` list: read the router, change one peer, write the full list.
 * The Router resource has no `fingerprint` (the client's protos drop it), so the read-modify-write is not
 * atomic against other writers of the same router: tunnel-guard runs one instance at a time (max instances 1,
 * concurrency 1), and every write is read back and verified before it counts as applied.
 */
import type { RegionOperationsClient } from '@google-cloud/compute/build/src/v1/region_operations_client';
import type { RoutersClient } from '@google-cloud/compute/build/src/v1/routers_client';
import { PermanentError, TransientError } from '../../shared/errors';
import type { PathTable } from '../../shared/ports';
import { gcpTunnelId, type Outcome, type Path, type PathSnapshot } from '../../shared/types';
import {
  classifyComputeError,
  httpStatusOf,
  latestOperation,
  parseTunnelUrl,
  plain,
  waitOperation,
  type ComputeOperation,
} from './compute-calls';
import type { RouterLease } from './router-lease';
import { learnedRoutesDomain } from '../../shared/gcp-network';

export interface BgpPeerClients {
  routers: Pick<RoutersClient, 'listAsync' | 'get' | 'patch' | 'getRouterStatus'>;
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

/** What the ledger keeps for a peer: where it lives and every setting it had before we touched it. */
export interface BgpPeerDefinition {
  project: string;
  region: string;
  router: string;
  peer: Record<string, unknown> & { name: string };
}

type Peer = Record<string, unknown> & { name?: string; interfaceName?: string; enable?: string; peerIpAddress?: string };
type Router = { name?: string | null; network?: string | null; bgpPeers?: Peer[] | null; interfaces?: { name?: string | null; linkedVpnTunnel?: string | null }[] | null };

const peerKey = (d: Omit<BgpPeerDefinition, 'peer'>, peer: string): string =>
  `projects/${d.project}/regions/${d.region}/routers/${d.router}/bgpPeers/${peer}`;

/** A peer without `enable` is enabled (the API default is TRUE). */
const effective = (p: Peer): Peer => ({ ...p, enable: p.enable ?? 'TRUE' });

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

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
        for await (const r of this.clients.routers.listAsync({ project: this.opts.project, region }, { autoPaginate: false })) routers.push(r as Router);
      } catch (e) {
        throw classifyComputeError(`routers.list ${region}`, e);
      }
      for (const router of routers) {
        const name = router.name ?? '';
        const linked = new Map((router.interfaces ?? []).map((i) => [i.name ?? '', parseTunnelUrl(i.linkedVpnTunnel)]));
        const peers = (router.bgpPeers ?? []).filter((p) => p.name && linked.get(p.interfaceName ?? '') && effective(p).enable !== 'FALSE');
        if (peers.length === 0) continue;
        const best = await this.bestRoutes(region, name);
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
          out.push({
            key: peerKey(where, p.name!),
            kind: 'gcp-bgp-peer',
            cloud: 'gcp',
            destinations,
            tunnelIds: [gcpTunnelId(tunnel)],
            definition: definition as unknown as Record<string, unknown>,
            // Learned routes apply to every instance of the router's network (no `appliesTo`) — in its region only.
            domain: learnedRoutesDomain(router.network, this.opts.project, region),
          });
        }
      }
    }
    return out;
  }

  /** Disable the peer. Already disabled, or gone = already-in-state (it sends nothing into the tunnel). */
  async withdraw(path: Path): Promise<Outcome> {
    const d = definitionOf(path);
    return this.change(d, 'withdraw', (peers) => {
      const i = peers.findIndex((p) => p.name === d.peer.name);
      if (i < 0 || effective(peers[i]!).enable === 'FALSE') return undefined;
      const next = peers.slice();
      next[i] = { ...peers[i]!, enable: 'FALSE' };
      return next;
    });
  }

  /** Put the saved settings back exactly (re-adding the peer if someone deleted it). */
  async restore(snapshot: PathSnapshot): Promise<Outcome> {
    const d = definitionOf(snapshot);
    const saved = effective(d.peer);
    return this.change(d, 'restore', (peers) => {
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
    const key = `${d.project}/${d.region}/${d.router}`;
    // In-process: one change per router at a time; across function instances: the router lease, when configured.
    const lease = this.opts.lease;
    const once = () => (lease ? lease.withLease(key, () => this.changeNow(d, op, edit)) : this.changeNow(d, op, edit));
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
      async (operation, timeout) => (await this.clients.regionOperations.wait({ project: d.project, region: d.region, operation }, { timeout }))[0],
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

  private async bestRoutes(region: string, router: string): Promise<{ destRange?: string | null; nextHopIp?: string | null; nextHopVpnTunnel?: string | null }[]> {
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

function definitionOf(path: Path): BgpPeerDefinition {
  const d = path.definition as unknown as Partial<BgpPeerDefinition>;
  if (path.kind !== 'gcp-bgp-peer' || !d.project || !d.region || !d.router || !d.peer || typeof d.peer.name !== 'string') {
    throw new PermanentError(`not a GCP BGP peer path: ${path.key}`);
  }
  return d as BgpPeerDefinition;
}
