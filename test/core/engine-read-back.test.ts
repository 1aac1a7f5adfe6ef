/**
 * The engine believes the cloud, not the adapter: after a change it lists the paths again, and a withdrawal that
 * left the path in place or a restore that did not bring it back is a failure, whatever the adapter answered
 * (an eventually consistent API, a call that was accepted and then dropped).
 */
import { handleSignal, reconcile, runCommand } from '../../shared/engine';
import type { CloudPorts } from '../../shared/ports';
import { fenceId } from '../../shared/types';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { gcp, incident } from '../fakes/topology';

const T1 = gcp('tunnel-1');
const R1 = 'projects/example-project/global/routes/to-aws-1';

/** The ports of `cloud`, but while `lying` is set a change is answered "applied" and not made. */
function lyingPorts(cloud: MemoryCloud) {
  const honest = portsOf(cloud);
  const state = { lying: true };
  const ports: CloudPorts = {
    tunnels: honest.tunnels,
    paths: {
      list: honest.paths.list,
      withdraw: async (p) => (state.lying ? 'applied' : honest.paths.withdraw(p)),
      restore: async (s) => (state.lying ? 'applied' : honest.paths.restore(s)),
    },
  };
  return { ports, state };
}

describe('read-back after a change', () => {
  it('a withdrawal answered "applied" whose path is still there fails: the tunnel stays draining, loudly', async () => {
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const { ports, state } = lyingPorts(cloud);
    const { deps, notes, ledger, clock } = testDeps({ gcp: ports });

    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.decision).toBe('drain');
    expect(r.results).toEqual([
      expect.objectContaining({ type: 'withdraw', pathKey: R1, outcome: 'failed', error: 'still present after withdrawal (read-back)' }),
    ]);
    expect(r.ok).toBe(false);
    expect(r.severity).toBe('ERROR');
    expect(r.stateAfter).toBe('draining');
    expect(r.summary).toMatch(/1 of 1 action\(s\) FAILED/);
    const rec = await ledger.get(T1);
    expect(rec?.state).toBe('draining');
    expect(rec?.lastFailure).toBe(`withdraw ${R1}: still present after withdrawal (read-back)`);
    expect(rec?.withdrawn.map((p) => p.key)).toEqual([R1]);
    expect(notes.map((n) => n.severity)).toEqual(['ERROR']);

    // Once the cloud really removes it, reconcile finishes the drain.
    state.lying = false;
    clock.t += 60_000;
    const [fin] = await reconcile(deps);
    expect(fin).toMatchObject({ decision: 'drain', ok: true, stateAfter: 'drained' });
    expect(cloud.snapshot().map((p) => p.key)).not.toContain(R1);
    expect((await ledger.get(T1))?.lastFailure).toBeUndefined();
  });

  it('a restore answered "applied" whose path is not back fails: the tunnel stays restoring, in the fence, with the definition kept', async () => {
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const { ports, state } = lyingPorts(cloud);
    const { deps, ledger } = testDeps({ gcp: ports });
    state.lying = false;
    await handleSignal(deps, sig(T1, 'degraded', 0));
    expect((await ledger.get(T1))?.state).toBe('drained');

    state.lying = true;
    const r = await runCommand(deps, { type: 'restore', tunnelId: T1, force: true });
    expect(r.decision).toBe('restore');
    expect(r.results).toEqual([
      expect.objectContaining({ type: 'restore', pathKey: R1, outcome: 'failed', error: 'not present after restore (read-back)' }),
    ]);
    expect(r.ok).toBe(false);
    expect(r.stateAfter).toBe('restoring');
    const rec = await ledger.get(T1);
    expect(rec?.state).toBe('restoring');
    expect(rec?.withdrawn.map((p) => p.key)).toEqual([R1]);
    expect((await ledger.get(fenceId('gcp')))?.members).toEqual([T1]);
    expect(cloud.snapshot().map((p) => p.key)).not.toContain(R1);

    state.lying = false;
    const [fin] = await reconcile(deps);
    expect(fin).toMatchObject({ decision: 'restore', ok: true, stateAfter: 'active' });
    expect(cloud.snapshot().map((p) => p.key)).toContain(R1);
    expect((await ledger.get(fenceId('gcp')))?.members).toEqual([]);
  });

  it("only the tunnel's own paths count: a withdrawn path that now feeds another tunnel is gone from this one", async () => {
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const honest = portsOf(cloud);
    // The cloud re-points the route to the other tunnel instead of deleting it (what a TGW fallback does).
    const ports: CloudPorts = {
      ...honest,
      paths: {
        ...honest.paths,
        withdraw: async (p) => {
          const cur = cloud.table.get(p.key)!;
          cloud.table.set(p.key, { ...cur, tunnelIds: [gcp('tunnel-2')] });
          return 'applied';
        },
      },
    };
    const { deps } = testDeps({ gcp: ports });
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r).toMatchObject({ decision: 'drain', ok: true, stateAfter: 'drained' });
    expect(r.results.map((x) => x.outcome)).toEqual(['applied']);
  });
});
