import fc from 'fast-check';
import { contains } from '../../shared/cidr';
import { coverChanges, halvesOf, isCover, noDepreferReason, withChange, type VgwConnectionView } from '../../clouds/aws/vgw-standby';
import { vgwPathsOfAll } from '../../clouds/aws/vgw-paths';

const conn = (id: string, routes: string[], standby: string[] = [], domain = 'vgw:vgw-1'): VgwConnectionView => ({
  id,
  domain,
  routes,
  standby: new Set(standby),
});

/** Apply a plan as EC2 would end up. */
function apply(conns: VgwConnectionView[], plan: ReturnType<typeof coverChanges>): VgwConnectionView[] {
  return conns.map((c) => {
    const add = plan.create.filter((r) => r.vpnConnectionId === c.id).map((r) => r.cidr);
    const drop = new Set(plan.remove.filter((r) => r.vpnConnectionId === c.id).map((r) => r.cidr));
    return { ...c, routes: [...c.routes.filter((r) => !drop.has(r)), ...add] };
  });
}

/**
 * Which connection a virtual private gateway sends an address to: among connections that are up and have a matching
 * route, the longest prefix; ties go to the first (AWS does not document which).
 */
function awsPick(conns: readonly VgwConnectionView[], up: ReadonlySet<string>, address: string): string | undefined {
  let best: { id: string; len: number } | undefined;
  for (const c of conns) {
    if (!up.has(c.id)) continue;
    for (const r of c.routes) {
      const len = Number(r.split('/')[1]);
      if (contains(r, address) && (!best || len > best.len)) best = { id: c.id, len };
    }
  }
  return best?.id;
}

describe('the halves of a prefix', () => {
  it.each([
    ['10.240.0.0/16', ['10.240.0.0/17', '10.240.128.0/17']],
    ['192.168.1.0/24', ['192.168.1.0/25', '192.168.1.128/25']],
    ['0.0.0.0/0', ['0.0.0.0/1', '128.0.0.0/1']],
    ['10.0.0.4/31', ['10.0.0.4/32', '10.0.0.5/32']],
    // Host bits set: the halves are of the network the prefix names.
    ['10.240.7.9/16', ['10.240.0.0/17', '10.240.128.0/17']],
  ])('%s → %j', (cidr, halves) => expect(halvesOf(cidr)).toEqual(halves));

  it.each(['10.0.0.1/32', '2001:db8::/32', 'not-a-cidr', ''])('%s has none', (cidr) => expect(halvesOf(cidr)).toBeUndefined());
});

describe('which halves a gateway should hold', () => {
  it('gives both halves to every other connection that routes the prefix, and none to its own or another gateway', () => {
    const conns = [
      conn('vpn-a', ['10.0.0.0/16'], ['10.0.0.0/16']),
      conn('vpn-b', ['10.0.0.0/16']),
      conn('vpn-c', ['10.0.0.0/16', '172.16.0.0/12']),
      conn('vpn-d', ['192.168.0.0/16']),
      conn('vpn-e', ['10.0.0.0/16'], [], 'vgw:vgw-2'),
    ];
    const plan = coverChanges(
      conns.map((c) => (c.id === 'vpn-a' ? { ...c, standby: new Set() } : c)),
      conns,
    );
    expect(plan.create.map((r) => `${r.vpnConnectionId} ${r.cidr}`)).toEqual([
      'vpn-b 10.0.0.0/17',
      'vpn-b 10.0.128.0/17',
      'vpn-c 10.0.0.0/17',
      'vpn-c 10.0.128.0/17',
    ]);
    expect(plan.remove).toEqual([]);
  });

  it('holds none once every connection of the prefix is de-preferred: no better path exists, so all share it again', () => {
    const current = [conn('vpn-a', ['10.0.0.0/16'], ['10.0.0.0/16']), conn('vpn-b', ['10.0.0.0/16', '10.0.0.0/17', '10.0.128.0/17'])];
    const target = withChange(current, 'vpn-b', { standby: { cidr: '10.0.0.0/16', on: true } });
    expect(coverChanges(current, target)).toEqual({
      create: [],
      remove: [
        { vpnConnectionId: 'vpn-b', cidr: '10.0.0.0/17' },
        { vpnConnectionId: 'vpn-b', cidr: '10.0.128.0/17' },
      ],
    });
  });

  it("recognises halves by the mark of the state they were made in: a restore removes them, never the operator's routes", () => {
    const current = [conn('vpn-a', ['10.0.0.0/16'], ['10.0.0.0/16']), conn('vpn-b', ['10.0.0.0/16', '10.0.0.0/17', '10.0.128.0/17'])];
    const target = withChange(current, 'vpn-a', { standby: { cidr: '10.0.0.0/16', on: false } });
    expect(coverChanges(current, target).remove).toHaveLength(2);
    // Without the mark the same routes are the operator's: nothing is removed.
    expect(coverChanges(target, target)).toEqual({ create: [], remove: [] });
    expect(isCover(target, target[1]!, '10.0.0.0/17')).toBe(false);
  });

  it('refuses to de-prefer where a half already exists unmarked, or where no half can exist', () => {
    const conns = [conn('vpn-a', ['10.0.0.0/16', '10.9.9.9/32']), conn('vpn-b', ['10.0.0.0/16', '10.0.128.0/17'])];
    expect(noDepreferReason(conns, conns[0]!, '10.0.0.0/16')).toMatch(/10\.0\.128\.0\/17 already has a route on vpn-b/);
    expect(noDepreferReason(conns, conns[0]!, '10.9.9.9/32')).toMatch(/no longer prefix/);
    expect(
      noDepreferReason([conn('vpn-t', ['10.0.0.0/16'], [], 'tgw:tgw-1')], conn('vpn-t', ['10.0.0.0/16'], [], 'tgw:tgw-1'), '10.0.0.0/16'),
    ).toMatch(/not on a virtual private gateway/);
  });

  it('lists a de-preferred route as a standby of its original, hides the halves, and marks what can be de-preferred', () => {
    const conns = [
      { ...conn('vpn-a', ['10.0.0.0/16'], ['10.0.0.0/16']), tunnelIds: ['a1', 'a2'] },
      { ...conn('vpn-b', ['10.0.0.0/16', '10.0.0.0/17', '10.0.128.0/17', '10.0.0.9/32']), tunnelIds: ['b1', 'b2'] },
    ];
    const paths = vgwPathsOfAll(conns, new Set(['10.0.0.9/32']));
    expect(paths.map((p) => [p.key, p.standbyFor, p.canDeprefer])).toEqual([
      ['vpn-a:10.0.0.0/16#standby', 'vpn-a:10.0.0.0/16', undefined],
      ['vpn-b:10.0.0.0/16', undefined, true],
    ]);
  });
});

