import { handleSignal, reconcile, runCommand } from '../../shared/engine';
import { MemoryLedger } from '../../simulator/memory-ledger';
import { fenceId } from '../../shared/types';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { testDeps, sig } from '../fakes/core-deps';
import { aws, gcp, incident } from '../fakes/topology';

function setup(policy = {}) {
  const t = incident();
  const awsCloud = new MemoryCloud(t.awsTunnels, t.awsPaths);
  const gcpCloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
  const env = testDeps({ aws: portsOf(awsCloud), gcp: portsOf(gcpCloud) }, policy);
  return { ...env, awsCloud, gcpCloud, t };
}

const T1 = gcp('tunnel-1');
const T2 = gcp('tunnel-2');
const A1 = aws('vpn-1', '203.0.113.10');
const A1b = aws('vpn-1', '203.0.113.11');
const A2 = aws('vpn-2', '203.0.113.20');

describe('engine: the original incident on GCP', () => {
  it('drains a degraded tunnel and keeps the healthy one', async () => {
    const { deps, gcpCloud, notes, ledger } = setup();
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.decision).toBe('drain');
    expect(r.ok).toBe(true);
    expect(r.results.map((x) => x.outcome)).toEqual(['applied']);
    expect(gcpCloud.snapshot().map((p) => p.key)).toEqual(['projects/example-project/global/routes/to-aws-2']);
    const rec = await ledger.get(T1);
    expect(rec?.state).toBe('drained');
    expect(rec?.withdrawn[0]?.definition).toMatchObject({ name: 'to-aws-1', destRange: '10.0.0.0/16' });
    expect(notes).toHaveLength(1);
    expect(notes[0]!.withdrawn[0]!.definition).toMatchObject({ name: 'to-aws-1' });
  });

  it('refuses to drain the last healthy path, urgently — and puts the first tunnel back, as doing nothing would', async () => {
    const { deps, gcpCloud, notes, t } = setup();
    await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(gcpCloud.snapshot()).toHaveLength(1);
    const r = await handleSignal(deps, sig(T2, 'degraded', 10));
    expect(r.decision).toBe('refuse');
    expect(r.refusals.map((x) => x.guard)).toContain('black-hole');
    expect(r.refusals.find((x) => x.guard === 'black-hole')?.urgent).toBe(true);
    expect(r.severity).toBe('CRITICAL');
    // Both degraded and no figure says which is worse: the traffic is shared again rather than piled on T2.
    expect(gcpCloud.snapshot()).toEqual([...t.gcpPaths].sort((a, b) => a.key.localeCompare(b.key)));
    expect(notes.map((n) => n.decision)).toEqual(['drain', 'refuse', 'restore']);
    expect(notes.at(-1)?.summary).toMatch(/every tunnel carrying its traffic is degraded too/);
  });

  it('restores exactly what it withdrew once the hold-down has passed, and not before', async () => {
    const { deps, gcpCloud, clock, t } = setup({ restoreHoldDownSeconds: 300 });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    clock.t += 60_000;
    const healthy = await handleSignal(deps, sig(T1, 'healthy', 60));
    expect(healthy.decision).toBe('record');
    expect(gcpCloud.snapshot()).toHaveLength(1);
    clock.t += 200_000;
    expect((await reconcile(deps)).map((r) => r.decision)).toEqual(['ignore']);
    expect(gcpCloud.snapshot()).toHaveLength(1);
    clock.t += 100_001;
    const [restored] = await reconcile(deps);
    expect(restored!.decision).toBe('restore');
    expect(gcpCloud.snapshot()).toEqual([...t.gcpPaths].sort((a, b) => a.key.localeCompare(b.key)));
    expect((await deps.ledger.get(fenceId('gcp')))?.members).toEqual([]);
  });

  it('restarts the hold-down when the tunnel degrades again while drained', async () => {
    const { deps, gcpCloud, clock } = setup({ restoreHoldDownSeconds: 300 });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    await handleSignal(deps, sig(T1, 'healthy', 10));
    await handleSignal(deps, sig(T1, 'degraded', 200));
    await handleSignal(deps, sig(T1, 'healthy', 250));
    clock.t += 400_000; // 300 s after the first recovery, only 150 s after the second
    await reconcile(deps);
    expect(gcpCloud.snapshot()).toHaveLength(1);
    clock.t += 200_000;
    await reconcile(deps);
    expect(gcpCloud.snapshot()).toHaveLength(2);
  });

  it('ignores a duplicate and a stale signal', async () => {
    const { deps, gcpCloud } = setup({ restoreHoldDownSeconds: 0 });
    const s = sig(T1, 'degraded', 100, 'alarm-1');
    await handleSignal(deps, s);
    const dup = await handleSignal(deps, s);
    expect(dup.decision).toBe('ignore');
    expect(dup.refusals[0]!.guard).toBe('duplicate');
    const stale = await handleSignal(deps, sig(T1, 'healthy', 50));
    expect(stale.refusals[0]!.guard).toBe('stale');
    expect(gcpCloud.snapshot()).toHaveLength(1);
    expect(gcpCloud.calls).toHaveLength(1);
  });

  it('never acts on unknown health, even for a drained tunnel', async () => {
    const { deps, gcpCloud } = setup({ restoreHoldDownSeconds: 0 });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    const r = await handleSignal(deps, sig(T1, 'unknown', 10));
    expect(r.results).toEqual([]);
    expect(gcpCloud.snapshot()).toHaveLength(1);
    await reconcile(deps);
    expect(gcpCloud.snapshot()).toHaveLength(1);
  });

  it('dry run reports the plan and changes neither the cloud nor the ledger', async () => {
    const { deps, gcpCloud, ledger, notes } = setup({ dryRun: true });
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.decision).toBe('drain');
    expect(r.plan).toHaveLength(1);
    expect(r.refusals.map((x) => x.guard)).toContain('dry-run');
    expect(gcpCloud.calls).toEqual([]);
    expect(await ledger.list()).toEqual([]);
    expect(notes).toHaveLength(1);
  });

  it('never touches a tunnel out of scope', async () => {
    const { deps, gcpCloud } = setup({ scope: ['gcp:*:tunnel-2'] });
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.refusals.map((x) => x.guard)).toEqual(['scope']);
    expect(gcpCloud.calls).toEqual([]);
  });

  it('refuses with a clear reason for a tunnel that does not exist, and notifies nobody (bad input changes nothing)', async () => {
    const { deps, gcpCloud, notes, ledger } = setup();
    const r = await handleSignal(deps, sig(gcp('nope'), 'degraded', 0));
    expect(r.decision).toBe('refuse');
    expect(r.summary).toMatch(/unknown tunnel/);
    const r2 = await handleSignal(deps, sig('azure:x', 'degraded', 0));
    expect(r2.summary).toMatch(/unknown tunnel/);
    expect(gcpCloud.calls).toEqual([]);
    expect(notes).toEqual([]);
    expect(await ledger.list()).toEqual([]);
  });
});

