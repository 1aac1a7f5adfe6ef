/**
 * Both ends of a link: which tunnel on the other cloud is the same IPsec tunnel, what to tell it
 * after this side acted, and how a message from the other side becomes a local signal. Pure.
 */
import type { Result } from '../result';
import { createHash } from 'node:crypto';
import type { Config } from '../policy';
import { MAX_MESSAGE_LOADS, type LinkMessage } from './message';
import type { Signal } from '../types';
import type { Report } from '../report-types';

export type Links = Config['links'];

/** The other end of `tunnelId`, if the configuration pairs it. */
export function peerOf(links: Links, tunnelId: string): string | undefined {
  for (const l of links) {
    if (l.gcp === tunnelId) return l.aws;
    if (l.aws === tunnelId) return l.gcp;
  }
  return undefined;
}

/**
 * What one end tells the other, as the decision chose it:
 * - `recovered`: every monitor of the tunnel is healthy again — clear what we told the other end, even when this
 *   end stays drained for a reason of its own (its link message, the hold-down); each end then decides with its guards;
 * - `probe`: what this end's probe measured, passed on by an end that had nothing to change itself (an AWS BGP
 *   connection has no static lever), so the other end can act on it — and recover on it;
 * - `change`: this end drained (`degraded`, or `down` as observed, so the other end applies its own rule) or restored
 *   on evidence (`healthy`). Sent only once the cloud confirmed at least one action.
 * - `figures`: this end's counters (the loss on what it receives, every tunnel's load), in answer to the other end's
 *   probe news — which measures a round trip and cannot tell the directions apart. Figures never answer figures.
 * Never decided for news that came over the link itself (figures aside), so a message is never echoed back.
 */
export interface LinkNews {
  /** `measure`: loss this end measured in the direction only the other end's lever steers — for that lever. */
  about: 'recovered' | 'probe' | 'change' | 'measure' | 'figures';
  /** `unknown` only with `figures`: they are no news of health. */
  health: 'healthy' | 'degraded' | 'down' | 'unknown';
  /** A probe between its clear and trip thresholds: it holds a drained tunnel out and never drains one. */
  hold?: boolean;
  /** A restore made as a placement decision, not on health: the other end follows at once. */
  follow?: boolean;
}

const digest = (report: Report): string =>
  createHash('sha256')
    .update(`${report.tunnelId}\n${report.signal?.key ?? report.startedAt}`)
    .digest('hex')
    .slice(0, 40);

/**
 * The message that carries `news` for this report, if it is to be sent now: never in a dry run, never for a tunnel
 * without a configured other end, and a change only when the cloud confirmed something of it.
 */
