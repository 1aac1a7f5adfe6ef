/**
 * Cloud Monitoring alert evaluation, as the game day models it, from the project's own shipped policy files
 * (`deploy/gcp/alert-policy-*.json`): change a threshold there and the game day changes with it.
 *
 * What is modelled (https://cloud.google.com/monitoring/alerts/concepts-indepth): conditions are evaluated every
 * minute; each time series is aligned (`alignmentPeriod`, `perSeriesAligner`), reduced across series
 * (`crossSeriesReducer`, `groupByFields`), and compared with the threshold; a condition is met when every aligned
 * point in the retest window (`duration`) violates it; `evaluationMissingData` says what a missing point counts as;
 * one incident per condition and group opens when it is met and closes at the first evaluation where it is not;
 * `alertStrategy.autoClose` closes an incident whose series stopped reporting. Evaluation uses the points visible
 * at that minute (ingestion delay, see metrics.ts). Anything the model does not implement (other condition kinds,
 * filter functions, aligners) is a clear error rather than a silent guess.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricStore, Series } from './metrics';
import { evaluatePromql, parsePromql } from './promql';

export interface ThresholdCondition {
  kind: 'threshold';
  displayName: string;
  filter: string;
  alignmentPeriodS: number;
  aligner: string;
  reducer?: string;
  groupBy: string[];
  comparison: 'COMPARISON_GT' | 'COMPARISON_LT' | 'COMPARISON_GE' | 'COMPARISON_LE';
  threshold: number;
  durationS: number;
  missing: 'EVALUATION_MISSING_DATA_INACTIVE' | 'EVALUATION_MISSING_DATA_ACTIVE' | 'EVALUATION_MISSING_DATA_NO_OP';
  raw: Record<string, unknown>;
}

/** A PromQL condition: fires for each output series present for `duration` (Prometheus `for`), resolves when absent. */
export interface PromqlCondition {
  kind: 'promql';
  displayName: string;
  query: string;
  node: ReturnType<typeof parsePromql>;
  durationS: number;
  threshold?: undefined;
  raw: Record<string, unknown>;
}

export type Condition = ThresholdCondition | PromqlCondition;

export interface AlertPolicy {
  file: string;
  displayName: string;
  conditions: Condition[];
  userLabels: Record<string, string>;
  autoCloseS?: number;
  severity?: string;
}

export class PolicyModelError extends Error {}

const seconds = (v: unknown, what: string): number => {
  const m = typeof v === 'string' ? /^(\d+)s$/.exec(v) : null;
  if (!m) throw new PolicyModelError(`${what} must be a duration like "60s", got ${JSON.stringify(v)}`);
  return Number(m[1]);
};

