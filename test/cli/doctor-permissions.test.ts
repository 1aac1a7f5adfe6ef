/**
 * The permissions doctor checks on GCP are the ones the function calls need, and the documented role lists them all:
 * a first real deploy must not meet a 403 that doctor said nothing about.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_PERMISSIONS } from '../../cli/clouds/doctor-gcp';

/** `compute.routers.list/get/update` → the three permissions it names. */
function documented(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const [, token] of markdown.matchAll(/`((?:compute|monitoring)\.[a-zA-Z]+\.[a-zA-Z/]+)`/g)) {
    const [first, ...rest] = token!.split('/');
    const prefix = first!.slice(0, first!.lastIndexOf('.') + 1);
    out.add(first!);
    for (const r of rest) out.add(`${prefix}${r}`);
  }
  return out;
}

describe("doctor's GCP permissions", () => {
  it('include the Cloud Router route-policy permissions the default de-preference calls, and routers.list', () => {
    expect(FUNCTION_PERMISSIONS).toEqual(
      expect.arrayContaining([
        'compute.routers.list',
        'compute.routers.getRoutePolicy',
        'compute.routers.updateRoutePolicy',
        'compute.routers.deleteRoutePolicy',
      ]),
    );
  });

  it('are all in the documented role (docs/gcp.md)', () => {
    const docs = documented(readFileSync(join(__dirname, '..', '..', 'docs', 'gcp.md'), 'utf8'));
    expect(FUNCTION_PERMISSIONS.filter((p) => !docs.has(p))).toEqual([]);
  });
});
