/**
 * What the engine reports and notifies around a decision: de-preference read-back, dry runs, failed changes,
 * urgent refusals, and what reconcile looks at. Through the public entry points on the in-memory cloud.
 */
import { handleSignal, reconcile, runCommand } from '../../shared/engine';
import { LedgerConflictError } from '../../shared/errors';
import { MemoryLedger } from '../../simulator/memory-ledger';
import type { CloudPorts, Ledger } from '../../shared/ports';
import type { LedgerRecord, Path } from '../../shared/types';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { gcp, incident, gcpRoute, gcpTunnel } from '../fakes/topology';
import { into } from '../fakes/scenario';

const T1 = gcp('tunnel-1');
const T2 = gcp('tunnel-2');

/** GCP routes that can be de-preferred (a preference to make worse). */
function depreferWorld() {
  const t = incident();
  const cloud = new MemoryCloud(
    t.gcpTunnels,
    t.gcpPaths.map((p): Path => ({ ...p, canDeprefer: true })),
  );
  return { t, cloud };
}

/** Ports whose de-preference answers "applied" but skips one half of make-before-break. */
function halfDeprefer(cloud: MemoryCloud, skip: 'standby' | 'cleanup'): CloudPorts {
  const honest = portsOf(cloud);
  return {
    tunnels: honest.tunnels,
    paths: {
      list: honest.paths.list,
      withdraw: async (p) => (skip === 'standby' ? honest.paths.withdraw({ ...p, lever: undefined }) : honest.paths.withdraw(p)),
      restore: async (s) => (skip === 'cleanup' ? honest.paths.restore({ ...s, lever: undefined }) : honest.paths.restore(s)),
    },
  };
}

describe('read-back of a de-preference', () => {
  it('a de-preferred path whose standby is missing is a failure', async () => {
    const { cloud } = depreferWorld();
    const { deps } = testDeps({ gcp: halfDeprefer(cloud, 'standby') }, { drainMode: 'deprefer' });
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.decision).toBe('drain');
    expect(r.results).toEqual([
      expect.objectContaining({ outcome: 'failed', error: 'de-preferred, but no standby is present (read-back)' }),
    ]);
    expect(r).toMatchObject({ ok: false, severity: 'ERROR', stateAfter: 'draining' });
  });

  it('a restore that leaves the standby beside its original is a failure', async () => {
    const { cloud } = depreferWorld();
    const { deps, clock } = testDeps({ gcp: halfDeprefer(cloud, 'cleanup') }, { drainMode: 'deprefer', restoreHoldDownSeconds: 0 });
    expect((await handleSignal(deps, sig(T1, 'degraded', 0))).ok).toBe(true);
    clock.t += 60_000;
    const r = await runCommand(deps, { type: 'restore', tunnelId: T1, force: true });
    expect(r.results).toEqual([
      expect.objectContaining({ outcome: 'failed', error: 'restored, but its standby is still present (read-back)' }),
    ]);
    expect(r).toMatchObject({ ok: false, severity: 'ERROR', stateAfter: 'restoring' });
  });
});

describe('reports and notifications', () => {
  it('a dry run with a plan is notified and ok, changes nothing; one with nothing to do is not notified', async () => {
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const { deps, notes, ledger } = testDeps({ gcp: portsOf(cloud) }, { dryRun: true });
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r).toMatchObject({ decision: 'drain', ok: true, dryRun: true, summary: expect.stringMatching(/^\[dry run\] /) });
    expect(r.refusals.map((x) => x.guard)).toEqual(['dry-run']);
    expect(notes).toHaveLength(1);
    expect(cloud.snapshot()).toHaveLength(t.gcpPaths.length);
    expect(await ledger.list()).toEqual([]);
    const quiet = await handleSignal(deps, sig(T2, 'healthy', 1));
    expect(quiet.plan).toEqual([]);
    expect(notes).toHaveLength(1);
  });

  it('a refused drain is not ok; its withdrawn list is empty, and a restore report lists nothing as withdrawn', async () => {
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 0 });
    const drained = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(drained.withdrawn.map((p) => p.key)).toEqual(drained.plan.map((p) => p.pathKey));
    const refused = await handleSignal(deps, sig(T2, 'degraded', 1));
    expect(refused).toMatchObject({ decision: 'refuse', ok: false, withdrawn: [] });
    // T1 came back on its own (both degraded: sharing is what doing nothing would do); drain it again by hand.
    await runCommand(deps, { type: 'drain', tunnelId: T1, force: true });
    clock.t += 60_000;
    const restored = await runCommand(deps, { type: 'restore', tunnelId: T1, force: true });
    expect(restored).toMatchObject({ decision: 'restore', ok: true, withdrawn: [] });
    expect(restored.plan.length).toBeGreaterThan(0);
  });

  it('an urgent refusal is never reported below CRITICAL', async () => {
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const { deps, notes } = testDeps({ gcp: portsOf(cloud) });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    const r = await handleSignal(deps, sig(T2, 'degraded', 1));
    expect(r.refusals.some((x) => x.urgent)).toBe(true);
    expect(r.severity).toBe('CRITICAL');
    expect(notes.find((n) => n.decision === 'refuse')?.severity).toBe('CRITICAL');
  });

  it('a failed change is notified once, with the failure in the summary; the same failure again is not', async () => {
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const honest = portsOf(cloud);
    const failing: CloudPorts = {
      tunnels: honest.tunnels,
      paths: { ...honest.paths, withdraw: async () => Promise.reject(new Error('boom')) },
    };
    const { deps, notes, clock } = testDeps({ gcp: failing }, { retryAttempts: 1 });
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.summary).toMatch(/1 of 1 action\(s\) FAILED; the ledger keeps their definitions and reconcile will finish the work$/);
    expect(notes).toHaveLength(1);
    clock.t += 60_000;
    const [again] = await reconcile(deps);
    expect(again?.summary).toMatch(/\(same failure as last time: not notified again\)$/);
    expect(notes).toHaveLength(1);
  });
});

