import { handleSignal, reconcile, runCommand } from '../../shared/engine';
import { peerOf, signalFromLink } from '../../shared/links/rules';
import { signLinkMessage, verifyLinkMessage, type LinkMessage } from '../../shared/links/message';
import { MemoryLedger } from '../../simulator/memory-ledger';
import type { Report } from '../../shared/report-types';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { aws, gcp, incident, awsTunnel, gcpRoute, gcpTunnel, vgwRoute } from '../fakes/topology';
import { simulatorLinkPublisher } from '../../simulator/link';
import { gcpTwo, into, mon } from '../fakes/scenario';

const SECRET = 'test-link-secret';
const links = [
  { gcp: gcp('tunnel-1'), aws: aws('vpn-1', '203.0.113.10') },
  { gcp: gcp('tunnel-2'), aws: aws('vpn-2', '203.0.113.20') },
];

/** Two sides with their own ledgers, wired by signed messages delivered in-process. */
function twoSides() {
  const t = incident();
  const awsCloud = new MemoryCloud(t.awsTunnels, t.awsPaths);
  const gcpCloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
  const wire: string[] = [];
  const received: Report[] = [];
  const A = testDeps({ aws: portsOf(awsCloud) }, { restoreHoldDownSeconds: 0 }, new MemoryLedger());
  const G = testDeps({ gcp: portsOf(gcpCloud) }, { restoreHoldDownSeconds: 0 }, new MemoryLedger());
  const deliver = (to: typeof A, cloud: 'aws' | 'gcp') => async (m: LinkMessage) => {
    const signed = JSON.stringify(signLinkMessage(m, SECRET));
    wire.push(signed);
    const v = verifyLinkMessage(JSON.parse(signed), SECRET);
    if (!v.ok) throw new Error(v.reason);
    const s = signalFromLink(v.value, links, cloud);
    if (!s.ok) throw new Error(s.reason);
    received.push(await handleSignal(to.deps, s.value));
  };
  A.deps.links = links;
  G.deps.links = links;
  A.deps.link = { publish: deliver(G, 'gcp') };
  G.deps.link = { publish: deliver(A, 'aws') };
  for (const side of [A, G]) side.clock.t += 60_000;
  return { A, G, awsCloud, gcpCloud, wire, received, t };
}

