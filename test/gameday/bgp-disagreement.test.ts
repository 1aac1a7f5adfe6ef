/**
 * Disagreement on an HA VPN/BGP link: the GCP end is the Cloud Router peer's import side (what GCP prefers for
 * GCP→AWS), the AWS end what GCP advertises to AWS (its export side). When one is moved and not the other, the two
 * ends of the link are in different states, and every such step counts in `disagreeMinutes`.
 */
import type { SimState } from '../../simulator/sim-state';
import { awsEndState, gcpEndState } from '../../gameday/model/ends';
import { linksOf } from '../../gameday/model/world';
import { runScenario, STEP_S } from '../../gameday/run';
import { emptyTally, tallyEnds } from '../../gameday/tally';
import { initialState } from '../../gameday/topology-of-run';
import { deployed, scenario } from './scenarios';

const initial = initialState(scenario('ha-vpn-bgp'));
const links = linksOf(initial);
const bgp = links.findIndex((l) => l.gcp.name === 'ha-tunnel-0');

/** The topology with the BGP peer over ha-tunnel-0 changed. */
function withPeer(change: (peer: SimState['gcp']['routers'][number]['bgpPeers'][number]) => void): SimState {
  const s = structuredClone(initial);
  change(s.gcp.routers.flatMap((r) => r.bgpPeers).find((p) => p.interfaceName === 'if-ha-tunnel-0')!);
  return s;
}

/** The ends of the BGP link and what one step in that state adds to the tally (every link healthy). */
function step(now: SimState) {
  const tally = emptyTally();
  const ends = tallyEnds(
    tally,
    initial,
    now,
    links,
    links.map(() => true),
  );
  return { ends: ends[bgp], disagree: tally.disagree, healthyDrained: tally.healthyDrained };
}

describe('disagreement on an HA VPN/BGP link', () => {
  it('is a BGP link on both sides', () => {
    expect(bgp).toBeGreaterThanOrEqual(0);
    expect(links[bgp]!.aws.bgp).toBe(true);
  });

  it('agrees as deployed, and when the peer is disabled (both ends drained)', () => {
    expect(step(initial)).toEqual({ ends: { gcp: 'active', aws: 'active' }, disagree: 0, healthyDrained: 0 });
    const off = step(withPeer((p) => (p.enable = 'FALSE')));
    expect(off.ends).toEqual({ gcp: 'drained', aws: 'drained' });
    expect(off.disagree).toBe(0);
  });

  it('disagrees when only what GCP advertises is made worse: the AWS end is de-preferred, the GCP end is not', () => {
    const now = withPeer((p) => (p.advertisedRoutePriority = (p.advertisedRoutePriority ?? 0) + 1000));
    expect([gcpEndState(initial, now, links[bgp]!), awsEndState(initial, now, links[bgp]!)]).toEqual(['active', 'de-preferred']);
    expect(step(now).disagree).toBeCloseTo(STEP_S / 60);
  });

  it('disagrees when only what GCP learns is made worse: the GCP end is de-preferred, the AWS end is not', () => {
    const now = withPeer((p) => (p.learnedPriority = (p.learnedPriority ?? 0) + 1000));
    expect(step(now).ends).toEqual({ gcp: 'de-preferred', aws: 'active' });
    expect(step(now).disagree).toBeCloseTo(STEP_S / 60);
  });

  it('is never the case in the HA VPN/BGP scenario today: every strategy moves both ends of the link together', async () => {
    const { result } = await runScenario(scenario('ha-vpn-bgp'), deployed, ['naive', 'tunnel-guard', 'oracle']);
    for (const s of Object.values(result.strategies)) expect(s.disagreeMinutes).toBe(0);
    expect(result.strategies['tunnel-guard'].drains).toBeGreaterThan(0);
  });
});
