/**
 * What the core believes about a tunnel (the cloud's status joined with the newest signal) and whether a path
 * carries traffic safely.
 */
import { buildView, effectiveHealth, pathIsHealthy } from '../../shared/health';
import { emptyRecord, type LedgerRecord, type Path, type TunnelStatus } from '../../shared/types';

const status = (id: string, s: TunnelStatus['status']): TunnelStatus => ({
  ref: { id, cloud: 'gcp', native: {} } as TunnelStatus['ref'],
  status: s,
});
const rec = (id: string, extra: Partial<LedgerRecord> = {}): LedgerRecord => ({ ...emptyRecord(id, 'gcp'), ...extra });
const AT = '2026-11-25T00:00:00Z';

describe('effectiveHealth', () => {
  it.each([
    ['the cloud says down, the signal says healthy', 'down', { health: 'healthy' as const, lastSignalAt: AT }, 'down'],
    [
      'the cloud says up, the signal says degraded (the cloud cannot see loss)',
      'up',
      { health: 'degraded' as const, lastSignalAt: AT },
      'degraded',
    ],
    ['the cloud says up, the signal says down', 'up', { health: 'down' as const, lastSignalAt: AT }, 'down'],
    ['up, never signalled', 'up', {}, 'healthy'],
    ['up, signalled healthy', 'up', { health: 'healthy' as const, lastSignalAt: AT }, 'healthy'],
    [
      'up, a monitor explicitly unknown',
      'up',
      { health: 'unknown' as const, monitors: { m: { health: 'unknown' as const, at: AT } } },
      'unknown',
    ],
    ['up, unknown from a record without per-monitor data but signalled', 'up', { health: 'unknown' as const, lastSignalAt: AT }, 'unknown'],
    [
      'up, record unknown but every monitor healthy (a forced restore reset)',
      'up',
      { health: 'unknown' as const, monitors: { m: { health: 'healthy' as const, at: AT } } },
      'healthy',
    ],
    ['the cloud cannot tell, never signalled', 'unknown', {}, 'unknown'],
  ] as const)('%s → %s', (_what, cloud, record, expected) => {
    expect(effectiveHealth(status('t', cloud), rec('t', record))).toBe(expected);
  });

  it('no status and no record: unknown; no status but a degraded record: degraded', () => {
    expect(effectiveHealth(undefined, undefined)).toBe('unknown');
    expect(effectiveHealth(undefined, rec('t', { health: 'degraded' }))).toBe('degraded');
    expect(effectiveHealth(status('t', 'up'), undefined)).toBe('healthy');
  });
});

describe('buildView', () => {
  it('fence members and every tunnel of a record that is not active are unavailable, with the tunnels its withdrawn paths fed', () => {
    const withdrawn: Path = {
      key: 'k',
      kind: 'aws-vgw-static',
      cloud: 'aws',
      destinations: ['10.0.0.0/16'],
      tunnelIds: ['a1', 'a2'],
      definition: {},
    };
    const v = buildView(
      [status('a1', 'up'), status('a2', 'up'), status('b1', 'up'), status('c1', 'up')],
      [rec('a1', { state: 'drained', withdrawn: [withdrawn] }), rec('b1', { state: 'active' }), rec('d1', { state: 'restoring' })],
      ['m1'],
    );
    expect([...v.unavailable].sort()).toEqual(['a1', 'a2', 'd1', 'm1']);
    expect(v.statusOf('b1')?.status).toBe('up');
    expect(v.recordOf('a1')?.state).toBe('drained');
    expect(v.recordOf('zz')).toBeUndefined();
    expect(v.healthOf('c1')).toBe('healthy');
  });
});

describe('pathIsHealthy', () => {
  const p = (tunnelIds: string[]): Path => ({
    key: 'p',
    kind: 'gcp-static-route',
    cloud: 'gcp',
    destinations: ['10.0.0.0/16'],
    tunnelIds,
    definition: {},
  });
  const v = (statuses: Record<string, TunnelStatus['status']>, records: LedgerRecord[] = [], members: string[] = []) =>
    buildView(
      Object.entries(statuses).map(([id, s]) => status(id, s)),
      records,
      members,
    );

  it('needs one healthy tunnel', () => {
    expect(pathIsHealthy(p(['t1']), v({ t1: 'up' }))).toBe(true);
    expect(pathIsHealthy(p(['t1']), v({ t1: 'down' }))).toBe(false);
    expect(pathIsHealthy(p(['t1']), v({ t1: 'unknown' }))).toBe(false);
    expect(pathIsHealthy(p([]), v({}))).toBe(false);
  });

  it('a down tunnel beside a healthy one is fine (the clouds skip it), a degraded one is not (they may pick it)', () => {
    expect(pathIsHealthy(p(['t1', 't2']), v({ t1: 'down', t2: 'up' }))).toBe(true);
    expect(pathIsHealthy(p(['t1', 't2']), v({ t1: 'up', t2: 'up' }, [rec('t2', { health: 'degraded' })]))).toBe(false);
    expect(pathIsHealthy(p(['t2', 't1']), v({ t1: 'up', t2: 'up' }, [rec('t2', { health: 'degraded' })]))).toBe(false);
  });

  it('a "down" signal the cloud does not agree with yet counts as degraded', () => {
    expect(pathIsHealthy(p(['t1', 't2']), v({ t1: 'up', t2: 'up' }, [rec('t2', { health: 'down' })]))).toBe(false);
    // ...unless that tunnel is the one being drained: it is leaving anyway.
    expect(pathIsHealthy(p(['t1', 't2']), v({ t1: 'up', t2: 'up' }, [rec('t2', { health: 'down' })]), new Set(['t2']))).toBe(true);
  });

  it('excluded and unavailable tunnels do not count as healthy', () => {
    expect(pathIsHealthy(p(['t1']), v({ t1: 'up' }), new Set(['t1']))).toBe(false);
    expect(pathIsHealthy(p(['t1']), v({ t1: 'up' }, [], ['t1']))).toBe(false);
    // A path that still sends traffic into a tunnel taken out of service (the cloud still has it up) is not
    // counted either, even beside a healthy tunnel: the conservative reading.
    expect(pathIsHealthy(p(['t1', 't2']), v({ t1: 'up', t2: 'up' }, [], ['t1']))).toBe(false);
    expect(pathIsHealthy(p(['t1', 't2']), v({ t1: 'down', t2: 'up' }, [], ['t1']))).toBe(true);
  });
});
