/**
 * What one end tells the other, straight through `linkMessageFor` and `signalFromLink`: which reports speak, what
 * they say (health, basis, a stable id), and which stay silent.
 */
import { linkMessageFor, signalFromLink } from '../../shared/links/rules';
import type { Report, Signal } from '../../shared/types';
import { aws, gcp } from '../fakes/topology';

const A1 = aws('vpn-1', '203.0.113.10');
const G1 = gcp('tunnel-1');
const links = [{ gcp: G1, aws: A1 }];

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
    const m = linkMessageFor(report({ signal: probe('degraded') }), links);
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
    expect(linkMessageFor(report({ signal: probe('degraded') }), links)?.id).toBe(m?.id);
    expect(linkMessageFor(report({ signal: probe('degraded', 'probe-alarm:ALARM:2') }), links)?.id).not.toBe(m?.id);
    expect(linkMessageFor(report({ signal: probe('healthy') }), links)?.health).toBe('healthy');
  });

  it.each([
    ['a refused drain', { decision: 'refuse' as const, ok: false }],
    ['nothing done (ignored)', { decision: 'ignore' as const }],
    ['a tunnel that was not in service', { stateBefore: 'drained' as const, stateAfter: 'drained' as const }],
    ['a tunnel that ends out of service', { stateAfter: 'drained' as const }],
    ['a dry run', { dryRun: true }],
    ['news that itself came over the link', { viaLink: true }],
  ])('stays silent for %s', (_what, extra) => {
    expect(linkMessageFor(report({ signal: probe('degraded'), ...extra }), links)).toBeUndefined();
  });

  it('says nothing of an unknown probe reading, nor of a tunnel without a peer', () => {
    expect(linkMessageFor(report({ signal: probe('unknown') }), links)).toBeUndefined();
    expect(linkMessageFor(report({ signal: probe('degraded') }), [])).toBeUndefined();
  });
});

describe('what a drain, a restore and a recovery say', () => {
  it('a drain on a degraded signal says degraded; on down, down; an operator drain (no signal), degraded', () => {
    const drain = (signal?: Signal) =>
      linkMessageFor(report({ decision: 'drain', stateAfter: 'drained', results: applied, ...(signal ? { signal } : {}) }), links);
    expect(drain({ ...probe('degraded'), basis: 'traffic' })).toMatchObject({ health: 'degraded', basis: 'traffic' });
    expect(drain({ ...probe('down'), basis: 'state' })).toMatchObject({ health: 'down', basis: 'state' });
    const operator = drain();
    expect(operator).toMatchObject({ health: 'degraded', observedAt: '2026-11-25T01:00:05.000Z' });
    expect(operator).not.toHaveProperty('basis');
  });

  it('a recovery of every local monitor clears what was said, and carries what measured it', () => {
    const m = linkMessageFor(
      report({ localRecovered: true, stateBefore: 'drained', stateAfter: 'drained', signal: probe('healthy') }),
      links,
    );
    expect(m).toMatchObject({ health: 'healthy', basis: 'probe', id: expect.stringMatching(/^aws:recovered:[0-9a-f]{40}$/) });
  });

  it('the receiving end keeps the basis, so a probe recovery there is worth a probe recovery', () => {
    const m = linkMessageFor(report({ signal: probe('healthy') }), links)!;
    const s = signalFromLink(m, links, 'gcp');
    expect(s).toMatchObject({ ok: true, value: { tunnelId: G1, health: 'healthy', basis: 'probe', viaLink: true, monitor: 'link:aws' } });
    const { basis: _drop, ...plain } = m;
    const without = signalFromLink(plain, links, 'gcp');
    expect(without.ok && without.value).not.toHaveProperty('basis');
  });
});
