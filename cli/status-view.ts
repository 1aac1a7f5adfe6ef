/**
 * `status`: the contract shape of issue 2 (`{"tunnels":[{id,cloud,health,state,native,routes,withdrawn}]}`), built
 * purely from what the clouds and the ledger say, and a readable table of it.
 */
import { effectiveHealth } from '../shared/health';
import { isFenceId, type Health, type LedgerRecord, type Path, type TunnelStatus } from '../shared/types';

export interface StatusRoute {
  destination: string;
  pathKey: string;
  kind: Path['kind'];
}
export interface StatusTunnel {
  id: string;
  cloud: 'aws' | 'gcp';
  health: Health;
  state: string;
  native: Record<string, unknown>;
  routes: StatusRoute[];
  withdrawn: StatusRoute[];
  linkStatus: TunnelStatus['status'];
  suppressed: boolean;
  reason?: string;
  lastSignalAt?: string;
  healthySince?: string;
}
export interface StatusDoc {
  tunnels: StatusTunnel[];
}

/** One entry per destination of each path (a BGP peer carries several). */
const perDestination = (paths: readonly Path[]): StatusRoute[] =>
  paths.flatMap((p) => p.destinations.map((destination) => ({ destination, pathKey: p.key, kind: p.kind })));

export function buildStatus(tunnels: readonly TunnelStatus[], paths: readonly Path[], records: readonly LedgerRecord[]): StatusDoc {
  const byId = new Map(records.filter((r) => !isFenceId(r.tunnelId)).map((r) => [r.tunnelId, r]));
  return {
    tunnels: tunnels.map((t) => {
      const r = byId.get(t.ref.id);
      return {
        id: t.ref.id,
        cloud: t.ref.cloud,
        health: effectiveHealth(t, r && r.health !== 'unknown' ? r : undefined),
        state: r?.state ?? 'active',
        native: { ...t.ref.native },
        routes: perDestination(paths.filter((p) => p.tunnelIds.includes(t.ref.id))),
        withdrawn: perDestination(r?.withdrawn ?? []),
        linkStatus: t.status,
        suppressed: r?.suppressed ?? false,
        ...(r?.reason ? { reason: r.reason } : {}),
        ...(r?.lastSignalAt ? { lastSignalAt: r.lastSignalAt } : {}),
        ...(r?.healthySince ? { healthySince: r.healthySince } : {}),
      };
    }),
  };
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

/** A fixed-width table; one line per tunnel, routes and withdrawn destinations listed compactly. */
export function formatStatus(doc: StatusDoc): string {
  const rows = doc.tunnels.map((t) => [
    t.id,
    t.linkStatus,
    t.health,
    t.state + (t.suppressed ? ' (suppressed)' : ''),
    t.routes.map((r) => r.destination).join(', ') || '-',
    t.withdrawn.map((r) => r.destination).join(', ') || '-',
  ]);
  const head = ['TUNNEL', 'LINK', 'HEALTH', 'STATE', 'ACTIVE ROUTES', 'WITHDRAWN'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n') + '\n';
}