describe('engine: AWS connections', () => {
  it('drains the whole connection of a degraded tunnel', async () => {
    const { deps, awsCloud } = setup();
    const r = await handleSignal(deps, sig(A1, 'degraded', 0));
    expect(r.decision).toBe('drain');
    expect(awsCloud.snapshot().map((p) => p.key)).toEqual(['vpn-2:10.240.0.0/16']);
  });

  it('records but does not drain a DOWN tunnel whose sibling is up', async () => {
    const t = incident();
    t.awsTunnels[1]!.status = 'up'; // vpn-1 tunnel 2 is up
    const awsCloud = new MemoryCloud(t.awsTunnels, t.awsPaths);
    const { deps, notes } = testDeps({ aws: portsOf(awsCloud) });
    const r = await handleSignal(deps, sig(A1, 'down', 0));
    expect(r.decision).toBe('record');
    expect(awsCloud.calls).toEqual([]);
    expect(notes).toHaveLength(1);
  });

  it('drains a DOWN tunnel whose sibling is also down', async () => {
    const { deps, awsCloud } = setup();
    const r = await handleSignal(deps, sig(A1, 'down', 0));
    expect(r.decision).toBe('drain');
    expect(awsCloud.calls).toHaveLength(1);
  });

  it('keeps the connection drained while the sibling tunnel is degraded', async () => {
    const t = incident();
    t.awsTunnels[1]!.status = 'up';
    const awsCloud = new MemoryCloud(t.awsTunnels, t.awsPaths);
    const { deps, clock } = testDeps({ aws: portsOf(awsCloud) }, { restoreHoldDownSeconds: 0 });
    clock.t += 10_000; // signals below are observed within the last 10 s
    await handleSignal(deps, sig(A1, 'degraded', 0));
    const sib = await handleSignal(deps, sig(A1b, 'degraded', 1));
    expect(sib.decision).toBe('record'); // nothing left to withdraw: the connection is already drained
    const back = await handleSignal(deps, sig(A1, 'healthy', 2));
    expect(back.decision).toBe('refuse');
    expect(awsCloud.snapshot()).toHaveLength(1);
    await handleSignal(deps, sig(A1b, 'healthy', 3));
    await reconcile(deps);
    expect(awsCloud.snapshot()).toHaveLength(2);
  });

  it('limits the blast radius: two AWS connections are never drained together', async () => {
    const t = incident();
    t.awsTunnels[1]!.status = 'up';
    t.awsTunnels[3]!.status = 'up';
    const awsCloud = new MemoryCloud(t.awsTunnels, [...t.awsPaths]);
    const { deps } = testDeps({ aws: portsOf(awsCloud) }, { maxDrainedTunnels: 2, minHealthyPaths: 1 });
    await handleSignal(deps, sig(A1, 'degraded', 0));
    const r = await handleSignal(deps, sig(A2, 'degraded', 1));
    expect(r.refusals.map((x) => x.guard)).toEqual(expect.arrayContaining(['blast-radius']));
  });
});

