/**
 * Turns what the Lambda receives into `Signal`s. Pure: no I/O, no clock, no environment.
 *
 * Three envelopes carry the same CloudWatch alarm state change:
 * - EventBridge `CloudWatch Alarm State Change` (`detail.state`, `detail.configuration.metrics[]`, dimensions as a map);
 * - SNS (`Records[].Sns.Message` is the classic alarm notification as a JSON string; `Trigger.Dimensions` is a
 *   list of `{name, value}`, metric math under `Trigger.Metrics[]`);
 * - a direct Lambda alarm action (`alarmData` — the EventBridge `detail` shape, with `alarmArn` and `region`).
 * An SNS record may instead carry a signed link message from the GCP side: it is passed on as `link`
 * for the handler to verify; the parser never trusts it. An SNS alarm notification is unsigned, so it is read
 * only from a topic in `alarmTopicArns` and never from the link topic; EventBridge events and alarm actions are
 * delivered by AWS itself and need no allow-list.
 */
import { z } from 'zod';
import { parseProbeAlarmName, type ProbeRole } from '../clouds/probes';
import { awsTunnelId, type Health, type Signal } from '../shared/types';
import type { Config } from '../shared/policy';

/** Alarm tag that maps an alarm without `AWS/VPN` dimensions to a tunnel id (needs tag propagation). */
export const TUNNEL_TAG = 'tunnel-guard:tunnel';

export interface ParseContext {
  /** `alarmTunnels` of the configuration: alarm name → tunnel id. */
  alarmTunnels: Config['alarmTunnels'];
  /** Region used when the envelope names none (SNS messages carry a display name like "EU - Ireland"). */
  defaultRegion?: string;
  /**
   * SNS topics allowed to deliver alarm notifications (`TUNNEL_GUARD_ALARM_TOPIC_ARNS`). Absent or empty = none:
   * an SNS message is unauthenticated, so only topics the operator names (whose publish policy admits only
   * CloudWatch) may drain or restore anything.
   */
  alarmTopicArns?: readonly string[];
  /** The link topic, as an ARN or a bare topic name: it only ever carries signed link envelopes. */
  linkTopic?: string;
}

/**
 * What an alarm event claims, for the handler to confirm with CloudWatch (`DescribeAlarms`) and against the
 * function's own account before the signal is believed: every field here was written by whoever invoked the function.
 */
export interface AlarmClaim {
  alarmName: string;
  alarmArn?: string;
  /** The account the envelope names (EventBridge `account`, alarm action `accountId`, SNS `AWSAccountId`). */
  account?: string;
  value: AlarmValue;
  /** ISO 8601, normalised. */
  timestamp: string;
  /** How the tunnel was found: the probe alarm name, `AWS/VPN` dimensions, or the operator's mapping. */
  via: 'probe' | 'vpn-dimensions' | 'mapped';
  /** The metrics of the tunnel as the event describes them. */
  metrics: MetricRef[];
  /** The SNS record that carried it (its signature is checked by the handler). */
  sns?: Record<string, unknown>;
}

/** What one record of an event turned into. */
export type Inbound =
  | { kind: 'signal'; signal: Signal; claim?: AlarmClaim }
  /** A candidate link message (`{message, signature}`), still unverified. */
  | { kind: 'link'; envelope: unknown; source: string };

export type Parsed = { ok: true; value: Inbound } | { ok: false; reason: string };

type AlarmValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The common shape all three envelopes are reduced to before mapping. */
interface AlarmChange {
  source: 'aws-eventbridge' | 'aws-sns' | 'aws-alarm-action';
  account?: string;
  alarmName: string;
  alarmArn?: string;
  region?: string;
  value: AlarmValue;
  timestamp: string;
  reason: string;
  /** `state.reasonData`: JSON in a string, with the datapoints the alarm evaluated (EventBridge and alarm actions). */
  reasonData?: string;
  metrics: MetricRef[];
  tags: Record<string, string>;
}

export interface MetricRef {
  namespace?: string;
  name?: string;
  dimensions: Record<string, string>;
}

// ---- schemas (only the fields we use; everything else passes through) ----

const stateValue = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);
const dimensionMap = z.record(z.string(), z.string());

const stateSchema = z.object({
  value: stateValue,
  reason: z.string().optional(),
  reasonData: z.string().optional(),
  timestamp: z.string().min(1),
});

const metricStatSchema = z.object({
  metric: z.object({ namespace: z.string().optional(), name: z.string().optional(), dimensions: dimensionMap.optional() }),
});

