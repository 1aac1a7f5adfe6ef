/**
 * Deciding on quantities: which of two bad tunnels carries the traffic, in which direction, with how much room —
 * straight through the pure `decide()`, with the figures each decision says it compared.
 */
import { decide, type Trigger } from '../../../shared/decide';
import { DEFAULT_POLICY, type Policy } from '../../../shared/policy';
import type { Decision } from '../../../shared/decide';
import { emptyRecord, type LedgerRecord, type LossMeasure, type Path, type Signal, type TunnelStatus } from '../../../shared/types';
import { sig } from '../../fakes/core-deps';
import { incident } from '../../fakes/topology';
import { A1, A2, NOW, P0, T1, T2, at } from './support';

const loss = (ratio: number, span: LossMeasure['span'] = 'round-trip', secondsAgo = 30) => ({
  [span]: { ratio, at: at(secondsAgo), monitor: 'probe:x', basis: 'probe' as const },
});

interface Situation {
  id?: string;
  trigger: Trigger;
  record?: Partial<LedgerRecord>;
  others?: Partial<LedgerRecord>[];
  load?: Record<string, number>;
  /** Per tunnel: what the traffic port laid on its status (per-direction load, counted loss). */
  statuses?: Record<string, Partial<TunnelStatus>>;
  policy?: Partial<Policy>;
  withdrawnAlready?: boolean;
  /** Change the cloud's paths for this situation (a drained tunnel's route left as a standby copy). */
  pathsFor?: (paths: Path[]) => Path[];
}

function run(x: Situation): Decision {
  const t = incident();
  const id = x.id ?? T1;
  const cloud = id.startsWith('aws') ? 'aws' : 'gcp';
  const tunnels: TunnelStatus[] = (cloud === 'aws' ? t.awsTunnels : t.gcpTunnels).map((s) =>
    x.load?.[s.ref.id] !== undefined
      ? { ...s, load: { pps: x.load[s.ref.id]!, at: at(60) }, ...x.statuses?.[s.ref.id] }
      : { ...s, ...x.statuses?.[s.ref.id] },
  );
  const record: LedgerRecord = { ...emptyRecord(id, cloud), version: 2, ...x.record };
  let paths = cloud === 'aws' ? t.awsPaths : t.gcpPaths;
  if (x.withdrawnAlready) paths = paths.filter((p) => !record.withdrawn.some((w) => w.key === p.key));
  if (x.pathsFor) paths = x.pathsFor(paths);
  return decide({
    trigger: x.trigger,
    record,
    records: (x.others ?? []).map((r) => ({ ...emptyRecord(r.tunnelId!, cloud), lastSignalAt: at(30), ...r })),
    members: [],
    tunnels,
    paths,
    policy: { ...DEFAULT_POLICY, ...x.policy },
    now: NOW,
  });
}

const probe = (id: string, health: Signal['health'], ratio?: number, extra: Partial<Signal> = {}): Trigger => ({
  type: 'signal',
  signal: {
    ...sig(id, health, at(0)),
    monitor: `probe:${id}`,
    basis: 'probe',
    ...(ratio === undefined ? {} : { measure: { ratio, span: 'round-trip' } }),
    ...extra,
  },
});
const degradedProbe = (ratio: number) => ({
  health: 'degraded' as const,
  monitors: { [`probe:x`]: { health: 'degraded' as const, at: at(30), basis: 'probe' as const } },
  loss: loss(ratio),
});

