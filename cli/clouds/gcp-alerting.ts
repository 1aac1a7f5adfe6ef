/**
 * Cloud Monitoring alert policies and notification channels, over REST (no extra client library: the auth client
 * the edge already uses signs the calls). APIs: projects.alertPolicies.list and projects.notificationChannels.list
 * (https://cloud.google.com/monitoring/api/ref_v3/rest).
 */
import type { Env } from '../../config/source';
import { gcpEndpoints, gcpRequest, type GcpAuth } from './gcp-api';

export interface AlertPolicy {
  name: string;
  displayName?: string;
  enabled?: boolean;
  notificationChannels?: string[];
  conditions?: {
    displayName?: string;
    conditionThreshold?: { filter?: string };
    conditionAbsent?: { filter?: string };
    conditionMonitoringQueryLanguage?: { query?: string };
  }[];
}
export interface NotificationChannel {
  name: string;
  type?: string;
  enabled?: boolean;
  labels?: Record<string, string>;
}

async function listAll<T>(env: Env, auth: GcpAuth, url: string, key: string): Promise<T[]> {
  const out: T[] = [];
  let pageToken: string | undefined;
  do {
    const page = await gcpRequest<Record<string, unknown>>(
      auth,
      env,
      `${url}?pageSize=100${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ''}`,
    );
    out.push(...((page[key] as T[] | undefined) ?? []));
    pageToken = (page.nextPageToken as string | undefined) || undefined;
  } while (pageToken);
  return out;
}

export const listAlertPolicies = (env: Env, auth: GcpAuth, project: string) =>
  listAll<AlertPolicy>(
    env,
    auth,
    `${gcpEndpoints(env).monitoring}/v3/projects/${encodeURIComponent(project)}/alertPolicies`,
    'alertPolicies',
  );

export const listNotificationChannels = (env: Env, auth: GcpAuth, project: string) =>
  listAll<NotificationChannel>(
    env,
    auth,
    `${gcpEndpoints(env).monitoring}/v3/projects/${encodeURIComponent(project)}/notificationChannels`,
    'notificationChannels',
  );

const filtersOf = (p: AlertPolicy): string[] =>
  (p.conditions ?? []).map(
    (c) => c.conditionThreshold?.filter ?? c.conditionAbsent?.filter ?? c.conditionMonitoringQueryLanguage?.query ?? '',
  );

/** The policy watches VPN tunnel metrics (`vpn.googleapis.com/…`). */
export const isVpnPolicy = (p: AlertPolicy): boolean => filtersOf(p).some((f) => f.includes('vpn.googleapis.com/'));

/** Tunnel names a policy's filters pin (`metric.label.tunnel_name = "x"`); empty = it covers every tunnel. */
export function tunnelNamesOfPolicy(p: AlertPolicy): string[] {
  const names = new Set<string>();
  for (const f of filtersOf(p)) for (const m of f.matchAll(/metric\.labels?\.tunnel_name\s*=\s*"([^"]+)"/g)) names.add(m[1]!);
  return [...names];
}

/** A webhook channel (token or Basic auth) and the URL it calls. */
export const webhookUrlOf = (c: NotificationChannel): string | undefined =>
  c.type === 'webhook_tokenauth' || c.type === 'webhook_basicauth' ? c.labels?.url : undefined;
