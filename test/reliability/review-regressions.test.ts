/**
 * Regression tests for the defects an independent safety review found (each one reproduced before it was fixed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIncident } from '../../gcp-functions/parse-incident';
import { handleSignal, reconcile, runCommand } from '../../shared/engine';
import { simulatorLinkPublisher } from '../../shared/simulator/link';
import type { Path, Signal } from '../../shared/types';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { NETWORK, aws, awsTunnel, gcp, gcpRoute, gcpTunnel, vgwRoute } from '../fakes/topology';

const fx = (f: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'gcp', f), 'utf8'));
const toSignal = (body: unknown): Signal => {
  const p = parseIncident(body, { policyTunnels: {} });
  if (p.kind !== 'signal') throw new Error(JSON.stringify(p));
  return p.signal;
};
const T1 = gcp('tunnel-aws-1');
const T2 = gcp('tunnel-aws-2');
function gcpTwo() {
  const tunnels = [gcpTunnel('tunnel-aws-1'), gcpTunnel('tunnel-aws-2')];
  const paths = [gcpRoute('r1', 'tunnel-aws-1', '10.0.0.0/16'), gcpRoute('r1b', 'tunnel-aws-1', '10.1.0.0/16'), gcpRoute('r2', 'tunnel-aws-2', '10.0.0.0/16'), gcpRoute('r2b', 'tunnel-aws-2', '10.1.0.0/16')];
  return { tunnels, paths, cloud: new MemoryCloud(tunnels, paths) };
}
const into = (c: MemoryCloud, t: string) => c.snapshot().filter((p) => p.tunnelIds.includes(t)).map((p) => p.key);

describe('fixed after review', () => {
  it('one alert policy recovering does not restore a tunnel another policy still reports degraded', async () => {
    const { cloud } = gcpTwo();
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 300 });
    const dropOpen = fx('incident-open-dropped-packets.json');
    clock.t = dropOpen.incident.started_at * 1000;
    expect((await handleSignal(deps, toSignal(dropOpen))).decision).toBe('drain');
    const estOpen = fx('incident-open-tunnel-established.json');
    estOpen.incident.started_at = dropOpen.incident.started_at + 60;
    clock.t += 60_000;
    await handleSignal(deps, toSignal(estOpen));
    const estClosed = structuredClone(estOpen);
    estClosed.incident.state = 'closed';
    estClosed.incident.ended_at = estOpen.incident.started_at + 120;
    estClosed.incident.observed_value = '1.000';
    clock.t += 120_000;
    const s3 = toSignal(estClosed);
    expect(s3.health).toBe('healthy');
    await handleSignal(deps, s3);
    clock.t += 301_000;
    await reconcile(deps);
    expect(into(cloud, T1)).toEqual([]); // the dropped-packets incident is still open
    expect((await deps.ledger.get(T1))?.health).toBe('degraded');
  });

  it('a degraded signal during an unfinished restore is recorded and takes back what was restored', async () => {
    const { cloud } = gcpTwo();
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 60, retryAttempts: 2 });
    clock.t += 10_000;
    await handleSignal(deps, sig(T1, 'degraded', 0));
    await handleSignal(deps, sig(T1, 'healthy', 5));
    expect((await deps.ledger.get(T1))?.state).toBe('drained'); // held down
    // The restore after the hold-down half-fails: one of the two routes keeps being throttled.
    const base = cloud.mutations;
    cloud.fault = (n) => (n === base + 1 || n === base + 3 ? 'transient' : undefined);
    clock.t += 120_000;
    const [rr] = await reconcile(deps);
    cloud.fault = undefined;
    expect(rr!.stateAfter).toBe('restoring');
    expect(into(cloud, T1)).toHaveLength(1);
    clock.t += 30_000;
    await handleSignal(deps, sig(T1, 'degraded', 150));
    const rec = await deps.ledger.get(T1);
    expect(rec?.health).toBe('degraded');
    expect(rec?.state).toBe('drained');
    expect(into(cloud, T1)).toEqual([]);
    expect(rec?.withdrawn.map((p) => p.key).sort()).toEqual(['projects/example-project/global/routes/r1', 'projects/example-project/global/routes/r1b']);
  });

  it('a refused drift re-withdrawal keeps the tunnel drained and restores everything after recovery', async () => {
    const { cloud, paths } = gcpTwo();
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 300 });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    const r1 = paths.find((p) => p.key.endsWith('/r1'))!;
    cloud.table.set(r1.key, structuredClone(r1)); // someone re-adds r1 by hand
    await handleSignal(deps, sig(T2, 'degraded', 5)); // refused: last path
    clock.t += 10_000;
    await reconcile(deps); // drift re-withdrawal of r1 is refused (T2 degraded)
    expect((await deps.ledger.get(T1))?.state).toBe('drained');
    await handleSignal(deps, sig(T2, 'healthy', 20));
    await handleSignal(deps, sig(T1, 'healthy', 20));
    for (let i = 0; i < 3; i++) {
      clock.t += 600_000;
      await reconcile(deps);
    }
    expect(cloud.snapshot()).toHaveLength(4);
  });

  it('blast radius counts both tunnels of an earlier AWS connection drain', async () => {
    const t = [1, 2, 3].flatMap((i) => [awsTunnel(`vpn-${i}`, `${i}.${i}.${i}.1`), awsTunnel(`vpn-${i}`, `${i}.${i}.${i}.2`)]);
    const p = [1, 2, 3].map((i) => vgwRoute(`vpn-${i}`, [aws(`vpn-${i}`, `${i}.${i}.${i}.1`), aws(`vpn-${i}`, `${i}.${i}.${i}.2`)], '10.240.0.0/16'));
    const { deps } = testDeps({ aws: portsOf(new MemoryCloud(t, p)) }, { maxDrainedTunnels: 3, maxDrainedFraction: 1 });
    expect((await handleSignal(deps, sig(aws('vpn-1', '1.1.1.1'), 'degraded', 0))).decision).toBe('drain');
    const r2 = await handleSignal(deps, sig(aws('vpn-2', '2.2.2.1'), 'degraded', 10));
    expect(r2.decision).toBe('refuse');
    expect(r2.refusals.map((r) => r.guard)).toContain('blast-radius');
  });

  it('scope covers every tunnel a withdrawal touches (an AWS connection feeds both)', async () => {
    const t = [awsTunnel('vpn-1', '1.1.1.1'), awsTunnel('vpn-1', '1.1.1.2'), awsTunnel('vpn-2', '2.2.2.1'), awsTunnel('vpn-2', '2.2.2.2')];
    const p = [vgwRoute('vpn-1', [aws('vpn-1', '1.1.1.1'), aws('vpn-1', '1.1.1.2')], '10.240.0.0/16'), vgwRoute('vpn-2', [aws('vpn-2', '2.2.2.1'), aws('vpn-2', '2.2.2.2')], '10.240.0.0/16')];
    const cloud = new MemoryCloud(t, p);
    const { deps } = testDeps({ aws: portsOf(cloud) }, { exclude: [aws('vpn-1', '1.1.1.2')] });
    const r = await handleSignal(deps, sig(aws('vpn-1', '1.1.1.1'), 'degraded', 0));
    expect(r.decision).toBe('refuse');
    expect(r.refusals[0]!.guard).toBe('scope');
    expect(cloud.calls).toEqual([]);
  });

  it('a GCP "down" reaches the AWS end as "down": a down AWS tunnel with a healthy sibling is not drained', async () => {
    const g = new MemoryCloud([gcpTunnel('tunnel-aws-1'), gcpTunnel('tunnel-aws-2')], [gcpRoute('r1', 'tunnel-aws-1', '10.0.0.0/16'), gcpRoute('r2', 'tunnel-aws-2', '10.0.0.0/16')]);
    const at = [awsTunnel('vpn-1', '1.1.1.1', 'down'), awsTunnel('vpn-1', '1.1.1.2'), awsTunnel('vpn-2', '2.2.2.1'), awsTunnel('vpn-2', '2.2.2.2')];
    const a = new MemoryCloud(at, [vgwRoute('vpn-1', [aws('vpn-1', '1.1.1.1'), aws('vpn-1', '1.1.1.2')], '10.240.0.0/16'), vgwRoute('vpn-2', [aws('vpn-2', '2.2.2.1'), aws('vpn-2', '2.2.2.2')], '10.240.0.0/16')]);
    const { deps } = testDeps({ gcp: portsOf(g), aws: portsOf(a) }, { maxDrainedTunnels: 4, maxDrainedFraction: 1 });
    deps.links = [{ gcp: T1, aws: aws('vpn-1', '1.1.1.1') }];
    const link = simulatorLinkPublisher(() => deps);
    deps.link = link;
    expect((await handleSignal(deps, sig(T1, 'down', 0))).decision).toBe('drain');
    expect(link.wire.map((w) => JSON.parse(JSON.parse(w).message).health)).toEqual(['down']);
    expect(a.snapshot().map((x) => x.key)).toContain('vpn-1:10.240.0.0/16');
  });

  it('an operator restore without --force is refused while the tunnel is degraded, and tells the other end nothing', async () => {
    const { cloud } = gcpTwo();
    const { deps } = testDeps({ gcp: portsOf(cloud) });
    const wire: unknown[] = [];
    deps.links = [{ gcp: T1, aws: aws('vpn-1', '1.1.1.1') }];
    deps.link = { publish: async (m) => void wire.push(m) };
    await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(wire).toHaveLength(1);
    const r = await runCommand(deps, { type: 'restore', tunnelId: T1 });
    expect(r.decision).toBe('refuse');
    expect(into(cloud, T1)).toEqual([]);
    const forced = await runCommand(deps, { type: 'restore', tunnelId: T1, force: true });
    expect(forced.decision).toBe('restore');
    expect(into(cloud, T1)).toHaveLength(2);
    expect(wire).toHaveLength(1); // an operator's restore on one end says nothing about the other end
  });

  it('routes of another VPC network, or scoped to tagged instances, are not a fallback', async () => {
    const other = 'https://www.googleapis.com/compute/v1/projects/example-project/global/networks/other';
    const rA = gcpRoute('to-aws-a', 'tunnel-a', '10.0.0.0/16');
    const rB: Path = { ...gcpRoute('to-aws-b', 'tunnel-b', '10.0.0.0/16'), domain: other };
    const net = new MemoryCloud([gcpTunnel('tunnel-a'), gcpTunnel('tunnel-b')], [rA, rB]);
    const a = testDeps({ gcp: portsOf(net) });
    expect((await handleSignal(a.deps, sig(gcp('tunnel-a'), 'degraded', 0))).decision).toBe('refuse');

    const r1 = gcpRoute('to-aws-1', 'tunnel-1', '10.0.0.0/16');
    const r2: Path = { ...gcpRoute('to-aws-2', 'tunnel-2', '10.0.0.0/16'), appliesTo: ['only-these-vms'] };
    const tagged = new MemoryCloud([gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')], [r1, r2]);
    const b = testDeps({ gcp: portsOf(tagged) });
    expect((await handleSignal(b.deps, sig(gcp('tunnel-1'), 'degraded', 0))).decision).toBe('refuse');
    // ...while an untagged route of the same network does cover a tagged one.
    const c = testDeps({ gcp: portsOf(new MemoryCloud([gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')], [r1, r2])) });
    expect((await handleSignal(c.deps, sig(gcp('tunnel-2'), 'degraded', 0))).decision).toBe('drain');
    expect(NETWORK).toMatch(/networks\/default$/);
  });

  it('a refused drain on "down" is retried by reconcile once the fallback recovers', async () => {
    const cloud = new MemoryCloud([gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')], [gcpRoute('a', 'tunnel-1', '10.0.0.0/16'), gcpRoute('b', 'tunnel-2', '10.0.0.0/16')]);
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { maxDrainedFraction: 1, restoreHoldDownSeconds: 0 });
    clock.t += 60_000;
    await handleSignal(deps, sig(gcp('tunnel-2'), 'degraded', 0));
    expect((await handleSignal(deps, sig(gcp('tunnel-1'), 'down', 10))).decision).toBe('refuse');
    await handleSignal(deps, sig(gcp('tunnel-2'), 'healthy', 20)); // tunnel-2 restored at once
    clock.t += 600_000;
    await reconcile(deps);
    expect(cloud.snapshot().map((p) => p.key.split('/').pop())).toEqual(['b']);
  });

  it('finishing an interrupted drain re-checks the guards: it never withdraws the last path', async () => {
    const cloud = new MemoryCloud([gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')], [gcpRoute('a', 'tunnel-1', '10.0.0.0/16'), gcpRoute('b', 'tunnel-2', '10.0.0.0/16')]);
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { retryAttempts: 1 });
    cloud.fault = (n) => (n === 1 ? 'transient' : undefined);
    const r = await handleSignal(deps, sig(gcp('tunnel-1'), 'degraded', 0));
    expect(r.stateAfter).toBe('draining');
    cloud.setStatus(gcp('tunnel-2'), 'down');
    await handleSignal(deps, sig(gcp('tunnel-1'), 'healthy', 30));
    clock.t += 60_000;
    await reconcile(deps);
    expect(cloud.snapshot().map((p) => p.key.split('/').pop())).toContain('a');
  });

  it('a permanent failure is retried by reconcile but notified once, not on every run', async () => {
    const cloud = new MemoryCloud([gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')], [gcpRoute('a', 'tunnel-1', '10.0.0.0/16'), gcpRoute('b', 'tunnel-2', '10.0.0.0/16')]);
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