describe('engine: operators, flaps and force', () => {
  it('an operator drain is not undone by a healthy signal; restore puts back exactly the definitions', async () => {
    const { deps, gcpCloud, t } = setup({ restoreHoldDownSeconds: 0 });
    const d = await runCommand(deps, { type: 'drain', tunnelId: T1, reason: 'maintenance' });
    expect(d.decision).toBe('drain');
    await handleSignal(deps, sig(T1, 'healthy', 10));
    await reconcile(deps);
    expect(gcpCloud.snapshot()).toHaveLength(1);
    const r = await runCommand(deps, { type: 'restore', tunnelId: T1 });
    expect(r.decision).toBe('restore');
    expect(gcpCloud.snapshot()).toEqual([...t.gcpPaths].sort((a, b) => a.key.localeCompare(b.key)));
  });

  it('suppresses a flapping tunnel until released', async () => {
    const { deps, gcpCloud, clock } = setup({ restoreHoldDownSeconds: 0, maxFlaps: 2, flapWindowSeconds: 3600 });
    let at = 0;
    for (let i = 0; i < 3; i++) {
      clock.t += 20_000;
      await handleSignal(deps, sig(T1, 'degraded', (at += 10)));
      await handleSignal(deps, sig(T1, 'healthy', (at += 10)));
      if (i < 2) expect(gcpCloud.snapshot()).toHaveLength(2); // restored at once (hold-down 0)
    }
    clock.t += 600_000;
    await reconcile(deps);
    expect(gcpCloud.snapshot()).toHaveLength(1);
    const rec = await deps.ledger.get(T1);
    expect(rec?.suppressed).toBe(true);
    const rel = await runCommand(deps, { type: 'release', tunnelId: T1 });
    expect(rel.decision).toBe('restore');
    expect(gcpCloud.snapshot()).toHaveLength(2);
  });

  it('--force skips the guards but never silently', async () => {
    const { deps, gcpCloud, notes } = setup();
    await handleSignal(deps, sig(T1, 'degraded', 0));
    const r = await runCommand(deps, { type: 'drain', tunnelId: T2, force: true, reason: 'operator knows better' });
    expect(r.decision).toBe('drain');
    expect(r.forced).toBe(true);
    expect(r.severity).toBe('CRITICAL');
    expect(r.refusals[0]!.reason).toMatch(/overridden by --force/);
    expect(gcpCloud.snapshot()).toEqual([]);
    expect(notes.at(-1)?.forced).toBe(true);
  });
});

