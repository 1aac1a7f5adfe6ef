/**
 * shared/metrics.ts: what the edges publish about themselves — decisions, refusals by guard, and every tunnel as the
 * edge sees it (in or out of service, fresh loss and probe loss, load, up).
 */
import { decisionMetrics, LOSS_FRESH_MS, METRIC_NAMES as N, tunnelMetrics } from '../../shared/metrics';
import type { Report } from '../../shared/report-types';
import type { LedgerRecord, TunnelStatus } from '../../shared/types';

const NOW = new Date('2026-12-06T10:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const T1 = 'gcp:p:r:tunnel-1';
const T2 = 'gcp:p:r:tunnel-2';

const report = (over: Partial<Report>): Report =>
  ({ tunnelId: T1, decision: 'drain', ok: true, dryRun: false, refusals: [], ...over }) as Report;
const record = (over: Partial<LedgerRecord>): LedgerRecord => ({ tunnelId: T1, cloud: 'gcp', state: 'active', ...over }) as LedgerRecord;
const status = (id: string, s: TunnelStatus['status'], pps?: number): TunnelStatus =>
  ({ ref: { id, cloud: 'gcp', native: {} }, status: s, ...(pps === undefined ? {} : { load: { pps, at: ago(0) } }) }) as TunnelStatus;

describe('decisionMetrics', () => {
  it.each([
    ['a confirmed drain', { decision: 'drain' }, [{ Drains: 1 }]],
    ['a confirmed restore', { decision: 'restore' }, [{ Restores: 1 }]],
    ['a dry run (nothing changed)', { decision: 'drain', dryRun: true }, []],
    ['a failed drain (not confirmed)', { decision: 'drain', ok: false }, []],
    ['a recorded signal', { decision: 'record' }, []],
  ] as const)('counts %s', (_what, over, values) => {
    expect(
      decisionMetrics('gcp', [report(over as Partial<Report>)]).map((s) =>
        Object.fromEntries(Object.entries(s.values).map(([k, v]) => [k, v.value])),
      ),
    ).toEqual(values);
  });

  it('counts every refusal by its guard', () => {
    const sets = decisionMetrics('aws', [
      report({
        decision: 'refuse',
        refusals: [
          { guard: 'black-hole', reason: 'x' },
          { guard: 'blast-radius', reason: 'y' },
        ] as Report['refusals'],
      }),
    ]);
    expect(sets).toEqual([
      { kind: 'refusal', dimensions: { Cloud: 'aws', Guard: 'black-hole' }, values: { [N.refusals]: { value: 1, unit: 'Count' } } },
      { kind: 'refusal', dimensions: { Cloud: 'aws', Guard: 'blast-radius' }, values: { [N.refusals]: { value: 1, unit: 'Count' } } },
    ]);
  });
});

describe('tunnelMetrics', () => {
  it('shows every tunnel with its state, fresh loss, probe loss, load and up, and how many are out of service', () => {
    const sets = tunnelMetrics(
      'gcp',
      [
        record({
          tunnelId: T1,
          state: 'drained',
          loss: {
            'aws-to-gcp': { ratio: 0.031, at: ago(60_000), monitor: 'm', basis: 'traffic' },
            'round-trip': { ratio: 0.02, at: ago(60_000), monitor: 'probe', basis: 'probe' },
          },
        }),
        record({ tunnelId: 'fence:gcp', state: 'active' }),
        record({ tunnelId: 'aws:r:vpn-1:1.2.3.4', cloud: 'aws', state: 'drained' }),
      ],
      [status(T1, 'up', 1200), status(T2, 'down')],
      NOW,
    );
    const byTunnel = Object.fromEntries(
      sets.map((s) => [s.dimensions.Tunnel ?? s.kind, Object.fromEntries(Object.entries(s.values).map(([k, v]) => [k, v.value]))]),
    );
    expect(byTunnel).toEqual({
      [T1]: { [N.outOfService]: 1, [N.loss]: 3.1, [N.probeLoss]: 2, [N.load]: 1200, [N.up]: 1 },
      [T2]: { [N.outOfService]: 0, [N.up]: 0 },
      cloud: { [N.tunnelsOutOfService]: 1 },
    });
  });

  it('does not publish a loss figure older than the freshness bound again', () => {
    const old = { ratio: 0.5, at: ago(LOSS_FRESH_MS + 1), monitor: 'm' };
    const [t] = tunnelMetrics('gcp', [record({ loss: { 'gcp-to-aws': old } })], [], NOW);
    expect(Object.keys(t!.values)).toEqual([N.outOfService]);
  });
});
