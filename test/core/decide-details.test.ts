/**
 * The details of a decision the table does not show: the words that reach operators, and the record written
 * before acting.
 */
import { decide, type DecisionInput, type Trigger } from '../../shared/decide';
import { DEFAULT_POLICY, type Policy } from '../../shared/policy';
import { emptyRecord, type Health, type LedgerRecord } from '../../shared/types';
import { sig } from '../fakes/core-deps';
import { gcp, incident } from '../fakes/topology';

const NOW = new Date('2026-11-25T01:00:00Z');
const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
const T1 = gcp('tunnel-1');
const T2 = gcp('tunnel-2');
const P0 = incident().gcpPaths[0]!;

function run(
  trigger: Trigger,
  record: Partial<LedgerRecord> = {},
  opts: { others?: Record<string, Health>; policy?: Partial<Policy>; withdrawnAlready?: boolean } = {},
) {
  const t = incident();
  const rec: LedgerRecord = { ...emptyRecord(T1, 'gcp'), version: 2, ...record };
  const paths = opts.withdrawnAlready ? t.gcpPaths.filter((p) => !rec.withdrawn.some((w) => w.key === p.key)) : t.gcpPaths;
  const records = Object.entries(opts.others ?? {}).map(([id, health]) => ({ ...emptyRecord(id, 'gcp'), health, lastSignalAt: at(30) }));
  const input: DecisionInput = {
    trigger,
    record: rec,
    records,
    members: [],
    tunnels: t.gcpTunnels,
    paths,
    policy: { ...DEFAULT_POLICY, ...opts.policy },
    now: NOW,
  };
  return decide(input);
}
const signal = (h: Health, secondsAgo = 0, extra = {}): Trigger => ({
  type: 'signal',
  signal: { ...sig(T1, h, at(secondsAgo)), evidence: 'loss 3%', ...extra },
});

describe('what a drain says and writes', () => {
  it('names the paths, destinations and the evidence; the record keeps the definitions, the time and the reason', () => {
    const d = run(signal('degraded'));
    expect(d.summary).toBe(`drain ${T1}: withdraw 1 path(s) for 10.0.0.0/16 — degraded: loss 3%`);
    expect(d.next).toMatchObject({
      state: 'draining',
      withdrawn: [P0],
      drains: [NOW.toISOString()],
      suppressed: false,
      reason: 'degraded: loss 3%',
      updatedAt: NOW.toISOString(),
    });
    expect(d.next).toHaveProperty('lastRefusal', undefined);
    expect(d.finalState).toBe('drained');
    expect(d.joinsFence).toBe(true);
    expect(d.actions).toEqual([{ type: 'withdraw', path: P0 }]);
  });

  it('a tunnel flapping says how often, and stays drained until released', () => {
    const d = run(signal('degraded'), { drains: [at(600), at(1200)] }, { policy: { maxFlaps: 2, flapWindowSeconds: 3600 } });
    expect(d.next?.reason).toBe('flapping: drained 3 times in 3600s (max 2); stays drained until released');
    expect(d.summary).toBe(
      `drain ${T1}: withdraw 1 path(s) for 10.0.0.0/16 — degraded: loss 3% (flapping: drained 3 times in 3600s (max 2); stays drained until released)`,
    );
  });

  it('keeps at most 100 drain times', () => {
    const many = Array.from({ length: 120 }, (_, i) => at(3000 - i));
    const d = run(signal('degraded'), { drains: many }, { policy: { maxFlaps: 1000 } });
    expect(d.next?.drains).toHaveLength(100);
    expect(d.next?.drains.at(-1)).toBe(NOW.toISOString());
  });

  it('an operator drain does not count as a flap', () => {
    const d = run({ type: 'drain', reason: 'maintenance', force: false }, { drains: [at(60)] }, { policy: { maxFlaps: 1 } });
    expect(d.kind).toBe('drain');
    expect(d.next?.drains).toEqual([at(60)]);
    expect(d.next?.reason).toBe('operator: maintenance');
  });

  it('a healthy signal that retries a drain another monitor still wants says why', () => {
    const d = run(signal('healthy', 0, { monitor: 'established' }), {
      health: 'degraded',
      monitors: { drops: { health: 'degraded', at: at(60) } },
    });
    expect(d.kind).toBe('drain');
    expect(d.summary).toMatch(/— still degraded \(another monitor still says degraded\)$/);
  });

  it('a forced drain reports every overridden guard as such', () => {
    const d = run({ type: 'drain', reason: 'x', force: true }, {}, { others: { [T2]: 'degraded' } });
    expect(d.refusals.map((r) => r.guard)).toEqual(['black-hole']);
    for (const r of d.refusals) expect(r.reason).toMatch(/^overridden by --force: draining /);
  });

  it('a refusal says what was refused and why, and is remembered', () => {
    const d = run(signal('degraded'), {}, { others: { [T2]: 'degraded' } });
    const text = d.refusals.map((r) => r.reason).join('; ');
    expect(d.summary).toBe(`refused to drain ${T1}: ${text}`);
    expect(d.next?.lastRefusal).toBe(text);
    expect(d.finalState).toBe('active');
  });

  it('no path of its own: says so and keeps the health', () => {
    const t = incident();
    const rec = emptyRecord(T1, 'gcp');
    const d = decide({
      trigger: signal('degraded'),
      record: rec,
      records: [],
      members: [],
      tunnels: t.gcpTunnels,
      paths: t.gcpPaths.slice(1),
      policy: DEFAULT_POLICY,
      now: NOW,
    });
    expect(d.summary).toBe(`${T1}: no active paths send traffic into it (already withdrawn or none configured); health noted`);
    expect(d.next?.health).toBe('degraded');
  });
});

