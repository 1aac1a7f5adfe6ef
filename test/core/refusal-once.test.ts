/**
 * Every kind of refusal is notified once: the first time with its reason, and not again while the same reason
 * holds (reconcile would otherwise page someone every few minutes).
 */
import { decide, type DecisionInput } from '../../shared/decide';
import { DEFAULT_POLICY } from '../../shared/policy';
import { emptyRecord, type LedgerRecord } from '../../shared/types';
import { sig } from '../fakes/core-deps';
import { aws, gcp, incident } from '../fakes/topology';

const NOW = new Date('2026-11-25T01:00:00Z');
const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
const T1 = gcp('tunnel-1');
const T2 = gcp('tunnel-2');
const A1 = aws('vpn-1', '203.0.113.10');
const A1b = aws('vpn-1', '203.0.113.11');

type Scenario = [string, (lastRefusal?: string) => DecisionInput];

const gcpInput =
  (record: Partial<LedgerRecord>, opts: { t2?: 'degraded'; withdrawnAlready?: boolean; trigger?: DecisionInput['trigger'] } = {}) =>
  (lastRefusal?: string): DecisionInput => {
    const t = incident();
    const rec: LedgerRecord = { ...emptyRecord(T1, 'gcp'), version: 2, ...record, ...(lastRefusal ? { lastRefusal } : {}) };
    const paths = opts.withdrawnAlready ? t.gcpPaths.filter((p) => !rec.withdrawn.some((w) => w.key === p.key)) : t.gcpPaths;
    const records = opts.t2 ? [{ ...emptyRecord(T2, 'gcp'), health: opts.t2, lastSignalAt: at(30) }] : [];
    return {
      trigger: opts.trigger ?? { type: 'reconcile' },
      record: rec,
      records,
      members: [],
      tunnels: t.gcpTunnels,
      paths,
      policy: DEFAULT_POLICY,
      now: NOW,
    };
  };
const P0 = incident().gcpPaths[0]!;

const scenarios: Scenario[] = [
  ['a drain that would black-hole', gcpInput({ health: 'degraded' }, { t2: 'degraded' })],
  ['an interrupted drain that may no longer finish', gcpInput({ state: 'draining', withdrawn: [P0] }, { t2: 'degraded' })],
  [
    'a withdrawn path re-created with another definition',
    (last) => {
      const input = gcpInput({ state: 'drained', withdrawn: [P0], health: 'degraded' })(last);
      return { ...input, paths: input.paths.map((p) => (p.key === P0.key ? { ...p, definition: { ...p.definition, priority: 10 } } : p)) };
    },
  ],
  [
    'a tunnel held by monitors that cannot tell',
    gcpInput(
      { state: 'drained', withdrawn: [P0], health: 'unknown', monitors: { drops: { health: 'unknown', at: at(60) } } },
      { withdrawnAlready: true },
    ),
  ],
  [
    'a restore waiting on a degraded sibling',
    (last) => {
      const t = incident();
      const route = t.awsPaths[0]!;
      const record: LedgerRecord = {
        ...emptyRecord(A1, 'aws'),
        version: 2,
        state: 'drained',
        withdrawn: [route],
        health: 'healthy',
        healthySince: at(400),
        ...(last ? { lastRefusal: last } : {}),
      };
      return {
        trigger: { type: 'reconcile' },
        record,
        records: [{ ...emptyRecord(A1b, 'aws'), health: 'degraded', lastSignalAt: at(30) }],
        members: [],
        tunnels: t.awsTunnels.map((x) => (x.ref.id === A1b ? { ...x, status: 'up' as const } : x)),
        paths: t.awsPaths.filter((p) => p.key !== route.key),
        policy: DEFAULT_POLICY,
        now: NOW,
      };
    },
  ],
];

describe('a refusal is notified once', () => {
  it.each(scenarios)('%s', (_what, input) => {
    const first = decide(input());
    expect(first.kind).toBe('refuse');
    expect(first.notify).toBe(true);
    const text = first.next?.lastRefusal;
    expect(text).toMatch(/\S/);
    const again = decide(input(text));
    expect(again.kind).toBe('refuse');
    expect(again.notify).toBe(false);
    // Another reason is news again.
    expect(decide(input('an older, different reason')).notify).toBe(true);
  });

  it('a signal that changes nothing about the refusal is not news either', () => {
    const input = gcpInput({ health: 'degraded' }, { t2: 'degraded', trigger: { type: 'signal', signal: sig(T1, 'degraded', at(0)) } });
    const first = decide(input());
    expect(decide(input(first.next?.lastRefusal)).notify).toBe(false);
  });
});
