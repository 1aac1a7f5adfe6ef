/**
 * What the engine tells people: the one log line per run, the report, the notification and the link message,
 * including when the notifier, the link or the ledger fail.
 */
import { handleSignal, reconcile, runCommand } from '../../shared/engine';
import { LedgerConflictError, TransientError, shouldRetry } from '../../shared/errors';
import { MemoryLedger } from '../../simulator/memory-ledger';
import type { LedgerRecord } from '../../shared/types';
import { testDeps, sig } from '../fakes/core-deps';
import { MemoryCloud, portsOf } from '../fakes/memory-cloud';
import { aws, gcp, gcpRoute, gcpTunnel, incident } from '../fakes/topology';

const T1 = gcp('tunnel-1');
const T2 = gcp('tunnel-2');
const R1 = 'projects/example-project/global/routes/to-aws-1';

function setup(policy = {}) {
  const t = incident();
  const cloud = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
  return { cloud, ...testDeps({ gcp: portsOf(cloud) }, policy) };
}

describe('the log line', () => {
  it('one line per run: severity, decision, signal key, actions, outcomes, refusals and the time taken', async () => {
    const { deps, logger, clock } = setup();
    const s = sig(T1, 'degraded', 0);
    const slow = deps.clouds.gcp!.paths.withdraw;
    deps.clouds.gcp!.paths.withdraw = async (p) => {
      clock.t += 1500;
      return slow(p);
    };
    await handleSignal(deps, s);
    expect(logger.entries).toEqual([
      {
        severity: 'WARNING',
        message: expect.stringMatching(new RegExp(`^drain ${T1}: withdraw 1 path\\(s\\) for 10\\.0\\.0\\.0/16`)),
        tunnelId: T1,
        trigger: 'signal',
        decision: 'drain',
        signalKey: s.key,
        actions: 1,
        outcomes: { applied: 1 },
        refusals: [],
        dryRun: false,
        durationMs: 1500,
      },
    ]);
  });

  it('a refusal logs each guard with its reason; the plan size stands in for actions when nothing ran', async () => {
    const { deps, logger } = setup();
    await handleSignal(deps, sig(T2, 'degraded', 0));
    logger.entries.length = 0;
    await handleSignal(deps, sig(T1, 'degraded', 1));
    expect(logger.entries).toEqual([
      expect.objectContaining({
        severity: 'CRITICAL',
        decision: 'refuse',
        actions: 0,
        outcomes: {},
        refusals: [
          expect.stringMatching(/^blast-radius: draining gcp:.*tunnel-1 would take 2 of 2 tunnels/),
          expect.stringMatching(/^black-hole: draining gcp:.*tunnel-1 would leave/),
        ],
      }),
      // Its own line: tunnel-2 comes back, every tunnel carrying its traffic being degraded too.
      expect.objectContaining({ decision: 'restore', trigger: 'reconcile', actions: 1, outcomes: { applied: 1 } }),
    ]);
  });

  it('dry run: the plan is counted, the summary says so, nothing is written, the operator is told', async () => {
    const { deps, logger, notes, ledger, cloud } = setup({ dryRun: true });
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r.summary).toMatch(/^\[dry run\] drain /);
    expect(r.refusals).toEqual([{ guard: 'dry-run', reason: 'dry run: 1 action(s) planned, nothing changed' }]);
    expect(r).toMatchObject({
      dryRun: true,
      ok: true,
      results: [],
      stateAfter: 'active',
      plan: [{ type: 'withdraw', pathKey: R1, destinations: ['10.0.0.0/16'] }],
    });
    expect(logger.entries).toEqual([expect.objectContaining({ dryRun: true, actions: 1, outcomes: {} })]);
    expect(notes).toHaveLength(1);
    expect(await ledger.list()).toEqual([]);
    expect(cloud.calls).toEqual([]);
  });

  it('dry run of a decision without actions and without news notifies nobody', async () => {
    const { deps, notes } = setup({ dryRun: true });
    const r = await handleSignal(deps, sig(T1, 'healthy', 0));
    expect(r.decision).toBe('record');
    expect(r.summary).not.toMatch(/dry run/);
    expect(r.refusals).toEqual([]);
    expect(notes).toEqual([]);
  });
});

