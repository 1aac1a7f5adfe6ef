/**
 * Link messages from the GCP end of a link: verify the HMAC signature, check that it
 * is addressed to an AWS tunnel and came from GCP, and turn it into a `Signal` marked `viaLink` (never echoed
 * back). A forged, unsigned or misaddressed message changes nothing and says why.
 */
import { peerOf, type Links } from '../shared/link';
import { verifyLinkMessage } from '../shared/link-message';
import type { Signal } from '../shared/types';

/** `links`: the configured pairs. A correctly signed message for a pair we do not know is still refused: a wrong
 * pairing would drain an unrelated connection. */
export function linkToSignal(envelope: unknown, secret: string | undefined, links: Links): { ok: true; value: Signal } | { ok: false; reason: string } {
  const v = verifyLinkMessage(envelope, secret ?? '');
  if (!v.ok) return { ok: false, reason: `link message refused: ${v.reason}` };
  const m = v.value;
  if (m.origin !== 'gcp') return { ok: false, reason: `link message refused: origin ${m.origin} is not the GCP side` };
  if (!m.toTunnelId.startsWith('aws:')) return { ok: false, reason: `link message refused: ${m.toTunnelId} is not an AWS tunnel` };
  if (peerOf(links, m.fromTunnelId) !== m.toTunnelId) {
    return { ok: false, reason: `link message refused: no configured link pairs ${m.fromTunnelId} with ${m.toTunnelId}` };
  }
  return {
    ok: true,
    value: {
      tunnelId: m.toTunnelId,
      health: m.health,
      observedAt: new Date(m.observedAt).toISOString(),
      source: 'link:gcp',
      // One monitor for everything the GCP end says: its own latest word replaces its previous one.
      monitor: 'link:gcp',
      key: `link:${m.id}`,
      evidence: `GCP end ${m.fromTunnelId} is ${m.health}: ${m.reason}`.slice(0, 1000),
      viaLink: true,
    },
  };
}