/** Read and check one policy file (the shape `gcloud alpha monitoring policies create --policy-from-file` takes). */
export function parsePolicy(raw: unknown, file: string): AlertPolicy {
  const p = raw as {
    displayName?: string;
    conditions?: unknown[];
    alertStrategy?: { autoClose?: string };
    severity?: string;
    enabled?: boolean;
  };
  if (!p || typeof p.displayName !== 'string' || !Array.isArray(p.conditions))
    throw new PolicyModelError(`${file}: not an alert policy (displayName, conditions)`);
  const conditions = p.conditions.map((c, i): Condition => {
    const cond = c as {
      displayName?: string;
      conditionThreshold?: Record<string, unknown>;
      conditionPrometheusQueryLanguage?: Record<string, unknown>;
    };
    const where = `${file}: condition ${i} (${cond.displayName ?? '?'})`;
    const q = cond.conditionPrometheusQueryLanguage;
    if (q) {
      const evaluation = q.evaluationInterval === undefined ? 60 : seconds(q.evaluationInterval, `${where}: evaluationInterval`);
      if (evaluation !== 60) throw new PolicyModelError(`${where}: only a 60s evaluationInterval is modelled`);
      return {
        kind: 'promql',
        displayName: cond.displayName ?? `condition ${i}`,
        query: String(q.query ?? ''),
        node: parsePromql(String(q.query ?? '')),
        durationS: seconds(q.duration ?? '0s', `${where}: duration`),
        raw: q,
      };
    }
    const t = cond.conditionThreshold;
    if (!t)
      throw new PolicyModelError(
        `${where}: the game day evaluates conditionThreshold and conditionPrometheusQueryLanguage only; this condition is of another kind`,
      );
    const aggs = (t.aggregations as Record<string, unknown>[] | undefined) ?? [];
    if (aggs.length !== 1) throw new PolicyModelError(`${where}: exactly one aggregation is modelled`);
    const a = aggs[0]!;
    const trigger = t.trigger as { count?: number; percent?: number } | undefined;
    if (trigger && (trigger.percent !== undefined || (trigger.count ?? 1) !== 1))
      throw new PolicyModelError(`${where}: only trigger.count 1 is modelled`);
    if (t.denominatorFilter) throw new PolicyModelError(`${where}: ratio conditions (denominatorFilter) are not modelled`);
    return {
      kind: 'threshold',
      displayName: cond.displayName ?? `condition ${i}`,
      filter: String(t.filter ?? ''),
      alignmentPeriodS: seconds(a.alignmentPeriod, `${where}: alignmentPeriod`),
      aligner: String(a.perSeriesAligner ?? 'ALIGN_NONE'),
      ...(a.crossSeriesReducer ? { reducer: String(a.crossSeriesReducer) } : {}),
      groupBy: (a.groupByFields as string[] | undefined) ?? [],
      comparison: t.comparison as ThresholdCondition['comparison'],
      threshold: Number(t.thresholdValue ?? 0),
      durationS: seconds(t.duration ?? '0s', `${where}: duration`),
      missing: (t.evaluationMissingData as ThresholdCondition['missing'] | undefined) ?? 'EVALUATION_MISSING_DATA_NO_OP',
      raw: t,
    };
  });
  return {
    file,
    displayName: p.displayName,
    conditions,
    userLabels: (p as { userLabels?: Record<string, string> }).userLabels ?? {},
    ...(p.alertStrategy?.autoClose ? { autoCloseS: seconds(p.alertStrategy.autoClose, `${file}: autoClose`) } : {}),
    ...(p.severity ? { severity: p.severity } : {}),
  };
}

/** Every shipped policy in `dir` (files named `alert-policy-*.json`), in name order. */
export function loadShippedPolicies(dir: string): AlertPolicy[] {
  return readdirSync(dir)
    .filter((f) => /^alert-policy-.*\.json$/.test(f))
    .sort()
    .map((f) => parsePolicy(JSON.parse(readFileSync(join(dir, f), 'utf8')), join(dir, f)))
    .filter((p) => p.conditions.length > 0);
}

type Clause = { field: string; op: '=' | '!='; value: string };

/** `resource.type = "vpn_gateway" AND metric.type = "…"` → clauses; anything else is an error. */
export function parseFilter(filter: string): Clause[] {
  return filter.split(/\s+AND\s+/).map((part) => {
    const m = /^\s*([a-z_.]+)\s*(!=|=)\s*"([^"]*)"\s*$/.exec(part);
    if (!m) throw new PolicyModelError(`filter clause ${JSON.stringify(part)} is not modelled (only field = "value" joined by AND)`);
    return { field: m[1]!, op: m[2] as Clause['op'], value: m[3]! };
  });
}

function fieldOf(s: Series, field: string): string | undefined {
  if (field === 'metric.type') return s.metricType;
  if (field === 'resource.type') return s.resourceType;
  const m = /^(metric|resource)\.labels?\.([a-z_]+)$/.exec(field);
  if (!m) throw new PolicyModelError(`field ${field} is not modelled`);
  return (m[1] === 'metric' ? s.metricLabels : s.resourceLabels)[m[2]!];
}

const matches = (s: Series, clauses: Clause[]): boolean =>
  clauses.every((c) => (c.op === '=' ? fieldOf(s, c.field) === c.value : fieldOf(s, c.field) !== c.value));

function align(s: Series, boundary: number, periodS: number, aligner: string, now: number): number | undefined {
  const pts = s.points.filter((p) => p.end > boundary - periodS && p.end <= boundary && p.visibleAt <= now);
  if (pts.length === 0) return undefined;
  const values = pts.map((p) => p.value);
  const sum = values.reduce((a, b) => a + b, 0);
  switch (aligner) {
    case 'ALIGN_RATE':
      return sum / periodS;
    case 'ALIGN_DELTA':
    case 'ALIGN_SUM':
      return sum;
    case 'ALIGN_MEAN':
      return sum / values.length;
    case 'ALIGN_MIN':
      return Math.min(...values);
    case 'ALIGN_MAX':
      return Math.max(...values);
    case 'ALIGN_COUNT':
      return values.length;
    default:
      throw new PolicyModelError(`aligner ${aligner} is not modelled`);
  }
}

