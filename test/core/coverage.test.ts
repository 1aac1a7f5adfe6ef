/**
 * The never-black-hole guard's arithmetic, straight through `coverageGaps`: which remaining paths count as
 * covering a withdrawn one (same domain, same or no instance tags, healthy tunnels, address by address), and
 * how a TGW re-point's fallback tunnels count.
 */
import { coverageGaps } from '../../shared/coverage';
import { buildView } from '../../shared/health';
import type { LedgerRecord, Path, TunnelStatus } from '../../shared/types';
import { emptyRecord } from '../../shared/types';
import { handleSignal } from '../../shared/engine';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { mon } from '../fakes/scenario';
import { NETWORK, aws, awsTunnel, gcp, gcpRoute, gcpTunnel } from '../fakes/topology';

const tunnel = (id: string, status: TunnelStatus['status'] = 'up'): TunnelStatus => ({
  ref: { id, cloud: 'gcp', native: {} } as TunnelStatus['ref'],
  status,
});
const path = (key: string, tunnelIds: string[], destinations: string[], extra: Partial<Path> = {}): Path => ({
  key,
  kind: 'gcp-static-route',
  cloud: 'gcp',
  destinations,
  tunnelIds,
  definition: {},
  domain: 'net-a',
  ...extra,
});
const degraded = (id: string): LedgerRecord => ({ ...emptyRecord(id, 'gcp'), health: 'degraded', lastSignalAt: '2026-11-25T00:00:00Z' });
const view = (ids: Record<string, TunnelStatus['status']>, records: LedgerRecord[] = [], members: string[] = []) =>
  buildView(
    Object.entries(ids).map(([id, s]) => tunnel(id, s)),
    records,
    members,
  );
const UP = { t1: 'up', t2: 'up', t3: 'up' } as const;

