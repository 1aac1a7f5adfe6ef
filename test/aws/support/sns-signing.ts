/**
 * Sign SNS records the way SNS does (SignatureVersion 2, SHA256withRSA over the canonical Notification string), with
 * a test key: the verifier under test gets this key's public half as "the certificate", fetched from a URL shaped like
 * AWS's. What a forger cannot do is sign with SNS's key — so an unsigned or re-signed record must fail.
 */
import { createSign, generateKeyPairSync } from 'node:crypto';
import { canonicalNotification, SnsSignatureVerifier } from '../../../functions/sns-signature';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const TEST_CERT_URL = 'https://sns.ap-northeast-1.amazonaws.com/SimpleNotificationService-test.pem';
export const testPublicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** A verifier that "fetches" the test key for the AWS-shaped URL only. */
export const testSnsVerifier = () =>
  new SnsSignatureVerifier(async (url) => {
    if (url !== TEST_CERT_URL) throw new Error(`unexpected certificate URL ${url}`);
    return testPublicKeyPem;
  });

/** Sign `record.Sns` in place (as SNS would have) and return the record. */
export function signSnsRecord<T extends { Sns: Record<string, unknown> }>(record: T): T {
  Object.assign(record.Sns, { Type: 'Notification', SignatureVersion: '2', SigningCertUrl: TEST_CERT_URL });
  const canonical = canonicalNotification(record.Sns)!;
  record.Sns.Signature = createSign('RSA-SHA256').update(canonical, 'utf8').sign(privateKey, 'base64');
  return record;
}
