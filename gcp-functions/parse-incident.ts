/**
 * Cloud Monitoring webhook notifications → `Signal` (pure; parse once, at the edge).
 *
 * What the payload looks like (sources in test/fixtures/gcp/SOURCES.md):
 * - Schema `1.2`: `{version:"1.2", incident:{incident_id, scoping_project_id, started_at, ended_at, state:
 *   "open"|"closed", summary, observed_value, threshold_value, resource{type,labels}, metric{type,labels},
 *   policy_name, condition_name, condition{conditionThreshold{comparison, thresholdValue}}, …}}`. Times are epoch
 *   seconds. For Cloud VPN metrics the resource is `vpn_gateway` (labels `project_id`, `region`, `gateway_id`) and
 *   the metric labels carry `tunnel_name` when the policy groups by it.
 * - Test notifications (the console's "Send test notification") carry `version:"test"`, `state:"OPEN"` and
 *   example resource/metric: acknowledged, never acted on.
 * - Schema `1.1` (older channels) has no `resource`/`metric` objects: the tunnel comes from `policy_name` through
 *   `config.policyTunnels`, or the notification is ignored with a reason.
 *
 * A `closed` incident is not always a recovery. Real captures show that when the condition is edited or the
 * policy deleted while an incident is open, Cloud Monitoring closes it with `observed_value` = "Incident cancelled
 * because the alert policy condition was deleted or modified while incident was active." (and the summary ends in
 * "returned to normal with a value of Incident cancelled …"). An incident can also be closed because data
 * stopped arriving (the policy's `alertStrategy.autoClose`), which says nothing about the tunnel's health. So a
 * closed incident is `healthy` only when `observed_value` is a real number on the healthy side of the
 * threshold (when the threshold and comparison are known) and the summary does not mention a cancellation or
 * missing data; anything else is `unknown`, which never restores.
 */
import { z } from 'zod';
import { gcpTunnelId, type DropReason, type Health, type Signal } from '../shared/types';

const labels = z.record(z.string(), z.string());
const numOrString = z.union([z.string(), z.number()]);

const incidentSchema = z.looseObject({
  incident_id: z.string().min(1).max(256),
  scoping_project_id: z.string().max(256).optional(),
  started_at: z.number().int().nonnegative().nullish(),
  ended_at: z.number().int().nonnegative().nullish(),
  state: z.string().min(1).max(32),
  summary: z.string().max(16_384).nullish(),
  observed_value: numOrString.nullish(),
  threshold_value: numOrString.nullish(),
  resource: z.looseObject({ type: z.string().optional(), labels: labels.optional() }).nullish(),
  metric: z.looseObject({ type: z.string().optional(), displayName: z.string().optional(), labels: labels.optional() }).nullish(),
  policy_name: z.string().max(1024).nullish(),
  condition_name: z.string().max(1024).nullish(),
  /** The policy's user labels (Cloud Monitoring includes them in notifications). */
  policy_user_labels: labels.nullish(),
  condition: z
    .looseObject({
      conditionThreshold: z.looseObject({ comparison: z.string().optional(), thresholdValue: z.number().optional() }).optional(),
    })
    .nullish(),
});

const payloadSchema = z.looseObject({ version: z.string().min(1).max(16), incident: incidentSchema });

export type Incident = z.infer<typeof incidentSchema>;

export type ParsedIncident =
  /** A signal for the core. */
  | { kind: 'signal'; signal: Signal; incidentId: string }
  /** Acknowledged, changes nothing (test notification, not a VPN metric, unmapped tunnel, unknown state). */
  | { kind: 'ignored'; reason: string; incidentId?: string }
  /** Not a Cloud Monitoring notification at all: HTTP 400. */
  | { kind: 'invalid'; reason: string };

/** Configuration the parser needs: schema-1.1 / ungrouped policies mapped to tunnel ids by policy name. */
export interface ParseConfig {
  policyTunnels: Record<string, string>;
}

const VPN_METRIC = /^vpn\.googleapis\.com\//;
const TUNNEL_ESTABLISHED = 'vpn.googleapis.com/tunnel_established';
/** Words Cloud Monitoring uses when it closes an incident for a reason other than recovery. */
const NOT_A_RECOVERY = /(cancel|deleted or modified|no data|missing data|data (is )?absent|auto[- ]?clos|stopped receiving|disabled)/i;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const iso = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString();