describe('a drained tunnel less lossy than the one carrying its traffic', () => {
  const drained3 = { state: 'drained' as const, withdrawn: [P0], ...degradedProbe(0.03) };

  it('comes back at once, says the figures it compared, and the other end follows', () => {
    const d = run({
      trigger: { type: 'reconcile' },
      record: drained3,
      others: [{ tunnelId: T2, ...degradedProbe(0.2) }],
      withdrawnAlready: true,
    });
    expect(d.kind).toBe('restore');
    expect(d.summary).toContain(`${T1} 3.0 % vs ${T2} 20 % GCP→AWS`);
    expect(d.next).toMatchObject({ state: 'restoring', restoredUnhealthy: true });
    expect(d.tell).toEqual({ about: 'change', health: 'healthy', follow: true });
  });

  it('also on its own probe news, not only at the next reconcile', () => {
    const d = run({
      trigger: probe(T1, 'degraded', 0.03),
      record: drained3,
      others: [{ tunnelId: T2, ...degradedProbe(0.2) }],
      withdrawnAlready: true,
    });
    expect(d.kind).toBe('restore');
  });

  it.each([
    ['the carrier is about as lossy (no ping-pong)', 0.05],
    ['the carrier is better', 0.01],
  ])('stays drained when %s', (_what, carrier) => {
    const d = run({
      trigger: { type: 'reconcile' },
      record: drained3,
      others: [{ tunnelId: T2, ...degradedProbe(carrier) }],
      withdrawnAlready: true,
    });
    expect(d.kind).not.toBe('restore');
  });

  it('without figures the labels decide: stays drained beside a healthy carrier, comes back beside a degraded one', () => {
    expect(
      run({ trigger: { type: 'reconcile' }, record: drained3, others: [{ tunnelId: T2, health: 'healthy' }], withdrawnAlready: true }).kind,
    ).not.toBe('restore');
    // A stale figure is no figure: both labelled degraded, sharing the traffic is what doing nothing would do.
    const stale = { tunnelId: T2, ...degradedProbe(0.2), loss: loss(0.2, 'round-trip', 3600) };
    const d = run({ trigger: { type: 'reconcile' }, record: drained3, others: [stale], withdrawnAlready: true });
    expect(d.kind).toBe('restore');
    expect(d.summary).toMatch(/every tunnel carrying its traffic is degraded too/);
  });

  it("an operator's drain stays the operator's", () => {
    const d = run({
      trigger: { type: 'reconcile' },
      record: { ...drained3, reason: 'operator: maintenance', suppressed: true },
      others: [{ tunnelId: T2, ...degradedProbe(0.2) }],
      withdrawnAlready: true,
    });
    expect(d.kind).not.toBe('restore');
  });
});

describe('a drain moves traffic only onto a measurably better tunnel', () => {
  it('is refused onto a tunnel no less lossy, with the figures', () => {
    const d = run({
      trigger: probe(T1, 'degraded', 0.05),
      others: [{ tunnelId: T2, ...degradedProbe(0.2), health: 'healthy', monitors: {} }],
    });
    expect(d.kind).toBe('refuse');
    expect(d.refusals.map((r) => r.guard)).toEqual(['worse-path']);
    expect(d.summary).toContain(`${T1} 5.0 % vs ${T2} 20 % GCP→AWS`);
    expect(d.actions).toEqual([]);
  });

  it('goes ahead onto a degraded carrier that is measurably better (3 % beats 20 %)', () => {
    const d = run({
      trigger: probe(T1, 'degraded', 0.2),
      others: [{ tunnelId: T2, ...degradedProbe(0.03) }],
      policy: { drainMode: 'withdraw' },
    });
    expect(d.kind).toBe('drain');
    expect(d.summary).toContain(`${T1} 20 % vs ${T2} 3.0 % GCP→AWS`);
  });

  it('without figures the label rules stand: a degraded carrier is no fallback', () => {
    const d = run({ trigger: probe(T1, 'degraded'), others: [{ tunnelId: T2, health: 'degraded' }], policy: { drainMode: 'withdraw' } });
    expect(d.refusals.map((r) => r.guard)).toEqual(['black-hole']);
  });

  it("an operator's drain is the operator's call", () => {
    const d = run({
      trigger: { type: 'drain', reason: 'maintenance', force: false },
      record: { loss: loss(0.05) },
      others: [{ tunnelId: T2, ...degradedProbe(0.2), health: 'healthy', monitors: {} }],
    });
    expect(d.kind).toBe('drain');
  });
});

