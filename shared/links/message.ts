/**
 * The message one cloud's end of a link sends to the other: versioned and HMAC-signed,
 * so a forged or altered message is refused before it reaches the core.
 */
import { zodIssue, type Result } from '../result';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Cloud, Health } from '../types';

export const LINK_MESSAGE_VERSION = 1;

/** A message names at most this many tunnels' loads: it stays well under the size limit of a message. */
export const MAX_MESSAGE_LOADS = 64;

const pps = z.number().min(0).max(1e9);
const loadSchema = z
  .object({
    pps,
    byDirection: z.object({ 'gcp-to-aws': pps.optional(), 'aws-to-gcp': pps.optional() }).optional(),
    at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const linkMessageSchema = z.object({
  v: z.literal(LINK_MESSAGE_VERSION),
  /** Unique id: the receiver's de-duplication key. */
  id: z.string().min(1).max(200),
  origin: z.enum(['aws', 'gcp']),
  /** The tunnel on the sending side, and the paired tunnel on the receiving side. */
  fromTunnelId: z.string().min(1).max(300),
  toTunnelId: z.string().min(1).max(300),
  /** The health the sender acted on: degraded/down → drain the peer end, healthy → restore it. */
  health: z.enum(['healthy', 'degraded', 'down', 'unknown']),
  observedAt: z.iso.datetime({ offset: true }),
  reason: z.string().max(2000),
  /** What the sender's news rests on (a probe, traffic, tunnel state): lets a probe on one end vouch for both. */
  basis: z.enum(['probe', 'traffic', 'state']).optional(),
  /** The loss the sender measured and what it covers (a GCP end's received counters see AWS→GCP only). */
  measure: z.object({ ratio: z.number().min(0).max(1), span: z.enum(['gcp-to-aws', 'aws-to-gcp', 'round-trip']) }).optional(),
  /** The sender's probe is between its clear and trip thresholds: hold a drained tunnel out, never drain one. */
  hold: z.boolean().optional(),
  /** The sender restored as a placement decision (not on health): follow at once. */
  follow: z.boolean().optional(),
  /** Figures only (its `health` is `unknown` and means nothing): the sender's counters, in answer to a probe's news. */
  figures: z.boolean().optional(),
  /** The loss the sender's own counters show on what its end received: the direction the receiver's lever steers. */
  counted: z
    .object({
      ratio: z.number().min(0).max(1),
      span: z.enum(['gcp-to-aws', 'aws-to-gcp']),
      at: z.iso.datetime({ offset: true }),
      packets: z.number().min(0),
    })
    .optional(),
  /** Loads the sender's counters read for the receiver's tunnels, by the receiver's tunnel ids (bounded). */
  loads: z
    .record(z.string().min(1).max(300), loadSchema)
    .refine((l) => Object.keys(l).length <= MAX_MESSAGE_LOADS, `at most ${MAX_MESSAGE_LOADS} loads per message`)
    .optional(),
});
export type LinkMessage = z.infer<typeof linkMessageSchema> & { origin: Cloud; health: Health };

export const signedLinkMessageSchema = z.object({
  message: z.string().min(2).max(16_384),
  signature: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SignedLinkMessage = z.infer<typeof signedLinkMessageSchema>;

const mac = (secret: string, body: string): string => createHmac('sha256', secret).update(body).digest('hex');

/** Serialise and sign. The signature covers the exact bytes of `message`. */
export function signLinkMessage(message: LinkMessage, secret: string): SignedLinkMessage {
  if (!secret) throw new Error('link secret is empty: refusing to send an unsigned link message');
  const body = JSON.stringify(message);
  return { message: body, signature: mac(secret, body) };
}

export type VerifyResult = Result<LinkMessage>;

/** Verify the signature (constant time), then parse. Never throws. */
export function verifyLinkMessage(input: unknown, secret: string): VerifyResult {
  if (!secret) return { ok: false, reason: 'no link secret configured: link messages are refused' };
  const envelope = signedLinkMessageSchema.safeParse(input);
  if (!envelope.success) return { ok: false, reason: 'not a signed link message (need {message, signature})' };
  const expected = Buffer.from(mac(secret, envelope.data.message), 'hex');
  const given = Buffer.from(envelope.data.signature, 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'link message signature does not match' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(envelope.data.message);
  } catch {
    return { ok: false, reason: 'link message body is not JSON' };
  }
  const parsed = linkMessageSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `link message is malformed: ${zodIssue(parsed.error)}` };
  return { ok: true, value: parsed.data as LinkMessage };
}
