/**
 * The simulated world of one game-day run: the simulator's state in memory, the links (the one IPsec tunnel both
 * clouds see), and what the scenario does to each link over time — loss by reason and direction, outages, and each
 * link's capacity. The world plays the clouds: it keeps each cloud's own view of a tunnel (GCP `status`, AWS
 * `VgwTelemetry` status) in step with the scenario, as dead-peer detection would, and never decides anything about
 * routes.
 */
import { gcpTunnelUrl } from '../../clouds/gcp/urls';
import { type FaultSpec, openSimulator, type SimState, type SimulatorHandle } from '../../simulator';
import { awsTunnelId, gcpTunnelId } from '../../shared/types';
import { isLoss, ScenarioError, type Scenario } from '../scenario';

export type Direction = 'gcpToAws' | 'awsToGcp';
export const DIRECTIONS: readonly Direction[] = ['gcpToAws', 'awsToGcp'];
export type DropReason = 'path' | 'mtu';

/**
 * Documented capacity of one tunnel, packets per second, sent plus received. AWS: 140,000 packets/s per
 * Site-to-Site VPN tunnel (https://docs.aws.amazon.com/vpn/latest/s2svpn/vpn-limits.html). GCP: 250,000 packets/s
 * per Cloud VPN tunnel, sent plus received; the excess is dropped as `status="throttled"`
 * (https://cloud.google.com/network-connectivity/docs/vpn/concepts/overview#network-bandwidth). The smaller end
 * of a link binds.
 */
export const AWS_TUNNEL_PPS = 140_000;
export const GCP_TUNNEL_PPS = 250_000;

/**
 * How long after a tunnel dies the clouds mark it down: dead-peer detection. AWS documents a default DPD timeout
 * of 30 s (https://docs.aws.amazon.com/vpn/latest/s2svpn/VPNTunnels.html); Google does not document Cloud VPN's,
 * so the model assumes the same. Until then the cloud still sends into the dead tunnel, and those packets are lost.
 */
export const DEAD_PEER_DETECTION_S = 30;

export interface Link {
  gcpId: string;
  awsId: string;
  gcp: { name: string; region: string; gateway: string };
  aws: { vpnConnectionId: string; outsideIpAddress: string; bgp: boolean };
}

interface Timed {
  from: number;
  to: number;
  link: number;
}

type Loss = Timed & { loss: number; directions: Direction[]; reason: DropReason };

/** The names a scenario may give a link: either end's id, the GCP tunnel's name, the AWS outside IP or `vpn:ip`. */
function namesOf(l: Link): string[] {
  return [l.gcpId, l.awsId, l.gcp.name, l.aws.outsideIpAddress, `${l.aws.vpnConnectionId}:${l.aws.outsideIpAddress}`];
}

/** The link a scenario names: an exact name, or a fragment of exactly one link's ids. */
export function findLink(links: readonly Link[], name: string, where: string): number {
  const want = name.trim();
  const exact = links.flatMap((l, i) => (namesOf(l).includes(want) ? [i] : []));
  const matches = exact.length ? exact : links.flatMap((l, i) => (want && (l.gcpId.includes(want) || l.awsId.includes(want)) ? [i] : []));
  if (matches.length === 1) return matches[0]!;
  const known = links.map((l) => `  ${l.gcp.name} (${l.gcpId} ↔ ${l.awsId})`).join('\n');
  throw new ScenarioError(
    matches.length > 1
      ? `${where}: tunnel ${JSON.stringify(want)} is ambiguous; candidates:\n${known}`
      : `${where}: unknown tunnel ${JSON.stringify(want)} (the game day models links: a GCP tunnel whose peer IP is an AWS tunnel's outside IP); known tunnels:\n${known}`,
  );
}

