/**
 * What tunnel-guard measures about itself, cloud-neutral: each edge writes these sets in its cloud's native way (the
 * AWS edge as CloudWatch embedded-metric-format lines, the GCP edge as structured log lines that log-based metrics
 * count and extract). One set is one subject — a decision, a refusal, a tunnel, the cloud — because both formats
 * carry one set of dimension values per log line. Names live in metric-names.json, so that the plain-JavaScript
 * dashboard definitions use the very same strings. Pure: the caller passes the clock's time.
 */
import { errorMessage } from './errors';
import NAMES from './metric-names.json';
import type { CoreDeps } from './ports';
import type { Report } from './report-types';
import { isFenceId, type Cloud, type LedgerRecord, type TunnelStatus } from './types';

export const METRIC_NAMES = NAMES;

export type MetricUnit = 'Count' | 'Percent' | 'Count/Second' | 'None';

export interface MetricSet {
  /** What the line is about: the GCP log-based metrics filter on it. */
  kind: 'decision' | 'refusal' | 'tunnel' | 'cloud';
  /** Dimension (CloudWatch) or label (Cloud Monitoring) values. */
  dimensions: { Cloud: Cloud; Tunnel?: string; Guard?: string };
  values: Record<string, { value: number; unit: MetricUnit }>;
}

/** A loss figure older than this is history, not what the edge sees now: it is not published again. */
export const LOSS_FRESH_MS = 15 * 60_000;

/** Drains and restores the cloud confirmed, and every refusal by guard, from one invocation's reports. */
export function decisionMetrics(cloud: Cloud, reports: readonly Report[]): MetricSet[] {
  const sets: MetricSet[] = [];
  for (const r of reports) {
    // A dry run plans and changes nothing; a failed run did not (fully) happen: neither is a drain on the graph.
    if (!r.dryRun && r.ok && (r.decision === 'drain' || r.decision === 'restore')) {
      const name = r.decision === 'drain' ? NAMES.drains : NAMES.restores;
      sets.push({ kind: 'decision', dimensions: { Cloud: cloud, Tunnel: r.tunnelId }, values: { [name]: { value: 1, unit: 'Count' } } });
    }
    for (const x of r.refusals) {
      sets.push({
        kind: 'refusal',
        dimensions: { Cloud: cloud, Guard: x.guard },
        values: { [NAMES.refusals]: { value: 1, unit: 'Count' } },
      });
    }
  }
  return sets;
}

/**
 * Every tunnel of `cloud` as the edge sees it now: in service or not (the ledger), its latest loss and probe loss
 * (fresh figures only), its load and whether the cloud reports it up; and how many tunnels are out of service.
 */
export function tunnelMetrics(cloud: Cloud, records: readonly LedgerRecord[], statuses: readonly TunnelStatus[], now: Date): MetricSet[] {
  const mine = records.filter((r) => r.cloud === cloud && !isFenceId(r.tunnelId));
  const byId = new Map(mine.map((r) => [r.tunnelId, r]));
  const status = new Map(statuses.filter((s) => s.ref.cloud === cloud).map((s) => [s.ref.id, s]));
  const ids = [...new Set([...status.keys(), ...byId.keys()])];
  const fresh = (at: string) => now.getTime() - Date.parse(at) <= LOSS_FRESH_MS;
  // Out of service: drained (or on its way in or out) by tunnel-guard, or fed by a path such a drain took out — on AWS a
  // connection's static routes feed both of its tunnels, so draining one takes its sibling out too. A de-preferred
  // path counts as out as well: it carries traffic only once everything better is gone, like the drained tunnel itself.
  const outOfService = new Set<string>();
  for (const r of mine) {
    if (r.state === 'active') continue;
    outOfService.add(r.tunnelId);
    for (const p of r.withdrawn ?? []) for (const t of p.tunnelIds) outOfService.add(t);
  }
  for (const id of outOfService) if (!byId.has(id) && !status.has(id)) ids.push(id);
  ids.sort();
  const sets: MetricSet[] = [];
  let out = 0;
  for (const id of ids) {
    const record = byId.get(id);
    const seen = status.get(id);
    const values: MetricSet['values'] = {};
    const out1 = outOfService.has(id);
    if (out1) out++;
    values[NAMES.outOfService] = { value: out1 ? 1 : 0, unit: 'Count' };
    const losses = Object.values(record?.loss ?? {}).filter((l) => l !== undefined && fresh(l.at));
    if (losses.length) values[NAMES.loss] = { value: percent(Math.max(...losses.map((l) => l!.ratio))), unit: 'Percent' };
    const probes = losses.filter((l) => l!.basis === 'probe');
    if (probes.length) values[NAMES.probeLoss] = { value: percent(Math.max(...probes.map((l) => l!.ratio))), unit: 'Percent' };
    if (seen?.load) values[NAMES.load] = { value: seen.load.pps, unit: 'Count/Second' };
    if (seen && seen.status !== 'unknown') values[NAMES.up] = { value: seen.status === 'up' ? 1 : 0, unit: 'None' };
    sets.push({ kind: 'tunnel', dimensions: { Cloud: cloud, Tunnel: id }, values });
  }
  sets.push({ kind: 'cloud', dimensions: { Cloud: cloud }, values: { [NAMES.tunnelsOutOfService]: { value: out, unit: 'Count' } } });
  return sets;
}

const percent = (ratio: number) => Math.round(ratio * 100_000) / 1000;

/**
 * Read what `tunnelMetrics` needs through the core's own ports (the ledger and the cloud's tunnel view). A failed
 * read costs the metrics of this run, nothing else: it is logged and the run goes on.
 */
export async function observeTunnels(deps: CoreDeps, cloud: Cloud): Promise<MetricSet[]> {
  const view = deps.clouds[cloud];
  if (!view) return [];
  try {
    const [records, statuses] = await Promise.all([deps.ledger.list(), view.tunnels.list()]);
    return tunnelMetrics(cloud, records, statuses, deps.clock.now());
  } catch (e) {
    deps.logger.log({ severity: 'WARNING', message: `metrics: could not read the ${cloud} tunnels: ${errorMessage(e)}` });
    return [];
  }
}