describe('property: de-preference over random gateways and sequences', () => {
  const PREFIXES = ['10.0.0.0/16', '10.1.0.0/24', '192.168.0.0/20'];
  const ADDRESSES = ['10.0.0.1/32', '10.0.200.1/32', '10.1.0.77/32', '10.1.0.200/32', '192.168.3.3/32', '192.168.15.1/32'];
  const world = fc.array(fc.subarray(PREFIXES, { minLength: 1 }), { minLength: 1, maxLength: 4 });
  const steps = fc.array(
    fc.record({ conn: fc.nat(3), prefix: fc.constantFrom(...PREFIXES), on: fc.boolean(), up: fc.subarray([0, 1, 2, 3]) }),
    { maxLength: 12 },
  );

  it('never black-holes an address doing nothing would route; prefers an up, not de-preferred connection; undoes exactly', () => {
    fc.assert(
      fc.property(world, steps, (routes, seq) => {
        const original = routes.map((r, i) => conn(`vpn-${i}`, [...r]));
        let conns = original;
        for (const s of seq) {
          const c = conns[s.conn % conns.length]!;
          if (!c.routes.includes(s.prefix) || noDepreferReason(conns, c, s.prefix)) continue;
          conns = apply(
            withChange(conns, c.id, { standby: { cidr: s.prefix, on: s.on } }),
            coverChanges(conns, withChange(conns, c.id, { standby: { cidr: s.prefix, on: s.on } })),
          );
          const up = new Set(conns.filter((_, i) => s.up.includes(i)).map((x) => x.id));
          for (const a of ADDRESSES) {
            const none = awsPick(original, up, a);
            const now = awsPick(conns, up, a);
            // Whatever doing nothing can route, the de-preferences route too (a marked route never leaves).
            if (none) expect(now).toBeDefined();
            // Where an up connection routes the address without having de-preferred it, traffic goes to one such.
            const fine = conns.filter(
              (x) => up.has(x.id) && x.routes.some((r) => PREFIXES.includes(r) && contains(r, a) && !x.standby.has(r)),
            );
            const marked = conns.some((x) => x.routes.some((r) => PREFIXES.includes(r) && contains(r, a) && x.standby.has(r)));
            if (marked && fine.length) expect(fine.map((x) => x.id)).toContain(now);
          }
        }
        // Restoring every de-preference leaves exactly the original routes.
        for (const c of conns)
          for (const p of [...c.standby]) {
            const target = withChange(conns, c.id, { standby: { cidr: p, on: false } });
            conns = apply(target, coverChanges(conns, target));
          }
        expect(conns.map((c) => [...c.routes].sort())).toEqual(original.map((c) => [...c.routes].sort()));
      }),
      { numRuns: 300 },
    );
  });
});