describe('capacity', () => {
  const lossy = (r: number) => ({ health: 'degraded' as const, loss: loss(r) });

  it('refuses a drain whose load would overflow the survivor by more than the loss it escapes, loudly, with the figures', () => {
    // AWS: a connection's traffic goes over one tunnel. 100,000 pps onto a tunnel with 100,000 of its own and a limit
    // of 140,000: 60,000 pps dropped, against 5 % of 100,000 = 5,000 pps lost by keeping it.
    const d = run({ id: A1, trigger: probe(A1, 'degraded', 0.05), record: lossy(0.05), load: { [A1]: 100_000, [A2]: 100_000 } });
    expect(d.kind).toBe('refuse');
    expect(d.refusals).toEqual([expect.objectContaining({ guard: 'capacity', urgent: true })]);
    expect(d.severity).toBe('CRITICAL');
    expect(d.summary).toMatch(/moving 100,000 pps onto .* would drop about 60,000 pps over capacity; keeping it loses about 5,000 pps/);
  });

  it('drains when the overflow is smaller than the loss, and says so loudly', () => {
    const d = run({ id: A1, trigger: probe(A1, 'degraded', 0.5), record: lossy(0.5), load: { [A1]: 50_000, [A2]: 100_000 } });
    expect(d.kind).toBe('drain');
    expect(d.severity).toBe('CRITICAL');
    expect(d.summary).toMatch(/capacity: .*draining loses less/);
  });

  it('drains as before when the survivor has room', () => {
    const d = run({ id: A1, trigger: probe(A1, 'degraded', 0.05), record: lossy(0.05), load: { [A1]: 30_000, [A2]: 30_000 } });
    expect(d.kind).toBe('drain');
    expect(d.refusals).toEqual([]);
  });

  it('without figures for the loss, an overflow is refused (keeping is never worse than an unknown)', () => {
    const d = run({ id: A1, trigger: probe(A1, 'degraded'), load: { [A1]: 100_000, [A2]: 100_000 } });
    expect(d.refusals.map((r) => r.guard)).toEqual(['capacity']);
  });

  it('uses the configured limits', () => {
    const d = run({
      id: A1,
      trigger: probe(A1, 'degraded', 0.05),
      record: lossy(0.05),
      load: { [A1]: 100_000, [A2]: 100_000 },
      policy: { awsTunnelCapacityPps: 1_000_000 },
    });
    expect(d.kind).toBe('drain');
  });
});

describe('why packets drop decides what helps', () => {
  it('an MTU problem is a configuration notice with the remedy: no route changes, health unchanged', () => {
    const d = run({ trigger: { type: 'signal', signal: { ...sig(T1, 'degraded', at(0)), reason: 'mtu' } } });
    expect(d.kind).toBe('record');
    expect(d.actions).toEqual([]);
    expect(d.refusals.map((r) => r.guard)).toEqual(['drop-reason']);
    expect(d.summary).toMatch(/MSS/);
    expect(d.next?.health).toBe('unknown');
    expect(d.notify).toBe(true);
  });

  it('a throttled tunnel is not drained onto its sibling: an urgent capacity notice', () => {
    const d = run({ trigger: { type: 'signal', signal: { ...sig(T1, 'degraded', at(0)), reason: 'throttled' } } });
    expect(d.kind).toBe('record');
    expect(d.actions).toEqual([]);
    expect(d.refusals).toEqual([expect.objectContaining({ guard: 'capacity', urgent: true })]);
    expect(d.severity).toBe('CRITICAL');
    expect(d.summary).toMatch(/add tunnels/i);
  });

  it('the same notice is said once', () => {
    const first = run({ trigger: { type: 'signal', signal: { ...sig(T1, 'degraded', at(0)), reason: 'mtu' } } });
    const again = run({ trigger: { type: 'signal', signal: { ...sig(T1, 'degraded', at(0), 'k2'), reason: 'mtu' } }, record: first.next });
    expect(again.notify).toBe(false);
  });

  it('path loss drains as before', () => {
    expect(run({ trigger: { type: 'signal', signal: { ...sig(T1, 'degraded', at(0)), reason: 'path' } } }).kind).toBe('drain');
  });
});