const detailSchema = z.object({
  alarmName: z.string().min(1),
  state: stateSchema,
  configuration: z
    .object({
      metrics: z.array(z.object({ metricStat: metricStatSchema.optional() }).loose()).optional(),
      alarmRule: z.string().optional(),
    })
    .loose()
    .optional(),
  /** Present when the alarm has tag propagation enabled. */
  alarmTags: z.record(z.string(), z.string()).optional(),
});

const eventBridgeSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  'detail-type': z.string(),
  account: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.unknown(),
});

const alarmActionSchema = z.object({
  source: z.literal('aws.cloudwatch'),
  alarmArn: z.string().optional(),
  accountId: z.string().optional(),
  region: z.string().optional(),
  alarmData: z.unknown(),
});

const snsEventSchema = z.object({
  Records: z
    .array(
      z
        .object({
          EventSource: z.string().optional(),
          EventSubscriptionArn: z.string().optional(),
          Sns: z.object({ Message: z.string(), TopicArn: z.string().optional() }).loose(),
        })
        .loose(),
    )
    .min(1),
});

const snsDimensionList = z.array(z.object({ name: z.string(), value: z.string() }));
const snsAlarmSchema = z.object({
  AlarmName: z.string().min(1),
  AWSAccountId: z.string().optional(),
  AlarmArn: z.string().optional(),
  NewStateValue: stateValue,
  NewStateReason: z.string().optional(),
  StateChangeTime: z.string().min(1),
  Trigger: z
    .object({
      MetricName: z.string().optional(),
      Namespace: z.string().optional(),
      Dimensions: snsDimensionList.optional(),
      Metrics: z
        .array(
          z
            .object({
              MetricStat: z
                .object({
                  Metric: z.object({
                    MetricName: z.string().optional(),
                    Namespace: z.string().optional(),
                    Dimensions: snsDimensionList.optional(),
                  }),
                })
                .loose()
                .optional(),
            })
            .loose(),
        )
        .optional(),
    })
    .loose()
    .optional(),
});

// ---- helpers ----

const issue = (e: z.ZodError): string => {
  const i = e.issues[0];
  return `${i?.path.length ? i.path.join('.') : '(root)'}: ${i?.message ?? 'invalid'}`;
};

/**
 * CloudWatch writes `2019-10-02T17:04:40.989+0000` (no colon in the offset), and some documented Lambda action
 * payloads even contain `12: 36: 15.490`. Normalise to ISO 8601 UTC, or undefined when it is not a time.
 */
export function normaliseTimestamp(raw: string): string | undefined {
  const compact = raw.replace(/\s+/g, '').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(compact)) return undefined;
  const t = Date.parse(compact);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** `arn:aws:cloudwatch:us-east-1:123456789012:alarm:Name` → `us-east-1` (only a real region shape). */
export function regionOfArn(arn: string | undefined): string | undefined {
  const r = arn?.split(':')[3]?.trim();
  return r && /^[a-z]{2}(-[a-z]+)+-\d+$/.test(r) ? r : undefined;
}

const fromDetail = (
  detail: z.infer<typeof detailSchema>,
  source: AlarmChange['source'],
  alarmArn: string | undefined,
  region: string | undefined,
  account: string | undefined,
): AlarmChange => ({
  source,
  account,
  alarmName: detail.alarmName,
  alarmArn,
  region,
  value: detail.state.value,
  timestamp: detail.state.timestamp,
  reason: detail.state.reason ?? '',
  ...(detail.state.reasonData ? { reasonData: detail.state.reasonData } : {}),
  metrics: (detail.configuration?.metrics ?? []).flatMap((m) =>
    m.metricStat
      ? [{ namespace: m.metricStat.metric.namespace, name: m.metricStat.metric.name, dimensions: m.metricStat.metric.dimensions ?? {} }]
      : [],
  ),
  tags: detail.alarmTags ?? {},
});

const listToMap = (l: z.infer<typeof snsDimensionList> | undefined): Record<string, string> =>
  Object.fromEntries((l ?? []).map((d) => [d.name, d.value]));

