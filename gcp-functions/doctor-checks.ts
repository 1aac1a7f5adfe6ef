/**
 * Checks of the deployed GCP trust boundaries, as pure functions over what the CLI's `doctor` reads (environment,
 * notification channels, the topic's effective IAM policy). No I/O here: the doctor fetches, these judge. Each
 * returns findings with a severity and the way out.
 */
import { read } from '../config/options';
import { GCP_OPTIONS as O } from './options';

export interface Finding {
  severity: 'ok' | 'warning' | 'error';
  check: string;
  message: string;
}

/** A Cloud Monitoring notification channel as the API lists it (fields read). */
export interface ChannelView {
  name?: string;
  type?: string;
  displayName?: string;
  labels?: Record<string, string>;
  enabled?: boolean;
}

/**
 * The query-string webhook token is deprecated: Cloud Run request logs record the full URL, a channel's `url` label
 * is not a sensitive label, and a Scheduler job's URI is readable by whoever may read jobs.
 */
export function queryTokenCheck(
  env: Record<string, string | undefined>,
  channels: readonly ChannelView[],
  schedulerUris: readonly string[] = [],
): Finding[] {
  const out: Finding[] = [];
  const check = 'webhook credentials out of URLs';
  const accept = O.webhookQueryToken.parse(env[O.webhookQueryToken.env], O.webhookQueryToken.env);
  if (accept.ok && accept.value === 'accept')
    out.push({
      severity: 'warning',
      check,
      message:
        'TUNNEL_GUARD_WEBHOOK_QUERY_TOKEN=accept: the function still accepts ?auth_token= (it lands in request logs); move the channel and the AWS end to HTTP Basic, then remove it',
    });
  for (const c of channels) {
    const url = c.labels?.url ?? '';
    if (c.type === 'webhook_tokenauth' || /[?&]auth_token=/.test(url))
      out.push({
        severity: c.enabled === false ? 'warning' : 'error',
        check,
        message: `notification channel ${c.displayName ?? c.name ?? '?'} carries its credential in the URL (${c.type}): replace it with a webhook_basicauth channel (npm run monitoring:gcp) and delete it`,
      });
  }
  for (const uri of schedulerUris)
    if (/[?&]auth_token=/.test(uri))
      out.push({
        severity: 'error',
        check,
        message: 'the reconcile Scheduler job has a token in its URI: reconcile is authenticated by IAM (OIDC); run npm run monitoring:gcp',
      });
  if (out.length === 0) out.push({ severity: 'ok', check, message: 'no credential in a URL' });
  return out;
}

/** An IAM policy (`getIamPolicy` of the topic, plus inherited project bindings when the doctor has them). */
export interface IamPolicyView {
  bindings?: { role?: string; members?: string[]; condition?: unknown }[];
}

/** Roles that include `pubsub.topics.publish`. */
export const PUBLISHING_ROLES = ['roles/pubsub.publisher', 'roles/pubsub.editor', 'roles/pubsub.admin', 'roles/editor', 'roles/owner'];

/**
 * Who may publish to the incidents topic, besides the Monitoring notification service agent? Anyone who can is able
 * to drain a tunnel (or forge a recovery) through `tunnelIncidentPubSub`: the push is authenticated, the message is not.
 * `policies`: the topic's policy and, ideally, the project's (roles granted there apply to the topic too).
 */
export function topicPublishersCheck(projectNumber: string, policies: readonly IamPolicyView[]): Finding[] {
  const agent = `serviceAccount:service-${projectNumber}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`;
  const check = 'who may publish incidents';
  const others = new Set<string>();
  for (const p of policies)
    for (const b of p.bindings ?? [])
      if (b.role && (PUBLISHING_ROLES.includes(b.role) || /^projects\/.+\/roles\//.test(b.role)))
        for (const m of b.members ?? []) if (m !== agent) others.add(`${m} (${b.role})`);
  if (others.size === 0) return [{ severity: 'ok', check, message: 'only the Cloud Monitoring notification service agent may publish' }];
  const open = [...others].some((m) => m.startsWith('allUsers') || m.startsWith('allAuthenticatedUsers'));
  return [
    {
      severity: open ? 'error' : 'warning',
      check,
      message: `besides the notification service agent, these may publish incidents (and so drain or restore): ${[...others].sort().join(', ')}${[...others].some((m) => m.includes('/roles/')) ? ' (custom roles listed: check they lack pubsub.topics.publish)' : ''}`,
    },
  ];
}

/** The environment's own view of the query token (for a doctor without cloud access). */
export const queryTokenAccepted = (env: Record<string, string | undefined>): boolean => {
  try {
    return read(O.webhookQueryToken, env) === 'accept';
  } catch {
    return false;
  }
};
