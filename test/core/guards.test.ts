/**
 * The drain guards and the native-failover rule, straight through `guards.ts`: what a refusal says, which plans each
 * guard judges (a de-preference is not an outage), and when the cloud already moves traffic on its own.
 */
import type { DecisionInput } from '../../shared/decide';
import { depreferGaps, drainGuards, nativeFailoverCovers } from '../../shared/guards';
import { buildView } from '../../shared/health';
import { DEFAULT_POLICY, type Policy } from '../../shared/policy';
import { emptyRecord, type LedgerRecord, type Path, type TunnelStatus } from '../../shared/types';
import { handleSignal, runCommand } from '../../shared/engine';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { gcpTwo } from '../fakes/scenario';
import { aws, awsTunnel, gcp, vgwRoute } from '../fakes/topology';

const tunnel = (id: string, status: TunnelStatus['status'] = 'up'): TunnelStatus => ({
  ref: { id, cloud: 'gcp', native: {} } as TunnelStatus['ref'],
  status,
});
const path = (key: string, tunnelIds: string[], destinations: string[], extra: Partial<Path> = {}): Path => ({
  key,
  kind: 'gcp-static-route',
  cloud: 'gcp',
  destinations,
  tunnelIds,
  definition: { name: key },
  domain: 'net-a',
  ...extra,
});
const AT = '2026-11-25T00:00:00Z';
const withHealth = (id: string, health: LedgerRecord['health']): LedgerRecord => ({ ...emptyRecord(id, 'gcp'), health, lastSignalAt: AT });

function world(
  statuses: Record<string, TunnelStatus['status']>,
  paths: Path[],
  opts: { records?: LedgerRecord[]; members?: string[]; policy?: Partial<Policy> } = {},
) {
  const tunnels = Object.entries(statuses).map(([id, s]) => tunnel(id, s));
  const records = opts.records ?? [];
  const input: DecisionInput = {
    trigger: { type: 'reconcile' },
    record: emptyRecord('t1', 'gcp'),
    records,
    members: opts.members ?? [],
    tunnels,
    paths,
    policy: { ...DEFAULT_POLICY, ...opts.policy },
    now: new Date(AT),
  };
  return { input, view: buildView(tunnels, records, opts.members ?? []) };
}

describe('drainGuards: what each refusal says', () => {
  it('scope: one tunnel "is" out of scope, with the scope and "none" excluded', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const { input, view } = world({ t1: 'up', t2: 'up' }, [a], { policy: { scope: ['gcp:*'] } });
    expect(drainGuards(input, view, 't1', [a])).toEqual([{ guard: 'scope', reason: 't1 is not in scope (scope: gcp:*; exclude: none)' }]);
  });

  it('scope: two tunnels of one plan "are" out of scope, and the exclusions are listed', () => {
    const a = path('a', ['t1', 't2'], ['10.0.0.0/16']);
    const { input, view } = world({ t1: 'up', t2: 'up' }, [a], { policy: { exclude: ['t1', 't2'] } });
    expect(drainGuards(input, view, 't1', [a])).toEqual([
      { guard: 'scope', reason: 't1, t2 are not in scope (scope: *; exclude: t1, t2)' },
    ]);
  });

  it('black-hole: counts what is left, singular and plural', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const b = path('b', ['t2'], ['10.0.0.0/16']);
    const c = path('c', ['t1'], ['10.9.0.0/16']);
    const { input, view } = world({ t1: 'up', t2: 'up' }, [a, b, c], { policy: { minHealthyPaths: 2, maxDrainedFraction: 1 } });
    const [refusal] = drainGuards(input, view, 't1', [a, c]);
    expect(refusal).toEqual({
      guard: 'black-hole',
      reason:
        'draining t1 would leave 10.0.0.0/16 in net-a (1 healthy path left), 10.9.0.0/16 in net-a (0 healthy paths left) with fewer than 2 healthy path(s): a human must decide',
      urgent: true,
    });
  });
});

describe('drainGuards: a de-preference takes nothing out of service', () => {
  const deprefer = (p: Path): Path => ({ ...p, canDeprefer: true, lever: 'deprefer' });

  it('is allowed with the blast radius already used up, where a withdrawal of the same path is refused', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const b = path('b', ['t2'], ['10.0.0.0/16']);
    const drained: LedgerRecord = { ...withHealth('t2', 'degraded'), state: 'drained' };
    const { input, view } = world({ t1: 'up', t2: 'up', t3: 'up' }, [a, b], { records: [drained], policy: { maxDrainedTunnels: 1 } });
    expect(drainGuards(input, view, 't1', [deprefer(a)])).toEqual([]);
    expect(drainGuards(input, view, 't1', [a]).map((r) => r.guard)).toEqual(['blast-radius', 'black-hole']);
  });

  it('in a mixed plan only the withdrawn paths answer to the guards, and only the de-preferred ones to depreferGaps', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const c = path('c', ['t1'], ['10.9.0.0/16']);
    const spare = path('spare', ['t2'], ['10.9.0.0/16']);
    const { input, view } = world({ t1: 'up', t2: 'up' }, [a, c, spare], { records: [withHealth('t1', 'degraded')] });
    const plan = [deprefer(a), c];
    expect(drainGuards(input, view, 't1', plan)).toEqual([]);
    expect(depreferGaps(input, view, 't1', plan).map((g) => g.destination)).toEqual(['10.0.0.0/16 in net-a']);
  });

  it('depreferGaps judges the tunnel as out, even when it is still healthy (an operator drain)', () => {
    const a = path('a', ['t1'], ['10.0.0.0/16']);
    const { input, view } = world({ t1: 'up' }, [a]);
    expect(depreferGaps(input, view, 't1', [deprefer(a)]).map((g) => g.destination)).toEqual(['10.0.0.0/16 in net-a']);
  });
});

