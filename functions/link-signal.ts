/**
 * Link messages from the GCP end of a link: verify the HMAC signature, then the one receive path both ends share
 * (`signalFromLink`: addressed to an AWS tunnel, from GCP, for a configured pair) turns it into a `Signal` marked
 * `viaLink` (never echoed back). A forged, unsigned or misaddressed message changes nothing and says why.
 */
import { signalFromLink, type Links } from '../shared/links/rules';
import { verifyLinkMessage } from '../shared/links/message';
import type { Signal } from '../shared/types';

/** `links`: the configured pairs. A correctly signed message for a pair we do not know is still refused: a wrong
 * pairing would drain an unrelated connection. */
export function linkToSignal(
  envelope: unknown,
  secret: string | undefined,
  links: Links,
): { ok: true; value: Signal } | { ok: false; reason: string } {
  const v = verifyLinkMessage(envelope, secret ?? '');
  if (!v.ok) return { ok: false, reason: `link message refused: ${v.reason}` };
  const s = signalFromLink(v.value, links, 'aws');
  if (!s.ok) return { ok: false, reason: `link message refused: ${s.reason}` };
  const m = v.value;
  return { ok: true, value: { ...s.value, evidence: `GCP end ${m.fromTunnelId} is ${m.health}: ${m.reason}`.slice(0, 1000) } };
}