describe('what a restore says and writes', () => {
  it('after the hold-down: when it became healthy, what comes back, in the record', () => {
    const d = run(
      { type: 'reconcile' },
      { state: 'drained', withdrawn: [P0], health: 'healthy', healthySince: at(400) },
      { withdrawnAlready: true },
    );
    expect(d.summary).toBe(`restore ${T1}: re-create 1 path(s) for 10.0.0.0/16 — healthy since ${at(400)} (hold-down 300s passed)`);
    expect(d.next).toMatchObject({
      state: 'restoring',
      updatedAt: NOW.toISOString(),
      reason: `healthy since ${at(400)} (hold-down 300s passed)`,
    });
    expect(d.actions).toEqual([{ type: 'restore', path: P0 }]);
    expect(d.finalState).toBe('active');
    expect(d.joinsFence).toBe(false);
  });

  it('within the hold-down: how long so far, and when', () => {
    const d = run(
      { type: 'reconcile' },
      { state: 'drained', withdrawn: [P0], health: 'healthy', healthySince: at(100) },
      { withdrawnAlready: true },
    );
    expect(d.kind).toBe('ignore');
    expect(d.summary).toBe(`${T1} healthy for 100s; hold-down 300s: restore not before ${new Date(NOW.getTime() + 200_000).toISOString()}`);
    expect(d.refusals).toEqual([{ guard: 'hold-down', reason: 'healthy for 100s of 300s' }]);
  });

  it('exactly at the end of the hold-down it restores', () => {
    expect(
      run(
        { type: 'reconcile' },
        { state: 'drained', withdrawn: [P0], health: 'healthy', healthySince: at(300) },
        { withdrawnAlready: true },
      ).kind,
    ).toBe('restore');
    expect(
      run(
        { type: 'reconcile' },
        { state: 'drained', withdrawn: [P0], health: 'healthy', healthySince: at(299) },
        { withdrawnAlready: true },
      ).kind,
    ).toBe('ignore');
  });

  it('a forced restore starts the monitors from scratch and lifts the suppression', () => {
    const d = run(
      { type: 'restore', force: true },
      {
        state: 'drained',
        withdrawn: [P0],
        suppressed: true,
        health: 'degraded',
        healthySince: at(5),
        lastFailure: 'x',
        monitors: { m: { health: 'degraded', at: at(60) } },
      },
      { withdrawnAlready: true },
    );
    expect(d.next).toMatchObject({
      suppressed: false,
      monitors: {},
      health: 'unknown',
      state: 'restoring',
      reason: 'operator restore (--force)',
    });
    expect(d.next).toHaveProperty('healthySince', undefined);
    expect(d.next).toHaveProperty('lastFailure', undefined);
  });

  it('an operator restore keeps what the monitors said', () => {
    const d = run(
      { type: 'restore', force: false },
      {
        state: 'drained',
        withdrawn: [P0],
        suppressed: true,
        health: 'healthy',
        healthySince: at(5),
        monitors: { m: { health: 'healthy', at: at(5) } },
      },
      { withdrawnAlready: true },
    );
    expect(d.next).toMatchObject({
      suppressed: false,
      health: 'healthy',
      healthySince: at(5),
      monitors: { m: { health: 'healthy', at: at(5) } },
      reason: 'operator restore',
    });
    expect(d.forced).toBe(false);
  });

  it('an operator restore of a degraded tunnel says how to override', () => {
    const d = run({ type: 'restore', force: false }, { state: 'drained', withdrawn: [P0], health: 'degraded' }, { withdrawnAlready: true });
    expect(d.summary).toBe(
      `restore of ${T1} refused: it is degraded, so traffic would go back into it (restore --force overrides; the hold-down does not apply to an operator)`,
    );
  });

  it('a release says what follows', () => {
    const stays = run(
      { type: 'release' },
      { state: 'drained', withdrawn: [P0], suppressed: true, drains: [at(60)], health: 'degraded' },
      { withdrawnAlready: true },
    );
    expect(stays.summary).toBe(`released ${T1}: automatic restore allowed again (${T1} is drained and degraded: stays drained)`);
    expect(stays.next).toMatchObject({ suppressed: false, drains: [], reason: 'released by operator' });
    const back = run(
      { type: 'release' },
      { state: 'drained', withdrawn: [P0], suppressed: true, health: 'healthy', healthySince: at(400) },
      { withdrawnAlready: true },
    );
    expect(back.summary).toMatch(new RegExp(`^released ${T1}; restore ${T1}: re-create 1 path`));
    const active = run({ type: 'release' }, { suppressed: true });
    expect(active).toMatchObject({ kind: 'release', summary: `released ${T1}: automatic restore allowed again` });
  });

  it('a suppressed tunnel says why it stays drained', () => {
    const d = run(
      { type: 'reconcile' },
      { state: 'drained', withdrawn: [P0], suppressed: true, reason: 'operator: maintenance', health: 'healthy', healthySince: at(4000) },
      { withdrawnAlready: true },
    );
    expect(d.summary).toBe(`${T1} stays drained until an operator releases it (operator: maintenance)`);
    const noReason = run(
      { type: 'reconcile' },
      { state: 'drained', withdrawn: [P0], suppressed: true, health: 'healthy', healthySince: at(4000) },
      { withdrawnAlready: true },
    );
    expect(noReason.summary).toBe(`${T1} stays drained until an operator releases it (suppressed)`);
  });

  it('held only by monitors that cannot tell: names them', () => {
    const d = run(
      { type: 'reconcile' },
      {
        state: 'drained',
        withdrawn: [P0],
        health: 'unknown',
        monitors: { a: { health: 'unknown', at: at(60) }, b: { health: 'healthy', at: at(60) }, c: { health: 'unknown', at: at(60) } },
      },
      { withdrawnAlready: true },
    );
    expect(d.summary).toBe(
      `${T1} stays drained: its monitors cannot tell whether it is healthy (a, c); restore --force once a human has checked it`,
    );
    expect(d.refusals[0]).toMatchObject({ guard: 'no-evidence', urgent: true });
  });
});

