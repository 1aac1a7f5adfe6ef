/**
 * How a signal is applied to a tunnel's record: per monitor, the worst monitor wins, the hold-down clock
 * (`healthySince`) starts at the first healthy moment and not at every healthy signal, and the duplicate
 * memory is bounded.
 */
import { localHealthOf, staleFor, withSignalMark } from '../../shared/decide';
import { emptyRecord, type Health, type LedgerRecord, type Signal } from '../../shared/types';
import { handleSignal, reconcile } from '../../shared/engine';
import { testDeps } from '../fakes/core-deps';
import { portsOf } from '../fakes/memory-cloud';
import { gcpTwo, into, mon } from '../fakes/scenario';
import { gcp } from '../fakes/topology';

const T = 'gcp:p:r:t1';
const at = (s: number) => new Date(Date.parse('2026-11-25T00:00:00Z') + s * 1000).toISOString();
const signal = (health: Health, s: number, monitor?: string, extra: Partial<Signal> = {}): Signal => ({
  tunnelId: T,
  health,
  observedAt: at(s),
  source: 'test-source',
  key: `${monitor ?? 'src'}-${health}-${s}`,
  evidence: 'test',
  ...(monitor ? { monitor } : {}),
  ...extra,
});
const apply = (r: LedgerRecord, ...ss: Signal[]) => ss.reduce(withSignalMark, r);

describe('withSignalMark', () => {
  it("keeps each monitor's latest health and takes the worst of them as the tunnel's", () => {
    const r = apply(emptyRecord(T, 'gcp'), signal('degraded', 0, 'drops'), signal('healthy', 10, 'established'));
    expect(r.monitors).toEqual({ drops: { health: 'degraded', at: at(0) }, established: { health: 'healthy', at: at(10) } });
    expect(r.health).toBe('degraded');
    expect(r.healthySince).toBeUndefined();
    const cleared = withSignalMark(r, signal('healthy', 20, 'drops'));
    expect(cleared.health).toBe('healthy');
    expect(cleared.healthySince).toBe(at(20));
  });

  it('a monitor without a name is its source', () => {
    expect(withSignalMark(emptyRecord(T, 'gcp'), signal('down', 0)).monitors).toEqual({ 'test-source': { health: 'down', at: at(0) } });
  });

  it('ranks down over degraded over unknown over healthy', () => {
    const worst = (...hs: Health[]) => apply(emptyRecord(T, 'gcp'), ...hs.map((h, i) => signal(h, i, `m${i}`))).health;
    expect(worst('healthy', 'unknown')).toBe('unknown');
    expect(worst('unknown', 'degraded', 'healthy')).toBe('degraded');
    expect(worst('degraded', 'down', 'unknown')).toBe('down');
    expect(worst('down', 'degraded')).toBe('down');
    expect(worst('healthy', 'healthy')).toBe('healthy');
  });

  it('the hold-down clock starts at the first healthy signal and is not reset by later ones', () => {
    const once = apply(emptyRecord(T, 'gcp'), signal('degraded', 0, 'm'), signal('healthy', 30, 'm'));
    expect(once.healthySince).toBe(at(30));
    expect(withSignalMark(once, signal('healthy', 90, 'm')).healthySince).toBe(at(30));
    // Degraded again: the clock stops, and starts afresh at the next healthy signal.
    const again = apply(once, signal('degraded', 100, 'm'), signal('healthy', 200, 'm'));
    expect(again.healthySince).toBe(at(200));
  });

  it('a record marked healthy without a start time gets one', () => {
    const r: LedgerRecord = { ...emptyRecord(T, 'gcp'), health: 'healthy', healthySince: undefined };
    expect(withSignalMark(r, signal('healthy', 5, 'm')).healthySince).toBe(at(5));
  });

  it('lastSignalAt is the newest observation, whatever the delivery order', () => {
    const r = apply(emptyRecord(T, 'gcp'), signal('degraded', 50, 'a'), signal('degraded', 20, 'b'));
    expect(r.lastSignalAt).toBe(at(50));
    expect(withSignalMark(r, signal('healthy', 60, 'a')).lastSignalAt).toBe(at(60));
  });

  it('remembers whether the latest signal came over the link', () => {
    const viaLink = withSignalMark(emptyRecord(T, 'gcp'), signal('degraded', 0, 'link:aws', { viaLink: true }));
    expect(viaLink.lastSignalViaLink).toBe(true);
    expect(withSignalMark(viaLink, signal('degraded', 1, 'm')).lastSignalViaLink).toBe(false);
  });

  it('remembers the last 50 signal keys, oldest first out', () => {
    const ss = Array.from({ length: 60 }, (_, i) => signal('degraded', i, 'm'));
    const r = apply(emptyRecord(T, 'gcp'), ...ss);
    expect(r.recentKeys).toHaveLength(50);
    expect(r.recentKeys[0]).toEqual({ key: ss[10]!.key, at: ss[10]!.observedAt });
    expect(r.recentKeys.at(-1)).toEqual({ key: ss[59]!.key, at: ss[59]!.observedAt });
  });
});

describe('staleFor', () => {
  it("a signal older than the newest from the same monitor is stale; another monitor's news is no reason", () => {
    const r = apply(emptyRecord(T, 'gcp'), signal('degraded', 100, 'a'));
    expect(staleFor(r, signal('healthy', 50, 'a'))).toBe(at(100));
    expect(staleFor(r, signal('healthy', 100, 'a'))).toBeUndefined();
    expect(staleFor(r, signal('healthy', 150, 'a'))).toBeUndefined();
    expect(staleFor(r, signal('healthy', 50, 'b'))).toBeUndefined();
  });

  it('records from before per-monitor tracking fall back to lastSignalAt', () => {
    const legacy: LedgerRecord = { ...emptyRecord(T, 'gcp'), lastSignalAt: at(100), monitors: undefined };
    expect(staleFor(legacy, signal('healthy', 50, 'a'))).toBe(at(100));
    expect(staleFor(legacy, signal('healthy', 150, 'a'))).toBeUndefined();
    // With per-monitor tracking, a monitor never heard from is never stale.
    expect(staleFor({ ...legacy, monitors: {} }, signal('healthy', 50, 'a'))).toBeUndefined();
  });
});

describe('localHealthOf', () => {
  it("is the worst of the tunnel's own monitors, leaving out the other end's link messages", () => {
    const r = apply(emptyRecord(T, 'gcp'), signal('degraded', 0, 'link:aws'), signal('healthy', 1, 'drops'));
    expect(r.health).toBe('degraded');
    expect(localHealthOf(r)).toBe('healthy');
    expect(localHealthOf(withSignalMark(r, signal('down', 2, 'est')))).toBe('down');
    expect(localHealthOf(emptyRecord(T, 'gcp'))).toBe('healthy');
  });
});

describe('staleness through the engine', () => {
  // The first tunnel of `gcpTwo()`.
  const T1 = gcp('tunnel-aws-1');

  it('staleness is judged per monitor: a late alarm from another monitor is not dropped', async () => {
    const { cloud } = gcpTwo();
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 60 });
    clock.t += 100_000;
    await handleSignal(deps, mon(T1, 'degraded', 100, 'policy-A'));
    clock.t += 100_000;
    await handleSignal(deps, mon(T1, 'healthy', 200, 'policy-A'));
    const late = await handleSignal(deps, mon(T1, 'degraded', 150, 'policy-B')); // observed earlier, delivered later
    expect(late.decision).not.toBe('ignore');
    clock.t += 400_000;
    await reconcile(deps);
    expect(into(cloud, T1)).toEqual([]);
  });
});
