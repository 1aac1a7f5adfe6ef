/**
 * `LinkPublisher` from the AWS end to the GCP end of a link: POST the signed link message
 * as JSON to the GCP function `tunnelIncident`, authenticated with the same webhook credentials it accepts from
 * Cloud Monitoring (`gcp-functions/auth.ts`: HTTP Basic, or the token as `?auth_token=`).
 *
 * Why a public HTTPS URL and not a gen2 function behind IAM: invoking an IAM-protected function needs a
 * Google-signed identity token, which a Lambda can only get through Workload Identity Federation (an extra pool,
 * provider and token exchange on every cold start). Cloud Monitoring's webhook channel cannot present one either,
 * so the function is already public and protected by the webhook credentials — and every link message is also
 * HMAC-signed, so a stolen webhook credential alone cannot forge one.
 *
 * Classification by what a retry would do: 2xx and handled = done; 401/403 and other 4xx = permanent (wrong
 * credentials or signature, a retry cannot fix it); 408, 429, 5xx, network errors and timeouts are retried a few
 * times with backoff, then reported as transient. A 200 saying the message was `ignored` (a pair the GCP end does
 * not know) is permanent too: the simulator's publisher and this one both report a refusal as a failure, which
 * the engine logs.
 */
import { PermanentError, TransientError } from '../../shared/errors';
import { signLinkMessage, type LinkMessage } from '../../shared/links/message';
import type { LinkPublisher } from '../../shared/ports';

export interface HttpLinkPublisherOptions {
  /** The function's HTTPS trigger URL (`TUNNEL_GUARD_GCP_LINK_URL`). */
  url: string;
  /** HMAC secret shared with the GCP end (`TUNNEL_GUARD_LINK_SECRET`). */
  secret: string;
  /** Webhook credentials the GCP function accepts: a token (sent as `?auth_token=`) and/or HTTP Basic. */
  token?: string;
  basic?: { username: string; password: string };
  /** Per attempt. Default 10 s: a cold Cloud Function instance takes a few seconds to answer. */
  timeoutMs?: number;
  /** Total attempts for retryable failures. Default 3. */
  attempts?: number;
  /** Backoff before attempt n+1 is `backoffMs * 2^(n-1)`. Default 500 ms. */
  backoffMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** Status codes worth another attempt: request timeout, rate limited, server trouble. */
const retryableStatus = (s: number): boolean => s === 408 || s === 429 || s >= 500;

export class HttpLinkPublisher implements LinkPublisher {
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: HttpLinkPublisherOptions) {
    if (!options.secret) throw new PermanentError('HttpLinkPublisher needs the link secret: refusing to send unsigned link messages');
    const u = new URL(options.url);
    if (options.token) u.searchParams.set('auth_token', options.token);
    this.url = u.toString();
    this.headers = { 'content-type': 'application/json', 'user-agent': 'tunnel-guard-aws-link/1' };
    if (options.basic) {
      this.headers.authorization = `Basic ${Buffer.from(`${options.basic.username}:${options.basic.password}`, 'utf8').toString('base64')}`;
    }
  }

  /** Where messages go, without credentials (for logs). */
  get target(): string {
    const u = new URL(this.options.url);
    u.search = '';
    return u.toString();
  }

  async publish(message: LinkMessage): Promise<void> {
    const body = JSON.stringify(signLinkMessage(message, this.options.secret));
    const attempts = Math.max(1, this.options.attempts ?? 3);
    const doFetch = this.options.fetch ?? fetch;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let last = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await sleep((this.options.backoffMs ?? 500) * 2 ** (attempt - 2));
      let res: Response;
      try {
        res = await doFetch(this.url, {
          method: 'POST',
          headers: this.headers,
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
      } catch (e) {
        // Network error or timeout: the message may or may not have arrived; sending it again is safe because the
        // receiver de-duplicates on the message id (`link:<id>`).
        last = `${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
        continue;
      }
      const text = await res.text().catch(() => '');
      const reply = parseReply(text);
      if (res.ok) {
        if (reply?.status === 'ignored') {
          throw new PermanentError(`the GCP end ignored link message ${message.id}: ${reply.reason ?? 'no reason given'}`);
        }
        return;
      }
      last = `HTTP ${res.status}${reply?.reason ? `: ${reply.reason}` : ''}`;
      if (!retryableStatus(res.status)) {
        throw new PermanentError(`the GCP end refused link message ${message.id} (${last}) at ${this.target}`);
      }
    }
    throw new TransientError(`link message ${message.id} not delivered to ${this.target} after ${attempts} attempt(s): ${last}`);
  }
}

function parseReply(text: string): { status?: string; reason?: string } | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null ? (v as { status?: string; reason?: string }) : undefined;
  } catch {
    return undefined;
  }
}
