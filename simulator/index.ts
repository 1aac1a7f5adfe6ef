/**
 * The two-cloud simulator: both clouds in one JSON file, behind the same ports as the real
 * adapters, with optional latency and faults. Edges select it with `TUNNEL_GUARD_SIMULATOR=<path>`.
 */
import type { CloudPorts, Ledger, Notifier } from '../shared/ports';
import { FileLedger } from './file-ledger';
import type { Cloud, ReportedStatus } from '../shared/types';
import type { Report } from '../shared/report-types';
import { awsTunnelId, gcpTunnelId } from '../shared/types';
import { InputError } from '../shared/errors';
import { awsPorts } from './aws-ports';
import type { FaultInjector, FaultSpec } from './faults';
import { gcpPorts } from './gcp-ports';
import { SimCalls } from './sim-calls';
import type { SimState } from './sim-state';
import { MemoryLedger } from './memory-ledger';
import { MemorySimStore, SimStore } from './sim-store';
import { incidentTopology } from './topology';

export { SimulatedCrashError, type FaultSpec, type MutationInfo } from './faults';
export type { SimState } from './sim-state';
export { incidentTopology, addHaVpn, INCIDENT } from './topology';

export interface SimulatorOptions {
  /** Latency added to every simulated API call (ms). */
  latencyMs?: number;
  /** Extra latency of every mutating call, like waiting for a GCP operation to be DONE (ms). */
  operationMs?: number;
  faults?: FaultSpec;
  /** Topology written when the file does not exist (default: the original incident). */
  initial?: () => SimState;
  /**
   * Keep the world in this process instead of the file (nothing is read or written; the ledger is in memory
   * too): for long runs such as the game day and the benchmarks. `file` then only names the world in logs.
   */
  inMemory?: boolean;
}

/** How many reports the simulated notifier keeps in the file (newest last). */
export const MAX_NOTIFICATIONS = 50;

export interface SimulatorHandle {
  file: string;
  /** PathTable + TunnelHealthView of one cloud, over the file. */
  ports(cloud: Cloud): CloudPorts;
  /** A `FileLedger` at `ledgerFileFor(file)`. */
  ledger: Ledger;
  /** Records each report in the simulator file (bounded list). */
  notifier: Notifier;
  /** A validated copy of the whole simulated world. */
  read(): Promise<SimState>;
  /** Change the simulated world directly (tests, the demo); bypasses fault injection and counting. */
  update<T>(change: (state: SimState) => T): Promise<T>;
  /** Set what the cloud itself reports about a tunnel (AWS UP/DOWN, GCP ESTABLISHED/NO_INCOMING_PACKETS). */
  setTunnelStatus(tunnelId: string, status: Exclude<ReportedStatus, 'unknown'>): Promise<void>;
  /** Reports recorded by `notifier`, oldest first. */
  notifications(): Promise<Report[]>;
  /** Fault-injection counters of this handle: mutating calls attempted and applied. */
  stats(): { mutatingCalls: number; applied: number; crashed: boolean };
}

/** `x.json` → `x.ledger.json` (any other name gets `.ledger.json` appended). */
export function ledgerFileFor(simFile: string): string {
  return simFile.endsWith('.json') ? `${simFile.slice(0, -'.json'.length)}.ledger.json` : `${simFile}.ledger.json`;
}

/**
 * Opens (lazily creates, on first access, with the built-in topology) a simulator file. State lives in the file,
 * not in memory: several processes may use the same file one after another.
 */
export function openSimulator(file: string, options: SimulatorOptions = {}): SimulatorHandle {
  const store = options.inMemory
    ? new MemorySimStore(options.initial ?? incidentTopology)
    : new SimStore(file, options.initial ?? incidentTopology);
  const calls = new SimCalls(store, options);
  const faults: FaultInjector = calls.faults;
  const clouds: Record<Cloud, CloudPorts> = { aws: awsPorts(calls), gcp: gcpPorts(calls) };

  return {
    file,
    ports: (cloud) => clouds[cloud],
    ledger: options.inMemory ? new MemoryLedger() : new FileLedger(ledgerFileFor(file)),
    notifier: {
      notify: async (report) => {
        await store.update((state) => {
          state.notifications.push(structuredClone(report) as unknown as Record<string, unknown>);
          state.notifications.splice(0, Math.max(0, state.notifications.length - MAX_NOTIFICATIONS));
        });
      },
    },
    read: () => store.read(),
    update: (change) => store.update(change),
    setTunnelStatus: (tunnelId, status) =>
      store.update((state) => {
        for (const c of state.aws.vpnConnections) {
          for (const t of c.tunnels) {
            if (
              awsTunnelId({ region: state.aws.region, vpnConnectionId: c.vpnConnectionId, outsideIpAddress: t.outsideIpAddress }) ===
              tunnelId
            ) {
              t.status = status === 'up' ? 'UP' : 'DOWN';
              t.statusMessage = status === 'up' ? '' : 'IPSEC IS DOWN';
              return;
            }
          }
        }
        const g = state.gcp.vpnTunnels.find(
          (t) => gcpTunnelId({ project: state.gcp.project, region: t.region, name: t.name }) === tunnelId,
        );
        if (!g) throw new InputError(`simulator: no tunnel ${tunnelId}`);
        g.status = status === 'up' ? 'ESTABLISHED' : 'NO_INCOMING_PACKETS';
        g.detailedStatus = status === 'up' ? 'Tunnel is up and running.' : 'No incoming packets from peer.';
      }),
    notifications: async () => (await store.read()).notifications as unknown as Report[],
    stats: () => ({ mutatingCalls: faults.calls, applied: faults.applied, crashed: faults.crashed }),
  };
}
export { simulatorLinkPublisher, receiveLinkMessage, type SimulatorLink, type LinkDelivery } from './link';
