/**
 * The link rules one report at a time: what one end tells the other after acting (and when it says nothing),
 * and how a message from the other end becomes a local signal.
 */
import { createHash } from 'node:crypto';
import { linkMessageFor, peerOf, signalFromLink } from '../../shared/links/rules';
import type { LinkMessage } from '../../shared/links/message';
import type { Report } from '../../shared/report-types';

const G1 = 'gcp:p:r:tunnel-1';
const A1 = 'aws:r:vpn-1:1.1.1.1';
const links = [
  { gcp: G1, aws: A1 },
  { gcp: 'gcp:p:r:tunnel-2', aws: 'aws:r:vpn-2:2.2.2.2' },
];
const STARTED = '2026-11-25T01:00:00.000Z';
const OBSERVED = '2026-11-25T00:59:30.000Z';

const report = (extra: Partial<Report> = {}): Report => ({
  tunnelId: G1,
  cloud: 'gcp',
  trigger: 'signal',
  signal: { tunnelId: G1, health: 'degraded', observedAt: OBSERVED, source: 'gcp-monitoring', key: 'incident-1', evidence: 'drops' },
  decision: 'drain',
  summary: 'drain it',
  dryRun: false,
  forced: false,
  plan: [{ type: 'withdraw', pathKey: 'r1', destinations: ['10.0.0.0/16'] }],
  results: [{ type: 'withdraw', pathKey: 'r1', destinations: ['10.0.0.0/16'], outcome: 'applied', attempts: 1, ms: 5 }],
  refusals: [],
  withdrawn: [],
  stateBefore: 'active',
  stateAfter: 'drained',
  severity: 'WARNING',
  viaLink: false,
  startedAt: STARTED,
  durationMs: 10,
  ok: true,
  ...extra,
});

describe('peerOf', () => {
  it('pairs both ways, and knows nothing of unpaired tunnels', () => {
    expect(peerOf(links, G1)).toBe(A1);
    expect(peerOf(links, A1)).toBe(G1);
    expect(peerOf(links, 'aws:r:vpn-2:2.2.2.2')).toBe('gcp:p:r:tunnel-2');
    expect(peerOf(links, 'gcp:p:r:tunnel-9')).toBeUndefined();
  });
});