describe('engine: failures and crashes', () => {
  it('retries throttling and converges', async () => {
    const { deps, gcpCloud } = setup();
    gcpCloud.fault = (n) => (n <= 2 ? 'transient' : undefined);
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.ok).toBe(true);
    expect(r.results[0]!.attempts).toBe(3);
    expect(gcpCloud.snapshot()).toHaveLength(1);
  });

  it('reports persistent failure, keeps the definition, and reconcile finishes later', async () => {
    const { deps, gcpCloud, ledger, notes } = setup();
    gcpCloud.fault = () => 'permanent';
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.ok).toBe(false);
    expect(r.severity).toBe('ERROR');
    expect((await ledger.get(T1))?.state).toBe('draining');
    expect(notes.at(-1)?.ok).toBe(false);
    gcpCloud.fault = undefined;
    await reconcile(deps);
    expect((await ledger.get(T1))?.state).toBe('drained');
    expect(gcpCloud.snapshot()).toHaveLength(1);
  });

  it('a crash after the write-ahead record loses nothing and reconcile converges', async () => {
    const { deps, gcpCloud, ledger } = setup();
    gcpCloud.crashAt = 1;
    await expect(handleSignal(deps, sig(T1, 'degraded', 0))).resolves.toMatchObject({ ok: false });
    // The run "crashed" on its only mutation: the path is still in the cloud AND in the ledger.
    expect(gcpCloud.snapshot()).toHaveLength(2);
    expect((await ledger.get(T1))?.withdrawn).toHaveLength(1);
    gcpCloud.crashAt = undefined;
    await reconcile(deps);
    expect(gcpCloud.snapshot()).toHaveLength(1);
  });

  it('two concurrent drains in one cloud on one ledger: exactly one wins, the loser re-decides', async () => {
    const t = incident();
    const gcpCloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const ledger = new MemoryLedger();
    const a = testDeps({ gcp: portsOf(gcpCloud) }, {}, ledger);
    const b = testDeps({ gcp: portsOf(gcpCloud) }, {}, ledger);
    const [r1, r2] = await Promise.all([handleSignal(a.deps, sig(T1, 'degraded', 0)), handleSignal(b.deps, sig(T2, 'degraded', 0))]);
    expect([r1.decision, r2.decision].sort()).toEqual(['drain', 'refuse']);
    // Only one path was ever withdrawn. (Once the winner's drain is done, the loser's news — its tunnel is degraded
    // too — may bring the winner's path back: every carrier degraded and no figure says which is worse.)
    expect(gcpCloud.calls.filter((c) => c.type === 'withdraw')).toHaveLength(1);
    expect(gcpCloud.snapshot().length).toBeGreaterThanOrEqual(1);
    expect([...a.logger.entries, ...b.logger.entries].some((e) => e.message === 'ledger conflict: re-deciding')).toBe(true);
  });

  it('re-withdraws a path that someone re-added to a drained tunnel (drift)', async () => {
    const { deps, gcpCloud, t } = setup();
    await handleSignal(deps, sig(T1, 'degraded', 0));
    gcpCloud.table.set(t.gcpPaths[0]!.key, structuredClone(t.gcpPaths[0]!));
    const [r] = await reconcile(deps);
    expect(r!.decision).toBe('drain');
    expect(gcpCloud.snapshot()).toHaveLength(1);
  });

  it('retries a refused drain when the other tunnel recovers', async () => {
    const { deps, gcpCloud, clock } = setup({ restoreHoldDownSeconds: 0 });
    clock.t += 10_000;
    await handleSignal(deps, sig(T1, 'degraded', 0));
    await handleSignal(deps, sig(T2, 'degraded', 1)); // refused: last path
    await handleSignal(deps, sig(T1, 'healthy', 2)); // T1 restored at once (hold-down 0)
    expect(gcpCloud.snapshot()).toHaveLength(2);
    const reports = await reconcile(deps);
    expect(reports.find((r) => r.tunnelId === T2)?.decision).toBe('drain');
    expect(gcpCloud.snapshot().map((p) => p.key)).toEqual(['projects/example-project/global/routes/to-aws-1']);
  });
});
