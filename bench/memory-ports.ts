/**
 * A cloud held in memory, as the real adapters see it from a Lambda: paths come back from an API, not from a file
 * the process re-reads. Used to measure what tunnel-guard itself needs in memory (the simulator's own cost —
 * re-reading and validating a 1 MB JSON file per call — is reported separately).
 */
import type { CloudPorts } from '../shared/ports';
import { gcpTunnelId, type Path, type TunnelStatus } from '../shared/types';
import type { Outcome } from '../shared/report-types';

export function memoryWorld(n: number): { ports: CloudPorts; tunnelId: string } {
  const native = (name: string) => ({ project: 'bench', region: 'r1', name, gateway: `${name}-gw` });
  const tunnels: TunnelStatus[] = ['t1', 't2'].map((t) => ({
    ref: { id: gcpTunnelId(native(t)), cloud: 'gcp' as const, native: native(t) },
    status: 'up' as const,
  }));
  const table = new Map<string, Path>();
  for (const t of ['t1', 't2']) {
    for (let i = 0; i < n; i++) {
      const name = `${t}-r${i}`;
      const destRange = `10.${Math.floor(i / 256)}.${i % 256}.0/24`;
      table.set(name, {
        key: name,
        kind: 'gcp-static-route',
        cloud: 'gcp',
        destinations: [destRange],
        tunnelIds: [gcpTunnelId(native(t))],
        definition: {
          name,
          network: 'https://www.googleapis.com/compute/v1/projects/bench/global/networks/vpc',
          destRange,
          priority: 1000,
          tags: [],
          description: `bench ${i}`,
          nextHopVpnTunnel: `https://www.googleapis.com/compute/v1/projects/bench/regions/r1/vpnTunnels/${t}`,
        },
      });
    }
  }
  const ports: CloudPorts = {
    paths: {
      list: async () => [...table.values()].map((p) => structuredClone(p)),
      withdraw: async (p): Promise<Outcome> => (table.delete(p.key) ? 'applied' : 'already-in-state'),
      restore: async (p): Promise<Outcome> => (table.has(p.key) ? 'already-in-state' : (table.set(p.key, structuredClone(p)), 'applied')),
    },
    tunnels: { list: async () => structuredClone(tunnels) },
  };
  return { ports, tunnelId: gcpTunnelId(native('t1')) };
}