function reduce(values: number[], reducer: string | undefined): number {
  switch (reducer ?? 'REDUCE_NONE') {
    case 'REDUCE_NONE':
    case 'REDUCE_SUM':
      return values.reduce((a, b) => a + b, 0);
    case 'REDUCE_MEAN':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'REDUCE_MIN':
      return Math.min(...values);
    case 'REDUCE_MAX':
      return Math.max(...values);
    default:
      throw new PolicyModelError(`reducer ${reducer} is not modelled`);
  }
}

const violates = (c: ThresholdCondition, v: number): boolean =>
  c.comparison === 'COMPARISON_GT'
    ? v > c.threshold
    : c.comparison === 'COMPARISON_LT'
      ? v < c.threshold
      : c.comparison === 'COMPARISON_GE'
        ? v >= c.threshold
        : c.comparison === 'COMPARISON_LE'
          ? v <= c.threshold
          : (() => {
              throw new PolicyModelError(`comparison ${c.comparison} is not modelled`);
            })();

/** One open or closed incident, as the webhook reports it. */
export interface IncidentChange {
  state: 'open' | 'closed';
  policy: AlertPolicy;
  condition: Condition;
  /** The group's labels (metric.label.* and resource.label.* by their short names). */
  metricLabels: Record<string, string>;
  resourceLabels: Record<string, string>;
  metricType: string;
  incidentId: string;
  startedAt: number;
  endedAt?: number;
  observed?: number;
  /** Closed because the series stopped reporting (autoClose), not because the condition cleared. */
  noData?: boolean;
}

interface Open {
  id: string;
  startedAt: number;
  lastSeen: number;
}

/** Evaluates the shipped policies every minute over the metric store; returns the incident changes. */
export class GcpAlertEvaluator {
  private readonly open = new Map<string, Open>();
  /** PromQL: since when each output series has been present (pending, in Prometheus words). */
  private readonly pending = new Map<string, number>();
  private seq = 0;

  constructor(readonly policies: readonly AlertPolicy[]) {
    // Fail at the start of a run, not in the middle of one.
    for (const p of policies) for (const c of p.conditions) if (c.kind === 'threshold') parseFilter(c.filter);
  }

  evaluate(now: number, store: MetricStore): IncidentChange[] {
    const changes: IncidentChange[] = [];
    for (const policy of this.policies) {
      for (const cond of policy.conditions) {
        if (cond.kind === 'promql') {
          changes.push(...this.evaluatePromql(now, store, policy, cond));
          continue;
        }
        const clauses = parseFilter(cond.filter);
        const groups = new Map<string, Series[]>();
        for (const s of store.all()) {
          if (!matches(s, clauses)) continue;
          const key =
            cond.groupBy.map((f) => `${f}=${fieldOf(s, f) ?? ''}`).join(',') ||
            (cond.reducer ? '*' : JSON.stringify([s.metricLabels, s.resourceLabels]));
          groups.set(key, [...(groups.get(key) ?? []), s]);
        }
        for (const [gkey, series] of groups) changes.push(...this.evaluateGroup(now, policy, cond, gkey, series));
      }
    }
    return changes;
  }

