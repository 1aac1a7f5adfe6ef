/**
 * The GCP `PathTable`: static routes (Classic VPN) and BGP peers (HA VPN) behind one port, each path
 * handled by the adapter that owns its `kind`.
 */
import { PathTableByKind } from '../../shared/path-table-by-kind';
import type { PathTable } from '../../shared/ports';
import type { PathKind } from '../../shared/types';

export class GcpPaths extends PathTableByKind {
  constructor(byKind: Partial<Record<PathKind, PathTable>>) {
    super('GCP', byKind);
  }
}
