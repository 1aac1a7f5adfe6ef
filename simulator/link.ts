/**
 * Link messages between the simulator's two clouds, delivered through the same steps as
 * production: the sender signs the message, the envelope crosses a "wire" as JSON text, the receiver verifies the
 * signature, turns the message into a `viaLink` signal with `signalFromLink`, and hands it to `handleSignal` on its
 * own dependencies — so the receiving side applies its own guards, de-duplication and hold-down, and never echoes
 * the change back (the engine sends nothing for a `viaLink` report).
 */
import { randomBytes } from 'node:crypto';
import { handleSignal } from '../shared/engine';
import { signalFromLink } from '../shared/links/rules';
import { signLinkMessage, verifyLinkMessage, type LinkMessage, type SignedLinkMessage } from '../shared/links/message';
import type { CoreDeps, LinkPublisher } from '../shared/ports';
import type { Cloud } from '../shared/types';
import type { Report } from '../shared/report-types';

/** What became of one received envelope. A refusal changes nothing. */
export type LinkDelivery = { ok: true; message: LinkMessage; report: Report } | { ok: false; reason: string };

const otherCloud = (c: Cloud): Cloud => (c === 'aws' ? 'gcp' : 'aws');

/**
 * The receiving edge's steps for one envelope (`{message, signature}` as parsed JSON): verify (constant time),
 * map to a local signal for a configured link (`deps.links`), then `handleSignal(deps, …)`. `localCloud` is the
 * receiving side; when omitted (the simulator, where one `CoreDeps` holds both clouds) it is the cloud the message
 * was not sent from. Never throws for a bad envelope: the reason is returned, logged, and nothing changes.
 */
export async function receiveLinkMessage(deps: CoreDeps, input: unknown, secret: string, localCloud?: Cloud): Promise<LinkDelivery> {
  const refuse = (reason: string): LinkDelivery => {
    deps.logger.log({ severity: 'WARNING', message: `link message refused: ${reason}` });
    return { ok: false, reason };
  };
  const verified = verifyLinkMessage(input, secret);
  if (!verified.ok) return refuse(verified.reason);
  const message = verified.value;
  const signal = signalFromLink(message, deps.links ?? [], localCloud ?? otherCloud(message.origin));
  if (!signal.ok) return refuse(signal.reason);
  return { ok: true, message, report: await handleSignal(deps, signal.value) };
}

/** A `LinkPublisher` for simulator mode, with what it sent and what became of it (for the CLI, demo and tests). */
export interface SimulatorLink extends LinkPublisher {
  /** Every envelope sent, exactly as it crossed the wire (JSON text), oldest first. */
  readonly wire: string[];
  /** What the receiving side did with each envelope, in the same order. */
  readonly deliveries: LinkDelivery[];
  /** Deliver any envelope (a replay, a forgery) through the receiving side's steps. */
  receive(input: unknown): Promise<LinkDelivery>;
}

/**
 * `simulatorLinkPublisher(deps, secret?)`: `publish(message)` signs with `secret`, serialises, and delivers to the
 * side that `deps()` returns (called at delivery time, so a composition root can pass the object it is building;
 * in the CLI one `CoreDeps` holds both clouds, so sender and receiver are the same deps). Without `secret` a random
 * per-publisher secret is used: in-process delivery needs no shared secret, and nothing outside can forge one.
 * `publish` throws when the receiver refuses the message, so the engine logs the failure as it would for SNS/HTTP.
 */
export function simulatorLinkPublisher(deps: () => CoreDeps, secret: string = randomBytes(32).toString('hex')): SimulatorLink {
  const wire: string[] = [];
  const deliveries: LinkDelivery[] = [];
  const receive = async (input: unknown): Promise<LinkDelivery> => {
    const d = await receiveLinkMessage(deps(), input, secret);
    deliveries.push(d);
    return d;
  };
  return {
    wire,
    deliveries,
    receive,
    publish: async (message) => {
      const text = JSON.stringify(signLinkMessage(message, secret));
      wire.push(text);
      const d = await receive(JSON.parse(text) as SignedLinkMessage);
      if (!d.ok) throw new Error(`the ${otherCloud(message.origin)} end refused the link message: ${d.reason}`);
    },
  };
}
