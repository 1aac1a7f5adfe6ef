/**
 * Regression tests for the defects an independent safety review found (each one reproduced before it was fixed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIncident } from '../../gcp-functions/parse-incident';
import { handleSignal, reconcile, runCommand } from '../../shared/engine';
import { simulatorLinkPublisher } from '../../simulator/link';
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
  const paths = [
    gcpRoute('r1', 'tunnel-aws-1', '10.0.0.0/16'),
    gcpRoute('r1b', 'tunnel-aws-1', '10.1.0.0/16'),
    gcpRoute('r2', 'tunnel-aws-2', '10.0.0.0/16'),
    gcpRoute('r2b', 'tunnel-aws-2', '10.1.0.0/16'),
  ];
  return { tunnels, paths, cloud: new MemoryCloud(tunnels, paths) };
}
const into = (c: MemoryCloud, t: string) =>
  c
    .snapshot()
    .filter((p) => p.tunnelIds.includes(t))
    .map((p) => p.key);

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
    expect(rec?.withdrawn.map((p) => p.key).sort()).toEqual([
      'projects/example-project/global/routes/r1',
      'projects/example-project/global/routes/r1b',
    ]);
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
    const p = [1, 2, 3].map((i) =>
      vgwRoute(`vpn-${i}`, [aws(`vpn-${i}`, `${i}.${i}.${i}.1`), aws(`vpn-${i}`, `${i}.${i}.${i}.2`)], '10.240.0.0/16'),
    );
    const { deps } = testDeps({ aws: portsOf(new MemoryCloud(t, p)) }, { maxDrainedTunnels: 3, maxDrainedFraction: 1 });
    expect((await handleSignal(deps, sig(aws('vpn-1', '1.1.1.1'), 'degraded', 0))).decision).toBe('drain');
    const r2 = await handleSignal(deps, sig(aws('vpn-2', '2.2.2.1'), 'degraded', 10));
    expect(r2.decision).toBe('refuse');
    expect(r2.refusals.map((r) => r.guard)).toContain('blast-radius');
  });

  it('scope covers every tunnel a withdrawal touches (an AWS connection feeds both)', async () => {
    const t = [awsTunnel('vpn-1', '1.1.1.1'), awsTunnel('vpn-1', '1.1.1.2'), awsTunnel('vpn-2', '2.2.2.1'), awsTunnel('vpn-2', '2.2.2.2')];
    const p = [
      vgwRoute('vpn-1', [aws('vpn-1', '1.1.1.1'), aws('vpn-1', '1.1.1.2')], '10.240.0.0/16'),
      vgwRoute('vpn-2', [aws('vpn-2', '2.2.2.1'), aws('vpn-2', '2.2.2.2')], '10.240.0.0/16'),
    ];
    const cloud = new MemoryCloud(t, p);
    const { deps } = testDeps({ aws: portsOf(cloud) }, { exclude: [aws('vpn-1', '1.1.1.2')] });
    const r = await handleSignal(deps, sig(aws('vpn-1', '1.1.1.1'), 'degraded', 0));
    expect(r.decision).toBe('refuse');
    expect(r.refusals[0]!.guard).toBe('scope');
    expect(cloud.calls).toEqual([]);
  });

  it('a GCP "down" reaches the AWS end as "down": a down AWS tunnel with a healthy sibling is not drained', async () => {
    const g = new MemoryCloud(
      [gcpTunnel('tunnel-aws-1'), gcpTunnel('tunnel-aws-2')],
      [gcpRoute('r1', 'tunnel-aws-1', '10.0.0.0/16'), gcpRoute('r2', 'tunnel-aws-2', '10.0.0.0/16')],
    );
    const at = [
      awsTunnel('vpn-1', '1.1.1.1', 'down'),
      awsTunnel('vpn-1', '1.1.1.2'),
      awsTunnel('vpn-2', '2.2.2.1'),
      awsTunnel('vpn-2', '2.2.2.2'),
    ];
    const a = new MemoryCloud(at, [
      vgwRoute('vpn-1', [aws('vpn-1', '1.1.1.1'), aws('vpn-1', '1.1.1.2')], '10.240.0.0/16'),
      vgwRoute('vpn-2', [aws('vpn-2', '2.2.2.1'), aws('vpn-2', '2.2.2.2')], '10.240.0.0/16'),
    ]);
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
    const cloud = new MemoryCloud(
      [gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')],
      [gcpRoute('a', 'tunnel-1', '10.0.0.0/16'), gcpRoute('b', 'tunnel-2', '10.0.0.0/16')],
    );
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
    const cloud = new MemoryCloud(
      [gcpTunnel('tunnel-1'), gcpTunnel('tunnel-2')],
      [gcpRoute('a', 'tunnel-1', '10.0.0.0/16'), gcpRoute('b', 'tunnel-2', '10.0.0.0/16')],
    );
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

describe('fixed after the second review', () => {
  const mon = (tunnelId: string, health: Signal['health'], at: number, monitor: string): Signal => ({
    ...sig(tunnelId, health, at),
    monitor,
  });

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

  it('two ends that told each other "degraded" are released when their own monitors recover (no deadlock)', async () => {
    const g = new MemoryCloud(
      [gcpTunnel('tunnel-aws-1'), gcpTunnel('tunnel-aws-2')],
      [gcpRoute('r1', 'tunnel-aws-1', '10.0.0.0/16'), gcpRoute('r2', 'tunnel-aws-2', '10.0.0.0/16')],
    );
    const A1 = aws('vpn-1', '1.1.1.1');
    const a = new MemoryCloud(
      [
        awsTunnel('vpn-1', '1.1.1.1'),
        awsTunnel('vpn-1', '1.1.1.2', 'down'),
        awsTunnel('vpn-2', '2.2.2.1'),
        awsTunnel('vpn-2', '2.2.2.2', 'down'),
      ],
      [
        vgwRoute('vpn-1', [A1, aws('vpn-1', '1.1.1.2')], '10.240.0.0/16'),
        vgwRoute('vpn-2', [aws('vpn-2', '2.2.2.1'), aws('vpn-2', '2.2.2.2')], '10.240.0.0/16'),
      ],
    );
    const { deps, clock } = testDeps(
      { gcp: portsOf(g), aws: portsOf(a) },
      { restoreHoldDownSeconds: 60, maxDrainedFraction: 1, maxDrainedTunnels: 4 },
    );
    deps.links = [{ gcp: T1, aws: A1 }];
    deps.link = simulatorLinkPublisher(() => deps);
    clock.t += 10_000;
    await handleSignal(deps, mon(T1, 'degraded', 1, 'gcp-policy:drops'));
    await handleSignal(deps, mon(A1, 'degraded', 2, 'aws-alarm:loss'));
    // Each end now also holds the other's "degraded": the state that deadlocked before.
    expect((await deps.ledger.get(A1))?.monitors?.['link:gcp']?.health).toBe('degraded');
    await handleSignal(deps, mon(A1, 'healthy', 5, 'aws-alarm:loss'));
    await handleSignal(deps, mon(T1, 'healthy', 6, 'gcp-policy:drops'));
    clock.t += 120_000;
    await reconcile(deps);
    expect(into(g, T1)).toHaveLength(1);
    expect(into(a, A1)).toHaveLength(1);
  });

  it('an operator drain on a drained or restoring tunnel is remembered: no automatic restore', async () => {
    const { cloud } = gcpTwo();
    const { deps, clock } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 0 });
    clock.t += 10_000;
    await handleSignal(deps, sig(T1, 'degraded', 0));
    const d = await runCommand(deps, { type: 'drain', tunnelId: T1, reason: 'vendor maintenance' });
    expect(d.decision).toBe('record');
    await handleSignal(deps, sig(T1, 'healthy', 5));
    clock.t += 600_000;
    await reconcile(deps);
    expect(into(cloud, T1)).toEqual([]);
    expect((await deps.ledger.get(T1))?.suppressed).toBe(true);
  });

  describe('a TGW route re-pointed to a fallback attachment keeps its destinations covered only if the fallback is sound', () => {
    const A11 = aws('vpn-1', '1.1.1.1');
    const A21 = aws('vpn-2', '2.2.2.1');
    const KEY = 'tgw-rtb-1:10.240.0.0/16->att-1';
    /** One TGW route into vpn-1, with vpn-2 as its fallback attachment: the route is the only path to 10.240.0.0/16. */
    const world = (fallbackStatus: 'up' | 'down' = 'up') => {
      const tunnels = [
        awsTunnel('vpn-1', '1.1.1.1'),
        awsTunnel('vpn-1', '1.1.1.2'),
        awsTunnel('vpn-2', '2.2.2.1', fallbackStatus),
        awsTunnel('vpn-2', '2.2.2.2', fallbackStatus),
      ];
      const route: Path = {
        key: KEY,
        kind: 'aws-tgw-route',
        cloud: 'aws',
        destinations: ['10.240.0.0/16'],
        tunnelIds: [A11, aws('vpn-1', '1.1.1.2')],
        fallbackTunnelIds: [A21, aws('vpn-2', '2.2.2.2')],
        definition: {},
        domain: 'tgw-rtb:1',
      };
      const cloud = new MemoryCloud(tunnels, [route]);
      return { cloud, ...testDeps({ aws: portsOf(cloud) }, { maxDrainedFraction: 1, maxDrainedTunnels: 4 }) };
    };

    it('a healthy fallback attachment is a fallback: the only route is withdrawn (re-pointed)', async () => {
      const { deps, cloud } = world();
      const r = await handleSignal(deps, mon(A11, 'degraded', 1, 'loss-1'));
      expect(r).toMatchObject({ decision: 'drain', ok: true, stateAfter: 'drained', refusals: [] });
      expect(r.withdrawn.map((p) => p.key)).toEqual([KEY]);
      expect(cloud.calls).toEqual([{ type: 'withdraw', key: KEY }]);
    });

    it('a TGW fallback attachment with a degraded tunnel is not a fallback', async () => {
      const { deps, cloud } = world();
      await handleSignal(deps, mon(A21, 'degraded', 0, 'loss-2')); // no paths of its own to withdraw: recorded
      const r = await handleSignal(deps, mon(A11, 'degraded', 1, 'loss-1'));
      expect(r.decision).toBe('refuse');
      expect(r.refusals).toEqual([
        expect.objectContaining({
          guard: 'black-hole',
          urgent: true,
          reason: expect.stringContaining('10.240.0.0/16 in tgw-rtb:1 (0 healthy paths left)'),
        }),
      ]);
      expect(cloud.calls).toEqual([]);
      expect((await deps.ledger.get(A11))?.state).toBe('active');
    });

    it('a TGW fallback attachment whose tunnels are all down is not a fallback', async () => {
      const { deps, cloud } = world('down');
      const r = await handleSignal(deps, mon(A11, 'degraded', 1, 'loss-1'));
      expect(r.decision).toBe('refuse');
      expect(r.refusals.map((x) => x.guard)).toEqual(['black-hole']);
      expect(cloud.calls).toEqual([]);
    });
  });

  it('a path re-created with a different definition is neither withdrawn nor overwritten: a human decides', async () => {
    const { cloud, paths } = gcpTwo();
    const { deps, notes } = testDeps({ gcp: portsOf(cloud) });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    const r1 = paths.find((p) => p.key.endsWith('/r1'))!;
    const changed: Path = {
      ...structuredClone(r1),
      destinations: ['10.50.0.0/16'],
      definition: { ...r1.definition, destRange: '10.50.0.0/16', priority: 500 },
    };
    cloud.table.set(r1.key, changed);
    const [r] = await reconcile(deps);
    expect(r!.decision).toBe('refuse');
    expect(r!.severity).toBe('CRITICAL');
    expect(cloud.table.get(r1.key)).toEqual(changed);
    expect((await deps.ledger.get(T1))?.withdrawn.find((p) => p.key === r1.key)?.definition).toEqual(r1.definition);
    expect(notes.at(-1)?.decision).toBe('refuse');
  });

  it('after restore --force the tunnel counts as a fallback again', async () => {
    const { cloud } = gcpTwo();
    const { deps } = testDeps({ gcp: portsOf(cloud) });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    await runCommand(deps, { type: 'restore', tunnelId: T1, force: true });
    const r = await handleSignal(deps, sig(T2, 'degraded', 10));
    expect(r.decision).toBe('drain');
  });

  it('a tunnel held drained only by monitors that cannot tell is reported once, urgently', async () => {
    const { cloud } = gcpTwo();
    const { deps, clock, notes } = testDeps({ gcp: portsOf(cloud) }, { restoreHoldDownSeconds: 60 });
    clock.t += 10_000;
    await handleSignal(deps, mon(T1, 'degraded', 0, 'drops'));
    await handleSignal(deps, mon(T1, 'unknown', 5, 'drops')); // the incident was cancelled
    const before = notes.length;
    for (let i = 0; i < 4; i++) {
      clock.t += 600_000;
      await reconcile(deps);
    }
    const held = notes.slice(before).filter((n) => n.severity === 'CRITICAL' && n.summary.includes('cannot tell'));
    expect(held).toHaveLength(1);
    expect(into(cloud, T1)).toEqual([]);
  });

  it('"healthy" from one monitor while another still says degraded retries the refused drain at once', async () => {
    const { cloud } = gcpTwo();
    const { deps } = testDeps({ gcp: portsOf(cloud) }, { maxDrainedFraction: 1 });
    await handleSignal(deps, mon(T2, 'degraded', 0, 'x'));
    expect((await handleSignal(deps, mon(T1, 'degraded', 1, 'drops'))).decision).toBe('refuse');
    await handleSignal(deps, mon(T2, 'healthy', 2, 'x')); // T2 is drained; its restore waits for the hold-down
    const r = await handleSignal(deps, mon(T1, 'healthy', 3, 'established'));
    expect(r.decision).toBe('refuse'); // the retry happened at once (before: 'record'); still refused, T2 is not back yet
  });
});

describe('edges: configuration maps are looked up by own keys only', () => {
  it('an alarm named "constructor" or a policy named "toString" is ignored with a reason, never crashes', async () => {
    const { parseAlarmEvent } = await import('../../functions/parse-alarm');
    const ev = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'aws', 'lambda-action-composite.json'), 'utf8'));
    ev.alarmData.alarmName = 'constructor';
    const items = parseAlarmEvent(ev, { alarmTunnels: {}, defaultRegion: 'ap-northeast-1' });
    expect(items.every((i) => !i.ok)).toBe(true);
    const inc = fx('incident-v1.1-open.json');
    inc.incident.policy_name = 'toString';
    const r = parseIncident(inc, { policyTunnels: {} });
    expect(r.kind).toBe('ignored');
  });
});