describe('links between the two ends', () => {
  it('pairs by configuration', () => {
    expect(peerOf(links, gcp('tunnel-1'))).toBe(aws('vpn-1', '203.0.113.10'));
    expect(peerOf(links, aws('vpn-2', '203.0.113.20'))).toBe(gcp('tunnel-2'));
    expect(peerOf(links, gcp('nope'))).toBeUndefined();
  });

  it('a GCP drain drains the AWS end, the recovery restores both, and nothing is echoed back', async () => {
    const { G, awsCloud, gcpCloud, wire, received, t } = twoSides();
    await handleSignal(G.deps, sig(gcp('tunnel-1'), 'degraded', 10));
    expect(gcpCloud.snapshot()).toHaveLength(1);
    expect(awsCloud.snapshot().map((p) => p.key)).toEqual(['vpn-2:10.240.0.0/16']);
    expect(received.map((r) => [r.tunnelId, r.decision])).toEqual([[aws('vpn-1', '203.0.113.10'), 'drain']]);
    expect(wire).toHaveLength(1); // the AWS drain caused by the link did not send anything back

    await handleSignal(G.deps, sig(gcp('tunnel-1'), 'healthy', 20));
    expect(gcpCloud.snapshot()).toEqual([...t.gcpPaths].sort((a, b) => a.key.localeCompare(b.key)));
    expect(awsCloud.snapshot()).toEqual([...t.awsPaths].sort((a, b) => a.key.localeCompare(b.key)));
    expect(wire).toHaveLength(2);
  });

  it('a replayed message is a no-op', async () => {
    const { G, A, awsCloud, wire } = twoSides();
    await handleSignal(G.deps, sig(gcp('tunnel-1'), 'degraded', 10));
    const v = verifyLinkMessage(JSON.parse(wire[0]!), SECRET);
    if (!v.ok) throw new Error(v.reason);
    const s = signalFromLink(v.value, links, 'aws');
    if (!s.ok) throw new Error(s.reason);
    const calls = awsCloud.calls.length;
    const again = await handleSignal(A.deps, s.value);
    expect(again.decision).toBe('ignore');
    expect(awsCloud.calls.length).toBe(calls);
  });

  it('refuses forged, altered and unsigned messages', () => {
    const m: LinkMessage = {
      v: 1,
      id: 'x',
      origin: 'gcp',
      fromTunnelId: gcp('tunnel-1'),
      toTunnelId: aws('vpn-1', '203.0.113.10'),
      health: 'degraded',
      observedAt: '2026-11-25T00:00:00Z',
      reason: 'r',
    };
    const signed = signLinkMessage(m, SECRET);
    expect(verifyLinkMessage(signed, 'other-secret')).toMatchObject({ ok: false, reason: expect.stringMatching(/signature/) });
    expect(verifyLinkMessage({ ...signed, message: signed.message.replace('degraded', 'healthy') }, SECRET)).toMatchObject({ ok: false });
    expect(verifyLinkMessage({ message: signed.message }, SECRET)).toMatchObject({ ok: false });
    expect(verifyLinkMessage(signed, '')).toMatchObject({ ok: false });
    expect(verifyLinkMessage('garbage', SECRET)).toMatchObject({ ok: false });
    expect(verifyLinkMessage(signed, SECRET)).toMatchObject({ ok: true });
  });

  it('refuses a message for a pair that is not configured', () => {
    const m: LinkMessage = {
      v: 1,
      id: 'x',
      origin: 'gcp',
      fromTunnelId: gcp('tunnel-1'),
      toTunnelId: aws('vpn-2', '203.0.113.20'),
      health: 'degraded',
      observedAt: '2026-11-25T00:00:00Z',
      reason: 'r',
    };
    expect(signalFromLink(m, links, 'aws')).toMatchObject({ ok: false, reason: expect.stringMatching(/no configured link/) });
    expect(signalFromLink(m, links, 'gcp')).toMatchObject({ ok: false });
  });

  it('each side keeps its own guards: the AWS end refuses when it would black-hole', async () => {
    const { G, A, awsCloud } = twoSides();
    await handleSignal(A.deps, sig(aws('vpn-2', '203.0.113.20'), 'degraded', 5)); // AWS drains vpn-2 on its own
    expect(awsCloud.snapshot()).toHaveLength(1);
    await handleSignal(G.deps, sig(gcp('tunnel-1'), 'degraded', 10)); // GCP drains tunnel-1 and tells AWS
    expect(awsCloud.snapshot()).toHaveLength(1); // AWS refused to drain vpn-1, its last path
    await reconcile(A.deps);
    expect(awsCloud.snapshot()).toHaveLength(1);
  });
});

describe('what crosses the link, and what does not', () => {
  // The first tunnel of `gcpTwo()`.
  const T1 = gcp('tunnel-aws-1');

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
});

describe('figures in a link message are bounded and checked', () => {
  const base = {
    v: 1 as const,
    id: 'gcp:figures:1',
    origin: 'gcp' as const,
    fromTunnelId: 'gcp:p:r:t',
    toTunnelId: 'aws:r:vpn-1:203.0.113.10',
    health: 'unknown' as const,
    observedAt: '2026-11-25T01:00:00.000Z',
    reason: 'counters',
    figures: true,
  };
  const verify = (m: object) => verifyLinkMessage(JSON.parse(JSON.stringify(signLinkMessage(m as LinkMessage, SECRET))), SECRET);

  it('accepts counted loss and loads', () => {
    const v = verify({
      ...base,
      counted: { ratio: 0.01, span: 'aws-to-gcp', at: base.observedAt, packets: 100 },
      loads: { a: { pps: 5 } },
    });
    expect(v.ok).toBe(true);
  });

  it('refuses more loads than a message may carry, a loss above 1 and an unknown load field', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`aws:r:vpn-${i}:1`, { pps: 1 }]));
    expect(verify({ ...base, loads: many }).ok).toBe(false);
    expect(verify({ ...base, counted: { ratio: 2, span: 'aws-to-gcp', at: base.observedAt, packets: 1 } }).ok).toBe(false);
    expect(verify({ ...base, loads: { a: { pps: 1, extra: 1 } } }).ok).toBe(false);
  });
});
