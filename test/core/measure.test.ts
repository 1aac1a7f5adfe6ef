/**
 * The quantities the decision compares: which figure describes a direction now, when one tunnel is clearly better
 * than another, and what a move overflows.
 */
import { clearlyBetter, lossToward, overloadPps, percent, withMeasure } from '../../shared/measure';
import { emptyRecord, type LedgerRecord } from '../../shared/types';
import { sig } from '../fakes/core-deps';

const NOW = new Date('2026-11-25T01:00:00Z');
const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
const rec = (loss: LedgerRecord['loss']): LedgerRecord => ({ ...emptyRecord('gcp:p:r:t', 'gcp'), loss });
const e = (ratio: number, secondsAgo = 10) => ({ ratio, at: at(secondsAgo), monitor: 'm' });

describe('lossToward', () => {
  it("prefers the direction's own fresh figure", () => {
    expect(lossToward(rec({ 'gcp-to-aws': e(0.02), 'round-trip': e(0.3, 60) }), 'gcp-to-aws', NOW, 900)).toEqual({
      ratio: 0.02,
      from: 'gcp-to-aws',
      ageSeconds: 10,
    });
  });

  it('takes a newer round trip over an older direction figure', () => {
    expect(lossToward(rec({ 'gcp-to-aws': e(0.02, 600), 'round-trip': e(0.3, 10) }), 'gcp-to-aws', NOW, 900)?.from).toBe('round-trip');
  });

  it('a round trip less the known opposite direction (loss compounds)', () => {
    const l = lossToward(rec({ 'round-trip': e(0.1), 'aws-to-gcp': e(0.1) }), 'gcp-to-aws', NOW, 900);
    expect(l?.ratio).toBeCloseTo(0, 10);
    const half = lossToward(rec({ 'round-trip': e(0.19), 'aws-to-gcp': e(0.1) }), 'gcp-to-aws', NOW, 900);
    expect(half?.ratio).toBeCloseTo(0.1, 10);
  });

  it('a round trip alone is an upper bound on the direction', () => {
    expect(lossToward(rec({ 'round-trip': e(0.2) }), 'aws-to-gcp', NOW, 900)).toMatchObject({ ratio: 0.2, from: 'round-trip' });
  });

  it.each([
    ['ages out without the other end holding the tunnel out: the round trip is charged whole', false, 0.06],
    ['still splits the round trip while the other end holds the tunnel out (nothing renews it)', true, 1 - 0.94 / 0.95],
  ])("the opposite direction's old figure %s", (_what, oppositeStands, want) => {
    // AWS→GCP counted 5 % an hour ago, when it last carried traffic; the round trip is 6 % now.
    const r = rec({ 'round-trip': e(0.06), 'aws-to-gcp': e(0.05, 3600) });
    const l = lossToward(r, 'gcp-to-aws', NOW, 900, { oppositeStands });
    expect(l?.from).toBe('round-trip');
    expect(l?.ratio).toBeCloseTo(want, 10);
  });

  it('a round trip measured by a probe between its thresholds says so', () => {
    const hold = { ...e(0.008), hold: true as const };
    expect(lossToward(rec({ 'round-trip': hold }), 'gcp-to-aws', NOW, 900)).toMatchObject({ ratio: 0.008, hold: true });
    expect(lossToward(rec({ 'round-trip': e(0.008) }), 'gcp-to-aws', NOW, 900)?.hold).toBeUndefined();
  });

  it('nothing fresh, nothing known', () => {
    expect(lossToward(rec({ 'round-trip': e(0.2, 1000) }), 'aws-to-gcp', NOW, 900)).toBeUndefined();
    expect(lossToward(rec(undefined), 'aws-to-gcp', NOW, 900)).toBeUndefined();
    expect(lossToward(undefined, 'aws-to-gcp', NOW, 900)).toBeUndefined();
  });
});

describe('clearlyBetter', () => {
  const c = { lossBetterFactor: 2, lossBetterMargin: 0.005 };
  it.each([
    [0.03, 0.2, true],
    [0.1, 0.2, true],
    [0.11, 0.2, false],
    [0.001, 0.004, false],
    [0, 0.005, true],
    [0.2, 0.03, false],
  ])('%p against %p → %p', (a, b, want) => expect(clearlyBetter(a, b, c)).toBe(want));
});

describe('overloadPps', () => {
  const t = (pps: number, cap: number) => ({ load: { pps, at: at(0) }, capacityPps: cap });
  it('onto one tunnel: everything lands there', () => expect(overloadPps(100_000, [t(100_000, 140_000)])).toBe(60_000));
  it('spread over several, the busiest gets more than an even share', () =>
    expect(overloadPps(100_000, [t(100_000, 140_000), t(0, 140_000)])).toBe(100_000 + 62_500 - 140_000));
  it('room left: nothing overflows', () => expect(overloadPps(10_000, [t(10_000, 140_000)])).toBe(0));
  it('unknown load: nothing can be projected', () => expect(overloadPps(10_000, [{ capacityPps: 1 }])).toBeUndefined());
});

describe('withMeasure', () => {
  it('keeps the figure per span, the newest only', () => {
    const r = withMeasure(rec(undefined), { ...sig('gcp:p:r:t', 'degraded', at(10)), measure: { ratio: 0.05, span: 'aws-to-gcp' } }, 'm1');
    expect(r.loss?.['aws-to-gcp']).toMatchObject({ ratio: 0.05, at: at(10), monitor: 'm1' });
    const older = withMeasure(r, { ...sig('gcp:p:r:t', 'degraded', at(60)), measure: { ratio: 0.5, span: 'aws-to-gcp' } }, 'm1');
    expect(older.loss?.['aws-to-gcp']?.ratio).toBe(0.05);
  });

  it('a healthy probe verdict without a figure counts as no loss; any other bare verdict leaves figures alone', () => {
    const probe = withMeasure(rec(undefined), { ...sig('gcp:p:r:t', 'healthy', at(5)), basis: 'probe' }, 'p');
    expect(probe.loss?.['round-trip']?.ratio).toBe(0);
    expect(withMeasure(rec(undefined), sig('gcp:p:r:t', 'degraded', at(5)), 'x').loss).toBeUndefined();
  });

  it('clamps figures into 0..1 and ignores what is not a number', () => {
    expect(
      withMeasure(rec(undefined), { ...sig('g', 'degraded', at(5)), measure: { ratio: 7, span: 'round-trip' } }, 'x').loss?.['round-trip']
        ?.ratio,
    ).toBe(1);
    expect(
      withMeasure(rec(undefined), { ...sig('g', 'degraded', at(5)), measure: { ratio: Number.NaN, span: 'round-trip' } }, 'x').loss,
    ).toBeUndefined();
  });
});

it('percent reads as an operator writes it', () => {
  expect([0, 0.005, 0.03, 0.2, 1].map(percent)).toEqual(['0 %', '0.50 %', '3.0 %', '20 %', '100 %']);
});
