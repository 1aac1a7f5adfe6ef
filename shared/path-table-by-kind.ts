/**
 * One `PathTable` over several adapters, each owning one path `kind` (AWS: VGW static routes and TGW routes;
 * GCP: static routes and BGP peers): `list` asks them all, a change goes to the adapter that owns the path.
 */
import { PermanentError } from './errors';
import type { PathTable } from './ports';
import type { Path, PathKind, PathSnapshot } from './types';
import type { Outcome } from './report-types';

export class PathTableByKind implements PathTable {
  constructor(
    private readonly cloud: string,
    private readonly byKind: Partial<Record<PathKind, PathTable>>,
  ) {}

  async list(): Promise<Path[]> {
    return (await Promise.all(Object.values(this.byKind).map((t) => t!.list()))).flat();
  }

  withdraw(path: Path): Promise<Outcome> {
    return this.owner(path).withdraw(path);
  }

  restore(snapshot: PathSnapshot): Promise<Outcome> {
    return this.owner(snapshot).restore(snapshot);
  }

  private owner(path: Path): PathTable {
    const t = this.byKind[path.kind];
    if (!t) throw new PermanentError(`no ${this.cloud} adapter for path kind ${path.kind} (${path.key})`);
    return t;
  }
}