describe('coverageGaps', () => {
  it('a healthy path of the same domain to the same prefix covers a withdrawn one', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const b = path('b', ['t2'], ['10.0.0.0/16']);
    expect(coverageGaps([a, b], [a], new Set(['t1']), view(UP), 1)).toEqual([]);
  });

  it('nothing left: the gap names the prefix, its domain and the paths that would remain', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    expect(coverageGaps([a], [a], new Set(['t1']), view(UP), 1)).toEqual([{ destination: '10.0.0.0/16 in net-a', remaining: 0 }]);
    const noDomain = path('a', ['t1'], ['10.0.0.0/16'], { domain: undefined });
    expect(coverageGaps([noDomain], [noDomain], new Set(['t1']), view(UP), 1)).toEqual([{ destination: '10.0.0.0/16', remaining: 0 }]);
  });

  it('another domain carries other traffic: no cover', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const b = path('b', ['t2'], ['10.0.0.0/16'], { domain: 'net-b' });
    expect(coverageGaps([a, b], [a], new Set(['t1']), view(UP), 1)).toEqual([{ destination: '10.0.0.0/16 in net-a', remaining: 0 }]);
    // A path without a domain is its own domain too.
    const c = path('c', ['t2'], ['10.0.0.0/16'], { domain: undefined });
    expect(coverageGaps([a, c], [a], new Set(['t1']), view(UP), 1)).toHaveLength(1);
  });

  it('address by address: two halves cover the whole, one half does not', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const lo = path('lo', ['t2'], ['10.0.0.0/17']);
    const hi = path('hi', ['t3'], ['10.0.128.0/17']);
    expect(coverageGaps([a, lo, hi], [a], new Set(['t1']), view(UP), 1)).toEqual([]);
    expect(coverageGaps([a, lo], [a], new Set(['t1']), view(UP), 1)).toEqual([{ destination: '10.0.0.0/16 in net-a', remaining: 0 }]);
  });

  it('counts the healthy paths left against minHealthyPaths', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const b = path('b', ['t2'], ['10.0.0.0/16']);
    const c = path('c', ['t3'], ['10.0.0.0/16']);
    expect(coverageGaps([a, b, c], [a], new Set(['t1']), view(UP), 2)).toEqual([]);
    expect(coverageGaps([a, b], [a], new Set(['t1']), view(UP), 2)).toEqual([{ destination: '10.0.0.0/16 in net-a', remaining: 1 }]);
  });

  it('a path into a degraded or draining tunnel, or one being withdrawn, covers nothing', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const b = path('b', ['t2'], ['10.0.0.0/16']);
    expect(coverageGaps([a, b], [a], new Set(['t1']), view(UP, [degraded('t2')]), 1)).toHaveLength(1);
    expect(coverageGaps([a, b], [a], new Set(['t1', 't2']), view(UP), 1)).toHaveLength(1);
    expect(coverageGaps([a, b], [a, b], new Set(['t1']), view(UP), 1)).toHaveLength(1);
    expect(coverageGaps([a, b], [a], new Set(['t1']), view(UP, [], ['t2']), 1)).toHaveLength(1);
  });

  it('instance tags: an untagged route covers a tagged one; a tagged route covers only the same tags, in any order', () => {
    const tagged = path('a', ['t1'], ['10.0.0.0/16'], { appliesTo: ['web', 'db'] });
    const untagged = path('b', ['t2'], ['10.0.0.0/16']);
    const sameTags = path('c', ['t2'], ['10.0.0.0/16'], { appliesTo: ['db', 'web'] });
    const otherTags = path('d', ['t2'], ['10.0.0.0/16'], { appliesTo: ['web'] });
    expect(coverageGaps([tagged, untagged], [tagged], new Set(['t1']), view(UP), 1)).toEqual([]);
    expect(coverageGaps([tagged, sameTags], [tagged], new Set(['t1']), view(UP), 1)).toEqual([]);
    expect(coverageGaps([tagged, otherTags], [tagged], new Set(['t1']), view(UP), 1)).toHaveLength(1);
    // Tag sets compare as sets of names: tags "web" + "db" are not one tag "webdb".
    const glued = path('g', ['t2'], ['10.0.0.0/16'], { appliesTo: ['dbweb'] });
    expect(coverageGaps([tagged, glued], [tagged], new Set(['t1']), view(UP), 1)).toHaveLength(1);
    // The reverse does not hold: a tagged route reaches only its instances.
    const plain = path('e', ['t1'], ['10.0.0.0/16']);
    expect(coverageGaps([plain, sameTags], [plain], new Set(['t1']), view(UP), 1)).toHaveLength(1);
    // Tagged and untagged cover a tagged route together.
    const both = coverageGaps([tagged, untagged, sameTags], [tagged], new Set(['t1']), view(UP), 2);
    expect(both).toEqual([]);
  });

  it('reports a destination once even when two withdrawn paths carry it', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const a2 = path('a2', ['t1'], ['10.0.0.0/16', '10.1.0.0/16']);
    expect(coverageGaps([a, a2], [a, a2], new Set(['t1']), view(UP), 1)).toEqual([
      { destination: '10.0.0.0/16 in net-a', remaining: 0 },
      { destination: '10.1.0.0/16 in net-a', remaining: 0 },
    ]);
  });

  describe('a withdrawn path re-pointed to fallback tunnels (TGW)', () => {
    const tgw = (fallback: string[]) =>
      path('r', ['t1'], ['10.240.0.0/16'], { kind: 'aws-tgw-route', domain: 'tgw-rtb:1', fallbackTunnelIds: fallback });

    it('stays covered when a fallback tunnel is healthy (a down sibling of it is fine)', () => {
      expect(coverageGaps([tgw(['t2'])], [tgw(['t2'])], new Set(['t1']), view(UP), 1)).toEqual([]);
      expect(coverageGaps([tgw(['t2', 't3'])], [tgw(['t2', 't3'])], new Set(['t1']), view({ t1: 'up', t2: 'up', t3: 'down' }), 1)).toEqual(
        [],
      );
    });

    it('is a gap when a fallback tunnel is degraded, all are down, or the fallback is itself draining', () => {
      expect(coverageGaps([tgw(['t2', 't3'])], [tgw(['t2', 't3'])], new Set(['t1']), view(UP, [degraded('t3')]), 1)).toEqual([
        { destination: '10.240.0.0/16 in tgw-rtb:1', remaining: 0 },
      ]);
      expect(coverageGaps([tgw(['t2'])], [tgw(['t2'])], new Set(['t1']), view({ t1: 'up', t2: 'down' }), 1)).toHaveLength(1);
      expect(coverageGaps([tgw(['t2'])], [tgw(['t2'])], new Set(['t1', 't2']), view(UP), 1)).toHaveLength(1);
    });

    it('no fallback tunnels: a plain delete, a gap', () => {
      expect(coverageGaps([tgw([])], [tgw([])], new Set(['t1']), view(UP), 1)).toHaveLength(1);
    });
  });
});

describe('what counts as a fallback, through the engine', () => {
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
});
