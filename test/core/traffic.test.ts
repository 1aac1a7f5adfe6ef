/**
 * The traffic figures a run decides with: laid onto the statuses, a capacity for every tunnel (the smaller end binds a
 * linked pair), and a failed read that leaves them out without stopping the decision.
 */
import { readTraffic, withTraffic } from '../../shared/engine/traffic';
import { DEFAULT_POLICY } from '../../shared/policy';
import type { CloudPorts, CoreDeps, LogEntry } from '../../shared/ports';
import type { TunnelStatus } from '../../shared/types';
import { incident } from '../fakes/topology';

const t = incident();
const [g1, g2] = t.gcpTunnels as [TunnelStatus, TunnelStatus];
const [a1] = t.awsTunnels as [TunnelStatus];
const policy = { ...DEFAULT_POLICY, awsTunnelCapacityPps: 140_000, gcpTunnelCapacityPps: 250_000 };
const figures = {
  tunnelId: g1.ref.id,
  load: { pps: 1000, at: '2026-11-25T01:00:00.000Z' },
  counted: { ratio: 0.02, span: 'aws-to-gcp' as const, at: '2026-11-25T01:00:00.000Z', packets: 9000 },
};

describe('withTraffic', () => {
  it('lays load and counted loss on the tunnel they describe; capacities default per cloud', () => {
    const [x, y, z] = withTraffic([g1, g2, a1], [figures], policy);
    expect(x).toMatchObject({ load: figures.load, counted: figures.counted, capacityPps: 250_000 });
    expect(y).not.toHaveProperty('load');
    expect(y!.capacityPps).toBe(250_000);
    expect(z!.capacityPps).toBe(140_000);
  });

  it('a tunnel paired with the other cloud is held to the smaller limit of the two ends', () => {
    const [x] = withTraffic([g1], [], policy, [{ gcp: g1.ref.id, aws: a1.ref.id }]);
    expect(x!.capacityPps).toBe(140_000);
  });

  it("a status's own figures and capacity win", () => {
    const own = { ...g1, load: { pps: 5 }, capacityPps: 10 };
    expect(withTraffic([own], [figures], policy)[0]).toMatchObject({ load: { pps: 5 }, capacityPps: 10, counted: figures.counted });
  });
});

describe('readTraffic', () => {
  const deps = (lines: LogEntry[]) => ({ policy, logger: { log: (e: LogEntry) => lines.push(e) } }) as unknown as CoreDeps;
  const ports = (read: () => Promise<never[] | (typeof figures)[]>) => ({ traffic: { read } }) as unknown as CloudPorts;

  it('reads the port once with the tunnels it was given', async () => {
    const lines: LogEntry[] = [];
    const out = await readTraffic(
      deps(lines),
      ports(async () => [figures]),
      [g1, g2],
    );
    expect(out[0]!.load).toEqual(figures.load);
    expect(lines).toEqual([]);
  });

  it('a failed read is a warning and leaves the figures out: the decision goes on without them', async () => {
    const lines: LogEntry[] = [];
    const out = await readTraffic(
      deps(lines),
      ports(async () => Promise.reject(new Error('403 monitoring.timeSeries.list denied'))),
      [g1],
    );
    expect(out[0]).not.toHaveProperty('load');
    expect(out[0]!.capacityPps).toBe(250_000);
    expect(lines).toEqual([expect.objectContaining({ severity: 'WARNING', message: expect.stringMatching(/403 monitoring/) })]);
  });
});
