/**
 * What the clouds send to the edges, built in the documented shapes (the same shapes as the fixtures under
 * test/fixtures, whose sources are listed there): Cloud Monitoring schema-1.2 webhooks, EventBridge "CloudWatch
 * Alarm State Change" events, and SNS records for the link topic.
 */
import type { AlarmChange } from './aws-alarms';
import type { IncidentChange } from './gcp-alerts';

const EPOCH = Date.parse('2026-11-25T00:00:00Z');
/** Simulated seconds → a date: every run starts at the same instant, so runs are reproducible. */
export const simDate = (t: number): Date => new Date(EPOCH + t * 1000);
/** The model's seconds of a date (the inverse of `simDate`). */
export const simSeconds = (d: string | Date): number => (new Date(d).getTime() - EPOCH) / 1000;
const epochSeconds = (t: number): number => Math.floor((EPOCH + t * 1000) / 1000);
/** CloudWatch's timestamp format: `2026-11-25T01:00:00.000+0000`. */
const cwTime = (t: number): string => simDate(t).toISOString().replace('Z', '+0000');

const ACCOUNT = '123456789012';

/** A Cloud Monitoring webhook (schema 1.2) for one incident change. */
export function webhookBody(c: IncidentChange, project: string): Record<string, unknown> {
  const res = `${project} VPN Gateway labels {${Object.entries(c.resourceLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;
  const mlabels = `{${Object.entries(c.metricLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}}`;
  const value = c.noData ? 'No data' : c.observed !== undefined ? c.observed.toFixed(3) : 'No data';
  const promql = c.condition.kind === 'promql';
  const summary = promql
    ? `${c.condition.displayName} for ${mlabels} ${c.state === 'open' ? 'is firing' : 'is no longer firing'}.`
    : c.state === 'open'
      ? `${c.condition.displayName} for ${res} with metric labels ${mlabels} is above the threshold of ${c.condition.threshold} with a value of ${value}.`
      : `${c.condition.displayName} for ${res} with metric labels ${mlabels} returned to normal with a value of ${value}.`;
  return {
    version: '1.2',
    incident: {
      incident_id: c.incidentId,
      scoping_project_id: project,
      scoping_project_number: 123456789012,
      url: `https://console.cloud.google.com/monitoring/alerting/alerts/${c.incidentId}?project=${project}`,
      severity: c.policy.severity ?? 'No severity',
      started_at: epochSeconds(c.startedAt),
      ended_at: c.endedAt !== undefined ? epochSeconds(c.endedAt) : null,
      state: c.state,
      summary,
      // A PromQL condition's incident carries the query's output labels, and no threshold or observed value.
      ...(c.noData || promql ? {} : { observed_value: value, threshold_value: String(c.condition.threshold) }),
      resource: promql ? { type: 'prometheus_target', labels: c.resourceLabels } : { type: 'vpn_gateway', labels: c.resourceLabels },
      resource_type_display_name: promql ? 'Prometheus Target' : 'VPN Gateway',
      metric: promql
        ? { type: '', displayName: c.condition.displayName, labels: c.metricLabels }
        : { type: c.metricType, displayName: c.condition.displayName, labels: c.metricLabels },
      policy_name: c.policy.displayName,
      policy_user_labels: c.policy.userLabels,
      condition_name: c.condition.displayName,
      condition: {
        name: `projects/${project}/alertPolicies/0/conditions/0`,
        displayName: c.condition.displayName,
        ...(promql ? { conditionPrometheusQueryLanguage: c.condition.raw } : { conditionThreshold: c.condition.raw }),
      },
    },
  };
}

/** An EventBridge "CloudWatch Alarm State Change" event for one alarm change. */
export function alarmEvent(c: AlarmChange, region: string, seq: number): Record<string, unknown> {
  const arn = `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${c.alarm.AlarmName}`;
  const dims = Object.fromEntries(c.alarm.Dimensions.map((d) => [d.Name, d.Value]));
  const recent = c.datapoints.filter((v): v is number => v !== null);
  return {
    version: '0',
    id: `00000000-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: ACCOUNT,
    time: simDate(c.at).toISOString().replace('.000Z', 'Z'),
    region,
    resources: [arn],
    detail: {
      alarmName: c.alarm.AlarmName,
      configuration: {
        ...(c.alarm.AlarmDescription ? { description: c.alarm.AlarmDescription } : {}),
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: { namespace: c.alarm.Namespace, name: c.alarm.MetricName, dimensions: dims },
              period: c.alarm.Period,
              stat: c.alarm.Statistic,
            },
            returnData: true,
          },
        ],
      },
      previousState: {
        value: c.previous,
        timestamp: cwTime(Math.max(0, c.at - c.alarm.Period)),
        reason: 'previous state',
        reasonData: '{"version":"1.0"}',
      },
      state: {
        value: c.state,
        timestamp: cwTime(c.at),
        reason: c.reason,
        reasonData: JSON.stringify({
          version: '1.0',
          queryDate: cwTime(c.at),
          statistic: c.alarm.Statistic,
          period: c.alarm.Period,
          recentDatapoints: recent,
          threshold: c.alarm.Threshold,
        }),
      },
    },
  };
}

/** The Lambda event SNS delivers for one message on a topic. */
export function snsEvent(topicArn: string, message: string, at: number, seq: number): Record<string, unknown> {
  const id = `00000000-0000-4000-9000-${seq.toString(16).padStart(12, '0')}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${topicArn}:${id}`,
        Sns: {
          Type: 'Notification',
          MessageId: id,
          TopicArn: topicArn,
          Subject: null,
          Message: message,
          Timestamp: simDate(at).toISOString(),
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-EXAMPLE.pem',
          UnsubscribeUrl: `https://sns.ap-northeast-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${id}`,
          MessageAttributes: {},
        },
      },
    ],
  };
}