describe('linkMessageFor (the envelope of what the decision chose to tell)', () => {
  const DRAINED = { about: 'change' as const, health: 'degraded' as const };
  const RESTORED = { about: 'change' as const, health: 'healthy' as const };
  const RECOVERED = { about: 'recovered' as const, health: 'healthy' as const };

  it('after a drain: the decided health, to the peer, with a stable id and the summary as the reason', () => {
    expect(linkMessageFor(report(), DRAINED, links)).toEqual({
      v: 1,
      id: `gcp:${G1}:drain:${STARTED}`,
      origin: 'gcp',
      fromTunnelId: G1,
      toTunnelId: A1,
      health: 'degraded',
      observedAt: OBSERVED,
      reason: 'GCP end drained: drain it',
    });
    expect(linkMessageFor(report(), { about: 'change', health: 'down' }, links)?.health).toBe('down');
  });

  it('without a signal the message is dated by the run', () => {
    expect(linkMessageFor(report({ signal: undefined, trigger: 'drain' }), DRAINED, links)?.observedAt).toBe(STARTED);
  });

  it('an AWS restore reads as restored, from the AWS end', () => {
    const m = linkMessageFor(
      report({ tunnelId: A1, cloud: 'aws', decision: 'restore', trigger: 'reconcile', summary: 'back' }),
      RESTORED,
      links,
    );
    expect(m).toMatchObject({ origin: 'aws', fromTunnelId: A1, toTunnelId: G1, health: 'healthy', reason: 'AWS end restored: back' });
  });

  it('a very long summary is cut to 2,000 characters', () => {
    expect(linkMessageFor(report({ summary: 'x'.repeat(5000) }), DRAINED, links)?.reason).toHaveLength(2000);
  });

  it.each([
    ['a dry run', { dryRun: true }],
    ['a report without a cloud', { cloud: undefined }],
    ['a refusal', { decision: 'refuse' as const, ok: false, results: [] }],
    ['a run whose every action failed', { ok: true, results: [{ ...report().results[0]!, outcome: 'failed' as const }] }],
    ['a run that did nothing', { results: [] }],
    ['a failed run', { ok: false }],
    ['an unpaired tunnel', { tunnelId: 'gcp:p:r:tunnel-9' }],
  ])('holds a change back after %s', (_what, extra) => {
    expect(linkMessageFor(report(extra), DRAINED, links)).toBeUndefined();
  });

  it('a run that half worked still tells the other end', () => {
    const r = report({ results: [report().results[0]!, { ...report().results[0]!, pathKey: 'r2', outcome: 'failed' }] });
    expect(linkMessageFor(r, DRAINED, links)?.health).toBe('degraded');
  });

  describe('when its own monitors recover', () => {
    const recovered = (extra: Partial<Report> = {}) =>
      report({
        decision: 'record',
        stateBefore: 'drained',
        stateAfter: 'drained',
        results: [],
        signal: { ...report().signal!, health: 'healthy', key: 'incident-1-closed' },
        ...extra,
      });

    it('tells the other end, even while staying drained, with an id from the signal that completed the recovery', () => {
      const hash = createHash('sha256').update(`${G1}\nincident-1-closed`).digest('hex').slice(0, 40);
      expect(linkMessageFor(recovered(), RECOVERED, links)).toEqual({
        v: 1,
        id: `gcp:recovered:${hash}`,
        origin: 'gcp',
        fromTunnelId: G1,
        toTunnelId: A1,
        health: 'healthy',
        observedAt: OBSERVED,
        reason: `GCP end: every monitor of ${G1} reports healthy again`,
      });
    });

    it('only to a paired tunnel, and a recovery that also restores says so as a recovery', () => {
      expect(linkMessageFor(recovered({ tunnelId: 'gcp:p:r:tunnel-9' }), RECOVERED, links)).toBeUndefined();
      expect(
        linkMessageFor(recovered({ decision: 'restore', stateBefore: 'restoring', results: report().results }), RECOVERED, links)?.id,
      ).toMatch(/^gcp:recovered:/);
    });
  });
});

describe('signalFromLink', () => {
  const message = (extra: Partial<LinkMessage> = {}): LinkMessage => ({
    v: 1,
    id: 'gcp:x:drain:1',
    origin: 'gcp',
    fromTunnelId: G1,
    toTunnelId: A1,
    health: 'degraded',
    observedAt: OBSERVED,
    reason: 'GCP end drained: drops',
    ...extra,
  });

  it('becomes a signal of the local tunnel, marked as from the link', () => {
    expect(signalFromLink(message(), links, 'aws')).toEqual({
      ok: true,
      value: {
        tunnelId: A1,
        health: 'degraded',
        observedAt: OBSERVED,
        source: 'link:gcp',
        key: 'link:gcp:x:drain:1',
        evidence: 'GCP end drained: drops',
        viaLink: true,
        monitor: 'link:gcp',
      },
    });
  });

  it('refuses a message from our own cloud, for another cloud, or for a pair that is not configured', () => {
    expect(signalFromLink(message({ origin: 'aws' }), links, 'aws')).toEqual({
      ok: false,
      reason: 'link message from our own cloud (aws): ignored',
    });
    expect(signalFromLink(message(), links, 'gcp')).toEqual({ ok: false, reason: 'link message from our own cloud (gcp): ignored' });
    expect(signalFromLink(message({ origin: 'aws', toTunnelId: 'aws:r:vpn-1:1.1.1.1' }), links, 'gcp')).toEqual({
      ok: false,
      reason: 'link message targets aws:r:vpn-1:1.1.1.1, not a gcp tunnel',
    });
    expect(signalFromLink(message({ toTunnelId: 'aws:r:vpn-2:2.2.2.2' }), links, 'aws')).toEqual({
      ok: false,
      reason: `no configured link pairs ${G1} with aws:r:vpn-2:2.2.2.2`,
    });
  });
});
