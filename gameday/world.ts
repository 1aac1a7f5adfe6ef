/**
 * The simulated world of one game-day run: the simulator's state in memory, the links (the one IPsec tunnel both
 * clouds see), and what the scenario does to each link over time. The world plays the clouds: it keeps each
 * cloud's own view of a tunnel (GCP `status`, AWS `VgwTelemetry` status) in step with the scenario, and never
 * decides anything about routes.
 */
import { gcpTunnelUrl } from '../clouds/gcp/urls';
import { resolveTunnel } from '../cli/resolve-tunnel';
import { discoverLinks } from '../shared/links/discover';
import { openSimulator, type SimState, type SimulatorHandle } from '../simulator';

import type { TunnelRef } from '../shared/types';
import { isLoss, ScenarioError, type Scenario } from './scenario';

export type Direction = 'gcpToAws' | 'awsToGcp';

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

export class World {
  readonly sim: SimulatorHandle;
  readonly project: string;
  readonly region: string;
  private losses: (Timed & { loss: number; directions: Direction[] })[] = [];
  private downs: Timed[] = [];

  private constructor(
    readonly initial: SimState,
    readonly links: Link[],
    refs: TunnelRef[],
    scenario: Scenario,
  ) {
    this.sim = openSimulator(`gameday:${scenario.name}`, { inMemory: true, initial: () => structuredClone(initial) });
    this.project = initial.gcp.project;
    this.region = initial.aws.region;
    for (const e of scenario.events) {
      let ref: TunnelRef;
      try {
        ref = resolveTunnel(e.tunnel, refs);
      } catch (err) {
        throw new ScenarioError(`scenario ${scenario.name}: ${(err as Error).message}`);
      }
      const link = links.findIndex((l) => l.gcpId === ref.id || l.awsId === ref.id);
      if (link < 0)
        throw new ScenarioError(
          `scenario ${scenario.name}: tunnel ${ref.id} has no other end in this topology (the game day models links: a GCP tunnel whose peer IP is an AWS tunnel's outside IP)`,
        );
      const span = { from: e.at * 60, to: e.until * 60, link };
      if (isLoss(e))
        this.losses.push({ ...span, loss: e.loss, directions: e.direction === 'both' ? ['gcpToAws', 'awsToGcp'] : [e.direction] });
      else this.downs.push(span);
    }
  }

  static async create(initial: SimState, scenario: Scenario): Promise<World> {
    const probe = openSimulator('gameday:probe', { inMemory: true, initial: () => structuredClone(initial) });
    const [aws, gcp] = await Promise.all([probe.ports('aws').tunnels.list(), probe.ports('gcp').tunnels.list()]);
    const links: Link[] = discoverLinks(aws, gcp).links.map((l) => {
      const g = gcp.find((t) => t.ref.id === l.gcp)!.ref;
      const a = aws.find((t) => t.ref.id === l.aws)!.ref;
      if (g.cloud !== 'gcp' || a.cloud !== 'aws') throw new Error('discoverLinks paired the wrong clouds');
      const conn = initial.aws.vpnConnections.find((c) => c.vpnConnectionId === a.native.vpnConnectionId);
      return {
        gcpId: l.gcp,
        awsId: l.aws,
        gcp: { name: g.native.name, region: g.native.region, gateway: g.native.gateway ?? g.native.name },
        aws: { vpnConnectionId: a.native.vpnConnectionId, outsideIpAddress: a.native.outsideIpAddress, bgp: conn?.routing === 'bgp' },
      };
    });
    return new World(
      initial,
      links,
      [...aws, ...gcp].map((t) => t.ref),
      scenario,
    );
  }

  /** The fraction of packets the link loses in one direction at `t` (independent events compound). */
  lossAt(link: number, dir: Direction, t: number): number {
    let kept = 1;
    for (const l of this.losses) if (l.link === link && l.directions.includes(dir) && l.from <= t && t < l.to) kept *= 1 - l.loss;
    return 1 - kept;
  }

  isDown(link: number, t: number): boolean {
    return this.downs.some((d) => d.link === link && d.from <= t && t < d.to);
  }

  /** Is any direction of the link lossy at `t`? */
  lossy(link: number, t: number): boolean {
    return this.lossAt(link, 'gcpToAws', t) > 0 || this.lossAt(link, 'awsToGcp', t) > 0;
  }

  linkOf(tunnelId: string): number {
    return this.links.findIndex((l) => l.gcpId === tunnelId || l.awsId === tunnelId);
  }

  /** The first loss of the scenario: when it starts, on which link, in which directions. */
  firstLoss(): { at: number; link: number; directions: Direction[] } | undefined {
    const first = [...this.losses].filter((l) => l.loss > 0).sort((a, b) => a.from - b.from)[0];
    return first && { at: first.from, link: first.link, directions: first.directions };
  }

  /**
   * Bring each cloud's view of every link in step with the scenario at `t`: a down link has no IKE SA (GCP
   * NO_INCOMING_PACKETS, AWS DOWN). On a BGP connection AWS reports a tunnel up only while its BGP session is
   * established, so a disabled GCP peer makes the AWS tunnel DOWN too (that is what AWS's TunnelState then says).
   */
  async syncTunnels(t: number): Promise<void> {
    await this.sim.update((state) => {
      this.links.forEach((l, i) => {
        const down = this.isDown(i, t);
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
          const sessionUp = !l.aws.bgp || this.gcpPeerEnabled(state, l);
          const want = !down && sessionUp ? 'UP' : 'DOWN';
          if (a.status !== want) {
            a.status = want;
            a.statusMessage = want === 'UP' ? '' : down ? 'IPSEC IS DOWN' : 'BGP SESSION IS DOWN';
          }
        }
      });
    });
  }

  private gcpPeerEnabled(state: SimState, l: Link): boolean {
    const url = gcpTunnelUrl(state.gcp.project, l.gcp.region, l.gcp.name);
    for (const r of state.gcp.routers) {
      const itf = r.interfaces.find((i) => i.linkedVpnTunnel === url);
      const peer = itf && r.bgpPeers.find((p) => p.interfaceName === itf.name);
      if (peer) return peer.enable === 'TRUE';
    }
    return false;
  }
}