describe('directions', () => {
  it('loss only in the direction the other end steers is passed to the other end, not drained here', () => {
    // GCP end: its received counters say AWS→GCP loses 5 %; its probe's round trip says 5 % too, so GCP→AWS is clean.
    const d = run({
      trigger: {
        type: 'signal',
        signal: { ...sig(T1, 'degraded', at(0)), basis: 'traffic', measure: { ratio: 0.05, span: 'aws-to-gcp' } },
      },
      record: { loss: loss(0.05) },
    });
    expect(d.kind).toBe('record');
    expect(d.actions).toEqual([]);
    expect(d.refusals.map((r) => r.guard)).toEqual(['direction']);
    expect(d.tell).toEqual({ about: 'measure', health: 'degraded' });
  });

  it('moves this end too when the steered direction is unknown (no probe) or lossy', () => {
    const received = { ...sig(T1, 'degraded', at(0)), basis: 'traffic' as const, measure: { ratio: 0.05, span: 'aws-to-gcp' as const } };
    expect(run({ trigger: { type: 'signal', signal: received } }).kind).toBe('drain');
    expect(run({ trigger: { type: 'signal', signal: received }, record: { loss: loss(0.2) } }).kind).toBe('drain');
  });

  it('the other end acts on the measurement with its own lever', () => {
    const fromGcp = {
      ...sig(A1, 'degraded', at(0)),
      viaLink: true,
      monitor: 'link:gcp',
      source: 'link:gcp',
      measure: { ratio: 0.05, span: 'aws-to-gcp' as const },
    };
    const d = run({ id: A1, trigger: { type: 'signal', signal: fromGcp } });
    expect(d.kind).toBe('drain');
    expect(d.next?.loss?.['aws-to-gcp']?.ratio).toBe(0.05);
  });
});

describe('signals in the gaps', () => {
  const drainedHealthy = {
    state: 'drained' as const,
    withdrawn: [P0],
    health: 'healthy' as const,
    healthySince: at(120),
    monitors: { [`probe:${T1}`]: { health: 'healthy' as const, at: at(120), basis: 'probe' as const } },
  };

  it('a clear alarm back in ALARM during the hold-down starts the hold-down again', () => {
    const d = run({ trigger: probe(T1, 'degraded', undefined, { hold: true }), record: drainedHealthy, withdrawnAlready: true });
    expect(d.next?.healthySince).toBeUndefined();
    expect(d.actions).toEqual([]);
  });

  it('never drains a tunnel in service', () => {
    const d = run({ trigger: probe(T1, 'degraded', undefined, { hold: true }) });
    expect(d.kind).toBe('ignore');
    expect(d.next).toBeUndefined();
  });

  it('a drain after a last-resort or lesser-evil restore is not counted as a flap', () => {
    const d = run({
      trigger: probe(T1, 'degraded'),
      record: { restoredUnhealthy: true, drains: [at(600), at(300)] },
      policy: { maxFlaps: 2, drainMode: 'withdraw' },
    });
    expect(d.kind).toBe('drain');
    expect(d.next?.drains).toEqual([at(600), at(300)]);
    expect(d.next?.restoredUnhealthy).toBeUndefined();
    const counted = run({
      trigger: probe(T1, 'degraded'),
      record: { drains: [at(600), at(300)] },
      policy: { maxFlaps: 2, drainMode: 'withdraw' },
    });
    expect(counted.kind).toBe('suppress');
  });
});

