/**
 * `LinkPublisher` from the GCP end to the AWS end of a link: the signed link message
 * (`{message, signature}` as JSON) is the SNS `Message` on the AWS link topic, which the Lambda `tunnelAlarm`
 * subscribes to; it verifies the signature before anything happens (`functions/link-signal.ts`).
 *
 * Only `@aws-sdk/client-sns` is imported (plus the web-identity credential provider, which the SNS client's own
 * default chain already pulls into the bundle), so the GCP bundle stays lean.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PermanentError, TransientError } from '../../shared/errors';
import { signLinkMessage, type LinkMessage } from '../../shared/links/message';
import type { LinkPublisher } from '../../shared/ports';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from './aws-credentials';

export interface SnsLinkPublisherOptions {
  topicArn: string;
  /** HMAC secret shared with the AWS end (`TUNNEL_GUARD_LINK_SECRET`). */
  secret: string;
}

/** `arn:aws:sns:eu-west-1:123456789012:tunnel-guard-prod-link` → its parts, or undefined. */
export function parseTopicArn(arn: string): { partition: string; region: string; account: string; name: string } | undefined {
  const m = /^arn:(aws[\w-]*):sns:([a-z0-9-]+):(\d{12}):([\w-]{1,256})$/.exec(arn);
  return m ? { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]! } : undefined;
}

/** The SNS client for the link topic: explicit credentials, never the default chain (see aws-credentials.ts). */
export function linkSnsClient(options: {
  region: string;
  endpoint?: string;
  credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity;
}): SNSClient {
  return new SNSClient({
    region: options.region,
    credentials: options.credentials,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    // The SDK's own retries (3 attempts, backoff) cover throttling and 5xx before we classify what is left.
    maxAttempts: 3,
  });
}

export class SnsLinkPublisher implements LinkPublisher {
  constructor(
    private readonly sns: SNSClient,
    private readonly options: SnsLinkPublisherOptions,
  ) {
    if (!options.secret) throw new PermanentError('SnsLinkPublisher needs the link secret: refusing to send unsigned link messages');
  }

  async publish(message: LinkMessage): Promise<void> {
    const envelope = signLinkMessage(message, this.options.secret);
    try {
      await this.sns.send(
        new PublishCommand({
          TopicArn: this.options.topicArn,
          Message: JSON.stringify(envelope),
          // For subscription filter policies and for people reading the topic; the Lambda trusts only the signed body.
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'tunnel-guard-link' },
            origin: { DataType: 'String', StringValue: message.origin },
            health: { DataType: 'String', StringValue: message.health },
          },
        }),
      );
    } catch (e) {
      throw classify(e, `SNS Publish of link message ${message.id} to ${this.options.topicArn}`);
    }
  }
}

/** What is left after the SDK's retries: throttling, 5xx and network trouble are transient, the rest permanent. */
function classify(e: unknown, operation: string): TransientError | PermanentError {
  if (e instanceof TransientError || e instanceof PermanentError) return e;
  const err = e as { name?: string; code?: string; $fault?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  const status = err.$metadata?.httpStatusCode;
  const transient =
    err.$fault === 'server' ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    /Throttl|TimeoutError|RequestTimeout|ServiceUnavailable|InternalError|KMSThrottling/.test(err.name ?? '') ||
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE'].includes(err.code ?? '');
  const text = `${operation} failed: ${err.name ?? 'Error'}: ${err.message ?? String(e)}`;
  return transient ? new TransientError(text, { cause: e }) : new PermanentError(text, { cause: e });
}