function fromSnsMessage(message: string, topicArn: string | undefined): { ok: true; value: AlarmChange } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'SNS message is not JSON (not a CloudWatch alarm notification)' };
  }
  const p = snsAlarmSchema.safeParse(raw);
  if (!p.success) return { ok: false, reason: `SNS message is not a CloudWatch alarm notification (${issue(p.error)})` };
  const a = p.data;
  const metrics: MetricRef[] = [];
  if (a.Trigger?.MetricName || a.Trigger?.Dimensions?.length) {
    metrics.push({ namespace: a.Trigger.Namespace, name: a.Trigger.MetricName, dimensions: listToMap(a.Trigger.Dimensions) });
  }
  for (const m of a.Trigger?.Metrics ?? []) {
    const metric = m.MetricStat?.Metric;
    if (metric) metrics.push({ namespace: metric.Namespace, name: metric.MetricName, dimensions: listToMap(metric.Dimensions) });
  }
  return {
    ok: true,
    value: {
      source: 'aws-sns',
      account: a.AWSAccountId,
      alarmName: a.AlarmName,
      alarmArn: a.AlarmArn,
      // `Region` in the message is a display name ("EU - Ireland"): take the region from the ARNs instead.
      region: regionOfArn(a.AlarmArn) ?? regionOfArn(topicArn),
      value: a.NewStateValue,
      timestamp: a.StateChangeTime,
      reason: a.NewStateReason ?? '',
      metrics,
      tags: {},
    },
  };
}

/**
 * The mean of the datapoints the alarm evaluated (`reasonData.recentDatapoints`), if the event carries them. The mean,
 * not the newest: a probe sends a few dozen echoes a period, so one period's loss is coarse and noisy (1 of 30 is
 * 3.3 %), and comparing two tunnels on single periods would make equal tunnels look different.
 */
export function meanDatapoint(reasonData: string | undefined): number | undefined {
  if (!reasonData) return undefined;
  try {
    const points: unknown = JSON.parse(reasonData)?.recentDatapoints;
    const values = Array.isArray(points) ? points.filter((p): p is number => typeof p === 'number' && Number.isFinite(p)) : [];
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
  } catch {
    return undefined;
  }
}

const HEALTH_OF: Record<AlarmValue, Health> = { OK: 'healthy', ALARM: 'degraded', INSUFFICIENT_DATA: 'unknown' };

/**
 * Hysteresis from two alarms on one monitor: the trip alarm's ALARM drains, the clear alarm's OK recovers; the
 * other two transitions say nothing ("below trip" is not "recovered"; "above clear" is not "degraded").
 */
function probeRole(a: AlarmChange, region: string | undefined): { tunnelId: string; role: ProbeRole } | undefined {
  // Probe alarms are recognised by the name the deploy tooling gives them (the name is all that carries the tunnel).
  const m = parseProbeAlarmName(a.alarmName);
  if (!m || !region) return undefined;
  return { tunnelId: awsTunnelId({ region, vpnConnectionId: m.vpnId, outsideIpAddress: m.tunnelIp }), role: m.role };
}