describe('what reconcile looks at', () => {
  it('skips tunnels that are in service and healthy; an active but degraded one is looked at', async () => {
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const { deps } = testDeps({ gcp: portsOf(cloud) });
    await handleSignal(deps, sig(T2, 'healthy', 0));
    expect(await reconcile(deps)).toEqual([]);
    await handleSignal(deps, sig(T1, 'degraded', 1));
    await handleSignal(deps, sig(T2, 'degraded', 2)); // refused: T1 already drained, T2 is the last path
    expect((await reconcile(deps)).map((r) => r.tunnelId).sort()).toEqual([T1, T2].sort());
  });
});

/**
 * A ledger where another writer gets in between the drain's commit and its outcome: on T1's second write it
 * rewrites the record (as `meddle` says) and the write loses.
 */
function contested(meddle: (current: LedgerRecord) => LedgerRecord) {
  const t = incident();
  const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
  const inner = new MemoryLedger();
  let puts = 0;
  const ledger: Ledger = {
    get: (id) => inner.get(id),
    list: () => inner.list(),
    scan: () => inner.scan(),
    put: async (r) => {
      if (r.tunnelId === T1 && ++puts === 2) {
        const current = (await inner.get(T1))!;
        await inner.put(meddle(current));
        throw new LedgerConflictError(T1, r.version, current.version + 1);
      }
      return inner.put(r);
    },
  };
  return { inner, deps: testDeps({ gcp: portsOf(cloud) }, {}, ledger).deps };
}

describe('settling the outcome against another writer', () => {
  it('a write of the outcome lost to a writer that changed nothing else is retried on the fresh record', async () => {
    const { inner, deps } = contested((current) => ({ ...current }));
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r).toMatchObject({ decision: 'drain', ok: true, stateAfter: 'drained' });
    expect((await inner.get(T1))?.state).toBe('drained');
  });

  it('an outcome lost to a writer that moved the tunnel on is left to that writer (reconcile converges)', async () => {
    const { inner, deps } = contested((current) => ({ ...current, state: 'restoring' }));
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.stateAfter).toBe('restoring');
    expect((await inner.get(T1))?.state).toBe('restoring');
  });
});

describe('a failure reconcile keeps retrying', () => {
  it('a permanent failure is retried by reconcile but notified once, not on every run', async () => {
    const cloud = new MemoryCloud(
      [gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')],
      [gcpRoute('a', 'tunnel-1', '10.0.0.0/16'), gcpRoute('b', 'tunnel-2', '10.0.0.0/16')],
    );
    cloud.fault = () => 'permanent';
    const { deps, clock, notes, logger } = testDeps({ gcp: portsOf(cloud) });
    await handleSignal(deps, sig(gcp('tunnel-1'), 'degraded', 0));
    for (let i = 0; i < 5; i++) {
      clock.t += 60_000;
      await reconcile(deps);
    }
    expect(notes.filter((n) => n.severity === 'ERROR')).toHaveLength(1);
    expect(logger.entries.filter((e) => e.severity === 'ERROR').length).toBeGreaterThanOrEqual(6); // still logged every time
    expect(cloud.table.size).toBe(2); // nothing lost
    cloud.fault = undefined;
    clock.t += 60_000;
    await reconcile(deps);
    expect(into(cloud, gcp('tunnel-1'))).toEqual([]);
    expect((await deps.ledger.get(gcp('tunnel-1')))?.lastFailure).toBeUndefined();
  });
});
