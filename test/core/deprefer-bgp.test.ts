/**
 * De-preference on HA VPN (BGP route policies on the Cloud Router peer, session kept up), its fallback to disabling
 * the peer when a precondition fails, and the AWS end of a BGP connection, which has no lever of its own: it says the
 * other end covers the link, and does not read the TunnelState alarm that a disabled peer causes as a new fault.
 */
import { handleSignal, reconcile } from '../../shared/engine';
import { openSimulator } from '../../simulator';
import { addHaVpn, INCIDENT, incidentTopology } from '../../simulator/topology';
import { routePolicyEffect } from '../../clouds/gcp/route-policy';
import { gcpTunnelId, type Signal } from '../../shared/types';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { aws, awsTunnel } from '../fakes/topology';

const HA0 = gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: 'ha-tunnel-0' });
const PEER0 = `projects/${INCIDENT.gcpProject}/regions/${INCIDENT.gcpRegion}/routers/cr-aws-ha/bgpPeers/peer-ha-tunnel-0`;

function haWorld(change: (s: ReturnType<typeof incidentTopology>) => void = () => undefined) {
  const sim = openSimulator('ha.json', {
    inMemory: true,
    initial: () => {
      const s = addHaVpn(incidentTopology(), { learned: ['10.1.0.0/16'] });
      change(s);
      return s;
    },
  });
  const { deps, clock } = testDeps({ gcp: sim.ports('gcp') }, { restoreHoldDownSeconds: 0 }, sim.ledger);
  return { sim, deps, clock };
}
const router = async (sim: ReturnType<typeof openSimulator>) => (await sim.read()).gcp.routers[0]!;

describe('HA VPN in drainMode deprefer: BGP route policies instead of a disabled peer', () => {
  it('attaches the import and export policies, keeps the session up, lists the peer as a standby; restore gives back exactly the router it found', async () => {
    const { sim, deps, clock } = haWorld();
    const before = await router(sim);
    clock.t += 60_000;
    const r = await handleSignal(deps, sig(HA0, 'degraded', 10));
    expect(r).toMatchObject({ decision: 'drain', ok: true, plan: [{ pathKey: PEER0, lever: 'deprefer' }] });
    const mid = await router(sim);
    const peer = mid.bgpPeers[0]!;
    expect(peer).toMatchObject({ enable: 'TRUE', importPolicies: ['tg-deprefer-import'], exportPolicies: ['tg-deprefer-export'] });
    expect(mid.routePolicies!.map((p) => p.name).sort()).toEqual(['tg-deprefer-export', 'tg-deprefer-import']);
    // What the policies do, for models of route selection (the game day): learned MED +10000; advertised: 3 × our ASN, MED +10000.
    expect(routePolicyEffect(mid.routePolicies!, peer)).toEqual({ importMedAdd: 10000, exportMedAdd: 10000, exportPrepend: 3 });
    expect(mid.routePolicies!.find((p) => p.name === 'tg-deprefer-export')!.terms[0]!.actions[0]!.expression).toBe(
      'asPath.prependSequence([65000, 65000, 65000])',
    );
    const listed = (await sim.ports('gcp').paths.list()).find((p) => p.key === PEER0)!;
    expect(listed.standbyFor).toBe(PEER0);
    expect(mid.bgpPeers[1]).toEqual(before.bgpPeers[1]); // the other peer untouched

    clock.t += 60_000;
    const back = await handleSignal(deps, sig(HA0, 'healthy', 80));
    expect(back).toMatchObject({ decision: 'restore', ok: true });
    expect(await router(sim)).toEqual(before);
  });

  it('falls back to disabling the peer when its ASN is not private, and says so', async () => {
    const { sim, deps, clock } = haWorld((s) => {
      s.gcp.routers[0]!.bgpPeers[0]!.peerAsn = 7224;
    });
    clock.t += 60_000;
    const r = await handleSignal(deps, sig(HA0, 'degraded', 10));
    expect(r.decision).toBe('drain');
    expect(r.plan[0]!.lever).toBeUndefined();
    expect(r.summary).toMatch(/not de-preferred because peer ASN 7224 is not a private ASN .*withdrawn instead/);
    expect((await router(sim)).bgpPeers[0]).toMatchObject({ enable: 'FALSE' });
    expect((await router(sim)).routePolicies).toBeUndefined();
  });

  it('leaves a peer with route policies of its own alone (disables it instead)', async () => {
    const { sim, deps, clock } = haWorld((s) => {
      s.gcp.routers[0]!.bgpPeers[0]!.importPolicies = ['customer-import'];
    });
    clock.t += 60_000;
    const r = await handleSignal(deps, sig(HA0, 'degraded', 10));
    expect(r.summary).toMatch(/already has route policies of its own \(customer-import\)/);
    expect((await router(sim)).bgpPeers[0]).toMatchObject({ enable: 'FALSE', importPolicies: ['customer-import'] });
  });

  it('drainMode withdraw disables the peer, as before', async () => {
    const { sim, deps, clock } = haWorld();
    deps.policy = { ...deps.policy, drainMode: 'withdraw' };
    clock.t += 60_000;
    await handleSignal(deps, sig(HA0, 'degraded', 10));
    expect((await router(sim)).bgpPeers[0]).toMatchObject({ enable: 'FALSE' });
    expect((await router(sim)).bgpPeers[0]!.importPolicies).toBeUndefined();
  });

  it('both peers de-preferred is not refused (the standbys carry the traffic) and restores both', async () => {
    const { sim, deps, clock } = haWorld();
    const before = await router(sim);
    clock.t += 60_000;
    await handleSignal(deps, sig(HA0, 'degraded', 10));
    const r = await handleSignal(
      deps,
      sig(gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name: 'ha-tunnel-1' }), 'degraded', 11),
    );
    expect(r).toMatchObject({ decision: 'drain', ok: true, refusals: [], severity: 'CRITICAL' });
    expect((await router(sim)).bgpPeers.every((p) => p.enable === 'TRUE' && p.importPolicies?.includes('tg-deprefer-import'))).toBe(true);
    clock.t += 60_000;
    for (const [i, name] of ['ha-tunnel-0', 'ha-tunnel-1'].entries())
      await handleSignal(deps, sig(gcpTunnelId({ project: INCIDENT.gcpProject, region: INCIDENT.gcpRegion, name }), 'healthy', 80 + i));
    await reconcile(deps);
    expect(await router(sim)).toEqual(before);
  });
});

