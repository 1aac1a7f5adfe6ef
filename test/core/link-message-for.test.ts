/**
 * What one end tells the other, straight through `linkMessageFor` and `signalFromLink`: the decision chooses the news
 * (see the decision's tests); here, what each kind of news says (health, basis, a stable id) and when it is held back.
 */
import { linkMessageFor, signalFromLink } from '../../shared/links/rules';
import type { Signal } from '../../shared/types';
import type { Report } from '../../shared/report-types';
import { aws, gcp } from '../fakes/topology';

const A1 = aws('vpn-1', '203.0.113.10');
const G1 = gcp('tunnel-1');
const links = [{ gcp: G1, aws: A1 }];
const PROBE = (health: 'healthy' | 'degraded') => ({ about: 'probe' as const, health });

const probe = (health: Signal['health'], key = 'probe-alarm:ALARM:1'): Signal => ({
  tunnelId: A1,
  health,
  observedAt: '2026-11-25T01:00:00.000Z',
  source: 'aws-eventbridge',
  monitor: `probe:${A1}`,
  basis: 'probe',
  key,
  evidence: 'tunnel-guard-probe-vpn-1-203.0.113.10-trip ALARM',
});

const report = (extra: Partial<Report> = {}): Report => ({
  tunnelId: A1,
  cloud: 'aws',
  trigger: 'signal',
  decision: 'record',
  summary: 'nothing to drain on this side',
  dryRun: false,
  forced: false,
  plan: [],
  results: [],
  refusals: [],
  withdrawn: [],
  stateBefore: 'active',
  stateAfter: 'active',
  severity: 'INFO',
  viaLink: false,
  startedAt: '2026-11-25T01:00:05.000Z',
  durationMs: 0,
  ok: true,
  ...extra,
});
const applied = [
  {
    type: 'withdraw' as const,
    pathKey: 'vpn-1:10.240.0.0/16',
    destinations: ['10.240.0.0/16'],
    outcome: 'applied' as const,
    attempts: 1,
    ms: 0,
  },
];

describe('probe news from an end with nothing to change', () => {
  it('passes on what its probe says, with a short stable id per signal', () => {
    const m = linkMessageFor(report({ signal: probe('degraded') }), PROBE('degraded'), links);
    expect(m).toEqual({
      v: 1,
      id: expect.stringMatching(/^aws:probe:[0-9a-f]{40}$/),
      origin: 'aws',
      fromTunnelId: A1,
      toTunnelId: G1,
      health: 'degraded',
      observedAt: '2026-11-25T01:00:00.000Z',
      reason: `AWS end's probe of ${A1}: degraded (tunnel-guard-probe-vpn-1-203.0.113.10-trip ALARM)`,
      basis: 'probe',
    });
    expect(linkMessageFor(report({ signal: probe('degraded') }), PROBE('degraded'), links)?.id).toBe(m?.id);
    expect(linkMessageFor(report({ signal: probe('degraded', 'probe-alarm:ALARM:2') }), PROBE('degraded'), links)?.id).not.toBe(m?.id);
    expect(linkMessageFor(report({ signal: probe('healthy') }), PROBE('healthy'), links)?.health).toBe('healthy');
  });

  it('is held back in a dry run and for a tunnel without a peer, and says nothing without news', () => {
    expect(linkMessageFor(report({ signal: probe('degraded'), dryRun: true }), PROBE('degraded'), links)).toBeUndefined();
    expect(linkMessageFor(report({ signal: probe('degraded') }), PROBE('degraded'), [])).toBeUndefined();
    expect(linkMessageFor(report({ signal: probe('degraded') }), undefined, links)).toBeUndefined();
  });
});

