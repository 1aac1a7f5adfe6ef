/**
 * The demo as a table: each step is a moment of the incident — what happens, what it does to the world, and what
 * must then be true. The runner (`commands/demo.ts`) prints each step's reports and what the other end of the
 * link did, then checks each expectation.
 */
import { reconcile } from '../../shared/engine';
import type { LinkDelivery } from '../../simulator';
import { INCIDENT } from '../../simulator';
import { STANDBY_PRIORITY } from '../../clouds/gcp/standby';
import type { Report } from '../../shared/report-types';
import { A1, HOLD_DOWN_S, stamp, T1, T2, V1, V2, type DemoWorld } from './world';

export interface DemoStep {
  /** Seconds after the start of the incident. */
  at: number;
  /** What happens (the first line follows the time stamp). */
  story: string[];
  act(w: DemoWorld): Promise<Report[]>;
  /** What must be true afterwards: each entry is [holds, what it means]. */
  expect?(w: DemoWorld, reports: Report[], linked: LinkDelivery[]): Promise<[boolean, string][]>;
  /** Print both route tables after the step. */
  tables?: boolean;
  /** Check only: print neither the reports nor what the link delivered. */
  quiet?: boolean;
}

const dropping = (name: string) => `Cloud Monitoring incident: dropped_received_packets_count above threshold on ${name}`;
const closed = 'Cloud Monitoring incident closed: condition no longer met';
const N = INCIDENT.gcpPrefixes.length;

