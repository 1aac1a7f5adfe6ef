/**
 * The GCP `PathTable`: static routes (Classic VPN) and BGP peers (HA VPN) behind one port, each path
 * handled by the adapter that owns its `kind`.
 */
import { PermanentError } from '../../shared/errors';
import type { PathTable } from '../../shared/ports';
import type { Outcome, Path, PathKind, PathSnapshot } from '../../shared/types';

export class GcpPaths implements PathTable {
  constructor(private readonly byKind: Partial<Record<PathKind, PathTable>>) {}

  async list(): Promise<Path[]> {
    const lists = await Promise.all(Object.values(this.byKind).map((t) => t!.list()));
    return lists.flat();
  }

  withdraw(path: Path): Promise<Outcome> {
    return this.owner(path).withdraw(path);
  }

  restore(snapshot: PathSnapshot): Promise<Outcome> {
    return this.owner(snapshot).restore(snapshot);
  }

  private owner(path: Path): PathTable {
    const t = this.byKind[path.kind];
    if (!t) throw new PermanentError(`no GCP adapter for path kind ${path.kind} (${path.key})`);
    return t;
  }
}