  private evaluateGroup(now: number, policy: AlertPolicy, cond: ThresholdCondition, gkey: string, series: Series[]): IncidentChange[] {
    const A = cond.alignmentPeriodS;
    const value = (b: number): number | undefined => {
      const vs = series.map((s) => align(s, b, A, cond.aligner, now)).filter((v): v is number => v !== undefined);
      return vs.length ? reduce(vs, cond.reducer) : undefined;
    };
    const ikey = `${policy.displayName}|${cond.displayName}|${gkey}`;
    const open = this.open.get(ikey);
    // The newest aligned point visible now: evaluation runs on data as it arrives.
    const latest = Math.max(
      -Infinity,
      ...series.flatMap((s) => s.points.filter((p) => p.visibleAt <= now).map((p) => Math.ceil(p.end / A) * A)),
    );
    const first = series[0]!;
    const labels = this.groupLabels(cond, first);
    if (!Number.isFinite(latest)) return [];
    if (open) open.lastSeen = latest;
    if (open && policy.autoCloseS !== undefined && now - latest >= policy.autoCloseS) {
      this.open.delete(ikey);
      return [
        { state: 'closed', policy, condition: cond, ...labels, incidentId: open.id, startedAt: open.startedAt, endedAt: now, noData: true },
      ];
    }
    const n = Math.max(1, Math.round(cond.durationS / A));
    let met: boolean | undefined = true;
    for (let k = 0; k < n; k++) {
      const v = value(latest - k * A);
      const bad =
        v === undefined
          ? cond.missing === 'EVALUATION_MISSING_DATA_ACTIVE'
            ? true
            : cond.missing === 'EVALUATION_MISSING_DATA_INACTIVE'
              ? false
              : undefined
          : violates(cond, v);
      if (bad === undefined) {
        met = undefined;
        break;
      }
      if (!bad) {
        met = false;
        break;
      }
    }
    const observed = value(latest);
    if (met === true && !open) {
      const id = `0.gameday${(++this.seq).toString(36)}`;
      this.open.set(ikey, { id, startedAt: now, lastSeen: latest });
      return [
        {
          state: 'open',
          policy,
          condition: cond,
          ...labels,
          incidentId: id,
          startedAt: now,
          ...(observed !== undefined ? { observed } : {}),
        },
      ];
    }
    if (met === false && open) {
      this.open.delete(ikey);
      return [
        {
          state: 'closed',
          policy,
          condition: cond,
          ...labels,
          incidentId: open.id,
          startedAt: open.startedAt,
          endedAt: now,
          ...(observed !== undefined ? { observed } : {}),
        },
      ];
    }
    return [];
  }

  private evaluatePromql(now: number, store: MetricStore, policy: AlertPolicy, cond: PromqlCondition): IncidentChange[] {
    const out: IncidentChange[] = [];
    const present = evaluatePromql(cond.node, store, now);
    const prefix = `${policy.displayName}|${cond.displayName}|`;
    const resourceOf = (l: Record<string, string>) =>
      Object.fromEntries(['project_id', 'region', 'gateway_id'].filter((k) => l[k] !== undefined).map((k) => [k, l[k]!]));
    for (const [k, sample] of present) {
      const ikey = prefix + k;
      const since = this.pending.get(ikey) ?? now;
      this.pending.set(ikey, since);
      if (!this.open.has(ikey) && now - since >= cond.durationS) {
        const id = `0.gameday${(++this.seq).toString(36)}`;
        this.open.set(ikey, { id, startedAt: now, lastSeen: now });
        out.push({
          state: 'open',
          policy,
          condition: cond,
          metricLabels: { ...sample.labels },
          resourceLabels: resourceOf(sample.labels),
          metricType: '',
          incidentId: id,
          startedAt: now,
          observed: sample.value,
        });
      }
    }
    for (const [ikey, open] of [...this.open]) {
      if (!ikey.startsWith(prefix) || present.has(ikey.slice(prefix.length))) continue;
      this.open.delete(ikey);
      const labels = Object.fromEntries(JSON.parse(ikey.slice(prefix.length)) as [string, string][]);
      out.push({
        state: 'closed',
        policy,
        condition: cond,
        metricLabels: labels,
        resourceLabels: resourceOf(labels),
        metricType: '',
        incidentId: open.id,
        startedAt: open.startedAt,
        endedAt: now,
      });
    }
    for (const ikey of [...this.pending.keys()])
      if (ikey.startsWith(prefix) && !present.has(ikey.slice(prefix.length))) this.pending.delete(ikey);
    return out;
  }

  private groupLabels(cond: ThresholdCondition, s: Series): Pick<IncidentChange, 'metricLabels' | 'resourceLabels' | 'metricType'> {
    // Without a reducer every label survives; with one, only the grouped fields do (as in Cloud Monitoring).
    if (!cond.reducer) return { metricLabels: { ...s.metricLabels }, resourceLabels: { ...s.resourceLabels }, metricType: s.metricType };
    const pick = (kind: 'metric' | 'resource', from: Record<string, string>) =>
      Object.fromEntries(
        Object.entries(from).filter(([k]) => cond.groupBy.some((f) => f === `${kind}.label.${k}` || f === `${kind}.labels.${k}`)),
      );
    return { metricLabels: pick('metric', s.metricLabels), resourceLabels: pick('resource', s.resourceLabels), metricType: s.metricType };
  }
}
