/**
 * Both ends of a link: which tunnel on the other cloud is the same IPsec tunnel, what to tell it
 * after this side acted, and how a message from the other side becomes a local signal. Pure.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../policy';
import type { LinkMessage } from './message';
import type { Report, Signal } from '../types';

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
 * What to tell the other end after this report, if anything: only when this side really drained or restored
 * (not a refusal, not a dry run), and never when the change was itself caused by a link message — so a message
 * is never echoed back and two sides cannot ping-pong.
 */
export function linkMessageFor(report: Report, links: Links): LinkMessage | undefined {
  if (report.viaLink || report.dryRun || !report.cloud) return undefined;
  const to0 = peerOf(links, report.tunnelId);
  // Only a tunnel we took out of service can have told the other end anything.
  if (report.localRecovered && to0 && report.signal && report.stateBefore !== 'active') {
    // Our own monitors are all healthy again: clear what we told the other end, even if we stay drained for a
    // reason of our own (its link message, the hold-down). Each end then decides with its own guards.
    return {
      v: 1,
      // Ids stay short and stable: the key of the signal that completed the recovery, hashed.
      id: `${report.cloud}:recovered:${createHash('sha256').update(`${report.tunnelId}\n${report.signal.key}`).digest('hex').slice(0, 40)}`,
      origin: report.cloud,
      fromTunnelId: report.tunnelId,
      toTunnelId: to0,
      health: 'healthy',
      observedAt: report.signal.observedAt,
      reason: `${report.cloud.toUpperCase()} end: every monitor of ${report.tunnelId} reports healthy again`,
      ...(report.signal.basis ? { basis: report.signal.basis } : {}),
    };
  }
  // A probe measures the whole link, both directions. An end that has nothing to change (an AWS BGP connection has
  // no static lever) still passes on what its probe says, so the other end can act on it — and recover on it.
  const probeNews = report.signal?.basis === 'probe' && (report.signal.health === 'degraded' || report.signal.health === 'healthy');
  if (
    probeNews &&
    to0 &&
    report.decision === 'record' &&
    report.stateBefore === 'active' &&
    report.stateAfter === 'active' &&
    report.signal
  ) {
    return {
      v: 1,
      id: `${report.cloud}:probe:${createHash('sha256').update(`${report.tunnelId}\n${report.signal.key}`).digest('hex').slice(0, 40)}`,
      origin: report.cloud,
      fromTunnelId: report.tunnelId,
      toTunnelId: to0,
      health: report.signal.health,
      observedAt: report.signal.observedAt,
      reason: `${report.cloud.toUpperCase()} end's probe of ${report.tunnelId}: ${report.signal.health} (${report.signal.evidence})`.slice(
        0,
        2000,
      ),
      basis: 'probe',
    };
  }
  if (!report.ok) return undefined;
  const acted = report.results.some((r) => r.outcome !== 'failed');
  if (!acted) return undefined;
  let health: 'healthy' | 'degraded' | 'down' | undefined;
  if (report.decision === 'drain' || report.decision === 'suppress') {
    // Pass on what was observed: `down` lets the other end apply its own rule (AWS: a down tunnel whose sibling is
    // up is not drained); an operator's drain (no signal) cuts the tunnel at both ends.
    health = report.signal?.health === 'down' ? 'down' : 'degraded';
  } else if (report.decision === 'restore' && report.trigger !== 'restore' && !report.lastResort) {
    // Only a restore earned by health (a signal, or reconcile after the hold-down) vouches for the tunnel; an
    // operator's `restore` on one end says nothing about the other end, nor does a last-resort restore of a
    // tunnel that is still unhealthy.
    health = 'healthy';
  }
  if (!health) return undefined;
  const to = peerOf(links, report.tunnelId);
  if (!to) return undefined;
  const observedAt = report.signal?.observedAt ?? report.startedAt;
  return {
    v: 1,
    id: `${report.cloud}:${report.tunnelId}:${report.decision}:${report.startedAt}`,
    origin: report.cloud,
    fromTunnelId: report.tunnelId,
    toTunnelId: to,
    health,
    observedAt,
    reason: `${report.cloud.toUpperCase()} end ${report.decision === 'restore' ? 'restored' : 'drained'}: ${report.summary}`.slice(0, 2000),
    ...(report.signal?.basis ? { basis: report.signal.basis } : {}),
  };
}

export type LinkSignalResult = { ok: true; value: Signal } | { ok: false; reason: string };

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
    },
  };
}
