/**
 * The simulator's tunnels may carry a load and a limit, as an adapter reading the clouds' per-tunnel packet counts
 * would report them: the capacity guard then refuses a drain that would overflow the tunnel taking the load.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handleSignal } from '../../shared/engine';
import { openSimulator } from '../../simulator';
import { incidentTopology } from '../../simulator/topology';
import { testDeps } from '../fakes/core-deps';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-sim-load-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('reports each tunnel’s configured load and limit, and a drain that would overflow the survivor is refused', async () => {
  const world = incidentTopology();
  for (const c of world.aws.vpnConnections) for (const t of c.tunnels) Object.assign(t, { loadPps: 100_000 });
  const file = join(dir, 'world.sim.json');
  writeFileSync(file, JSON.stringify(world));
  const sim = openSimulator(file);
  const aws = sim.ports('aws');
  const statuses = await aws.tunnels.list();
  const { deps } = testDeps({ aws });
  expect(statuses.every((s) => s.load?.pps === 100_000)).toBe(true);
  const [first] = statuses.filter((s) => s.status === 'up');
  const r = await handleSignal(deps, {
    tunnelId: first!.ref.id,
    health: 'degraded',
    observedAt: new Date().toISOString(),
    source: 'test',
    key: 'k1',
    evidence: 'probe 5 %',
    basis: 'probe',
    measure: { ratio: 0.05, span: 'round-trip' },
  });
  expect(r.decision).toBe('refuse');
  expect(r.refusals.map((x) => x.guard)).toContain('capacity');
});

it('status --json carries each tunnel’s load and capacity where known, and its measured loss', async () => {
  const { buildStatus } = await import('../../cli/status-view');
  const doc = buildStatus(
    [
      {
        ref: { id: 'aws:r:vpn-1:1.1.1.1', cloud: 'aws', native: { vpnConnectionId: 'vpn-1', outsideIpAddress: '1.1.1.1', region: 'r' } },
        status: 'up',
        load: { pps: 5000 },
        capacityPps: 140000,
      },
    ],
    [],
    [
      {
        tunnelId: 'aws:r:vpn-1:1.1.1.1',
        cloud: 'aws',
        version: 1,
        state: 'active',
        health: 'degraded',
        recentKeys: [],
        withdrawn: [],
        drains: [],
        suppressed: false,
        loss: { 'round-trip': { ratio: 0.05, at: '2026-11-25T00:00:00.000Z', monitor: 'probe:x' } },
      },
    ],
  );
  expect(doc.tunnels[0]).toMatchObject({ loadPps: 5000, capacityPps: 140000, loss: { 'round-trip': { ratio: 0.05 } } });
});
