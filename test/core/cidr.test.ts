import { contains, minCoverDepth, parseCidr } from '../../shared/cidr';

describe('cidr', () => {
  it.each([
    ['10.0.0.0/16', '10.0.1.0/24', true],
    ['10.0.1.0/24', '10.0.0.0/16', false],
    ['10.0.0.0/16', '10.1.0.0/24', false],
    ['0.0.0.0/0', '192.168.1.0/24', true],
    ['10.0.0.5/16', '10.0.200.0/24', true], // host bits set: still the /16
    ['2001:db8::/32', '2001:db8:1::/48', true],
    ['10.0.0.0/8', '2001:db8::/32', false],
  ])('%s contains %s: %s', (outer, inner, want) => {
    expect(contains(outer, inner)).toBe(want);
  });

  it.each([
    ['10.0.1.0/24', ['10.0.0.0/16'], 1],
    ['10.0.1.0/24', ['10.0.0.0/16', '10.0.1.0/24'], 2],
    ['10.0.1.0/24', ['10.0.1.0/25', '10.0.1.128/25'], 1],
    ['10.0.1.0/24', ['10.0.1.0/25'], 0],
    ['10.0.1.0/24', ['10.0.1.128/25', '10.0.0.0/8'], 1],
    ['10.0.1.0/24', [], 0],
    ['10.0.0.0/16', ['10.0.1.0/24'], 0],
    ['10.0.0.0/16', ['not-a-cidr'], 0],
  ])('%s is covered %d-deep by %j', (target, covers, depth) => {
    expect(minCoverDepth(target, covers as string[])).toBe(depth);
  });

  it('rejects garbage', () => {
    for (const s of ['', '10.0.0.0', '10.0.0.0/33', '300.0.0.0/8', 'a/b', '10.0.0.0/-1']) expect(parseCidr(s)).toBeUndefined();
  });
});