describe('signals that change nothing', () => {
  it('a duplicate and a stale signal say why', () => {
    const dup = run(signal('degraded', 0, { key: 'k1' }), { recentKeys: [{ key: 'k1', at: at(5) }] });
    expect(dup.summary).toBe('duplicate signal k1: already applied');
    expect(dup.refusals).toEqual([{ guard: 'duplicate', reason: 'signal k1 was already applied' }]);
    const stale = run(signal('degraded', 100), { lastSignalAt: at(10) });
    expect(stale.summary).toBe(`stale signal observed ${at(100)}, older than the newest applied from test (${at(10)})`);
    expect(stale.refusals).toEqual([{ guard: 'stale', reason: `observed ${at(100)} < newest applied ${at(10)} (test)` }]);
  });

  it('unknown health says what the evidence was', () => {
    expect(run(signal('unknown')).summary).toBe(`${T1}: health unknown (loss 3%); no action`);
  });

  it('a signal while drained says what was noted, and which other monitor holds it', () => {
    const d = run(
      signal('down', 0, { monitor: 'est' }),
      { state: 'drained', withdrawn: [P0], health: 'degraded', monitors: { drops: { health: 'degraded', at: at(60) } } },
      { withdrawnAlready: true },
    );
    expect(d.summary).toBe(`${T1} is already drained; down noted`);
    const held = run(
      signal('healthy', 0, { monitor: 'est' }),
      { state: 'drained', withdrawn: [P0], health: 'degraded', monitors: { drops: { health: 'degraded', at: at(60) } } },
      { withdrawnAlready: true },
    );
    expect(held.summary).toBe(`${T1} is already drained; healthy noted (another monitor still says degraded)`);
    const other = run(
      signal('degraded', 0, { monitor: 'est' }),
      { state: 'drained', withdrawn: [P0], health: 'down', monitors: { drops: { health: 'down', at: at(60) } } },
      { withdrawnAlready: true },
    );
    expect(other.summary).toBe(`${T1} is already drained; degraded noted (another monitor still says down)`);
  });
});

