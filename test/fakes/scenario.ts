/**
 * Builders the engine scenarios share: two GCP tunnels with two routes each, what the cloud still routes into a
 * tunnel, and a signal from a named monitor.
 */
import type { Health, Signal } from '../../shared/types';
import { sig } from './core-deps';
import { MemoryCloud } from './memory-cloud';
import { gcpRoute, gcpTunnel } from './topology';

/** tunnel-aws-1 and tunnel-aws-2, each with a route to 10.0.0.0/16 and one to 10.1.0.0/16: either can carry both. */
export function gcpTwo() {
  const tunnels = [gcpTunnel('tunnel-aws-1'), gcpTunnel('tunnel-aws-2')];
  const paths = [
    gcpRoute('r1', 'tunnel-aws-1', '10.0.0.0/16'),
    gcpRoute('r1b', 'tunnel-aws-1', '10.1.0.0/16'),
    gcpRoute('r2', 'tunnel-aws-2', '10.0.0.0/16'),
    gcpRoute('r2b', 'tunnel-aws-2', '10.1.0.0/16'),
  ];
  return { tunnels, paths, cloud: new MemoryCloud(tunnels, paths) };
}

/** The keys of the paths the cloud still routes into tunnel `t`. */
export const into = (c: MemoryCloud, t: string) =>
  c
    .snapshot()
    .filter((p) => p.tunnelIds.includes(t))
    .map((p) => p.key);

/** A signal from one named monitor (staleness and hold-down are judged per monitor). */
export const mon = (tunnelId: string, health: Health, at: number, monitor: string): Signal => ({
  ...sig(tunnelId, health, at),
  monitor,
});