export const STEPS: readonly DemoStep[] = [
  {
    at: 0,
    story: [
      `GCP ${V1.gcpTunnel} starts dropping packets (vpn.googleapis.com/network/dropped_received_packets_count).`,
      'The tunnel stays ESTABLISHED, so neither cloud fails over by itself. The alert policy fires: degraded.',
      'AWS publishes no dropped-packet metric: only the GCP side can see it, so GCP tells AWS over the link.',
    ],
    act: async (w) => [await w.signal(T1, 'degraded', dropping(V1.gcpTunnel))],
    tables: true,
    expect: async (w, [r], d) => [
      [
        r!.decision === 'drain' && r!.ok,
        `${V1.gcpTunnel} drained on GCP (de-preferred: its route is now a standby copy at priority ${STANDBY_PRIORITY})`,
      ],
      [
        (await w.gcpPreferredVia(V1.gcpTunnel)) === 0 &&
          (await w.gcpStandbyVia(V1.gcpTunnel)) === 1 &&
          (await w.gcpPreferredVia(V2.gcpTunnel)) === 1,
        `GCP→AWS: traffic to ${INCIDENT.awsVpcCidr} now only via ${V2.gcpTunnel}; ${V1.gcpTunnel} waits as a standby`,
      ],
      [
        d.length === 1 && d[0]!.ok && d[0]!.report.decision === 'drain' && !!d[0]!.report.viaLink,
        `AWS end ${V1.id} (${V1.tunnelIps[0]}) drained via the signed link message`,
      ],
      [
        (await w.awsRoutesOf(V1.id)) === N && (await w.awsStandbyOf(V1.id)) === N && (await w.awsHalvesOn(V2.id)) === 2 * N,
        `AWS→GCP: ${INCIDENT.gcpPrefixes.join(', ')} now via ${V2.id}, which holds both halves of each prefix (AWS prefers the longer prefix); ${V1.id} keeps its routes as standbys (tagged), so AWS falls back on them by itself if ${V2.id} goes down`,
      ],
      [w.deps.link.wire.length === 1, 'nothing echoed back: the AWS drain caused by the link sent no message'],
    ],
  },
  {
    at: 120,
    story: [
      `${V2.gcpTunnel} also starts dropping packets: degraded.`,
      'Both ends de-prefer instead of deleting, so this is no black hole: GCP keeps both standby copies, and the',
      'AWS end removes the halves, so the two connections share the prefixes again, as with no automation at all.',
    ],
    act: async (w) => [await w.signal(T2, 'degraded', dropping(V2.gcpTunnel))],
    expect: async (w, [r], d) => [
      [
        r!.decision === 'drain' && r!.ok && r!.refusals.length === 0 && /no black hole/.test(r!.summary),
        `not refused on GCP: ${V2.gcpTunnel} de-preferred too, and the report says that ${INCIDENT.awsVpcCidr} has no healthy path left (CRITICAL: a human should look)`,
      ],
      [
        (await w.gcpPreferredVia(V2.gcpTunnel)) === 0 &&
          (await w.gcpStandbyVia(V1.gcpTunnel)) === 1 &&
          (await w.gcpStandbyVia(V2.gcpTunnel)) === 1,
        `${INCIDENT.awsVpcCidr} still has a route through each tunnel (both standbys, equal priority: as before the incident)`,
      ],
      [
        d.length === 1 && d[0]!.ok && d[0]!.report.decision === 'drain' && d[0]!.report.refusals.length === 0,
        `AWS end ${V2.id} de-preferred too: not refused, since de-preferring cannot remove the last route`,
      ],
      [
        (await w.awsRoutesOf(V1.id)) === N && (await w.awsRoutesOf(V2.id)) === N && (await w.awsHalvesOn(V2.id)) === 0,
        `AWS→GCP: both connections keep their routes and no halves are left: they share the traffic as before the incident (slow beats unreachable)`,
      ],
    ],
  },
  {
    at: 240,
    story: [`${V2.gcpTunnel}'s loss was brief: its incident closes (healthy).`],
    act: async (w) => [await w.signal(T2, 'healthy', closed)],
  },
  {
    at: 300,
    story: [
      `${V1.gcpTunnel} recovers: its incident closes (healthy). GCP hold-down of ${HOLD_DOWN_S} s starts,`,
      'and GCP tells the AWS end that its monitors are healthy again: the AWS end starts its own hold-down.',
    ],
    act: async (w) => [await w.signal(T1, 'healthy', closed)],
    expect: async (w, [r], told) => [
      [r!.decision !== 'restore' && (await w.gcpPreferredVia(V1.gcpTunnel)) === 0, 'not restored yet: fast to drain, slow to restore'],
      [
        told.length === 1 &&
          told[0]!.ok &&
          told[0]!.message.health === 'healthy' &&
          told[0]!.report.decision !== 'restore' &&
          (await w.awsStandbyOf(V1.id)) === N,
        'AWS end told "healthy": its own hold-down starts (its routes wait as standbys meanwhile)',
      ],
    ],
  },
  {
    at: 420,
    story: [`scheduled reconcile (both ends healthy for 120 s < ${HOLD_DOWN_S} s):`],
    act: (w) => reconcile(w.deps),
    expect: async (w, early) => [
      [
        !early.some((r) => r.decision === 'restore') && (await w.gcpPreferredVia(V1.gcpTunnel)) === 0,
        'nothing restored on GCP before the hold-down ends',
      ],
    ],
  },
  {
    at: 630,
    story: [`scheduled reconcile (both ends healthy for 330 s >= ${HOLD_DOWN_S} s):`],
    act: (w) => reconcile(w.deps),
    expect: async (w, late) => {
      const restored = (id: string) => late.some((r) => r.tunnelId === id && r.decision === 'restore' && r.ok);
      return [
        [
          restored(T2) && (await w.gcpPreferredVia(V2.gcpTunnel)) === 1 && (await w.gcpStandbyVia(V2.gcpTunnel)) === 0,
          `${V2.gcpTunnel} restored on GCP (healthy since ${stamp(240)}): original route back, then its standby deleted`,
        ],
        [
          restored(T1) && (await w.gcpPreferredVia(V1.gcpTunnel)) === 1 && (await w.gcpStandbyVia(V1.gcpTunnel)) === 0,
          `${V1.gcpTunnel} restored on GCP from the ledger`,
        ],
        [
          restored(A1) &&
            (await w.awsStandbyOf(V1.id)) === 0 &&
            (await w.awsStandbyOf(V2.id)) === 0 &&
            (await w.awsHalvesOn(V1.id)) + (await w.awsHalvesOn(V2.id)) === 0,
          `AWS end ${V1.id} restored, and ${V2.id} with it: no tag and no half left on either connection`,
        ],
        [
          w.deps.link.wire.length === 6,
          'six link messages in all (for each GCP tunnel: drained, monitors healthy again, restored), none echoed back',
        ],
      ];
    },
  },
  {
    at: 960,
    story: ['scheduled reconcile: nothing left to do.'],
    act: (w) => reconcile(w.deps),
    quiet: true,
    expect: async (w, idle) => [
      [
        idle.every((r) => r.decision === 'ignore' || r.decision === 'record') && w.deps.link.wire.length === 6,
        'converged: reconcile changes nothing and sends nothing',
      ],
    ],
  },
];
