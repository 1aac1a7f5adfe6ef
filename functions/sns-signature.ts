/**
 * Is an SNS record in a Lambda event a real SNS delivery? The allow-list of alarm topics (`TUNNEL_GUARD_ALARM_TOPIC_ARNS`)
 * would otherwise trust `TopicArn`, a field whoever invokes the function writes. Every message SNS delivers is signed
 * by SNS (`Signature`, `SignatureVersion` 1 = SHA1withRSA, 2 = SHA256withRSA) with a certificate served from
 * `https://sns.<region>.amazonaws.com/…pem`; a direct invocation cannot produce that signature. The canonical string
 * for a Notification is `Message`, `MessageId`, `Subject` (when present), `Timestamp`, `TopicArn`, `Type`, each name
 * and value on its own line (Amazon SNS Developer Guide, "Verifying the signatures of Amazon SNS messages").
 */
import { createVerify } from 'node:crypto';

export type CertFetcher = (url: string) => Promise<string>;

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Only AWS's own SNS endpoints may serve the certificate (else a forger would sign with a key they host). */
export const SIGNING_CERT_URL = /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[A-Za-z0-9._/-]+\.pem$/;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The string SNS signs for a Notification (`Subject` only when the message has one). */
export function canonicalNotification(sns: Record<string, unknown>): string | undefined {
  const fields: [string, string | undefined][] = [
    ['Message', str(sns.Message)],
    ['MessageId', str(sns.MessageId)],
    ...(str(sns.Subject) !== undefined ? ([['Subject', str(sns.Subject)]] as [string, string | undefined][]) : []),
    ['Timestamp', str(sns.Timestamp)],
    ['TopicArn', str(sns.TopicArn)],
    ['Type', str(sns.Type)],
  ];
  if (fields.some(([, v]) => v === undefined)) return undefined;
  return fields.map(([k, v]) => `${k}\n${v}\n`).join('');
}

/** Verifies SNS signatures, caching each certificate by URL for the life of the instance. */
export class SnsSignatureVerifier {
  private readonly certs = new Map<string, Promise<string>>();

  constructor(private readonly fetchCert: CertFetcher) {}

  async verify(sns: Record<string, unknown>): Promise<Verdict> {
    if (sns.Type !== 'Notification') return { ok: false, reason: 'SNS record is not a Notification' };
    const version = str(sns.SignatureVersion);
    const algorithm = version === '1' ? 'RSA-SHA1' : version === '2' ? 'RSA-SHA256' : undefined;
    if (!algorithm) return { ok: false, reason: `SNS record has no supported SignatureVersion (${JSON.stringify(sns.SignatureVersion)})` };
    const url = str(sns.SigningCertUrl) ?? str(sns.SigningCertURL);
    if (!url || !SIGNING_CERT_URL.test(url)) return { ok: false, reason: 'SNS record names no signing certificate on an AWS SNS endpoint' };
    const canonical = canonicalNotification(sns);
    const signature = str(sns.Signature);
    if (!canonical || !signature) return { ok: false, reason: 'SNS record lacks the signed fields' };
    let cert: string;
    try {
      let pending = this.certs.get(url);
      if (!pending) {
        pending = this.fetchCert(url);
        this.certs.set(url, pending);
        pending.catch(() => this.certs.delete(url));
      }
      cert = await pending;
    } catch (e) {
      return { ok: false, reason: `cannot fetch the SNS signing certificate: ${e instanceof Error ? e.message : String(e)}` };
    }
    try {
      const ok = createVerify(algorithm).update(canonical, 'utf8').verify(cert, signature, 'base64');
      return ok ? { ok: true } : { ok: false, reason: 'SNS signature does not verify: not a delivery by SNS' };
    } catch {
      return { ok: false, reason: 'SNS signature does not verify: not a delivery by SNS' };
    }
  }
}

/** The certificate over HTTPS, with a bound (fetch is global in Node 20). */
export const httpsCertFetcher =
  (timeoutMs = 5000): CertFetcher =>
  async (url) => {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.text();
  };
