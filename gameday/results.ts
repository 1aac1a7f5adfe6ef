/** What a game-day run reports: the numbers per strategy, and the timeline the picture draws. */
import type { LogEntry } from '../shared/ports';
import type { EndState } from './model/ends';
import type { Decision, StrategyName } from './strategies';

export interface StrategyResult {
  lostPackets: { gcpToAws: number; awsToGcp: number; total: number };
  unreachablePackets: number;
  /** Packets dropped over a tunnel's capacity (part of `lostPackets`). */
  throttledPackets: number;
  routeChanges: number;
  drains: number;
  restores: number;
  restoresIntoLoss: number;
  timeToMitigateSeconds: number | null;
  /** Minutes a tunnel with no loss was out of service or de-preferred at either end (lost redundancy). */
  healthyDrainedMinutes: number;
  /** Minutes the two ends of a link were in different states (one in service, the other not). */
  disagreeMinutes: number;
  /** Seconds in which traffic flowed into a lossy path while a less lossy path with spare capacity existed. */
  exposureSeconds: number;
}

export interface ScenarioResult {
  scenario: string;
  floorSeconds: number | null;
  strategies: Record<StrategyName, StrategyResult>;
}

export type SignalKind = 'probe' | 'loss-ratio' | 'state' | 'link' | 'other';

/** What the picture shows: one row per minute, plus the signals and decisions with their times. */
export interface Timeline {
  links: string[];
  capacity: number[];
  minutes: {
    t: number;
    /** Per link: the worst loss of either direction (1 = down). */
    loss: number[];
    lossGcpToAws: number[];
    lossAwsToGcp: number[];
    down: boolean[];
    gcpToAws: number[];
    awsToGcp: number[];
    unreachable: number;
    throttled: number;
    lostTotal: number;
    routeChanges: number;
    ends: { gcp: EndState; aws: EndState }[];
  }[];
  signals: { t: number; text: string; kind: SignalKind; trip: boolean }[];
  decisions: Decision[];
  /** Warnings the edges logged at CRITICAL. */
  critical: { t: number; text: string }[];
  timeToMitigateSeconds: number | null;
  onset: number | null;
}

export interface RunOutput {
  result: ScenarioResult;
  timelines: Record<StrategyName, Timeline>;
}

/** The kind of a signal, from its text (the picture colours by it). */
export const kindOf = (text: string): SignalKind =>
  /probe/i.test(text)
    ? 'probe'
    : /loss ratio/i.test(text)
      ? 'loss-ratio'
      : /established|TunnelState|tunnel-state|state/i.test(text)
        ? 'state'
        : 'other';

/**
 * The edges' own words: a CRITICAL report about a tunnel is what would page someone (a reconcile repeating it is
 * one notice; the handlers' summary lines repeat it too, so only the tunnel's own report counts), and a link
 * message is a signal the other end received (degraded or down asks it to drain, healthy to restore).
 */
export function noteEdgesWords(timeline: Timeline, lines: readonly (LogEntry & { t: number })[]): void {
  const noticed = new Set<string>();
  for (const line of lines) {
    const text = String(line.message);
    if (line.severity === 'CRITICAL' && typeof line.tunnelId === 'string' && !noticed.has(`${line.tunnelId}|${text}`)) {
      noticed.add(`${line.tunnelId}|${text}`);
      timeline.critical.push({ t: line.t, text });
    }
    if (line.linkMessageId !== undefined) timeline.signals.push({ t: line.t, text, kind: 'link', trip: / (degraded|down)$/.test(text) });
  }
}
