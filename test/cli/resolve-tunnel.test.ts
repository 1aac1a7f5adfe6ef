/** `<tunnel>` arguments of the CLI: canonical ids and honest short forms only. */
import { resolveTunnel } from '../../cli/resolve-tunnel';
import { UsageError } from '../../cli/io';
import { awsTunnelId, gcpTunnelId, type TunnelRef } from '../../shared/types';

const aws = (vpnConnectionId: string, outsideIpAddress: string): TunnelRef => ({
  id: awsTunnelId({ region: 'ap-northeast-1', vpnConnectionId, outsideIpAddress }),
  cloud: 'aws',
  native: { region: 'ap-northeast-1', vpnConnectionId, outsideIpAddress },
});
const gcp = (name: string): TunnelRef => ({
  id: gcpTunnelId({ project: 'example-project', region: 'asia-northeast1', name }),
  cloud: 'gcp',
  native: { project: 'example-project', region: 'asia-northeast1', name, gateway: 'gw-aws-1' },
});
const V = 'vpn-0a1b2c3d4e5f60001';
// Listed in an order that is not the "Tunnel 1 / Tunnel 2" order: nothing may depend on it.
const refs = [aws(V, '203.0.113.12'), aws(V, '203.0.113.11'), aws('vpn-0a1b2c3d4e5f60002', '198.51.100.21'), gcp('tunnel-aws-1')];

it.each([
  [refs[1]!.id, refs[1]!.id],
  ['203.0.113.11', refs[1]!.id],
  [`${V}:203.0.113.11`, refs[1]!.id],
  [`${V}:203.0.113.12`, refs[0]!.id],
  ['tunnel-aws-1', refs[3]!.id],
  ['198.51.100', refs[2]!.id], // a fragment of exactly one id
])('%s → %s', (input, id) => {
  expect(resolveTunnel(input, refs).id).toBe(id);
});

it.each([`${V}:1`, `${V}:2`, `${V}#1`])('refuses the positional form %s and offers the outside IPs instead', (input) => {
  // `vpn-…:2` is also a fragment of `vpn-…:203.0.113.1x`: it must not slip through as one.
  expect(() => resolveTunnel(input, refs)).toThrow(UsageError);
  expect(() => resolveTunnel(input, refs)).toThrow(
    new RegExp(`not by a number[\\s\\S]*${V}:203\\.0\\.113\\.12[\\s\\S]*${V}:203\\.0\\.113\\.11`),
  );
});

it('still reports ambiguity and unknown tunnels with the candidates', () => {
  expect(() => resolveTunnel('203.0.113', refs)).toThrow(/ambiguous/);
  expect(() => resolveTunnel('nope', refs)).toThrow(/unknown tunnel "nope"/);
  expect(() => resolveTunnel(' ', refs)).toThrow(/vpn-…:<outside IP>/);
});