describe('what the other end of the link hears (decided with everything else)', () => {
  const drained = {
    state: 'drained' as const,
    withdrawn: [P0],
    health: 'degraded' as const,
    monitors: { test: { health: 'degraded' as const, at: at(60) } },
  };
  it('a local signal that makes every own monitor healthy clears what was said, not for the link, not twice', () => {
    expect(run(signal('healthy'), drained, { withdrawnAlready: true }).tell).toEqual({ about: 'recovered', health: 'healthy' });
    expect(
      run(
        signal('healthy', 0, { viaLink: true, monitor: 'link:aws' }),
        { ...drained, monitors: { 'link:aws': { health: 'degraded', at: at(60) } } },
        { withdrawnAlready: true },
      ).tell,
    ).toBeUndefined();
    expect(
      run(
        signal('healthy'),
        { ...drained, health: 'healthy', monitors: { test: { health: 'healthy', at: at(60) } } },
        { withdrawnAlready: true },
      ).tell,
    ).toBeUndefined();
  });

  it('a drain says degraded (down when observed down); an operator drain says degraded', () => {
    expect(run(signal('degraded')).tell).toEqual({ about: 'change', health: 'degraded' });
    expect(run({ type: 'drain', reason: 'maintenance', force: false }).tell).toEqual({ about: 'change', health: 'degraded' });
  });

  it('a restore after the hold-down says healthy; an operator restore says nothing of the other end', () => {
    const healed = {
      ...drained,
      health: 'healthy' as const,
      healthySince: at(3600),
      monitors: { test: { health: 'healthy' as const, at: at(3600) } },
    };
    const tick = run({ type: 'reconcile' }, healed, { withdrawnAlready: true });
    expect(tick.kind).toBe('restore');
    expect(tick.tell).toEqual({ about: 'change', health: 'healthy' });
    const operator = run({ type: 'restore', force: false }, healed, { withdrawnAlready: true });
    expect(operator.kind).toBe('restore');
    expect(operator.tell).toBeUndefined();
  });

  it("an operator restore of an operator's drain takes back what that drain told the other end", () => {
    const pinned = { ...drained, health: 'healthy' as const, monitors: {}, suppressed: true, reason: 'operator: maintenance' };
    const operator = run({ type: 'restore', force: false }, pinned, { withdrawnAlready: true });
    expect(operator.kind).toBe('restore');
    expect(operator.tell).toEqual({ about: 'change', health: 'healthy' });
  });

  it('nothing is told of a reconcile acting on what the other end last said (no echo)', () => {
    const healed = {
      ...drained,
      health: 'healthy' as const,
      healthySince: at(3600),
      lastSignalViaLink: true,
      monitors: { 'link:aws': { health: 'healthy' as const, at: at(3600) } },
    };
    const tick = run({ type: 'reconcile' }, healed, { withdrawnAlready: true });
    expect(tick.kind).toBe('restore');
    expect(tick.tell).toBeUndefined();
  });

  it('probe news that changed nothing here is passed on — a refusal included, so the other end may act with its own lever; a traffic monitor is not', () => {
    const probe = (h: Health) => signal(h, 0, { basis: 'probe', monitor: 'probe:x' });
    const calm = run(probe('healthy'));
    expect(calm.kind).toBe('record');
    expect(calm.tell).toEqual({ about: 'probe', health: 'healthy' });
    expect(run(signal('healthy')).tell).toBeUndefined();
    // Degraded with the only other path gone: refused here, and the other end hears what the probe measured.
    const refused = run(probe('degraded'), {}, { others: { [T2]: 'degraded' } });
    expect(refused.kind).toBe('refuse');
    expect(refused.tell).toEqual({ about: 'probe', health: 'degraded' });
    // A relapse while this end is still drained: the other end may have restored on the recovery it heard.
    const relapse = run(probe('degraded'), drained, { withdrawnAlready: true });
    expect(relapse.tell).toEqual({ about: 'probe', health: 'degraded' });
    // A hold travels as a hold.
    expect(
      run(signal('degraded', 0, { basis: 'probe', monitor: 'probe:x', hold: true }), drained, { withdrawnAlready: true }).tell,
    ).toEqual({
      about: 'probe',
      health: 'degraded',
      hold: true,
    });
  });
});
