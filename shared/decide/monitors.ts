/**
 * Monitor bookkeeping: each monitor's latest word on a tunnel, which of them speak for it now, and the tunnel's
 * health as the worst of those. Pure.
 */

import type { View } from '../health';
import { withMeasure } from '../measure';
import type { Health, LedgerRecord, Signal } from '../types';

export const MAX_KEYS = 50;

export const RANK: Record<Health, number> = { healthy: 0, unknown: 1, degraded: 2, down: 3 };
export const worstOf = (hs: Health[]): Health => hs.reduce<Health>((a, b) => (RANK[b] > RANK[a] ? b : a), 'healthy');
export const monitorOf = (s: Signal): string => s.monitor ?? s.source;
export const isLinkMonitor = (m: string): boolean => m.startsWith('link:');

/** Older than the newest signal already applied *from the same monitor*: another monitor's news is no reason. */
export function staleFor(record: LedgerRecord, s: Signal): string | undefined {
  const last = record.monitors?.[monitorOf(s)]?.at ?? (record.monitors ? undefined : record.lastSignalAt);
  return last && s.observedAt < last ? last : undefined;
}

export type Monitors = NonNullable<LedgerRecord['monitors']>;

/**
 * The monitors that speak for a tunnel now. A drained tunnel carries no production traffic, so the monitors that
 * measure traffic (loss ratios, drop counters) can no longer tell whether it healed: when a probe — which keeps
 * measuring the tunnel itself — reports it healthy (here or through the link), they are set aside. While the
 * tunnel is in service, every monitor counts, and the worst wins.
 */
export function speakingMonitors(state: LedgerRecord['state'], monitors: Monitors): Monitors {
  if (state === 'active') return monitors;
  const probes = Object.values(monitors).filter((m) => m.basis === 'probe');
  if (probes.length === 0 || probes.some((m) => m.health !== 'healthy')) return monitors;
  return Object.fromEntries(Object.entries(monitors).filter(([, m]) => m.basis !== 'traffic'));
}

/** Worst health of the tunnel's own monitors (not the other end's link messages). */
export const localHealthOf = (r: LedgerRecord): Health =>
  worstOf(
    Object.entries(speakingMonitors(r.state, r.monitors ?? {}))
      .filter(([m]) => !isLinkMonitor(m))
      .map(([, v]) => v.health),
  );

/**
 * Apply a signal to the record: its monitor's latest health, and the tunnel's health as the worst of all its
 * monitors, so one alarm clearing cannot restore a tunnel that another alarm still reports degraded.
 */
export function withSignalMark(record: LedgerRecord, signal: Signal): LedgerRecord {
  const keys = [...record.recentKeys, { key: signal.key, at: signal.observedAt }].slice(-MAX_KEYS);
  // A monitor keeps what it measures when a message does not say (a restore after the hold-down carries no signal).
  const basis = signal.basis ?? record.monitors?.[monitorOf(signal)]?.basis;
  const entry = { health: signal.health, at: signal.observedAt, ...(basis ? { basis } : {}) };
  const monitors = { ...(record.monitors ?? {}), [monitorOf(signal)]: entry };
  const health = worstOf(Object.values(speakingMonitors(record.state, monitors)).map((m) => m.health));
  const wasHealthy = record.health === 'healthy' && record.healthySince;
  return {
    ...withMeasure(record, signal, monitorOf(signal)),
    recentKeys: keys,
    monitors,
    health,
    lastSignalViaLink: !!signal.viaLink,
    lastSignalAt: record.lastSignalAt && record.lastSignalAt > signal.observedAt ? record.lastSignalAt : signal.observedAt,
    healthySince: health === 'healthy' ? (wasHealthy ? record.healthySince : signal.observedAt) : undefined,
  };
}

export const LAG = 'a tunnel-state monitor still says down, but the cloud reports the tunnel up: waiting for the monitor to catch up';

/**
 * Only monitors of tunnel state say "down", and the cloud reports the tunnel up again: the state metric lags the
 * cloud (GCP's tunnel_established is visible up to three minutes late). Cutting a tunnel that is back would only
 * keep it out for a hold-down; a fresh "down" signal still drains as usual.
 */
export function stateLagsCloud(r: LedgerRecord, view: View, id: string): boolean {
  if (r.health !== 'down' || view.statusOf(id)?.status !== 'up') return false;
  const holding = Object.values(r.monitors ?? {}).filter((m) => m.health !== 'healthy');
  return holding.length > 0 && holding.every((m) => m.basis === 'state');
}
