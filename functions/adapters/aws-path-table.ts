/**
 * The AWS `PathTable` the core sees: the VGW static routes and (when configured) the TGW routes, each path
 * routed back to the adapter that owns its `kind`.
 */
import { PathTableByKind } from '../../shared/path-table-by-kind';
import type { PathTable } from '../../shared/ports';
import type { PathKind } from '../../shared/types';

export class AwsPathTable extends PathTableByKind {
  constructor(tables: Partial<Record<PathKind, PathTable>>) {
    super('AWS', tables);
  }
}
