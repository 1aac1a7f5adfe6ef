/**
 * The AWS `PathTable` the core sees: the VGW static routes and (when configured) the TGW routes, each path
 * routed back to the adapter that owns its `kind`.
 */
import { PermanentError } from '../../shared/errors';
import type { PathTable } from '../../shared/ports';
import type { Outcome, Path, PathKind, PathSnapshot } from '../../shared/types';

export class AwsPathTable implements PathTable {
  constructor(private readonly tables: Partial<Record<PathKind, PathTable>>) {}

  private owner(path: Path): PathTable {
    const t = this.tables[path.kind];
    if (!t) throw new PermanentError(`no AWS adapter for path kind ${path.kind} (${path.key})`);
    return t;
  }

  async list(): Promise<Path[]> {
    return (await Promise.all(Object.values(this.tables).map((t) => t!.list()))).flat();
  }

  withdraw(path: Path): Promise<Outcome> {
    return this.owner(path).withdraw(path);
  }

  restore(snapshot: PathSnapshot): Promise<Outcome> {
    return this.owner(snapshot).restore(snapshot);
  }
}
