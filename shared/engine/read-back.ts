/**
 * Read back after acting: the cloud must show what the plan meant to do.
 */
import { pathsOfTunnel } from '../decide';

import type { CloudPorts } from '../ports';
import type { ActionResult } from '../report-types';

/**
 * Read back: a withdrawn path must be gone from the tunnel, a restored one present. A de-preferred path must have
 * left its standby (make-before-break), and its restore must have removed it (no copy left beside the original).
 */
export async function confirm(
  ports: CloudPorts,
  tunnelId: string,
  results: ActionResult[],
  actions: readonly { path: { key: string; lever?: string } }[] = [],
): Promise<ActionResult[]> {
  const present = await ports.paths.list();
  const keys = new Set(pathsOfTunnel(present, tunnelId).map((p) => p.key));
  const all = new Set(present.map((p) => p.key));
  const standbys = new Set(present.flatMap((p) => (p.standbyFor ? [p.standbyFor] : [])));
  const deprefer = new Set(actions.filter((a) => a.path.lever === 'deprefer').map((a) => a.path.key));
  return results.map((r) => {
    if (r.outcome === 'failed') return r;
    if (r.type === 'withdraw' && keys.has(r.pathKey))
      return { ...r, outcome: 'failed', error: 'still present after withdrawal (read-back)' };
    if (r.type === 'withdraw' && deprefer.has(r.pathKey) && !standbys.has(r.pathKey))
      return { ...r, outcome: 'failed', error: 'de-preferred, but no standby is present (read-back)' };
    if (r.type === 'restore' && !all.has(r.pathKey)) return { ...r, outcome: 'failed', error: 'not present after restore (read-back)' };
    if (r.type === 'restore' && deprefer.has(r.pathKey) && standbys.has(r.pathKey))
      return { ...r, outcome: 'failed', error: 'restored, but its standby is still present (read-back)' };
    return r;
  });
}