/** Parse one webhook body (already JSON-decoded). Never throws. */
export function parseIncident(body: unknown, config: ParseConfig): ParsedIncident {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { kind: 'invalid', reason: 'body is not a JSON object' };
  }
  const parsed = payloadSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      kind: 'invalid',
      reason: `not a Cloud Monitoring notification: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  const { version, incident } = parsed.data;
  const id = incident.incident_id;
  if (version === 'test') {
    return { kind: 'ignored', reason: 'test notification acknowledged: nothing changed', incidentId: id };
  }
  const state = incident.state.toLowerCase();
  if (state !== 'open' && state !== 'closed') {
    return { kind: 'ignored', reason: `incident state ${JSON.stringify(incident.state)} is neither open nor closed`, incidentId: id };
  }
  if (!incident.started_at) return { kind: 'invalid', reason: 'incident.started_at is missing: the notification cannot be ordered' };

  const target = tunnelOf(incident, config);
  if (!target.ok) return { kind: 'ignored', reason: target.reason, incidentId: id };

  let health: Health;
  let why = '';
  const role = roleOf(incident);
  if (role === 'trip' && state === 'closed') {
    return {
      kind: 'ignored',
      reason: `${target.tunnelId}: the trip policy closed (below the trip threshold); recovery is for the clear policy to report`,
      incidentId: id,
    };
  }
  if (role === 'clear' && state === 'open') {
    return {
      kind: 'ignored',
      reason: `${target.tunnelId}: the clear policy opened (above the clear threshold, or too little traffic to tell); the trip policy decides drains`,
      incidentId: id,
    };
  }
  if (state === 'open') {
    health = incident.metric?.type === TUNNEL_ESTABLISHED ? 'down' : 'degraded';
  } else {
    const r = role === 'clear' ? clearClosedHealth(incident) : closedHealth(incident, target.fallback);
    health = r.health;
    why = r.why;
  }
  const ended = state === 'closed' ? (incident.ended_at ?? undefined) : undefined;
  const observedAt = iso(ended ?? incident.started_at);
  const where = [incident.policy_name, incident.condition_name].filter(Boolean).join(' / ');
  const evidence = `${where ? `${where}: ` : ''}${incident.summary ?? `incident ${state}`}${why ? ` (${why})` : ''}`.slice(0, 1000);
  return {
    kind: 'signal',
    incidentId: id,
    signal: {
      tunnelId: target.tunnelId,
      health,
      observedAt,
      source: 'gcp-webhook',
      monitor: monitorOf(incident),
      // Packet counters and ratios measure production traffic (a drained tunnel has none); tunnel_established
      // says whether the tunnel is up.
      basis: incident.metric?.type === TUNNEL_ESTABLISHED ? 'state' : 'traffic',
      key: `gcp-incident:${id}:${state}${ended !== undefined ? `:${ended}` : ''}`,
      evidence,
      ...(reasonOf(incident) ? { reason: reasonOf(incident) } : {}),
    },
  };
}

/**
 * Why the packets drop, from the policy user label `tunnel-guard-reason` (`throttled`, `mtu`): the shipped policies
 * watch each `status` of the per-tunnel packet counters apart, because each calls for another remedy — a throttled
 * tunnel is full (draining it fills its sibling), an MTU problem is configuration (no route change helps).
 */
export const REASON_LABEL = 'tunnel-guard-reason';
function reasonOf(incident: Incident): DropReason | undefined {
  const r = incident.policy_user_labels?.[REASON_LABEL];
  return r === 'throttled' || r === 'mtu' || r === 'path' ? r : undefined;
}

/**
 * The monitor an incident speaks for: `gcp-policy:<policy_name>/<condition_name>`, both of which the open and the
 * closed notification of one condition carry (schema 1.1 too). Without a condition name, the policy name; without
 * either, the incident itself (its open and closed notifications share `incident_id`).
 */
export function monitorOf(incident: Incident): string {
  // A trip/clear pair of policies speaks for one monitor: the trip policy's open and the clear policy's close are
  // the two halves of one hysteresis loop, and must be ordered (and de-duplicated) as one monitor's news.
  const named = incident.policy_user_labels?.[MONITOR_LABEL]?.trim();
  if (named) return `gcp-monitor:${named}`;
  const policy = incident.policy_name?.trim();
  const condition = incident.condition_name?.trim();
  if (!policy) return `gcp-incident:${incident.incident_id}`;
  return `gcp-policy:${policy}${condition ? `/${condition}` : ''}`;
}

/**
 * Hysteresis with two policies, told apart by the policy user label `tunnel-guard-role`: the `trip` policy opens
 * when the loss ratio crosses the trip threshold (a drain); the `clear` policy closes only when the ratio is below
 * the lower clear threshold while the tunnel carries at least the traffic floor (a recovery). Each one's other
 * transition says nothing: a trip policy closing means "below trip", not "recovered"; a clear policy opening means
 * "not clean yet". User labels: https://cloud.google.com/monitoring/alerts/labels
 */
export const ROLE_LABEL = 'tunnel-guard-role';
export const MONITOR_LABEL = 'tunnel-guard-monitor';

function roleOf(incident: Incident): 'trip' | 'clear' | undefined {
  const r = incident.policy_user_labels?.[ROLE_LABEL];
  return r === 'trip' || r === 'clear' ? r : undefined;
}

/**
 * A clear policy's close. Its condition already holds the evidence rule (the ratio below the clear threshold AND
 * at least the traffic floor: an idle tunnel keeps it open), and a PromQL condition reports no observed value — so
 * a close is a recovery unless Cloud Monitoring says it was cancelled or closed for missing data.
 */
function clearClosedHealth(incident: Incident): { health: Health; why: string } {
  const summaryValue = /returned to normal with a value of (.*)$/is.exec(incident.summary ?? '')?.[1] ?? '';
  const observed = incident.observed_value === undefined || incident.observed_value === null ? '' : String(incident.observed_value);
  if (NOT_A_RECOVERY.test(observed) || NOT_A_RECOVERY.test(summaryValue) || NOT_A_RECOVERY.test(incident.summary ?? '')) {
    return { health: 'unknown', why: 'clear policy closed without recovery: cancelled, or closed for missing data' };
  }
  return { health: 'healthy', why: 'below the clear threshold with traffic' };
}

type Target = { ok: true; tunnelId: string; fallback: boolean } | { ok: false; reason: string };

function tunnelOf(incident: Incident, config: ParseConfig): Target {
  const byPolicy = (why: string): Target => {
    const name = incident.policy_name ?? '';
    // Own keys only: a policy named "toString" must not find Object.prototype.toString.
    const mapped = name && Object.hasOwn(config.policyTunnels, name) ? config.policyTunnels[name] : undefined;
    if (typeof mapped === 'string' && mapped) return { ok: true, tunnelId: mapped, fallback: true };
    return { ok: false, reason: `${why}, and policy ${JSON.stringify(name)} is not mapped to a tunnel in policyTunnels: ignored` };
  };
  const resource = incident.resource;
  const metric = incident.metric;
  if (!resource && !metric) return byPolicy('no resource or metric in the notification (schema 1.1?)');
  // A PromQL condition's incident carries the query's output labels as metric labels (the query keeps
  // project_id, region and tunnel_name by its `sum by`), not a vpn_gateway resource and metric type.
  const promql = roleOf(incident) !== undefined;
  if (!promql && metric?.type && !VPN_METRIC.test(metric.type)) {
    return { ok: false, reason: `metric ${metric.type} is not a Cloud VPN metric: ignored` };
  }
  if (!promql && resource?.type && resource.type !== 'vpn_gateway') {
    return { ok: false, reason: `resource type ${resource.type} is not vpn_gateway: ignored` };
  }
  const project = resource?.labels?.project_id ?? (promql ? metric?.labels?.project_id : undefined);
  const region = resource?.labels?.region ?? (promql ? metric?.labels?.region : undefined);
  const name = metric?.labels?.tunnel_name;
  if (!project || !region || !name) {
    return byPolicy('the notification names no tunnel (group the policy by metric.label.tunnel_name)');
  }
  return { ok: true, tunnelId: gcpTunnelId({ project, region, name }), fallback: false };
}

/** Is this closed incident a real recovery? See the file comment for the evidence. */
function closedHealth(incident: Incident, fallback: boolean): { health: Health; why: string } {
  const summary = incident.summary ?? '';
  const observedRaw = incident.observed_value;
  const observedText = observedRaw === undefined || observedRaw === null ? '' : String(observedRaw).trim();
  // Only the value part of the summary is checked: the rest names resources and labels (a tunnel may well be
  // called "cancel-…"), which must not decide anything.
  const summaryValue = /returned to normal with a value of (.*)$/is.exec(summary)?.[1] ?? '';
  if (NOT_A_RECOVERY.test(observedText) || NOT_A_RECOVERY.test(summaryValue)) {
    return { health: 'unknown', why: 'closed without recovery: cancelled, or closed for missing data' };
  }
  if (observedText === '') {
    // Schema 1.1 has no observed value; its summary still says "returned to normal" on a real recovery.
    if (fallback && /returned to normal/i.test(summary)) return { health: 'healthy', why: '' };
    return { health: 'unknown', why: 'closed without an observed value: not known to have recovered' };
  }
  if (!NUMBER.test(observedText))
    return { health: 'unknown', why: `closed with observed value ${JSON.stringify(observedText.slice(0, 200))}` };
  const observed = Number(observedText);
  const threshold = numberOf(incident.threshold_value) ?? incident.condition?.conditionThreshold?.thresholdValue;
  const comparison = incident.condition?.conditionThreshold?.comparison;
  if (threshold !== undefined && comparison && breaches(observed, comparison, threshold)) {
    return { health: 'unknown', why: `closed although the observed value ${observed} still breaches ${comparison} ${threshold}` };
  }
  return { health: 'healthy', why: '' };
}

function numberOf(v: string | number | null | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && NUMBER.test(v.trim())) return Number(v.trim());
  return undefined;
}

function breaches(value: number, comparison: string, threshold: number): boolean {
  switch (comparison) {
    case 'COMPARISON_GT':
      return value > threshold;
    case 'COMPARISON_GE':
      return value >= threshold;
    case 'COMPARISON_LT':
      return value < threshold;
    case 'COMPARISON_LE':
      return value <= threshold;
    case 'COMPARISON_EQ':
      return value === threshold;
    case 'COMPARISON_NE':
      return value !== threshold;
    default:
      return false;
  }
}