/** The links of a topology: each GCP tunnel whose peer IP is the outside IP of an AWS tunnel. */
export function linksOf(state: SimState): Link[] {
  const links: Link[] = [];
  for (const g of state.gcp.vpnTunnels) {
    for (const c of state.aws.vpnConnections) {
      const a = c.tunnels.find((x) => x.outsideIpAddress === g.peerIp);
      if (!a) continue;
      links.push({
        gcpId: gcpTunnelId({ project: state.gcp.project, region: g.region, name: g.name }),
        awsId: awsTunnelId({ region: state.aws.region, vpnConnectionId: c.vpnConnectionId, outsideIpAddress: a.outsideIpAddress }),
        gcp: { name: g.name, region: g.region, gateway: g.gateway ?? g.name },
        aws: { vpnConnectionId: c.vpnConnectionId, outsideIpAddress: a.outsideIpAddress, bgp: c.routing === 'bgp' },
      });
    }
  }
  return links;
}

export class World {
  readonly sim: SimulatorHandle;
  readonly project: string;
  readonly region: string;
  readonly links: Link[];
  /** Each link's capacity, packets per second, both directions together. */
  readonly capacity: number[];
  /** Offered packets per second, each direction. */
  readonly offered: { gcpToAwsPps: number; awsToGcpPps: number };
  private readonly losses: Loss[] = [];
  private readonly downs: Timed[] = [];

  constructor(
    readonly initial: SimState,
    scenario: Scenario,
    faults?: FaultSpec,
  ) {
    this.sim = openSimulator(`gameday:${scenario.name}`, {
      inMemory: true,
      initial: () => structuredClone(initial),
      ...(faults ? { faults } : {}),
    });
    this.project = initial.gcp.project;
    this.region = initial.aws.region;
    this.links = linksOf(initial);
    this.offered = scenario.traffic;
    const where = `scenario ${scenario.name}`;
    for (const e of scenario.events) {
      const link = findLink(this.links, e.tunnel, where);
      const span = { from: e.at * 60, to: e.until * 60, link };
      if (isLoss(e))
        this.losses.push({
          ...span,
          loss: e.loss,
          directions: e.direction === 'both' ? ['gcpToAws', 'awsToGcp'] : [e.direction],
          reason: e.reason,
        });
      else this.downs.push(span);
    }
    const fallback = scenario.capacity?.default?.pps;
    this.capacity = this.links.map(() => fallback ?? Math.min(AWS_TUNNEL_PPS, GCP_TUNNEL_PPS));
    for (const [name, { pps }] of Object.entries(scenario.capacity ?? {})) {
      if (name === 'default') continue;
      this.capacity[findLink(this.links, name, `${where}: capacity`)] = pps;
    }
  }

  /** The fraction of packets the link drops for `reason` in one direction at `t` (independent events compound). */
  lossAt(link: number, dir: Direction, t: number, reason?: DropReason): number {
    let kept = 1;
    for (const l of this.losses)
      if (l.link === link && l.directions.includes(dir) && (!reason || l.reason === reason) && l.from <= t && t < l.to) kept *= 1 - l.loss;
    return 1 - kept;
  }

  /** The mean of `lossAt` over [t0, t1): exact for events that start or end at any second inside a step. */
  lossOver(link: number, dir: Direction, t0: number, t1: number, reason?: DropReason): number {
    return this.meanOver(t0, t1, (t) => this.lossAt(link, dir, t, reason));
  }

  /** The part of [t0, t1) during which the link is down. */
  downOver(link: number, t0: number, t1: number): number {
    return this.meanOver(t0, t1, (t) => (this.isDown(link, t) ? 1 : 0));
  }

  private meanOver(t0: number, t1: number, f: (t: number) => number): number {
    const cuts = [t0, t1];
    for (const e of [...this.losses, ...this.downs]) for (const c of [e.from, e.to]) if (c > t0 && c < t1) cuts.push(c);
    cuts.sort((a, b) => a - b);
    let sum = 0;
    for (let i = 0; i + 1 < cuts.length; i++) sum += (cuts[i + 1]! - cuts[i]!) * f((cuts[i]! + cuts[i + 1]!) / 2);
    return sum / (t1 - t0);
  }