describe('no room, and the other end following', () => {
  const drained = { state: 'drained' as const, withdrawn: [P0], health: 'degraded' as const, updatedAt: at(300), drains: [at(300)] };

  it('a drain that filled its carrier (throttled since) is rolled back, and the other end follows at once', () => {
    const d = run({
      trigger: { type: 'reconcile' },
      record: drained,
      others: [{ tunnelId: T2, health: 'healthy', throttledAt: at(60) }],
      withdrawnAlready: true,
    });
    expect(d.kind).toBe('restore');
    expect(d.summary).toMatch(/the drain filled .*tunnel-2.*throttled/);
    expect(d.tell).toEqual({ about: 'change', health: 'healthy', follow: true });
  });

  it('a throttle older than the drain is not this drain’s doing', () => {
    const d = run({
      trigger: { type: 'reconcile' },
      record: drained,
      others: [{ tunnelId: T2, health: 'healthy', throttledAt: at(900) }],
      withdrawnAlready: true,
    });
    expect(d.kind).not.toBe('restore');
  });

  it('no drain onto a carrier that throttled within the flap window', () => {
    const d = run({ trigger: probe(T1, 'degraded'), others: [{ tunnelId: T2, health: 'healthy', throttledAt: at(1200) }] });
    expect(d.kind).toBe('refuse');
    expect(d.refusals).toEqual([expect.objectContaining({ guard: 'capacity', urgent: true })]);
  });

  it('a throttled signal marks the tunnel as full, without making it degraded', () => {
    const d = run({ trigger: { type: 'signal', signal: { ...sig(T1, 'degraded', at(0)), reason: 'throttled' } } });
    expect(d.next).toMatchObject({ throttledAt: at(0), health: 'unknown' });
  });

  it('the other end put the link back as a placement decision: this end follows now, not after a hold-down', () => {
    const follow = { ...sig(T1, 'healthy', at(0)), viaLink: true, follow: true, monitor: 'link:aws', source: 'link:aws' };
    const d = run({
      trigger: { type: 'signal', signal: follow },
      record: { ...drained, monitors: { 'link:aws': { health: 'degraded', at: at(300) } } },
      withdrawnAlready: true,
    });
    expect(d.kind).toBe('restore');
    expect(d.next?.restoredUnhealthy).toBe(true);
    // Without `follow`, a healthy word from the other end waits for the hold-down as before.
    const plain = run({
      trigger: { type: 'signal', signal: { ...follow, follow: undefined } },
      record: { ...drained, monitors: { 'link:aws': { health: 'degraded', at: at(300) } } },
      withdrawnAlready: true,
    });
    expect(plain.kind).not.toBe('restore');
  });

  it('does not follow when its own direction is measurably worse here than on the tunnel carrying it now, and says so', () => {
    // GCP end: GCP→AWS loses 8 % here (round trip 8 %, AWS→GCP counted clean) and nothing on T2 (its round trip 5 %
    // is all AWS→GCP): following the AWS end's placement restore would move GCP→AWS into the loss.
    const follow = { ...sig(T1, 'healthy', at(0)), viaLink: true, follow: true, monitor: 'link:aws', source: 'link:aws' };
    const figures = (rt: number, a2g: number) => ({
      'round-trip': { ratio: rt, at: at(60), monitor: 'probe:x', basis: 'probe' as const },
      'aws-to-gcp': { ratio: a2g, at: at(60), monitor: 'counters', basis: 'traffic' as const },
    });
    const d = run({
      trigger: { type: 'signal', signal: follow },
      record: { ...drained, loss: figures(0.08, 0), monitors: { 'link:aws': { health: 'degraded', at: at(300) } } },
      others: [{ tunnelId: T2, health: 'degraded', loss: figures(0.05, 0.05) }],
      withdrawnAlready: true,
    });
    expect(d.kind).toBe('record');
    expect(d.actions).toEqual([]);
    expect(d.summary).toMatch(/stays drained: not following the other end: .*8\.0 % vs .* 0 % GCP→AWS/);
  });
});