/** Map one alarm state change to a signal for exactly one tunnel, or say why not. */
export function alarmToSignal(a: AlarmChange, ctx: ParseContext): { ok: true; value: Signal } | { ok: false; reason: string } {
  const observedAt = normaliseTimestamp(a.timestamp);
  if (!observedAt) return { ok: false, reason: `alarm "${a.alarmName}": state timestamp ${JSON.stringify(a.timestamp)} is not a time` };
  const region = a.region ?? regionOfArn(a.alarmArn) ?? ctx.defaultRegion;
  const arn0 = a.alarmArn?.replace(/\s+/g, '');

  const probe = probeRole(a, region);
  if (probe) {
    if ((probe.role === 'trip' || probe.role === 'fast') && a.value === 'OK')
      return { ok: false, reason: `probe alarm "${a.alarmName}" OK: below the trip threshold; recovery is the clear alarm's to report` };
    // Above the clear threshold is not "degraded" (the trip alarm decides drains) but it is not recovered either: it
    // holds a drained tunnel out, and the hold-down starts again.
    const hold = probe.role === 'clear' && a.value === 'ALARM';
    const loss = meanDatapoint(a.reasonData);
    return {
      ok: true,
      value: {
        tunnelId: probe.tunnelId,
        health: HEALTH_OF[a.value],
        observedAt,
        source: a.source,
        // Both alarms of one probe are one monitor: their news is ordered and de-duplicated together.
        monitor: `probe:${probe.tunnelId}`,
        basis: 'probe',
        ...(hold ? { hold: true } : {}),
        // PacketLoss is in percent; an echo crosses the link both ways.
        ...(loss !== undefined ? { measure: { ratio: Math.min(1, Math.max(0, loss / 100)), span: 'round-trip' as const } } : {}),
        key: `${arn0 || a.alarmName}:${a.value}:${observedAt}`,
        evidence:
          `${a.alarmName} ${a.value} (probe ${probe.role} alarm${hold ? ': above the clear threshold, holds a drained tunnel out' : ''})${a.reason ? `: ${a.reason}` : ''}`.slice(
            0,
            1000,
          ),
      },
    };
  }

  // Tunnels named by AWS/VPN dimensions. A metric with only VpnId (connection aggregate) names no tunnel.
  const vpnMetrics = a.metrics.filter((m) => m.dimensions.VpnId && m.dimensions.TunnelIpAddress);
  const named = new Map<string, MetricRef[]>();
  for (const m of vpnMetrics) {
    if (!region) return { ok: false, reason: `alarm "${a.alarmName}": no region in the event to build the tunnel id` };
    const id = awsTunnelId({ region, vpnConnectionId: m.dimensions.VpnId!, outsideIpAddress: m.dimensions.TunnelIpAddress! });
    named.set(id, [...(named.get(id) ?? []), m]);
  }

  let tunnelId: string | undefined;
  let how: string;
  // Own keys only: an alarm named "constructor" must not find Object.prototype.constructor.
  const configured = Object.hasOwn(ctx.alarmTunnels, a.alarmName) ? ctx.alarmTunnels[a.alarmName] : undefined;
  const tagged = Object.hasOwn(a.tags, TUNNEL_TAG) ? a.tags[TUNNEL_TAG] : undefined;
  const mapped = [configured, tagged].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (named.size === 1) {
    tunnelId = [...named.keys()][0];
    how = 'AWS/VPN dimensions';
  } else if (mapped) {
    tunnelId = mapped;
    how = mapped === configured ? 'configuration alarmTunnels' : `alarm tag ${TUNNEL_TAG}`;
  } else if (named.size > 1) {
    // A metric-math alarm over several tunnels does not say which one is bad: never guess.
    return {
      ok: false,
      reason: `alarm "${a.alarmName}" spans ${named.size} tunnels (${[...named.keys()].join(', ')}); map it to one tunnel in alarmTunnels`,
    };
  } else {
    return {
      ok: false,
      reason: `alarm "${a.alarmName}" has no AWS/VPN VpnId+TunnelIpAddress dimensions and is not mapped (alarmTunnels or tag ${TUNNEL_TAG}): ignored`,
    };
  }

  // ALARM on TunnelState means the tunnel is down; any other metric (loss, traffic, anomaly) degraded.
  const metricsOfTunnel = named.get(tunnelId) ?? [];
  const isTunnelState = metricsOfTunnel.some((m) => m.name === 'TunnelState');
  const health: Health = a.value === 'ALARM' && isTunnelState ? 'down' : HEALTH_OF[a.value];

  const arn = a.alarmArn?.replace(/\s+/g, '');
  return {
    ok: true,
    value: {
      tunnelId,
      health,
      observedAt,
      source: a.source,
      // The same alarm is one monitor whichever envelope carried it (documented payloads put spaces in ARNs).
      monitor: arn || `alarm:${a.alarmName}`,
      // TunnelState says up or down; a NetworkMonitor probe measures the tunnel itself; anything else is unknown.
      ...(isTunnelState
        ? { basis: 'state' as const }
        : a.metrics.some((m) => m.namespace === 'AWS/NetworkMonitor')
          ? { basis: 'probe' as const }
          : {}),
      key: `${arn || a.alarmName}:${a.value}:${observedAt}`,
      evidence: `${a.alarmName} ${a.value} (${how})${a.reason ? `: ${a.reason}` : ''}`.slice(0, 1000),
    },
  };
}

/** What the event claims about the alarm behind `signal` (see `AlarmClaim`). */
function claimOf(a: AlarmChange, signal: Signal, sns?: Record<string, unknown>): AlarmClaim {
  const vpnTunnels = new Set(
    a.metrics
      .filter((m) => m.dimensions.VpnId && m.dimensions.TunnelIpAddress)
      .map((m) => `${m.dimensions.VpnId}:${m.dimensions.TunnelIpAddress}`),
  );
  // Same order as alarmToSignal: a probe name first, then exactly one tunnel's AWS/VPN dimensions, else a mapping.
  const via = parseProbeAlarmName(a.alarmName) ? 'probe' : vpnTunnels.size === 1 ? 'vpn-dimensions' : 'mapped';
  const arn = a.alarmArn?.replace(/\s+/g, '');
  return {
    alarmName: a.alarmName,
    ...(arn ? { alarmArn: arn } : {}),
    ...(a.account ? { account: a.account.trim() } : {}),
    value: a.value,
    timestamp: signal.observedAt,
    via,
    metrics: a.metrics,
    ...(sns ? { sns } : {}),
  };
}