describe('the AWS end of a BGP connection (no static lever)', () => {
  const A = aws('vpn-0bgp', '198.51.100.1');
  const B = aws('vpn-0bgp', '198.51.100.2');
  const viaLink = (health: Signal['health'], at: number): Signal => ({
    ...sig(A, health, at),
    source: 'link:gcp',
    monitor: 'link:gcp',
    viaLink: true,
    evidence: 'GCP end drained: de-prefer 1 path(s)',
  });

  it('reports the link as covered by the GCP end, not as "nothing to do", and reads the TunnelState alarm that follows as its consequence', async () => {
    const cloud = new MemoryCloud([awsTunnel('vpn-0bgp', '198.51.100.1'), awsTunnel('vpn-0bgp', '198.51.100.2')], []);
    const { deps, clock } = testDeps({ aws: portsOf(cloud) });
    clock.t += 60_000;
    const told = await handleSignal(deps, viaLink('degraded', 10));
    expect(told.decision).toBe('record');
    expect(told.summary).toMatch(/covered by the other end of the link \(link:gcp\)/);
    expect(told.summary).not.toMatch(/no active paths/);
    // The peer was disabled on GCP (a fallback): BGP is down, AWS's TunnelState alarm says down.
    cloud.setStatus(A, 'down');
    const alarm = await handleSignal(deps, { ...sig(A, 'down', 20), monitor: 'arn:aws:cloudwatch:alarm:tunnel-state' });
    expect(alarm.decision).toBe('record');
    expect(alarm.summary).toMatch(/not a new independent degradation/);
    expect(alarm.results).toEqual([]);
    expect(cloud.calls).toEqual([]);
    // Without the link's word, a BGP tunnel with no paths is only recorded as before.
    const other = await handleSignal(deps, sig(B, 'degraded', 30));
    expect(other.summary).toMatch(/no active paths send traffic into it/);
  });
});
