/**
 * Crash at every step (DESIGN.md §6): for a drain and for a restore, kill the run right after the k-th mutating
 * call (cloud or ledger) for every k; at that instant every original path must be in the cloud or in the ledger;
 * after a restart (the platform re-delivers the event, then the scheduled reconcile runs) the final state must
 * equal an uninterrupted run's.
 */
import { handleSignal, reconcile } from '../../shared/engine';
import { MemoryLedger } from '../../shared/ledger/memory-ledger';
import type { CloudPorts, Ledger } from '../../shared/ports';
import type { Path, Signal } from '../../shared/types';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { gcp, gcpRoute, gcpTunnel } from '../fakes/topology';
import { CrashSwitch, ProcessDied } from '../support/crash-switch';

const T1 = gcp('tunnel-1');
/** Tunnel 1 carries six prefixes; tunnel 2 backs them all up with a /8. */
function world() {
  const tunnels = [gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')];
  const paths: Path[] = [
    ...['10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/24', '10.5.0.0/24'].map((c, i) => gcpRoute(`t1-r${i}`, 'tunnel-1', c)),
    gcpRoute('t2-all', 'tunnel-2', '10.0.0.0/8'),
  ];
  return { cloud: new MemoryCloud(tunnels, paths), ledger: new MemoryLedger(), paths };
}

type Phase = { name: string; events: Signal[] };
const drainPhase: Phase = { name: 'drain', events: [sig(T1, 'degraded', 10, 'drain-1')] };
const restorePhase: Phase = { name: 'restore', events: [sig(T1, 'healthy', 20, 'restore-1')] };

async function run(cloud: CloudPorts, ledger: Ledger, events: Signal[], clockMs: number) {
  const { deps, clock } = testDeps({ gcp: cloud }, { restoreHoldDownSeconds: 0, concurrency: 3 }, ledger);
  clock.t += clockMs;
  for (const e of events) await handleSignal(deps, e);
  return deps;
}

async function state(cloud: MemoryCloud, ledger: Ledger) {
  return {
    cloud: cloud.snapshot(),
    records: (await ledger.list()).map((r) => ({ id: r.tunnelId, state: r.state, withdrawn: r.withdrawn.map((p) => p.key).sort(), members: r.members })),
  };
}

async function assertNothingLost(cloud: MemoryCloud, ledger: Ledger, original: Path[]) {
  const inLedger = (await ledger.list()).flatMap((r) => r.withdrawn);
  for (const p of original) {
    const there = cloud.table.get(p.key) ?? inLedger.find((w) => w.key === p.key);
    expect(there).toEqual(p); // present somewhere, with its full definition
  }
}

describe.each([drainPhase, restorePhase])('crash at every step of a $name', (phase) => {
  const prefix = phase === restorePhase ? [drainPhase] : [];

  it('never loses a path and converges to the uninterrupted result', async () => {
    // Uninterrupted reference, and the number of mutating calls the phase makes.
    const ref = world();
    for (const p of prefix) await run(portsOf(ref.cloud), ref.ledger, p.events, 60_000);
    const counter = new CrashSwitch();
    await run(counter.ports(portsOf(ref.cloud)), counter.ledger(ref.ledger), phase.events, 60_000);
    const expected = await state(ref.cloud, ref.ledger);
    const steps = counter.count;
    expect(steps).toBeGreaterThanOrEqual(8); // 6 routes + the ledger writes around them

    for (let k = 1; k <= steps; k++) {
      const w = world();
      for (const p of prefix) await run(portsOf(w.cloud), w.ledger, p.events, 60_000);
      const sw = new CrashSwitch(k);
      await expect(run(sw.ports(portsOf(w.cloud)), sw.ledger(w.ledger), phase.events, 60_000)).rejects.toBeInstanceOf(ProcessDied);
      await assertNothingLost(w.cloud, w.ledger, w.paths);

      // Restart: the platform re-delivers the event, then the scheduled reconcile runs.
      const deps = await run(portsOf(w.cloud), w.ledger, phase.events, 60_000);
      await reconcile(deps);
      await assertNothingLost(w.cloud, w.ledger, w.paths);
      expect({ k, ...(await state(w.cloud, w.ledger)) }).toEqual({ k, ...expected });
    }
  });
});

describe('a drain that died between joining the fence and writing its record', () => {
  it('does not block other drains forever: reconcile drops the stale member after 15 minutes', async () => {
    const w = world();
    const sw = new CrashSwitch(1); // the fence write is the first mutating call
    await expect(run(sw.ports(portsOf(w.cloud)), sw.ledger(w.ledger), drainPhase.events, 60_000)).rejects.toBeInstanceOf(ProcessDied);
    expect((await w.ledger.get('fence:gcp'))?.members).toEqual([T1]);
    const { deps, clock } = testDeps({ gcp: portsOf(w.cloud) }, {}, w.ledger);
    clock.t += 60_000 + 5 * 60_000;
    await reconcile(deps);
    expect((await w.ledger.get('fence:gcp'))?.members).toEqual([T1]); // too young to tell from a live drain
    clock.t += 15 * 60_000;
    await reconcile(deps);
    expect((await w.ledger.get('fence:gcp'))?.members).toEqual([]);
  });
});