export function linkMessageFor(report: Report, news: LinkNews | undefined, links: Links): LinkMessage | undefined {
  if (!news || report.dryRun || !report.cloud) return undefined;
  const to = peerOf(links, report.tunnelId);
  if (!to) return undefined;
  const cloud = report.cloud;
  const end = cloud.toUpperCase();
  const base = { v: 1 as const, origin: cloud, fromTunnelId: report.tunnelId, toTunnelId: to, health: news.health };
  const basis = {
    ...(report.signal?.basis ? { basis: report.signal.basis } : {}),
    ...(report.signal?.measure ? { measure: report.signal.measure } : {}),
    ...countersFor(report, links),
  };
  if (news.about === 'recovered' && report.signal)
    // Ids stay short and stable: the key of the signal that completed the recovery, hashed.
    return {
      ...base,
      id: `${cloud}:recovered:${digest(report)}`,
      observedAt: report.signal.observedAt,
      reason: `${end} end: every monitor of ${report.tunnelId} reports healthy again`,
      ...basis,
    };
  if (news.about === 'probe' && report.signal)
    return {
      ...base,
      id: `${cloud}:probe:${digest(report)}`,
      observedAt: report.signal.observedAt,
      reason: `${end} end's probe of ${report.tunnelId}: ${news.health} (${report.signal.evidence})`.slice(0, 2000),
      ...basis,
      basis: 'probe',
      ...(news.hold ? { hold: true } : {}),
    };
  if (news.about === 'figures') {
    const counters = countersFor(report, links);
    if (!counters.counted && !counters.loads) return undefined;
    const c = counters.counted;
    return {
      ...base,
      health: 'unknown',
      id: `${cloud}:figures:${digest(report)}`,
      observedAt: report.startedAt,
      reason: `${end} end's counters${c ? `: ${report.tunnelId} loses ${(c.ratio * 100).toFixed(2)} % ${c.span} over ${Math.round(c.packets).toLocaleString('en-US')} packets` : ''}`,
      figures: true,
      ...counters,
    };
  }
  if (news.about === 'measure' && report.signal)
    return {
      ...base,
      id: `${cloud}:measure:${digest(report)}`,
      observedAt: report.signal.observedAt,
      reason: `${end} end measured ${report.tunnelId}: ${report.summary}`.slice(0, 2000),
      ...basis,
    };
  if (news.about !== 'change' || !report.ok || !report.results.some((r) => r.outcome !== 'failed')) return undefined;
  return {
    ...base,
    id: `${cloud}:${report.tunnelId}:${report.decision}:${report.startedAt}`,
    observedAt: report.signal?.observedAt ?? report.startedAt,
    reason: `${end} end ${news.health === 'healthy' ? 'restored' : 'drained'}: ${report.summary}`.slice(0, 2000),
    ...basis,
    ...(news.follow ? { follow: true } : {}),
  };
}

/** This end's counters, for the other end: the loads renamed to the other end's tunnel ids (others are left out). */
function countersFor(report: Report, links: Links): Pick<LinkMessage, 'counted' | 'loads'> {
  const c = report.counters;
  if (!c) return {};
  const loads = Object.entries(c.loads ?? {})
    .flatMap(([id, l]) => {
      const peer = peerOf(links, id);
      return peer ? [[peer, l] as const] : [];
    })
    .slice(0, MAX_MESSAGE_LOADS);
  return { ...(c.counted ? { counted: c.counted } : {}), ...(loads.length ? { loads: Object.fromEntries(loads) } : {}) };
}

export type LinkSignalResult = Result<Signal>;

/** Turn a verified message into a signal for the local end; refuse messages for links we do not know. */
export function signalFromLink(message: LinkMessage, links: Links, localCloud: 'aws' | 'gcp'): LinkSignalResult {
  if (message.origin === localCloud) return { ok: false, reason: `link message from our own cloud (${localCloud}): ignored` };
  if (!message.toTunnelId.startsWith(`${localCloud}:`))
    return { ok: false, reason: `link message targets ${message.toTunnelId}, not a ${localCloud} tunnel` };
  if (peerOf(links, message.fromTunnelId) !== message.toTunnelId) {
    return { ok: false, reason: `no configured link pairs ${message.fromTunnelId} with ${message.toTunnelId}` };
  }
  return {
    ok: true,
    value: {
      tunnelId: message.toTunnelId,
      health: message.health,
      // Normalised: the sender may write an offset; the ledger orders signals as ISO strings in UTC.
      observedAt: new Date(message.observedAt).toISOString(),
      source: `link:${message.origin}`,
      key: `link:${message.id}`,
      evidence: message.reason,
      viaLink: true,
      monitor: `link:${message.origin}`,
      ...(message.basis ? { basis: message.basis } : {}),
      ...(message.measure ? { measure: message.measure } : {}),
      ...(message.hold ? { hold: true } : {}),
      ...(message.follow ? { follow: true } : {}),
      ...(message.figures ? { figures: true } : {}),
      ...(message.counted ? { counted: { ...message.counted, at: new Date(message.counted.at).toISOString() } } : {}),
      ...(message.loads ? { loads: message.loads } : {}),
    },
  };
}
