/**
 * Recovery on evidence about the tunnel itself. A drained tunnel carries no production traffic, so monitors that
 * measure traffic fall quiet for the wrong reason; a probe keeps measuring it. And a drained path whose fallback
 * has since gone down is the last path: it goes back, lossy or not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIncident } from '../../gcp-functions/parse-incident';
import { handleSignal, reconcile } from '../../shared/engine';
import type { Signal } from '../../shared/types';
import { testDeps } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { aws, incident, gcp } from '../fakes/topology';
import { gcpTwo, into, mon } from '../fakes/scenario';

const A1 = aws('vpn-1', '203.0.113.10');
const at = (s: number) => new Date(Date.parse('2026-11-25T00:00:00Z') + s * 1000).toISOString();
let n = 0;
const signal = (health: Signal['health'], s: number, monitor: string, basis?: Signal['basis']): Signal => ({
  tunnelId: A1,
  health,
  observedAt: at(s),
  source: 'test',
  key: `k${++n}`,
  evidence: `${monitor} ${health}`,
  monitor,
  ...(basis ? { basis } : {}),
});

function world() {
  const t = incident();
  const cloud = new MemoryCloud(t.awsTunnels, t.awsPaths);
  const env = testDeps({ aws: portsOf(cloud) }, { restoreHoldDownSeconds: 300 });
  const tick = async (s: number) => {
    env.clock.t = Date.parse(at(s));
    return reconcile(env.deps);
  };
  const send = async (sig: Signal) => {
    env.clock.t = Date.parse(sig.observedAt);
    return handleSignal(env.deps, sig);
  };
  const routes = () => cloud.snapshot().map((p) => p.key);
  return { cloud, env, tick, send, routes };
}

describe('recovery on evidence', () => {
  it('a probe that is healthy again restores the tunnel, though the traffic metric that drained it is still open', async () => {
    const w = world();
    expect((await w.send(signal('degraded', 0, 'loss-ratio', 'traffic'))).decision).toBe('drain');
    await w.send(signal('degraded', 10, 'probe', 'probe'));
    await w.send(signal('healthy', 60, 'probe', 'probe'));
    // The hold-down still applies, counted from the probe's recovery.
    expect((await w.tick(300)).find((r) => r.tunnelId === A1)?.decision).not.toBe('restore');
    const after = await w.tick(361);
    expect(after.find((r) => r.tunnelId === A1)).toMatchObject({ decision: 'restore', ok: true });
    expect(w.routes()).toEqual(['vpn-1:10.240.0.0/16', 'vpn-2:10.240.0.0/16']);
    // The traffic monitor spoke for a tunnel without traffic: it starts afresh, so the restore does not undo itself.
    const record = await w.env.ledger.get(A1);
    expect(record?.monitors?.['loss-ratio']).toBeUndefined();
    expect((await w.tick(700)).find((r) => r.tunnelId === A1)?.decision).not.toBe('drain');
  });

  it('a probe still reporting loss keeps it drained, whatever the traffic metrics say', async () => {
    const w = world();
    await w.send(signal('degraded', 0, 'probe', 'probe'));
    await w.send(signal('healthy', 30, 'loss-ratio', 'traffic'));
    expect((await w.tick(1000)).find((r) => r.tunnelId === A1)?.decision).not.toBe('restore');
    expect(w.routes()).toEqual(['vpn-2:10.240.0.0/16']);
  });

  it('held only by traffic metrics and no probe: stays drained, and says so once, as CRITICAL', async () => {
    const w = world();
    await w.send(signal('degraded', 0, 'loss-ratio', 'traffic'));
    const early = await w.tick(200);
    expect(early.find((r) => r.tunnelId === A1)?.severity).not.toBe('CRITICAL');
    const first = (await w.tick(400)).find((r) => r.tunnelId === A1);
    expect(first).toMatchObject({ decision: 'refuse', severity: 'CRITICAL' });
    expect(first?.summary).toMatch(/only traffic metrics watch it \(loss-ratio\).*restore it by hand, or deploy a probe/);
    const notified = w.env.notes.filter((r) => r.tunnelId === A1 && r.severity === 'CRITICAL');
    await w.tick(700);
    await w.tick(1000);
    expect(w.env.notes.filter((r) => r.tunnelId === A1 && r.severity === 'CRITICAL')).toHaveLength(notified.length);
    expect(notified).toHaveLength(1);
    expect(w.routes()).toEqual(['vpn-2:10.240.0.0/16']);
  });

  it('a monitor of unknown basis is not second-guessed: its recovery restores after the hold-down, as before', async () => {
    const w = world();
    await w.send(signal('degraded', 0, 'alarm'));
    await w.send(signal('healthy', 60, 'alarm'));
    expect((await w.tick(400)).find((r) => r.tunnelId === A1)).toMatchObject({ decision: 'restore' });
  });
});

describe('a probe vouches for its connection, not for one tunnel of it', () => {
  it("with the sibling tunnel up, a probe's recovery is not this tunnel's: noted as unknown, no restore", async () => {
    const w = world();
    await w.send(signal('degraded', 0, 'probe', 'probe'));
    expect(w.routes()).toEqual(['vpn-2:10.240.0.0/16']);
    // AWS now has both tunnels of vpn-1 up: it may carry the probe through the healthy sibling.
    w.cloud.setStatus(aws('vpn-1', '203.0.113.11'), 'up');
    const r = await w.send(signal('healthy', 60, 'probe', 'probe'));
    expect(r.summary).not.toMatch(/restore/);
    expect((await w.env.ledger.get(A1))?.monitors?.probe?.health).toBe('unknown');
    expect((await w.tick(1000)).find((x) => x.tunnelId === A1)?.decision).not.toBe('restore');
    expect(w.routes()).toEqual(['vpn-2:10.240.0.0/16']);
  });

  it('with the sibling down, the probe can only have gone through this tunnel: its recovery counts', async () => {
    const w = world();
    await w.send(signal('degraded', 0, 'probe', 'probe'));
    await w.send(signal('healthy', 60, 'probe', 'probe'));
    expect((await w.env.ledger.get(A1))?.monitors?.probe?.health).toBe('healthy');
    expect((await w.tick(400)).find((x) => x.tunnelId === A1)).toMatchObject({ decision: 'restore' });
  });
});

describe('the last path', () => {
  it('goes back the moment the fallback is reported down, not at the next reconcile', async () => {
    const w = world();
    await w.send(signal('degraded', 0, 'loss-ratio', 'traffic'));
    expect(w.routes()).toEqual(['vpn-2:10.240.0.0/16']);
    const A2 = aws('vpn-2', '203.0.113.20');
    w.cloud.setStatus(A2, 'down');
    // The fallback's own down signal, a few seconds after a reconcile: no reconcile runs in between.
    await w.send({ ...signal('down', 65, 'state', 'state'), tunnelId: A2 });
    expect(w.routes()).toEqual(['vpn-1:10.240.0.0/16', 'vpn-2:10.240.0.0/16']);
  });

  it('goes back when the fallback goes down, though still degraded; and out again once the fallback is back', async () => {
    const w = world();
    await w.send(signal('degraded', 0, 'loss-ratio', 'traffic'));
    expect(w.routes()).toEqual(['vpn-2:10.240.0.0/16']);
    w.cloud.setStatus(aws('vpn-2', '203.0.113.20'), 'down');
    const r = (await w.tick(60)).find((x) => x.tunnelId === A1);
    expect(r).toMatchObject({ decision: 'restore', ok: true, severity: 'CRITICAL' });
    expect(r?.summary).toMatch(/last resort: 10\.240\.0\.0\/16 has no other path/);
    // Named for what it is (not a refused drain), urgent, and vouching for nothing to the other end (see the
    // decision's link-news tests).
    expect(r?.refusals).toEqual([expect.objectContaining({ guard: 'last-resort', urgent: true })]);
    expect(w.routes()).toEqual(['vpn-1:10.240.0.0/16', 'vpn-2:10.240.0.0/16']);
    w.cloud.setStatus(aws('vpn-2', '203.0.113.20'), 'up');
    expect((await w.tick(120)).find((x) => x.tunnelId === A1)).toMatchObject({ decision: 'drain' });
    expect(w.routes()).toEqual(['vpn-2:10.240.0.0/16']);
  });

  it('an operator drain stays, even as the last path', async () => {
    const w = world();
    const { runCommand } = await import('../../shared/engine');
    expect((await runCommand(w.env.deps, { type: 'drain', tunnelId: A1, reason: 'maintenance', force: false })).decision).toBe('drain');
    w.cloud.setStatus(aws('vpn-2', '203.0.113.20'), 'down');
    expect((await w.tick(60)).find((x) => x.tunnelId === A1)?.decision).not.toBe('restore');
    expect(w.routes()).toEqual(['vpn-2:10.240.0.0/16']);
  });
});

describe('a GCP tunnel the cloud reports down', () => {
  it('is recorded, not drained: GCP already skips it, and it is back in service as soon as it is up', async () => {
    const { gcp } = await import('../fakes/topology');
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const env = testDeps({ gcp: portsOf(cloud) });
    const G1 = gcp('tunnel-1');
    cloud.setStatus(G1, 'down');
    const r = await handleSignal(env.deps, {
      tunnelId: G1,
      health: 'down',
      observedAt: at(0),
      source: 'test',
      key: 'down-1',
      evidence: 'tunnel_established < 1',
      basis: 'state',
    });
    expect(r.decision).toBe('record');
    expect(r.summary).toMatch(/fails over to it on its own|on its own/);
    expect(cloud.calls).toEqual([]);
  });

  it('but a down signal the cloud does not confirm yet still drains (the cloud may still route into it)', async () => {
    const { gcp } = await import('../fakes/topology');
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const env = testDeps({ gcp: portsOf(cloud) }, { drainMode: 'withdraw' });
    const r = await handleSignal(env.deps, {
      tunnelId: gcp('tunnel-1'),
      health: 'down',
      observedAt: at(0),
      source: 'test',
      key: 'down-2',
      evidence: 'tunnel_established < 1',
    });
    expect(r.decision).toBe('drain');
  });
});

describe('a tunnel-state monitor that lags the cloud', () => {
  it("does not cut a tunnel the cloud reports up again, on a reconcile or on another monitor's news", async () => {
    const { gcp } = await import('../fakes/topology');
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const env = testDeps({ gcp: portsOf(cloud) }, { drainMode: 'withdraw' });
    const G1 = gcp('tunnel-1');
    cloud.setStatus(G1, 'down');
    const s = (health: Signal['health'], sec: number, monitor: string, basis: Signal['basis']): Signal => ({
      tunnelId: G1,
      health,
      observedAt: at(sec),
      source: 'test',
      key: `${monitor}-${sec}`,
      evidence: monitor,
      monitor,
      basis,
    });
    env.clock.t = Date.parse(at(0));
    expect((await handleSignal(env.deps, s('down', 0, 'established', 'state'))).decision).toBe('record');
    cloud.setStatus(G1, 'up');
    env.clock.t = Date.parse(at(60));
    expect((await reconcile(env.deps)).find((r) => r.tunnelId === G1)?.decision).toBe('ignore');
    expect((await handleSignal(env.deps, s('healthy', 61, 'loss-ratio', 'traffic'))).decision).toBe('record');
    expect(cloud.calls).toEqual([]);
    // A traffic monitor that says degraded is news of its own: it drains.
    expect((await handleSignal(env.deps, s('degraded', 90, 'loss-ratio', 'traffic'))).decision).toBe('drain');
  });
});

describe('a tunnel-state alert that arrives after the tunnel is back', () => {
  it('is recorded, not drained, when the cloud already reports the tunnel up', async () => {
    const { gcp } = await import('../fakes/topology');
    const t = incident();
    const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const env = testDeps({ gcp: portsOf(cloud) }, { drainMode: 'withdraw' });
    const r = await handleSignal(env.deps, {
      tunnelId: gcp('tunnel-1'),
      health: 'down',
      observedAt: at(0),
      source: 'test',
      key: 'late-down',
      evidence: 'tunnel_established < 1',
      monitor: 'established',
      basis: 'state',
    });
    expect(r.decision).toBe('record');
    expect(cloud.calls).toEqual([]);
  });
});

describe('every monitor of the tunnel has its say', () => {
  // The tunnels of `gcpTwo()`.
  const T1 = gcp('tunnel-aws-1');
  const T2 = gcp('tunnel-aws-2');
  // Real incident payloads, parsed as the GCP edge does.
  const fx = (f: string) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'gcp', f), 'utf8'));
  const toSignal = (body: unknown): Signal => {
    const p = parseIncident(body, { policyTunnels: {} });
    if (p.kind !== 'signal') throw new Error(JSON.stringify(p));
    return p.signal;
  };

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
    // T1 degrades too: its drain is refused, and T2 — no longer worse than the only tunnel left — comes back.
    expect((await handleSignal(deps, mon(T1, 'degraded', 1, 'drops'))).decision).toBe('refuse');
    expect(into(cloud, T2)).not.toEqual([]);
    await handleSignal(deps, mon(T2, 'healthy', 2, 'x'));
    const r = await handleSignal(deps, mon(T1, 'healthy', 3, 'established'));
    expect(r.decision).toBe('drain'); // the retry happened at once (before: 'record'), and T2 now carries the traffic
  });
});