describe('what the clouds count', () => {
  const counted = (ratio: number, secondsAgo = 60) => ({ ratio, span: 'aws-to-gcp' as const, at: at(secondsAgo), packets: 600_000 });
  const byDirection = (pps: number, gcpToAws: number, awsToGcp: number) => ({
    load: { pps, byDirection: { 'gcp-to-aws': gcpToAws, 'aws-to-gcp': awsToGcp }, at: at(60) },
  });

  it('a lever moves only the direction it steers: a GCP drain that fits by its own direction goes ahead', () => {
    // 120,000 pps through T1, 40,000 of them GCP→AWS (what GCP routes move); T2 carries 40,000 of a 140,000 limit.
    const d = run({
      trigger: probe(T1, 'degraded', 0.05),
      record: { health: 'degraded', loss: loss(0.05) },
      statuses: { [T1]: byDirection(120_000, 40_000, 80_000), [T2]: byDirection(40_000, 40_000, 0) },
      policy: { gcpTunnelCapacityPps: 140_000 },
    });
    expect(d.kind).toBe('drain');
    expect(d.refusals).toEqual([]);
  });

  it('the same drain is refused when the other end has taken the tunnel out already: both directions land on the survivor', () => {
    const d = run({
      trigger: probe(T1, 'degraded', 0.05),
      record: { health: 'degraded', loss: loss(0.05), monitors: { 'link:aws': { health: 'degraded', at: at(20) } } },
      statuses: { [T1]: byDirection(120_000, 40_000, 80_000), [T2]: byDirection(40_000, 40_000, 0) },
      policy: { gcpTunnelCapacityPps: 140_000 },
    });
    expect(d.kind).toBe('refuse');
    expect(d.refusals.map((r) => r.guard)).toEqual(['capacity']);
    expect(d.summary).toMatch(/moving 120,000 pps onto .* would drop about 20,000 pps over capacity/);
  });

  it("counters that show the steered direction clean make a round trip the other end's business (set aside, told on)", () => {
    // AWS end: the probe's round trip says 5 %; the GCP end counted 0 % on what A1 delivered (AWS→GCP, what AWS routes steer).
    const d = run({
      id: A1,
      trigger: probe(A1, 'degraded', 0.05),
      record: { loss: { 'aws-to-gcp': { ratio: 0, at: at(60), monitor: 'link:gcp:counters', basis: 'traffic' } } },
    });
    expect(d.kind).toBe('record');
    expect(d.actions).toEqual([]);
    expect(d.refusals.map((r) => r.guard)).toEqual(['direction']);
    expect(d.summary).toMatch(/the loss is in the other direction/);
  });

  it('a reconcile does not retry the drain of a tunnel whose steered direction is counted clean', () => {
    const d = run({
      id: A1,
      trigger: { type: 'reconcile' },
      record: {
        health: 'degraded',
        lastSignalAt: at(30),
        loss: {
          'round-trip': { ratio: 0.05, at: at(30), monitor: 'probe:x', basis: 'probe' },
          'aws-to-gcp': { ratio: 0, at: at(60), monitor: 'link:gcp:counters', basis: 'traffic' },
        },
      },
    });
    expect(d.kind).toBe('ignore');
    expect(d.actions).toEqual([]);
    expect(d.summary).toMatch(/the loss is in the other direction/);
  });

  it('a round trip measured well after the clean figure describes the tunnel now: it drains', () => {
    const d = run({
      id: A1,
      trigger: probe(A1, 'degraded', 0.05),
      record: { loss: { 'aws-to-gcp': { ratio: 0, at: at(900), monitor: 'link:gcp:counters', basis: 'traffic' } } },
      policy: { lossMaxAgeSeconds: 3600 },
    });
    expect(d.kind).toBe('drain');
  });

  it('the GCP end reads its own counters from the tunnel status: the direction it does not steer, subtracted from the round trip', () => {
    // Round trip 5 % and AWS→GCP counted 5 %: GCP→AWS (what GCP routes steer) is clean.
    const d = run({
      trigger: probe(T1, 'degraded', 0.05, { viaLink: true, source: 'link:aws', monitor: 'link:aws' }),
      statuses: { [T1]: { counted: counted(0.05) } },
    });
    expect(d.actions).toEqual([]);
    expect(d.refusals.map((r) => r.guard)).toEqual(['direction']);
  });

  it("answers the other end's probe news with figures, and never answers figures", () => {
    const news = run({
      trigger: probe(T1, 'degraded', 0.05, { viaLink: true, source: 'link:aws', monitor: 'link:aws' }),
      statuses: { [T1]: { counted: counted(0) } },
    });
    expect(news.tell).toEqual({ about: 'figures', health: 'unknown' });
    const figures = run({
      trigger: probe(T1, 'unknown', undefined, { viaLink: true, figures: true, source: 'link:aws', monitor: 'link:aws', basis: undefined }),
      statuses: { [T1]: { counted: counted(0) } },
    });
    expect(figures.tell).toBeUndefined();
    const silent = run({ trigger: probe(T1, 'degraded', 0.05, { viaLink: true, source: 'link:aws', monitor: 'link:aws' }) });
    expect(silent.tell).toBeUndefined();
  });

  it('figures from the other end move no monitor and are kept (loss and loads), quietly', () => {
    const figures: Trigger = {
      type: 'signal',
      signal: {
        ...sig(A1, 'unknown', at(0)),
        viaLink: true,
        figures: true,
        monitor: 'link:gcp',
        counted: counted(0, 30),
        loads: { [A2]: { pps: 1000, at: at(30) } },
      },
    };
    const active = run({ id: A1, trigger: figures, record: { health: 'healthy', monitors: { x: { health: 'healthy', at: at(100) } } } });
    expect(active.kind).toBe('record');
    expect(active.next?.monitors).toEqual({ x: { health: 'healthy', at: at(100) } });
    expect(active.next?.loss?.['aws-to-gcp']?.ratio).toBe(0);
    expect(active.next?.loads?.[A2]?.pps).toBe(1000);
    expect(active.notify).toBe(false);
  });
});

