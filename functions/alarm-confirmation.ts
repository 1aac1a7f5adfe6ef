/**
 * An alarm event is a claim, not a fact: whoever may call `lambda:InvokeFunction` can send any payload, and a
 * home-made alarm can carry a tunnel-guard name. So before a signal from an alarm is believed, the handler asks
 * CloudWatch (`DescribeAlarms`) what the alarm really is and checks the claim against it:
 * - the alarm exists in this account and region, under the ARN the event names;
 * - it watches what its kind needs: a probe alarm (`tunnel-guard-probe-…`) the `PacketLoss` of the deployed probe
 *   monitor in `AWS/NetworkMonitor`; an alarm found by its dimensions `AWS/VPN` metrics of that same tunnel; an alarm
 *   the operator mapped (configuration `alarmTunnels`, tag) anything — the operator named it;
 * - its state and the time of its last transition are the event's (a later transition: the event is stale and
 *   refused; an earlier one: CloudWatch has not caught up yet, and the event is retried).
 * `SetAlarmState` does change the real state, so it passes this check: the guard rail against it is IAM (an SCP or
 * permission boundary denying it on `tunnel-guard-*`; see docs/security.md).
 */
import type { AlarmClaim, MetricRef } from './parse-alarm';

/** What CloudWatch says about an alarm (the fields the check reads). */
export interface DescribedAlarm {
  kind: 'metric' | 'composite';
  name: string;
  arn?: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  /** When the state value last changed (StateTransitionedTimestamp, or StateUpdatedTimestamp when absent). */
  transitionedAt?: Date;
  metrics: MetricRef[];
}

/** Port: reads one alarm by name (undefined = no such alarm). Adapter: `CloudWatchAlarms`; tests and the game day pass fakes. */
export interface AlarmDescriber {
  describe(alarmName: string): Promise<DescribedAlarm | undefined>;
}

export interface ConfirmContext {
  /** The function's own account (from its ARN): events naming another account are refused. */
  account?: string;
  /** The deployed probe monitor (TUNNEL_GUARD_AWS_PROBE_MONITOR): the only monitor a probe alarm may watch. */
  probeMonitor?: string;
}

export type Confirmation = { ok: true } | { ok: false; reason: string; retry?: boolean };

/** Timestamps in events have millisecond precision at best; allow one second either way. */
const SAME_INSTANT_MS = 1000;

/** The account check alone (no I/O): the envelope's account and the alarm ARN's account must be ours. */
export function checkAccount(claim: AlarmClaim, account: string | undefined): Confirmation {
  if (!account) return { ok: true };
  const arnAccount = claim.alarmArn?.split(':')[4];
  const named = [claim.account, arnAccount].filter((a): a is string => !!a);
  if (named.length === 0) return { ok: false, reason: `alarm "${claim.alarmName}": the event names no account; refused` };
  const other = named.find((a) => a !== account);
  if (other)
    return {
      ok: false,
      reason: `alarm "${claim.alarmName}": event from account ${other}, not this function's account ${account}; refused`,
    };
  return { ok: true };
}

const dims = (m: MetricRef) => m.dimensions;

/** Is `claim` what CloudWatch says `described` is? Pure. */
export function judge(claim: AlarmClaim, described: DescribedAlarm | undefined, ctx: ConfirmContext): Confirmation {
  const who = `alarm "${claim.alarmName}"`;
  if (!described) return { ok: false, reason: `${who} does not exist in this account and region (DescribeAlarms): refused as forged` };
  if (claim.alarmArn && described.arn && claim.alarmArn !== described.arn)
    return { ok: false, reason: `${who}: the event names ${claim.alarmArn}, CloudWatch has ${described.arn}; refused` };

  if (claim.via === 'probe') {
    if (!ctx.probeMonitor)
      return { ok: false, reason: `${who}: no probe monitor is deployed (TUNNEL_GUARD_AWS_PROBE_MONITOR), so no probe alarm is believed` };
    const m = described.metrics;
    const ok =
      described.kind === 'metric' &&
      m.length === 1 &&
      m[0]!.namespace === 'AWS/NetworkMonitor' &&
      m[0]!.name === 'PacketLoss' &&
      dims(m[0]!).Monitor === ctx.probeMonitor &&
      !!dims(m[0]!).Probe;
    if (!ok) {
      const what = m.map((x) => `${x.namespace ?? '?'} ${x.name ?? '?'} ${JSON.stringify(x.dimensions)}`).join(', ') || described.kind;
      return {
        ok: false,
        reason: `${who} is named like a probe alarm but watches ${what}, not AWS/NetworkMonitor PacketLoss of monitor ${ctx.probeMonitor}; refused`,
      };
    }
  } else if (claim.via === 'vpn-dimensions') {
    const tunnelOf = (x: MetricRef) => `${dims(x).VpnId}:${dims(x).TunnelIpAddress}`;
    const claimed = new Set(claim.metrics.filter((x) => dims(x).VpnId && dims(x).TunnelIpAddress).map(tunnelOf));
    const real = described.metrics.filter((x) => x.namespace === 'AWS/VPN' && dims(x).VpnId && dims(x).TunnelIpAddress);
    if (
      real.length === 0 ||
      !real.every((x) => claimed.has(tunnelOf(x))) ||
      ![...claimed].every((t) => real.some((x) => tunnelOf(x) === t))
    )
      return { ok: false, reason: `${who}: CloudWatch says it does not watch AWS/VPN metrics of ${[...claimed].join(', ')}; refused` };
  }

  if (described.state !== claim.value || !described.transitionedAt) {
    const at = described.transitionedAt?.getTime() ?? 0;
    if (at > Date.parse(claim.timestamp) + SAME_INSTANT_MS)
      return {
        ok: false,
        reason: `${who}: stale event (${claim.value} at ${claim.timestamp}); CloudWatch has moved on to ${described.state}`,
      };
    return { ok: false, reason: `${who}: CloudWatch says ${described.state}, the event ${claim.value} at ${claim.timestamp}`, retry: true };
  }
  const delta = described.transitionedAt.getTime() - Date.parse(claim.timestamp);
  if (Math.abs(delta) <= SAME_INSTANT_MS) return { ok: true };
  if (delta > 0)
    return {
      ok: false,
      reason: `${who}: stale event (${claim.value} at ${claim.timestamp}); a later transition at ${described.transitionedAt.toISOString()} supersedes it`,
    };
  return { ok: false, reason: `${who}: CloudWatch has not recorded the transition at ${claim.timestamp} yet`, retry: true };
}
