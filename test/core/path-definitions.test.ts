import { PermanentError } from '../../shared/errors';
import { definitionOf, definitionProblem } from '../../clouds/path-definitions';
import type { Path, PathKind } from '../../shared/types';

const path = (kind: PathKind, definition: Record<string, unknown>): Pick<Path, 'key' | 'kind' | 'definition'> => ({
  key: 'k1',
  kind,
  definition,
});

const VALID: Record<PathKind, Record<string, unknown>> = {
  'aws-vgw-static': { vpnConnectionId: 'vpn-1', destinationCidrBlock: '10.0.0.0/16' },
  'aws-tgw-route': {
    transitGatewayRouteTableId: 'tgw-rtb-1',
    destinationCidrBlock: '10.0.0.0/16',
    transitGatewayAttachmentId: 'tgw-attach-1',
    vpnConnectionId: 'vpn-1',
    fallback: { transitGatewayAttachmentId: 'tgw-attach-2', vpnConnectionId: 'vpn-2' },
  },
  'gcp-static-route': { name: 'to-aws', destRange: '10.0.0.0/16', priority: 100, nextHopVpnTunnel: 'projects/p/regions/r/vpnTunnels/t' },
  'gcp-bgp-peer': { project: 'p', region: 'r', router: 'rt', peer: { name: 'peer-1', advertisedRoutePriority: 100 } },
};

describe('path definitions, parsed by kind', () => {
  it.each(Object.entries(VALID) as [PathKind, Record<string, unknown>][])('a whole %s definition parses, every field kept', (kind, d) => {
    expect(definitionProblem(path(kind, d))).toBeUndefined();
    expect(definitionOf(path(kind, d), kind)).toEqual(d);
  });

  it.each([
    ['aws-vgw-static', { vpnConnectionId: 'vpn-1' }, /destinationCidrBlock/],
    ['aws-vgw-static', { vpnConnectionId: '', destinationCidrBlock: '10.0.0.0/16' }, /vpnConnectionId/],
    ['aws-tgw-route', { ...VALID['aws-tgw-route'], fallback: { vpnConnectionId: 'vpn-2' } }, /fallback\.transitGatewayAttachmentId/],
    ['gcp-static-route', { destRange: '10.0.0.0/16' }, /name/],
    ['gcp-bgp-peer', { project: 'p', region: 'r', router: 'rt', peer: {} }, /peer\.name/],
  ] as const)('a %s definition missing a field is a permanent error naming it', (kind, d, field) => {
    expect(definitionProblem(path(kind, d))).toMatch(field);
    expect(() => definitionOf(path(kind, d), kind)).toThrow(PermanentError);
    expect(() => definitionOf(path(kind, d), kind)).toThrow(field);
  });

  it('a path of another kind is refused, even when its definition would fit: the kind decides which lever acts', () => {
    const p = path('aws-tgw-route', VALID['aws-tgw-route']);
    expect(() => definitionOf(p, 'aws-vgw-static')).toThrow(/k1 is a aws-tgw-route path, not aws-vgw-static/);
  });

  it('an unknown kind (a ledger from another version) is named, not parsed', () => {
    expect(definitionProblem({ kind: 'azure-route' as PathKind, definition: {} })).toMatch(/unknown path kind "azure-route"/);
  });
});