/** Is `topicArn` the link topic? `linkTopic` may be a full ARN or just the topic name (the ARN's last field). */
export function isLinkTopic(topicArn: string | undefined, linkTopic: string | undefined): boolean {
  if (!topicArn || !linkTopic) return false;
  return linkTopic.startsWith('arn:') ? topicArn === linkTopic : topicArn.split(':').at(-1) === linkTopic;
}

/**
 * May an SNS record that is not a link envelope be read as an alarm? Only from an allow-listed topic, and never
 * from the link topic: anyone able to publish there (the GCP end's role) must not drain routes unsigned.
 */
function snsAlarmAllowed(topicArn: string | undefined, ctx: ParseContext): { ok: true } | { ok: false; reason: string } {
  const topic = topicArn ? `topic ${topicArn}` : 'a record without TopicArn';
  if (isLinkTopic(topicArn, ctx.linkTopic)) {
    return {
      ok: false,
      reason: `SNS message on the link topic ${topicArn} is not a signed link message: refused (the link topic carries only signed link messages)`,
    };
  }
  const allowed = ctx.alarmTopicArns ?? [];
  if (!topicArn || !allowed.includes(topicArn)) {
    return {
      ok: false,
      reason: allowed.length
        ? `SNS alarm notification from ${topic} refused: not in TUNNEL_GUARD_ALARM_TOPIC_ARNS`
        : `SNS alarm notification from ${topic} refused: TUNNEL_GUARD_ALARM_TOPIC_ARNS is empty, so no SNS topic may deliver alarms`,
    };
  }
  return { ok: true };
}

const looksLikeLink = (v: unknown): boolean => typeof v === 'object' && v !== null && 'signature' in v && 'message' in v;

/**
 * Parse one Lambda invocation event into one result per alarm (an SNS event may hold several records).
 * Never throws: anything unrecognised is `{ok:false, reason}`.
 */
export function parseAlarmEvent(event: unknown, ctx: ParseContext): Parsed[] {
  const signalOf = (r: { ok: true; value: AlarmChange } | { ok: false; reason: string }, sns?: Record<string, unknown>): Parsed => {
    if (!r.ok) return r;
    const s = alarmToSignal(r.value, ctx);
    return s.ok ? { ok: true, value: { kind: 'signal', signal: s.value, claim: claimOf(r.value, s.value, sns) } } : s;
  };

  const sns = snsEventSchema.safeParse(event);
  if (sns.success) {
    return sns.data.Records.map((rec): Parsed => {
      if (rec.EventSource !== undefined && rec.EventSource !== 'aws:sns')
        return { ok: false, reason: `record from ${rec.EventSource} is not SNS` };
      let body: unknown;
      try {
        body = JSON.parse(rec.Sns.Message);
      } catch {
        return { ok: false, reason: 'SNS message is not JSON (not a CloudWatch alarm notification)' };
      }
      if (looksLikeLink(body)) return { ok: true, value: { kind: 'link', envelope: body, source: 'aws-sns' } };
      const allowed = snsAlarmAllowed(rec.Sns.TopicArn, ctx);
      if (!allowed.ok) return allowed;
      return signalOf(fromSnsMessage(rec.Sns.Message, rec.Sns.TopicArn), { ...rec.Sns, EventSubscriptionArn: rec.EventSubscriptionArn });
    });
  }

  const action = alarmActionSchema.safeParse(event);
  if (action.success && action.data.alarmData !== undefined) {
    const d = detailSchema.safeParse(action.data.alarmData);
    if (!d.success) return [{ ok: false, reason: `Lambda alarm action payload is malformed (alarmData.${issue(d.error)})` }];
    return [
      signalOf({
        ok: true,
        value: fromDetail(d.data, 'aws-alarm-action', action.data.alarmArn, action.data.region, action.data.accountId),
      }),
    ];
  }

  const eb = eventBridgeSchema.safeParse(event);
  if (eb.success) {
    if (eb.data['detail-type'] !== 'CloudWatch Alarm State Change') {
      return [{ ok: false, reason: `EventBridge "${eb.data['detail-type']}" is not an alarm state change: ignored` }];
    }
    const d = detailSchema.safeParse(eb.data.detail);
    if (!d.success) return [{ ok: false, reason: `alarm state change event is malformed (detail.${issue(d.error)})` }];
    return [signalOf({ ok: true, value: fromDetail(d.data, 'aws-eventbridge', eb.data.resources?.[0], eb.data.region, eb.data.account) })];
  }

  return [{ ok: false, reason: 'not a CloudWatch alarm event (EventBridge, SNS or Lambda alarm action)' }];
}
