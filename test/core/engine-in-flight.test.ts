/**
 * One remediation per tunnel at a time: a copy of a signal (the other channel, a platform redelivery) arriving while
 * its drain is still running must not run the same withdrawals beside it. Work that died is reconcile's to finish.
 */
import { handleSignal, reconcile } from '../../shared/engine';
import { LONGEST_RUN_MS } from '../../shared/policy';
import { MemoryLedger } from '../../simulator/memory-ledger';
import type { CloudPorts } from '../../shared/ports';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { gcp, gcpRoute, gcpTunnel } from '../fakes/topology';

const T1 = gcp('t1');

/** A cloud whose withdrawals wait until the test lets them go. */
function slowCloud() {
  const cloud = new MemoryCloud(
    [gcpTunnel('t1'), gcpTunnel('t2')],
    [gcpRoute('a', 't1', '10.0.0.0/16'), gcpRoute('b', 't2', '10.0.0.0/16')],
  );
  const base = portsOf(cloud);
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  let started!: () => void;
  const inFlight = new Promise<void>((r) => {
    started = r;
  });
  const withdrawCalls: string[] = [];
  const ports: CloudPorts = {
    ...base,
    paths: {
      ...base.paths,
      withdraw: async (p) => {
        withdrawCalls.push(p.key);
        started();
        await gate;
        return base.paths.withdraw(p);
      },
    },
  };
  return { cloud, ports, release, inFlight, withdrawCalls };
}

describe('a signal arriving while its drain is running', () => {
  it.each([
    ['a copy (same key)', false],
    ['fresh news (another key)', true],
  ])('%s makes no second withdraw call; the drain finishes once', async (_what, fresh) => {
    const w = slowCloud();
    const ledger = new MemoryLedger();
    const first = testDeps({ gcp: w.ports }, {}, ledger);
    const second = testDeps({ gcp: w.ports }, {}, ledger);
    const s = sig(T1, 'degraded', 10, 'incident-1');
    const draining = handleSignal(first.deps, s);
    await w.inFlight;
    expect((await ledger.get(T1))?.state).toBe('draining');

    const copy = await handleSignal(second.deps, fresh ? sig(T1, 'down', 20, 'incident-1-again') : s);
    expect(w.withdrawCalls).toHaveLength(1);
    expect(copy.plan).toEqual([]);
    expect(copy.decision).toBe(fresh ? 'record' : 'ignore');

    w.release();
    const done = await draining;
    expect(done.decision).toBe('drain');
    expect(w.withdrawCalls).toHaveLength(1);
    const after = (await ledger.get(T1))!;
    expect(after.state).toBe('drained');
    // Fresh news during the drain is kept; the drain's own settle did not overwrite it.
    if (fresh) expect(after.recentKeys.map((k) => k.key)).toEqual(['incident-1', 'incident-1-again']);
  });

  it('a drain that died is finished by reconcile at once, and by a signal only once it is older than any run', async () => {
    const cloud = new MemoryCloud(
      [gcpTunnel('t1'), gcpTunnel('t2')],
      [gcpRoute('a', 't1', '10.0.0.0/16'), gcpRoute('b', 't2', '10.0.0.0/16')],
    );
    const ledger = new MemoryLedger();
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, {}, ledger);
    cloud.crashAt = 1;
    await expect(handleSignal(deps, sig(T1, 'degraded', 10, 'k1'))).resolves.toMatchObject({ ok: false }); // the withdrawal failed
    cloud.crashAt = undefined;
    expect((await ledger.get(T1))?.state).toBe('draining');

    // A copy soon after: left alone (the drain may still be running elsewhere).
    expect((await handleSignal(deps, sig(T1, 'degraded', 10, 'k1'))).plan).toEqual([]);
    expect(cloud.calls).toEqual([]);
    // Past the longest run: a copy finishes it.
    clock.t += LONGEST_RUN_MS + 1000;
    await handleSignal(deps, sig(T1, 'degraded', 10, 'k1'));
    expect((await ledger.get(T1))?.state).toBe('drained');
    expect(cloud.calls.map((c) => c.type)).toEqual(['withdraw']);
  });

  it('reconcile finishes a young interrupted drain (it is the one that takes work over)', async () => {
    const cloud = new MemoryCloud(
      [gcpTunnel('t1'), gcpTunnel('t2')],
      [gcpRoute('a', 't1', '10.0.0.0/16'), gcpRoute('b', 't2', '10.0.0.0/16')],
    );
    const ledger = new MemoryLedger();
    const { deps } = testDeps({ gcp: portsOf(cloud) }, {}, ledger);
    cloud.crashAt = 1;
    await handleSignal(deps, sig(T1, 'degraded', 10, 'k1'));
    cloud.crashAt = undefined;
    await reconcile(deps);
    expect((await ledger.get(T1))?.state).toBe('drained');
  });
});