describe('nativeFailoverCovers: the cloud already moves the traffic', () => {
  const only = path('only', ['t1'], ['10.0.0.0/16']);
  const both = path('both', ['t1', 't2'], ['10.0.0.0/16'], { kind: 'aws-vgw-static', cloud: 'aws' });

  it('nothing of its own: nothing to cover', () => {
    const { view } = world({ t1: 'down' }, []);
    expect(nativeFailoverCovers(view, 't1', [])).toBe(false);
  });

  it('reported down by the cloud, and every tunnel of its paths down: covered (withdrawing moves no traffic)', () => {
    const { view } = world({ t1: 'down' }, [only]);
    expect(nativeFailoverCovers(view, 't1', [only])).toBe(true);
  });

  it('down in our monitors but not (yet) by the cloud: not covered', () => {
    const { view } = world({ t1: 'up' }, [only], { records: [withHealth('t1', 'down')] });
    expect(nativeFailoverCovers(view, 't1', [only])).toBe(false);
  });

  it('the cloud cannot tell, or does not list the tunnel: not covered', () => {
    expect(nativeFailoverCovers(world({ t1: 'unknown' }, [only]).view, 't1', [only])).toBe(false);
    expect(nativeFailoverCovers(world({}, [only]).view, 't1', [only])).toBe(false);
  });

  it('down, with a sibling the cloud reports up and healthy: covered by the sibling', () => {
    const { view } = world({ t1: 'down', t2: 'up' }, [both]);
    expect(nativeFailoverCovers(view, 't1', [both])).toBe(true);
  });

  it('down, with a sibling up but degraded: not covered (the cloud would send traffic into the lossy sibling)', () => {
    const { view } = world({ t1: 'down', t2: 'up' }, [both], { records: [withHealth('t2', 'degraded')] });
    expect(nativeFailoverCovers(view, 't1', [both])).toBe(false);
  });

  it('every path must be covered: one path of its own alone is enough to drain', () => {
    const { view } = world({ t1: 'up', t2: 'up' }, [both, only], { records: [withHealth('t1', 'down')] });
    expect(nativeFailoverCovers(view, 't1', [both, only])).toBe(false);
    const down = world({ t1: 'down', t2: 'up' }, [both, only], { records: [withHealth('t2', 'degraded')] });
    expect(nativeFailoverCovers(down.view, 't1', [both, only])).toBe(false);
  });
});

describe('the guards through the engine: every tunnel a withdrawal touches, and a forced restore', () => {
  // The tunnels of `gcpTwo()`.
  const T1 = gcp('tunnel-aws-1');
  const T2 = gcp('tunnel-aws-2');

  it('blast radius counts both tunnels of an earlier AWS connection drain', async () => {
    const t = [1, 2, 3].flatMap((i) => [awsTunnel(`vpn-${i}`, `${i}.${i}.${i}.1`), awsTunnel(`vpn-${i}`, `${i}.${i}.${i}.2`)]);
    const p = [1, 2, 3].map((i) =>
      vgwRoute(`vpn-${i}`, [aws(`vpn-${i}`, `${i}.${i}.${i}.1`), aws(`vpn-${i}`, `${i}.${i}.${i}.2`)], '10.240.0.0/16'),
    );
    const { deps } = testDeps({ aws: portsOf(new MemoryCloud(t, p)) }, { maxDrainedTunnels: 3, maxDrainedFraction: 1 });
    expect((await handleSignal(deps, sig(aws('vpn-1', '1.1.1.1'), 'degraded', 0))).decision).toBe('drain');
    const r2 = await handleSignal(deps, sig(aws('vpn-2', '2.2.2.1'), 'degraded', 10));
    expect(r2.decision).toBe('refuse');
    expect(r2.refusals.map((r) => r.guard)).toContain('blast-radius');
  });

  it('scope covers every tunnel a withdrawal touches (an AWS connection feeds both)', async () => {
    const t = [awsTunnel('vpn-1', '1.1.1.1'), awsTunnel('vpn-1', '1.1.1.2'), awsTunnel('vpn-2', '2.2.2.1'), awsTunnel('vpn-2', '2.2.2.2')];
    const p = [
      vgwRoute('vpn-1', [aws('vpn-1', '1.1.1.1'), aws('vpn-1', '1.1.1.2')], '10.240.0.0/16'),
      vgwRoute('vpn-2', [aws('vpn-2', '2.2.2.1'), aws('vpn-2', '2.2.2.2')], '10.240.0.0/16'),
    ];
    const cloud = new MemoryCloud(t, p);
    const { deps } = testDeps({ aws: portsOf(cloud) }, { exclude: [aws('vpn-1', '1.1.1.2')] });
    const r = await handleSignal(deps, sig(aws('vpn-1', '1.1.1.1'), 'degraded', 0));
    expect(r.decision).toBe('refuse');
    expect(r.refusals[0]!.guard).toBe('scope');
    expect(cloud.calls).toEqual([]);
  });

  it('after restore --force the tunnel counts as a fallback again', async () => {
    const { cloud } = gcpTwo();
    const { deps } = testDeps({ gcp: portsOf(cloud) });
    await handleSignal(deps, sig(T1, 'degraded', 0));
    await runCommand(deps, { type: 'restore', tunnelId: T1, force: true });
    const r = await handleSignal(deps, sig(T2, 'degraded', 10));
    expect(r.decision).toBe('drain');
  });
});
