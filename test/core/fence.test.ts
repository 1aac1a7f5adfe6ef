/**
 * The fence record: joining is the drain's commit point, leaving retries lost races, and members left by a drain
 * that died between its two writes are dropped once no live invocation can still be between them.
 */
import { LedgerConflictError } from '../../shared/errors';
import { dropStaleMembers, joinFence, leaveFence } from '../../shared/engine/fence';
import { MemoryLedger } from '../../simulator/memory-ledger';
import { emptyRecord, fenceId, type LedgerRecord } from '../../shared/types';
import { testDeps } from '../fakes/core-deps';

const FENCE = fenceId('gcp');
const MIN = 60_000;

async function world(members: string[], records: Partial<LedgerRecord>[] = []) {
  const ledger = new MemoryLedger();
  const env = testDeps({}, {}, ledger);
  await ledger.put({ ...emptyRecord(FENCE, 'gcp'), members, updatedAt: new Date(env.clock.t).toISOString() });
  for (const r of records) await ledger.put({ ...emptyRecord(r.tunnelId!, 'gcp'), ...r });
  return { ...env, ledger };
}

/** A ledger that loses the first `n` conditional writes of the fence to another writer. */
function losing(ledger: MemoryLedger, n: number) {
  let lost = 0;
  return {
    get: (id: string) => ledger.get(id),
    list: () => ledger.list(),
    scan: () => ledger.scan(),
    put: async (r: LedgerRecord) => {
      if (r.tunnelId === FENCE && lost < n) {
        lost++;
        throw new LedgerConflictError(r.tunnelId, r.version, r.version + 1);
      }
      return ledger.put(r);
    },
  };
}

describe('joinFence', () => {
  it('adds the tunnel once, stamps the time, and is conditional on the version read', async () => {
    const { deps, ledger, clock } = await world(['t0']);
    const fence = (await ledger.get(FENCE))!;
    clock.t += 5000;
    await joinFence(deps, fence, 't1');
    const after = (await ledger.get(FENCE))!;
    expect(after.members).toEqual(['t0', 't1']);
    expect(after.updatedAt).toBe(new Date(clock.t).toISOString());
    // The same stale read again: the conditional write loses.
    await expect(joinFence(deps, fence, 't2')).rejects.toBeInstanceOf(LedgerConflictError);
    await joinFence(deps, after, 't1');
    expect((await ledger.get(FENCE))!.members).toEqual(['t0', 't1']);
  });

  it('starts a fence that has no members yet', async () => {
    const { deps, ledger } = testDeps({});
    await joinFence(deps, emptyRecord(FENCE, 'gcp'), 't1');
    expect((await ledger.get(FENCE))!.members).toEqual(['t1']);
  });
});

describe('leaveFence', () => {
  it('removes only that tunnel', async () => {
    const { deps, ledger } = await world(['t0', 't1', 't2']);
    await leaveFence(deps, 'gcp', 't1');
    expect((await ledger.get(FENCE))!.members).toEqual(['t0', 't2']);
  });

  it('is a no-op for a tunnel that is not a member, or without a fence', async () => {
    const { deps, ledger } = await world(['t0']);
    const before = ledger.writes;
    await leaveFence(deps, 'gcp', 't9');
    await leaveFence(deps, 'aws', 't9');
    expect(ledger.writes).toBe(before);
  });

  it('is a no-op on a fence record that never had members (as another version may have written it)', async () => {
    const { deps, ledger } = await world([]);
    const { members: _none, ...bare } = (await ledger.get(FENCE))!;
    await ledger.put(bare);
    const before = ledger.writes;
    await leaveFence(deps, 'gcp', 't1');
    await dropStaleMembers(deps, 'gcp');
    expect(ledger.writes).toBe(before);
  });

  it('retries after losing a race, and gives up quietly after five losses', async () => {
    const a = await world(['t0', 't1']);
    a.deps.ledger = losing(a.ledger, 4);
    await leaveFence(a.deps, 'gcp', 't1');
    expect((await a.ledger.get(FENCE))!.members).toEqual(['t0']);

    const b = await world(['t0', 't1']);
    b.deps.ledger = losing(b.ledger, 5);
    await leaveFence(b.deps, 'gcp', 't1');
    expect((await b.ledger.get(FENCE))!.members).toEqual(['t0', 't1']);
  });

  it('passes on any other ledger failure', async () => {
    const { deps, ledger } = await world(['t1']);
    deps.ledger = {
      ...ledger,
      get: (id) => ledger.get(id),
      list: () => ledger.list(),
      scan: () => ledger.scan(),
      put: async () => {
        throw new Error('disk full');
      },
    };
    await expect(leaveFence(deps, 'gcp', 't1')).rejects.toThrow('disk full');
  });
});

describe('dropStaleMembers', () => {
  it('drops members whose record never left active (or is missing) once the fence is 15 minutes old, keeps the rest', async () => {
    const { deps, ledger, clock } = await world(
      ['dead', 'gone', 'live'],
      [
        { tunnelId: 'dead', state: 'active' },
        { tunnelId: 'live', state: 'drained' },
      ],
    );
    clock.t += 15 * MIN - 1;
    await dropStaleMembers(deps, 'gcp');
    expect((await ledger.get(FENCE))!.members).toEqual(['dead', 'gone', 'live']);
    clock.t += 1;
    await dropStaleMembers(deps, 'gcp');
    const after = (await ledger.get(FENCE))!;
    expect(after.members).toEqual(['live']);
    expect(after.updatedAt).toBe(new Date(clock.t).toISOString());
  });

  it('writes nothing when every member is still in service, or there are none', async () => {
    const { deps, ledger, clock } = await world(
      ['a', 'b'],
      [
        { tunnelId: 'a', state: 'draining' },
        { tunnelId: 'b', state: 'restoring' },
      ],
    );
    clock.t += 60 * MIN;
    const before = ledger.writes;
    await dropStaleMembers(deps, 'gcp');
    await dropStaleMembers(deps, 'aws');
    expect(ledger.writes).toBe(before);
  });

  it('a fence without a time stamp is old', async () => {
    const { deps, ledger } = await world([], [{ tunnelId: 'dead', state: 'active' }]);
    const f = (await ledger.get(FENCE))!;
    await ledger.put({ ...f, members: ['dead'], updatedAt: undefined });
    await dropStaleMembers(deps, 'gcp');
    expect((await ledger.get(FENCE))!.members).toEqual([]);
  });

  it('retries after losing a race, at most five times', async () => {
    const a = await world(['dead'], [{ tunnelId: 'dead', state: 'active' }]);
    a.clock.t += 20 * MIN;
    a.deps.ledger = losing(a.ledger, 4);
    await dropStaleMembers(a.deps, 'gcp');
    expect((await a.ledger.get(FENCE))!.members).toEqual([]);

    const b = await world(['dead'], [{ tunnelId: 'dead', state: 'active' }]);
    b.clock.t += 20 * MIN;
    b.deps.ledger = losing(b.ledger, 5);
    await dropStaleMembers(b.deps, 'gcp');
    expect((await b.ledger.get(FENCE))!.members).toEqual(['dead']);
  });

  it('passes on any other ledger failure', async () => {
    const { deps, ledger, clock } = await world(['dead'], [{ tunnelId: 'dead', state: 'active' }]);
    clock.t += 20 * MIN;
    deps.ledger = {
      get: (id) => ledger.get(id),
      list: () => ledger.list(),
      scan: () => ledger.scan(),
      put: async () => {
        throw new Error('disk full');
      },
    };
    await expect(dropStaleMembers(deps, 'gcp')).rejects.toThrow('disk full');
  });
});