describe('what a drain, a restore and a recovery say', () => {
  it('a drain on a degraded signal says degraded; on down, down; an operator drain (no signal), degraded', () => {
    const drain = (signal?: Signal) =>
      linkMessageFor(
        report({ decision: 'drain', stateAfter: 'drained', results: applied, ...(signal ? { signal } : {}) }),
        { about: 'change', health: signal?.health === 'down' ? 'down' : 'degraded' },
        links,
      );
    expect(drain({ ...probe('degraded'), basis: 'traffic' })).toMatchObject({ health: 'degraded', basis: 'traffic' });
    expect(drain({ ...probe('down'), basis: 'state' })).toMatchObject({ health: 'down', basis: 'state' });
    const operator = drain();
    expect(operator).toMatchObject({ health: 'degraded', observedAt: '2026-11-25T01:00:05.000Z' });
    expect(operator).not.toHaveProperty('basis');
  });

  it('a recovery of every local monitor clears what was said, and carries what measured it', () => {
    const m = linkMessageFor(
      report({ stateBefore: 'drained', stateAfter: 'drained', signal: probe('healthy') }),
      { about: 'recovered', health: 'healthy' },
      links,
    );
    expect(m).toMatchObject({ health: 'healthy', basis: 'probe', id: expect.stringMatching(/^aws:recovered:[0-9a-f]{40}$/) });
  });

  it('a change is sent only once the cloud confirmed some of it', () => {
    const change = { about: 'change' as const, health: 'degraded' as const };
    const drained = report({ decision: 'drain', stateAfter: 'drained' });
    expect(linkMessageFor({ ...drained, results: applied }, change, links)).toMatchObject({ health: 'degraded' });
    expect(linkMessageFor(drained, change, links)).toBeUndefined();
    expect(linkMessageFor({ ...drained, results: [{ ...applied[0]!, outcome: 'failed' as const }] }, change, links)).toBeUndefined();
    expect(linkMessageFor({ ...drained, results: applied, ok: false }, change, links)).toBeUndefined();
  });

  it('the receiving end keeps the basis, so a probe recovery there is worth a probe recovery', () => {
    const m = linkMessageFor(report({ signal: probe('healthy') }), PROBE('healthy'), links)!;
    const s = signalFromLink(m, links, 'gcp');
    expect(s).toMatchObject({ ok: true, value: { tunnelId: G1, health: 'healthy', basis: 'probe', viaLink: true, monitor: 'link:aws' } });
    const { basis: _drop, ...plain } = m;
    const without = signalFromLink(plain, links, 'gcp');
    expect(without.ok && without.value).not.toHaveProperty('basis');
  });
});

describe("a GCP end's counters cross the link", () => {
  const A2 = aws('vpn-2', '203.0.113.20');
  const G2 = gcp('tunnel-2');
  const both = [...links, { gcp: G2, aws: A2 }];
  const counted = { ratio: 0, span: 'aws-to-gcp' as const, at: '2026-11-25T01:00:00.000Z', packets: 600_000 };
  const gcpReport = (extra: Partial<Report> = {}) =>
    report({
      tunnelId: G1,
      cloud: 'gcp',
      signal: { ...probe('degraded'), tunnelId: G1, viaLink: true, source: 'link:aws', measure: { ratio: 0.05, span: 'round-trip' } },
      counters: {
        counted,
        loads: { [G1]: { pps: 120_000, byDirection: { 'gcp-to-aws': 40_000 } }, [G2]: { pps: 40_000 }, [gcp('unlinked')]: { pps: 1 } },
      },
      ...extra,
    });

  it('figures answer a probe: only counters, no health, loads renamed to the other end tunnels (unlinked ones left out)', () => {
    const m = linkMessageFor(gcpReport(), { about: 'figures', health: 'unknown' }, both)!;
    expect(m).toMatchObject({ origin: 'gcp', fromTunnelId: G1, toTunnelId: A1, health: 'unknown', figures: true, counted });
    expect(m.loads).toEqual({ [A1]: { pps: 120_000, byDirection: { 'gcp-to-aws': 40_000 } }, [A2]: { pps: 40_000 } });
    expect(m).not.toHaveProperty('measure');
    expect(m.reason).toMatch(/0\.00 % aws-to-gcp over 600,000 packets/);
    const s = signalFromLink(m, both, 'aws');
    expect(s.ok && s.value).toMatchObject({ tunnelId: A1, figures: true, counted, loads: m.loads, viaLink: true });
  });

  it('no figures without counters', () => {
    expect(linkMessageFor(gcpReport({ counters: undefined }), { about: 'figures', health: 'unknown' }, both)).toBeUndefined();
  });

  it('every other message carries them too', () => {
    const m = linkMessageFor(
      gcpReport({ decision: 'drain', results: applied, signal: undefined }),
      { about: 'change', health: 'degraded' },
      both,
    )!;
    expect(m.counted).toEqual(counted);
    expect(Object.keys(m.loads ?? {})).toEqual([A1, A2]);
  });
});