describe('one direction lossy on each tunnel: each end keeps to the direction it steers', () => {
  const counters = (ratio: number, secondsAgo: number) => ({ ratio, at: at(secondsAgo), monitor: 'counters', basis: 'traffic' as const });
  const roundTrip = (ratio: number, secondsAgo = 30, hold?: true) => ({
    ratio,
    at: at(secondsAgo),
    monitor: 'probe:x',
    basis: 'probe' as const,
    ...(hold ? { hold } : {}),
  });
  const linkDegraded = { 'link:aws': { health: 'degraded' as const, at: at(60) } };

  it.each([
    ['holds the tunnel out: its old AWS→GCP figure still explains the round trip, no drain here', linkDegraded, 'ignore'],
    ['does not: the figure has aged out, the round trip may all be GCP→AWS, and the drain is retried', undefined, 'drain'],
  ])('GCP end, T2 whose AWS→GCP lost 5 % when it last carried it; the other end %s', (_what, monitors, kind) => {
    const d = run({
      id: T2,
      trigger: { type: 'reconcile' },
      record: {
        health: 'degraded',
        lastSignalAt: at(30),
        ...(monitors ? { monitors } : {}),
        loss: { 'round-trip': roundTrip(0.055), 'aws-to-gcp': counters(0.05, 3600) },
      },
    });
    expect(d.kind).toBe(kind);
    if (kind === 'ignore') expect(d.summary).toMatch(/the loss is in the other direction/);
  });

  it.each([
    ['the round trip loses more than AWS→GCP explains: the rest is GCP→AWS, so the GCP end is not asked to follow', 0.073, undefined],
    ['no round trip says the other direction loses: the GCP end follows', undefined, { about: 'change', health: 'healthy', follow: true }],
  ])('AWS end, A1 drained on a round trip but counted clean AWS→GCP, comes back; %s', (_what, rt, tell) => {
    const withdrawn = incident().awsPaths.filter((p) => p.tunnelIds.includes(A1));
    const d = run({
      id: A1,
      trigger: { type: 'reconcile' },
      record: {
        state: 'drained',
        withdrawn,
        health: 'degraded',
        drains: [at(60)],
        updatedAt: at(60),
        loss: { 'aws-to-gcp': counters(0, 30), ...(rt === undefined ? {} : { 'round-trip': roundTrip(rt, 60) }) },
      },
      others: [{ tunnelId: A2, health: 'degraded', loss: { 'round-trip': roundTrip(0.093) } }],
      withdrawnAlready: true,
    });
    expect(d.kind).toBe('restore');
    expect(d.summary).toMatch(/less lossy than the tunnel carrying its traffic/);
    expect(d.tell).toEqual(tell);
  });

  it.each([
    [
      'within a hold-down of its clear: the other end hears that the clear no longer holds',
      at(30),
      { about: 'probe', health: 'degraded', hold: true },
    ],
    ['long after its clear: nothing to take back', at(3600), undefined],
  ])('a probe back above its clear threshold on a tunnel in service, %s', (_what, healthySince, tell) => {
    const d = run({
      id: A1,
      trigger: probe(A1, 'degraded', 0.008, { hold: true }),
      record: { health: 'healthy', healthySince, monitors: { [`probe:${A1}`]: { health: 'healthy', at: healthySince, basis: 'probe' } } },
    });
    expect(d.kind).toBe('ignore');
    expect(d.actions).toEqual([]);
    expect(d.tell).toEqual(tell);
  });

  it.each([
    ['a plain figure', undefined, 'restore'],
    ['the figure of a probe between its thresholds (held out)', true as const, 'record'],
  ])('a drained tunnel whose low round trip is %s: back beside a lossier carrier or not', (_what, hold, kind) => {
    // GCP end: T1 was drained for GCP→AWS loss; its probe now reads 0.8 %; T2 carries GCP→AWS at 3.2 %.
    const d = run({
      trigger: probe(T1, 'degraded', 0.008, hold ? { hold } : {}),
      record: { state: 'drained', withdrawn: [P0], health: 'degraded', drains: [at(3600)], updatedAt: at(3600) },
      others: [{ tunnelId: T2, health: 'degraded', loss: { 'round-trip': roundTrip(0.032) } }],
      withdrawnAlready: true,
    });
    expect(d.kind).toBe(kind);
  });

  it.each([
    ['held out by a probe between its thresholds: no better place, the drain is refused', true as const, 'refuse'],
    ['with a plain low figure: it is the better place, the drain goes ahead', undefined, 'drain'],
  ])('draining T2 onto the standby of T1, drained here and %s', (_what, hold, kind) => {
    const d = run({
      id: T2,
      trigger: probe(T2, 'degraded', 0.05),
      others: [
        {
          tunnelId: T1,
          state: 'drained',
          withdrawn: [P0],
          health: 'degraded',
          drains: [at(3600)],
          loss: { 'round-trip': roundTrip(0.008, 30, hold) },
        },
      ],
      // T1's route stays as a de-preferred standby copy; T2's is de-preferred too: its traffic spreads over both.
      pathsFor: (paths) =>
        paths.map((p) => (p.tunnelIds.includes(T1) ? { ...p, key: `${p.key}~standby`, standbyFor: p.key } : { ...p, canDeprefer: true })),
    });
    expect(d.kind).toBe(kind);
    if (kind === 'refuse') expect(d.refusals.map((r) => r.guard)).toEqual(['worse-path']);
  });
});