  /** Is the link dead at `t` (whatever the clouds know yet)? */
  isDown(link: number, t: number): boolean {
    return this.downs.some((d) => d.link === link && d.from <= t && t < d.to);
  }

  /** Do the clouds report the link down at `t`? Only once dead-peer detection has noticed; back up when it heals. */
  reportedDown(link: number, t: number): boolean {
    return this.downs.some((d) => d.link === link && d.from + DEAD_PEER_DETECTION_S <= t && t < d.to);
  }

  /** Is any direction of the link lossy (or dead) at `t`? */
  lossy(link: number, t: number): boolean {
    return this.isDown(link, t) || this.lossAt(link, 'gcpToAws', t) > 0 || this.lossAt(link, 'awsToGcp', t) > 0;
  }

  /** The moments anything about a link changes, in order. */
  changes(): number[] {
    return [...new Set([...this.losses, ...this.downs].flatMap((e) => [e.from, e.to]))].sort((a, b) => a - b);
  }

  linkOf(tunnelId: string): number {
    return this.links.findIndex((l) => l.gcpId === tunnelId || l.awsId === tunnelId);
  }

  /** The first loss of the scenario: when it starts, on which link, in which directions, for which reason. */
  firstLoss(): { at: number; link: number; directions: Direction[]; reason: DropReason; loss: number } | undefined {
    const first = [...this.losses].filter((l) => l.loss > 0).sort((a, b) => a.from - b.from)[0];
    return first && { at: first.from, link: first.link, directions: first.directions, reason: first.reason, loss: first.loss };
  }

  /**
   * Bring each cloud's view of every link in step with the scenario at `t`: a link the clouds know to be dead has
   * no IKE SA (GCP NO_INCOMING_PACKETS, AWS DOWN). On a BGP connection AWS reports a tunnel up only while its BGP
   * session is established, so a disabled GCP peer makes the AWS tunnel DOWN too (that is what AWS's TunnelState
   * then says).
   */
  async syncTunnels(t: number): Promise<void> {
    await this.sim.update((state) => {
      this.links.forEach((l, i) => {
        const down = this.reportedDown(i, t);
        const g = state.gcp.vpnTunnels.find((x) => x.name === l.gcp.name && x.region === l.gcp.region);
        if (g) {
          const want = down ? 'NO_INCOMING_PACKETS' : 'ESTABLISHED';
          if (g.status !== want) {
            g.status = want;
            g.detailedStatus = down ? 'No incoming packets from peer.' : 'Tunnel is up and running.';
          }
        }
        const conn = state.aws.vpnConnections.find((c) => c.vpnConnectionId === l.aws.vpnConnectionId);
        const a = conn?.tunnels.find((x) => x.outsideIpAddress === l.aws.outsideIpAddress);
        if (a) {
          const sessionUp = !l.aws.bgp || gcpPeerEnabled(state, l);
          const want = !down && sessionUp ? 'UP' : 'DOWN';
          if (a.status !== want) {
            a.status = want;
            a.statusMessage = want === 'UP' ? '' : down ? 'IPSEC IS DOWN' : 'BGP SESSION IS DOWN';
          }
        }
      });
    });
  }
}

/** Is the Cloud Router peer over the link's GCP tunnel enabled? (false when there is none) */
export function gcpPeerEnabled(state: SimState, l: Link): boolean {
  const url = gcpTunnelUrl(state.gcp.project, l.gcp.region, l.gcp.name);
  for (const r of state.gcp.routers) {
    const itf = r.interfaces.find((i) => i.linkedVpnTunnel === url);
    const peer = itf && r.bgpPeers.find((p) => p.interfaceName === itf.name);
    if (peer) return peer.enable === 'TRUE';
  }
  return false;
}
