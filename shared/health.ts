/**
 * What the core believes about each tunnel and path, combining the cloud's own link status with the newest
 * signal in the ledger. Pure.
 */
import type { Health, LedgerRecord, Path, TunnelLoad, TunnelStatus } from './types';

/**
 * A tunnel's effective health: the cloud saying "down" wins; otherwise the newest signal if it says degraded
 * or down (the cloud cannot see packet loss); otherwise "healthy" when the cloud reports the tunnel up.
 */
export function effectiveHealth(status: TunnelStatus | undefined, record: LedgerRecord | undefined): Health {
  if (status?.status === 'down') return 'down';
  if (record && (record.health === 'degraded' || record.health === 'down')) return record.health;
  // An explicit "unknown" signal (insufficient data, cancelled incident) means monitoring cannot vouch for the
  // tunnel: never count it as a healthy fallback. A tunnel that was never signalled goes by the cloud's status.
  const explicitUnknown = record?.monitors ? Object.values(record.monitors).some((m) => m.health === 'unknown') : !!record?.lastSignalAt;
  if (record?.health === 'unknown' && explicitUnknown) return 'unknown';
  if (status?.status === 'up') return 'healthy';
  return 'unknown';
}

export interface View {
  statusOf: (tunnelId: string) => TunnelStatus | undefined;
  recordOf: (tunnelId: string) => LedgerRecord | undefined;
  healthOf: (tunnelId: string) => Health;
  /** Tunnels that are draining, drained or restoring (from the fence and the records). */
  unavailable: ReadonlySet<string>;
}

/** The view with these tunnels counted healthy: measurably better carriers, whatever their label says. */
export const withHealthy = (view: View, ids: readonly string[]): View => {
  const set = new Set(ids);
  return { ...view, healthOf: (id) => (set.has(id) && view.healthOf(id) !== 'down' ? 'healthy' : view.healthOf(id)) };
};

/**
 * Loads the other end's counters reported for this cloud's tunnels, newest per tunnel, gathered from every record
 * (each link message leaves them in the record of the tunnel it was about).
 */
function reportedLoads(records: readonly LedgerRecord[]): Map<string, TunnelLoad> {
  const loads = new Map<string, TunnelLoad>();
  for (const r of records)
    for (const [id, l] of Object.entries(r.loads ?? {})) {
      const held = loads.get(id);
      if (!held || (l.at ?? '') > (held.at ?? '')) loads.set(id, l);
    }
  return loads;
}

export function buildView(tunnels: readonly TunnelStatus[], records: readonly LedgerRecord[], members: readonly string[]): View {
  const loads = reportedLoads(records);
  // A cloud that publishes no packet counters (AWS) learns its tunnels' loads from the other end.
  const statuses = new Map(tunnels.map((t) => [t.ref.id, !t.load && loads.has(t.ref.id) ? { ...t, load: loads.get(t.ref.id)! } : t]));
  const recs = new Map(records.map((r) => [r.tunnelId, r]));
  const unavailable = new Set<string>(members);
  for (const r of records) {
    if (r.state === 'active') continue;
    unavailable.add(r.tunnelId);
    // An AWS connection's routes feed both of its tunnels: the sibling is out of service too.
    for (const p of r.withdrawn) for (const t of p.tunnelIds) unavailable.add(t);
  }
  return {
    statusOf: (id) => statuses.get(id),
    recordOf: (id) => recs.get(id),
    healthOf: (id) => effectiveHealth(statuses.get(id), recs.get(id)),
    unavailable,
  };
}

/**
 * Does this path carry traffic safely? At least one of its tunnels is healthy and in service, and none of them
 * is degraded: a degraded tunnel is still "up", so the cloud may keep choosing it (AWS picks one UP tunnel of a
 * connection). Down tunnels are fine: both clouds skip them on their own.
 */
export function pathIsHealthy(path: Path, view: View, excluding: ReadonlySet<string> = new Set()): boolean {
  let healthy = false;
  for (const id of path.tunnelIds) {
    const h = excluding.has(id) || view.unavailable.has(id) ? 'down' : view.healthOf(id);
    // A "down" signal the cloud does not agree with yet (it still reports the tunnel up) may still attract
    // traffic: count it as degraded until the cloud fails over.
    if (h === 'down' && !excluding.has(id) && view.statusOf(id)?.status === 'up') return false;
    if (h === 'degraded') return false;
    if (h === 'healthy') healthy = true;
  }
  return healthy;
}