describe('failures around the change', () => {
  it('a notifier that throws loses the notification, not the change', async () => {
    const { deps, logger, cloud, ledger } = setup();
    deps.notifier = {
      notify: async () => {
        throw new Error('SNS is down');
      },
    };
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(r).toMatchObject({ decision: 'drain', ok: true, stateAfter: 'drained' });
    expect(cloud.snapshot().map((p) => p.key)).not.toContain(R1);
    expect((await ledger.get(T1))?.state).toBe('drained');
    expect(logger.entries.at(-1)).toEqual({ severity: 'ERROR', message: 'notification failed: SNS is down', tunnelId: T1 });
  });

  it('the other end is told after a drain; a link that fails is logged and the drain stands', async () => {
    const { deps, logger } = setup();
    const sent: unknown[] = [];
    deps.links = [{ gcp: T1, aws: aws('vpn-1', '1.1.1.1') }];
    deps.link = { publish: async (m) => void sent.push(m) };
    const r = await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(sent).toEqual([expect.objectContaining({ toTunnelId: aws('vpn-1', '1.1.1.1'), health: 'degraded' })]);
    expect(logger.entries.at(-1)).toMatchObject({
      severity: 'INFO',
      message: `told the other end of the link: ${aws('vpn-1', '1.1.1.1')} degraded`,
      tunnelId: T1,
      linkMessageId: (sent[0] as { id: string }).id,
    });
    expect(r.ok).toBe(true);

    const broken = setup();
    broken.deps.links = deps.links;
    broken.deps.link = {
      publish: async () => {
        throw new Error('no route to the other cloud');
      },
    };
    const r2 = await handleSignal(broken.deps, sig(T1, 'degraded', 0));
    expect(r2).toMatchObject({ decision: 'drain', ok: true, stateAfter: 'drained' });
    expect(broken.logger.entries.at(-1)).toEqual({
      severity: 'ERROR',
      message: `link message to ${aws('vpn-1', '1.1.1.1')} failed: no route to the other cloud`,
      tunnelId: T1,
    });
  });

  it('nothing is sent over the link without a link, or without configured links', async () => {
    const { deps, logger } = setup();
    const sent: unknown[] = [];
    deps.link = { publish: async (m) => void sent.push(m) };
    await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(sent).toEqual([]);
    expect(logger.entries).toHaveLength(1);
  });

  it('a ledger that always conflicts: a signal is a retryable failure (never an acknowledged refusal), after a pause between tries', async () => {
    const { deps, cloud, notes, logger } = setup();
    const ledger = new MemoryLedger();
    const pauses: number[] = [];
    deps.policy = { ...deps.policy, retryBaseMs: 100 };
    deps.sleep = async (ms) => void pauses.push(ms);
    deps.ledger = {
      get: (id) => ledger.get(id),
      list: () => ledger.list(),
      scan: () => ledger.scan(),
      put: async (r: LedgerRecord) => {
        throw new LedgerConflictError(r.tunnelId, r.version, r.version + 1);
      },
    };
    const failure = await handleSignal(deps, sig(T1, 'degraded', 0)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TransientError);
    expect(shouldRetry(failure)).toBe(true);
    expect((failure as Error).message).toMatch(/gave up after 5 ledger conflicts.*not recorded yet/);
    expect(cloud.calls).toEqual([]);
    expect(notes).toHaveLength(0);
    expect(logger.entries.filter((e) => e.message === 'ledger conflict: re-deciding').map((e) => e.attempt)).toEqual([1, 2, 3, 4, 5]);
    // Jittered backoff between the tries (full jitter: below base·2^attempt).
    expect(pauses.length).toBeGreaterThanOrEqual(4);
    pauses.slice(0, 4).forEach((ms, i) => expect(ms).toBeLessThan(100 * 2 ** i));

    // An operator's command is answered at once: a refusal that says why.
    const r = await runCommand(deps, { type: 'drain', tunnelId: T1, reason: 'test' });
    expect(r).toMatchObject({
      decision: 'refuse',
      ok: false,
      refusals: [{ guard: 'input', reason: `gave up after 5 ledger conflicts: another writer keeps changing ${T1}` }],
    });
  });

  it('the conflict budget spent on a drain: the signal is recorded on its own, so reconcile acts on it', async () => {
    const { deps, cloud } = setup();
    const ledger = new MemoryLedger();
    deps.ledger = {
      get: (id) => ledger.get(id),
      list: () => ledger.list(),
      scan: () => ledger.scan(),
      // The fence (every drain's commit point) always loses; the tunnel's own record can be written.
      put: async (r: LedgerRecord) => {
        if (r.tunnelId.startsWith('fence:')) throw new LedgerConflictError(r.tunnelId, r.version, r.version + 1);
        return ledger.put(r);
      },
    };
    const s = sig(T1, 'degraded', 0);
    await expect(handleSignal(deps, s)).rejects.toThrow(/recorded; reconcile acts on it/);
    expect(cloud.calls).toEqual([]);
    expect(await ledger.get(T1)).toMatchObject({ state: 'active', health: 'degraded', recentKeys: [{ key: s.key }] });
    // The platform's redelivery is a copy now; reconcile retries the drain from the recorded health.
    expect((await handleSignal(deps, s)).decision).toBe('ignore');
    deps.ledger = ledger;
    await reconcile(deps);
    expect(await ledger.get(T1)).toMatchObject({ state: 'drained' });
  });

  it('a failed action under an overridden urgent guard reports ERROR (the failure), not CRITICAL', async () => {
    const { deps, cloud } = setup();
    await handleSignal(deps, sig(T2, 'degraded', 0));
    cloud.fault = () => 'permanent';
    const r = await runCommand(deps, { type: 'drain', tunnelId: T1, force: true, reason: 'vendor says so' });
    expect(r.forced).toBe(true);
    expect(r.refusals.some((x) => x.urgent)).toBe(true);
    expect(r.severity).toBe('ERROR');
    expect(r.ok).toBe(false);
  });
});

