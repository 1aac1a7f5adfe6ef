/**
 * Link messages from the GCP end of a link (issue 6, DESIGN.md §8): verify the HMAC signature, check that it
 * is addressed to an AWS tunnel and came from GCP, and turn it into a `Signal` marked `viaLink` (never echoed
 * back). A forged, unsigned or misaddressed message changes nothing and says why.
 */
import { verifyLinkMessage } from '../shared/link-message';
import type { Signal } from '../shared/types';

export function linkToSignal(envelope: unknown, secret: string | undefined): { ok: true; value: Signal } | { ok: false; reason: string } {
  const v = verifyLinkMessage(envelope, secret ?? '');
  if (!v.ok) return { ok: false, reason: `link message refused: ${v.reason}` };
  const m = v.value;
  if (m.origin !== 'gcp') return { ok: false, reason: `link message refused: origin ${m.origin} is not the GCP side` };
  if (!m.toTunnelId.startsWith('aws:')) return { ok: false, reason: `link message refused: ${m.toTunnelId} is not an AWS tunnel` };
  return {
    ok: true,
    value: {
      tunnelId: m.toTunnelId,
      health: m.health,
      observedAt: new Date(m.observedAt).toISOString(),
      source: 'link:gcp',
      key: `link:${m.id}`,
      evidence: `GCP end ${m.fromTunnelId} is ${m.health}: ${m.reason}`.slice(0, 1000),
      viaLink: true,
    },
  };
}
