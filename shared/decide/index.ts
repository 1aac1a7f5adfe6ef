/**
 * The decision: a pure function of (trigger, ledger, observed paths and tunnel status, policy,
 * now). All branching lives here; `engine.ts` only carries out what this returns.
 */
import { contextOf, type Decision, type DecisionInput } from './decision';
import { localHealthOf, staleFor, withSignalMark } from './monitors';
import { resumeInterrupted } from './resume';
import type { LinkNews } from '../links/rules';
import { withCounted } from '../measure';
import type { Signal, TunnelStatus } from '../types';
import { onFigures } from './figures';
import { onOperatorDrain, onOperatorRestore, onRelease, onSignal, onReconcile } from './triggers';

export { pathsOfTunnel, withLever, type Decision, type DecisionInput, type Trigger } from './decision';
export { localHealthOf, speakingMonitors, staleFor, withSignalMark } from './monitors';

/** Decide what to do. Pure: no I/O, no clock, no environment. */
export function decide(given: DecisionInput): Decision {
  // What the cloud's counters show of this tunnel now joins its record (kept with whatever the decision writes): once
  // drained, the tunnel carries no traffic and the counters fall silent, but the figure that took it out stays.
  const status = given.tunnels.find((t) => t.ref.id === given.record.tunnelId);
  const input = status?.counted ? { ...given, record: { ...given.record, ...withCounted(given.record, status) } } : given;
  const d = decideInner(input);
  const tell = linkNews(input, d);
  const { tell: _, ...rest } = d;
  return tell ? { ...rest, tell } : rest;
}

/**
 * What the other end of the link hears of this decision. Never news that came over the link (no echo, no ping-pong):
 * a signal from the other end, or a reconcile or command acting on a record the other end's message last moved.
 */
function linkNews(input: DecisionInput, d: Decision): LinkNews | undefined {
  const t = input.trigger;
  if (t.type !== 'signal') {
    const told = input.record.lastSignalViaLink ? undefined : d.tell;
    // A reconcile of a tunnel that is not simply healthy and in service refreshes the other end's figures, which it
    // cannot read itself and which would otherwise age out between news.
    if (!told && t.type === 'reconcile' && input.tunnels.some((x) => x.ref.id === input.record.tunnelId && x.counted))
      return { about: 'figures', health: 'unknown' };
    return told;
  }
  const s = attributeProbe(input, t.signal);
  // The other end's probe measured a round trip: answer with what this end's counters see of one direction, so
  // each end can tell which direction loses. Only news of a probe is answered, and figures never answer figures.
  if (s.viaLink)
    return s.basis === 'probe' && !s.figures && input.tunnels.some((x) => x.ref.id === s.tunnelId && (x.counted || x.load))
      ? { about: 'figures', health: 'unknown' }
      : undefined;
  // The tunnel's own monitors all healthy again (the other end's link message aside), on a tunnel we took out of
  // service: the other end must hear it, or each end could hold the other drained forever.
  if (d.next && input.record.state !== 'active' && localHealthOf(input.record) !== 'healthy' && localHealthOf(d.next) === 'healthy')
    return { about: 'recovered', health: 'healthy' };
  if (d.tell) return d.tell;
  // A probe measures the whole link, both directions: whatever this end did not change itself, the other end hears —
  // an end with no lever of its own, a relapse while this end is still drained (the other end may have restored on
  // the recovery it heard), a clear alarm back above its threshold during the hold-down.
  if (s.basis === 'probe' && (s.health === 'degraded' || s.health === 'healthy') && (d.kind === 'record' || d.kind === 'refuse'))
    return { about: 'probe', health: s.health, ...(s.hold ? { hold: true } : {}) };
  // A probe back above its clear threshold within a hold-down of its clear, on a tunnel this end keeps in service, is
  // set aside here (no drain) — but the other end heard that clear, and may be holding the link out on this probe's
  // evidence: it must hear that the clear no longer holds, or its hold-down would end on it and put the link back
  // into the loss.
  if (
    s.basis === 'probe' &&
    s.hold &&
    s.health === 'degraded' &&
    d.kind === 'ignore' &&
    input.record.state === 'active' &&
    clearedWithinHoldDown(input)
  )
    return { about: 'probe', health: s.health, hold: true };
  return undefined;
}

/**
 * A probe pinned to an AWS VPN connection vouches for the connection, not for one of its tunnels: AWS chooses which up
 * tunnel carries the probe. Its "healthy" is this tunnel's recovery only when no other tunnel of the connection is up
 * (then the probe went through this one); otherwise the probe may have run through the healthy sibling, so the news
 * says nothing about this tunnel — it is noted as unknown (no restore from it, and the other end of the link, paired
 * with this very tunnel, is not told it recovered). A probe's loss needs no such care: whichever tunnel AWS chose is
 * the one the connection's traffic takes.
 */
export function attributeProbe(input: Pick<DecisionInput, 'tunnels'>, s: Signal): Signal {
  if (s.basis !== 'probe' || s.health !== 'healthy' || s.viaLink || !s.tunnelId.startsWith('aws:')) return s;
  const connectionOf = (t: TunnelStatus | undefined) => (t?.ref.native as { vpnConnectionId?: string } | undefined)?.vpnConnectionId;
  const vpn = connectionOf(input.tunnels.find((t) => t.ref.id === s.tunnelId));
  const sibling = vpn ? input.tunnels.find((t) => t.ref.id !== s.tunnelId && t.status === 'up' && connectionOf(t) === vpn) : undefined;
  if (!sibling) return s;
  return {
    ...s,
    health: 'unknown',
    evidence: `${s.evidence} — not taken as this tunnel's recovery: AWS may carry the probe through ${sibling.ref.id}, which is up`,
  };
}

/** The tunnel turned healthy less than a hold-down ago: the other end may still be counting its hold-down on it. */
const clearedWithinHoldDown = (input: DecisionInput): boolean => {
  const r = input.record;
  const since = r.health === 'healthy' && r.healthySince ? Date.parse(r.healthySince) : Number.NaN;
  return input.now.getTime() - since < input.policy.restoreHoldDownSeconds * 1000;
};

function decideInner(input: DecisionInput): Decision {
  const record = input.record;
  const ctx = contextOf(input, record);
  const t = input.trigger;
  // A signal is applied to the record before anything is decided, unless it is a copy or older news.
  const signal = t.type === 'signal' ? attributeProbe(input, t.signal) : undefined;
  const fresh = !!signal && !record.recentKeys.some((k) => k.key === signal.key) && !staleFor(record, signal);
  const marked = fresh && signal ? contextOf(input, withSignalMark(record, signal)) : ctx;

  if (signal?.figures) return onFigures(ctx, signal);
  const resumed = resumeInterrupted(marked, fresh);
  if (resumed) return resumed;
  switch (t.type) {
    case 'signal':
      return onSignal(ctx, marked, signal!);
    case 'drain':
      return onOperatorDrain(ctx, t.reason, t.force);
    case 'restore':
      return onOperatorRestore(ctx, t.force);
    case 'release':
      return onRelease(ctx);
    case 'reconcile':
      return onReconcile(ctx);
  }
}
