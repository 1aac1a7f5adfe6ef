/**
 * The model reads a de-preference by halves on an AWS gateway as AWS would route it and as a human would describe it:
 * the halves on the other connection carry the destination while it is up, the kept route carries it the moment that
 * connection goes down (no packet unreachable), and the end that kept its route is "de-preferred", not "active".
 */
import { awsEndState } from '../../gameday/model/ends';
import { piecesOf } from '../../gameday/model/pieces';
import { destinationsOf, flowsOf } from '../../gameday/model/traffic';
import { linksOf } from '../../gameday/model/world';
import { incidentTopology, INCIDENT } from '../../simulator/topology';

const initial = incidentTopology();
const [vpn1, vpn2] = [INCIDENT.vpn[0].id, INCIDENT.vpn[1].id];

/** vpn1 keeps its routes; vpn2 gets both halves of each (what a de-preference of vpn1 leaves). */
function deprefered() {
  const s = structuredClone(initial);
  const c2 = s.aws.vpnConnections.find((c) => c.vpnConnectionId === vpn2)!;
  for (const h of ['10.240.0.0/17', '10.240.128.0/17', '192.168.1.0/25', '192.168.1.128/25'])
    c2.routes.push({ destinationCidrBlock: h, source: 'Static', state: 'available' });
  return s;
}
const offered = { gcpToAwsPps: 0, awsToGcpPps: 10_000 };
const byConnection = (m: Map<string, number>) => {
  const out: Record<string, number> = {};
  for (const [id, pps] of m) {
    const conn = id.split(':')[2]!;
    out[conn] = (out[conn] ?? 0) + pps;
  }
  return out;
};

describe('more specific routes on an AWS gateway', () => {
  it('splits a destination into the pieces its routes tell apart, each with its share of the addresses', () => {
    expect(piecesOf('10.0.0.0/16', ['10.0.0.0/16', '10.0.0.0/17', '10.0.128.0/17'])).toEqual([
      { prefix: '10.0.0.0/17', share: 0.5 },
      { prefix: '10.0.128.0/17', share: 0.5 },
    ]);
    expect(piecesOf('10.0.0.0/16', ['10.0.0.0/8'])).toEqual([{ prefix: '10.0.0.0/16', share: 1 }]);
    const host = piecesOf('10.0.0.0/30', ['10.0.0.1/32']);
    expect(host.map((p) => p.prefix)).toEqual(['10.0.0.0/32', '10.0.0.1/32', '10.0.0.2/31']);
    expect(host.reduce((a, p) => a + p.share, 0)).toBe(1);
  });

  it('sends everything over the halves while their connection is up, and over the kept route once it is down', () => {
    const s = deprefered();
    const dests = destinationsOf(initial);
    const up = flowsOf(s, dests, offered, () => true);
    expect(byConnection(up.awsToGcp)).toEqual({ [vpn2]: 10_000 });
    for (const t of s.aws.vpnConnections.find((c) => c.vpnConnectionId === vpn2)!.tunnels) t.status = 'DOWN';
    const down = flowsOf(s, dests, offered, () => true);
    expect(byConnection(down.awsToGcp)).toEqual({ [vpn1]: 10_000 });
    expect(down.unreachable.awsToGcp).toBe(0);
  });

  it('reads the end that kept its routes as de-preferred, and the end with the halves as active', () => {
    const s = deprefered();
    const links = linksOf(initial);
    const ofConn = (id: string) => links.find((l) => l.aws.vpnConnectionId === id)!;
    expect(awsEndState(initial, s, ofConn(vpn1))).toBe('de-preferred');
    expect(awsEndState(initial, s, ofConn(vpn2))).toBe('active');
    expect(awsEndState(initial, initial, ofConn(vpn1))).toBe('active');
  });
});

describe('more specific routes on a gateway of four connections', () => {
  it('reads only the connection without the halves as de-preferred: the others share the preferred halves', () => {
    const s = deprefered();
    const three = structuredClone(s.aws.vpnConnections.find((c) => c.vpnConnectionId === vpn2)!);
    three.vpnConnectionId = 'vpn-0a1b2c3d4e5f60003';
    three.routes = three.routes.filter((r) => r.destinationCidrBlock.endsWith('/16') || r.destinationCidrBlock.endsWith('/17'));
    const base = structuredClone(initial);
    base.aws.vpnConnections.push({ ...structuredClone(three), routes: three.routes.filter((r) => r.destinationCidrBlock.endsWith('/16')) });
    s.aws.vpnConnections.push(three);
    const link = (id: string) => ({ aws: { vpnConnectionId: id } }) as Parameters<typeof awsEndState>[2];
    expect(awsEndState(base, s, link(vpn1))).toBe('de-preferred');
    expect(awsEndState(base, s, link(vpn2))).toBe('active');
    expect(awsEndState(base, s, link('vpn-0a1b2c3d4e5f60003'))).toBe('active');
  });
});