describe('the report', () => {
  it('names the state before and after, and the trigger', async () => {
    const { deps } = setup();
    const d = await runCommand(deps, { type: 'drain', tunnelId: T1, reason: 'maintenance' });
    expect(d).toMatchObject({
      trigger: 'drain',
      stateBefore: 'active',
      stateAfter: 'drained',
      cloud: 'gcp',
      viaLink: false,
      decision: 'drain',
    });
    expect(d.summary).toMatch(/operator: maintenance/);
    const again = await runCommand(deps, { type: 'release', tunnelId: T1 });
    expect(again).toMatchObject({ trigger: 'release', stateBefore: 'drained' });
    const r = await runCommand(deps, { type: 'restore', tunnelId: T1 });
    expect(r).toMatchObject({ trigger: 'restore', stateBefore: 'drained', stateAfter: 'active', decision: 'restore' });
  });

  it('a command on a tunnel last signalled over the link carries that fact', async () => {
    const { deps } = setup();
    await handleSignal(deps, { ...sig(T1, 'degraded', 0), viaLink: true, monitor: 'link:aws', source: 'link:aws' });
    const r = await runCommand(deps, { type: 'restore', tunnelId: T1, force: true });
    expect(r.viaLink).toBe(true);
  });
});

describe('edges of a run', () => {
  it('counts outcomes per kind across the plan', async () => {
    const tunnels = [gcpTunnel('a'), gcpTunnel('b')];
    const cloud = new MemoryCloud(tunnels, [
      gcpRoute('a1', 'a', '10.0.0.0/16'),
      gcpRoute('a2', 'a', '10.1.0.0/16'),
      gcpRoute('b1', 'b', '10.0.0.0/16'),
      gcpRoute('b2', 'b', '10.1.0.0/16'),
    ]);
    const { deps, logger } = testDeps({ gcp: portsOf(cloud) }, { maxDrainedFraction: 1 });
    const r = await handleSignal(deps, sig(gcp('a'), 'degraded', 0));
    expect(r.results.map((x) => x.outcome)).toEqual(['applied', 'applied']);
    expect(logger.entries[0]).toMatchObject({ actions: 2, outcomes: { applied: 2 } });
  });

  it('an unknown tunnel: a refusal naming it, for its cloud if the id names one, changing nothing', async () => {
    const { deps, logger } = setup({ dryRun: false });
    const r = await handleSignal(deps, { ...sig(gcp('nope'), 'degraded', 0), viaLink: true });
    expect(r).toMatchObject({
      tunnelId: gcp('nope'),
      cloud: 'gcp',
      decision: 'refuse',
      ok: false,
      severity: 'WARNING',
      stateBefore: 'active',
      stateAfter: 'active',
      viaLink: true,
      dryRun: false,
      forced: false,
      plan: [],
      results: [],
      withdrawn: [],
      refusals: [{ guard: 'input', reason: `unknown tunnel ${gcp('nope')}: the gcp side reports no such tunnel` }],
    });
    const other = await runCommand(deps, { type: 'drain', tunnelId: 'azure:x' });
    expect(other).toMatchObject({
      cloud: undefined,
      trigger: 'drain',
      viaLink: false,
      refusals: [{ guard: 'input', reason: 'unknown tunnel "azure:x": not a tunnel of a configured cloud' }],
    });
    const aws1 = await handleSignal(deps, sig(aws('vpn-1', '1.1.1.1'), 'degraded', 0)); // a cloud that is not configured here
    expect(aws1.refusals[0]!.reason).toMatch(/not a tunnel of a configured cloud/);
    expect(logger.entries.map((e) => e.severity)).toEqual(['WARNING', 'WARNING', 'WARNING']);
  });

  it('a tunnel the cloud no longer lists but the ledger still holds is handled, not refused', async () => {
    const { deps, cloud } = setup();
    await handleSignal(deps, sig(T1, 'degraded', 0));
    cloud.status = cloud.status.filter((t) => t.ref.id !== T1);
    const r = await runCommand(deps, { type: 'restore', tunnelId: T1, force: true });
    expect(r).toMatchObject({ decision: 'restore', stateAfter: 'active' });
  });

  it('an operator drain without a reason says so; a restore clears the drain reason', async () => {
    const { deps, ledger } = setup();
    const d = await runCommand(deps, { type: 'drain', tunnelId: T1 });
    expect(d.summary).toMatch(/operator: manual drain$/);
    expect((await ledger.get(T1))?.reason).toBe('operator: manual drain');
    await runCommand(deps, { type: 'restore', tunnelId: T1 });
    const after = await ledger.get(T1);
    expect(after).toMatchObject({ state: 'active', withdrawn: [] });
    expect(after?.reason).toBeUndefined();
  });

  it("tells the other end once when the tunnel's own monitors recovered, though it stays drained for the hold-down", async () => {
    const { deps } = setup({ restoreHoldDownSeconds: 300 });
    const sent: { id: string; health: string }[] = [];
    deps.link = { publish: async (m) => void sent.push(m) };
    deps.links = [{ gcp: T1, aws: 'aws:r:vpn-1:203.0.113.10' }];
    await handleSignal(deps, sig(T1, 'degraded', 0));
    expect(sent.map((m) => m.health)).toEqual(['degraded']);
    const r = await handleSignal(deps, sig(T1, 'healthy', 10));
    expect(r.stateAfter).toBe('drained');
    expect(sent.map((m) => m.health)).toEqual(['degraded', 'healthy']);
    expect(sent[1]!.id).toMatch(/:recovered:/);
    await handleSignal(deps, sig(T1, 'healthy', 20));
    expect(sent).toHaveLength(2);
  });
});

describe('reconcile', () => {
  it('looks only at tunnels with something to do, in every cloud', async () => {
    const t = incident();
    const g = new MemoryCloud(t.gcpTunnels, t.gcpPaths);
    const a = new MemoryCloud(t.awsTunnels, t.awsPaths);
    const { deps } = testDeps({ gcp: portsOf(g), aws: portsOf(a) }, { maxDrainedFraction: 1 });
    await handleSignal(deps, sig(T1, 'degraded', 0)); // drained
    await handleSignal(deps, sig(T2, 'healthy', 0)); // active, healthy, nothing withdrawn: nothing to do
    await handleSignal(deps, sig(aws('vpn-2', '203.0.113.20'), 'down', 0)); // active and down: a drain to retry
    const reports = await reconcile(deps);
    expect(reports.map((r) => [r.tunnelId, r.trigger]).sort()).toEqual([
      [aws('vpn-2', '203.0.113.20'), 'reconcile'],
      [T1, 'reconcile'],
    ]);
  });
});
