/**
 * Properties of placement on quantities, over random GCP topologies (2–4 tunnels sharing a destination, any of
 * them measured or not — by a probe between its thresholds or not —, labelled or not, loaded or not, held out by the
 * other end of the link or not): after any decision of a monitor's signal,
 * - traffic is never drained onto tunnels that are all measured no better than the one it leaves;
 * - no drain pushes a survivor over its capacity to escape a smaller (or unknown) loss — counting only the direction
 *   the lever moves where the counters split the load;
 * - a restore of an unhealthy drained tunnel happens only onto measurably worse carriers (or as the last path).
 */
import fc from 'fast-check';
import { decide } from '../../shared/decide';
import { clearlyBetter, lossToward, withCounted } from '../../shared/measure';
import { DEFAULT_POLICY } from '../../shared/policy';
import { emptyRecord, type LedgerRecord, type TunnelStatus } from '../../shared/types';
import { gcp, gcpRoute, gcpTunnel } from '../fakes/topology';

const NOW = new Date('2026-11-25T01:00:00Z');
const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
const policy = { ...DEFAULT_POLICY, drainMode: 'withdraw' as const };

const tunnelArb = fc.record({
  loss: fc.option(fc.constantFrom(0, 0.001, 0.01, 0.03, 0.05, 0.2, 0.5, 1), { nil: undefined }),
  label: fc.constantFrom('healthy', 'degraded', 'unknown-never-signalled') as fc.Arbitrary<string>,
  load: fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: undefined }),
  /** Share of the load that is GCP→AWS (what GCP routes move), where the counters tell the directions apart. */
  gcpToAwsShare: fc.option(fc.constantFrom(0, 0.25, 0.5, 0.75, 1), { nil: undefined }),
  /** What GCP counted of AWS→GCP on this tunnel (the opposite direction: it stands in, or is subtracted from a round trip). */
  counted: fc.option(fc.constantFrom(0, 0.01, 0.05, 0.3), { nil: undefined }),
  /** How old that count is: an hour when nothing renewed it (the other end moved its direction off the tunnel). */
  countedAgeSeconds: fc.constantFrom(90, 3600),
  /** The other end of the link says the tunnel is degraded (it holds its direction out). */
  otherEndOut: fc.boolean(),
  /** The round trip came from a probe between its clear and trip thresholds. */
  hold: fc.boolean(),
  drained: fc.boolean(),
});

const world = fc.record({
  tunnels: fc.array(tunnelArb, { minLength: 2, maxLength: 4 }),
  subject: fc.nat(3),
  signalLoss: fc.option(fc.constantFrom(0.01, 0.05, 0.2, 0.6), { nil: undefined }),
  trigger: fc.constantFrom('degraded', 'reconcile') as fc.Arbitrary<'degraded' | 'reconcile'>,
});

it('never places traffic on a measurably worse path or past capacity when an alternative exists', () => {
  fc.assert(
    fc.property(world, (w) => {
      const names = w.tunnels.map((_, i) => `t${i}`);
      const ids = names.map(gcp);
      const k = w.subject % ids.length;
      const id = ids[k]!;
      const records: LedgerRecord[] = w.tunnels.map((t, i) => {
        const base = emptyRecord(ids[i]!, 'gcp');
        const path = gcpRoute(`to-${names[i]}`, names[i]!, '10.0.0.0/16');
        return {
          ...base,
          version: 1,
          ...(t.label === 'unknown-never-signalled' ? {} : { health: t.label as 'healthy' | 'degraded', lastSignalAt: at(60) }),
          ...(t.loss === undefined
            ? {}
            : {
                loss: {
                  'round-trip': {
                    ratio: t.loss,
                    at: at(60),
                    monitor: 'probe',
                    basis: 'probe' as const,
                    ...(t.hold ? { hold: true as const } : {}),
                  },
                },
              }),
          ...(t.otherEndOut ? { monitors: { 'link:aws': { health: 'degraded' as const, at: at(60) } } } : {}),
          ...(t.drained && i !== k ? { state: 'drained' as const, withdrawn: [path] } : {}),
          ...(t.drained && i === k && w.trigger === 'reconcile' ? { state: 'drained' as const, withdrawn: [path] } : {}),
        };
      });
      const record = records[k]!;
      const tunnels: TunnelStatus[] = names.map((n, i) => {
        const t = w.tunnels[i]!;
        const byDirection =
          t.load === undefined || t.gcpToAwsShare === undefined
            ? undefined
            : { 'gcp-to-aws': t.load * t.gcpToAwsShare, 'aws-to-gcp': t.load * (1 - t.gcpToAwsShare) };
        return {
          ...gcpTunnel(n),
          ...(t.load === undefined ? {} : { load: { pps: t.load, at: at(60), ...(byDirection ? { byDirection } : {}) } }),
          ...(t.counted === undefined
            ? {}
            : { counted: { ratio: t.counted, span: 'aws-to-gcp' as const, at: at(t.countedAgeSeconds), packets: 60_000 } }),
        };
      });
      const paths = names
        .map((n) => gcpRoute(`to-${n}`, n, '10.0.0.0/16'))
        .filter((p) => !records.some((r) => r.state !== 'active' && r.withdrawn.some((x) => x.key === p.key)));
      const trigger =
        w.trigger === 'reconcile'
          ? { type: 'reconcile' as const }
          : {
              type: 'signal' as const,
              signal: {
                tunnelId: id,
                health: 'degraded' as const,
                observedAt: at(0),
                source: 'test',
                key: 'k',
                evidence: 'probe',
                monitor: 'probe',
                basis: 'probe' as const,
                ...(w.signalLoss === undefined ? {} : { measure: { ratio: w.signalLoss, span: 'round-trip' as const } }),
              },
            };
      const d = decide({ trigger, record, records: records.filter((_, i) => i !== k), members: [], tunnels, paths, policy, now: NOW });
      const after = d.next ?? record;
      // A tunnel's figure as the decision sees it: its record, with what the counters show laid over it.
      // AWS→GCP's count stands while the other end holds the tunnel out (nothing renews it).
      const lossOf = (r: LedgerRecord | undefined) =>
        r &&
        lossToward(withCounted(r, tunnels[ids.indexOf(r.tunnelId)]), 'gcp-to-aws', NOW, policy.lossMaxAgeSeconds, {
          oppositeStands: w.tunnels[ids.indexOf(r.tunnelId)]!.otherEndOut,
        })?.ratio;
      const carriers = records.filter((r, i) => i !== k && r.state === 'active');
      if (d.kind === 'drain' && w.trigger === 'degraded') {
        const own = lossOf(after);
        const measured = carriers.map((r) => lossOf(r));
        if (own !== undefined && measured.length > 0 && measured.every((x) => x !== undefined))
          expect(measured.some((x) => clearlyBetter(x!, own, policy))).toBe(true);
        // A GCP lever moves GCP→AWS only: that direction's load where the counters split it, else the whole load.
        const load = tunnels[k]!.load;
        const moved = load?.byDirection?.['gcp-to-aws'] ?? load?.pps;
        const survivors = carriers.map((r) => tunnels[ids.indexOf(r.tunnelId)]!);
        if (moved !== undefined && survivors.length > 0 && survivors.every((s) => s.load)) {
          // The busiest survivor's share of an uneven spread (the same projection the guard makes, re-derived).
          const share = survivors.length === 1 ? 1 : Math.min(1, 1.25 / survivors.length);
          const over = Math.max(0, ...survivors.map((s) => s.load!.pps + moved * share - policy.gcpTunnelCapacityPps));
          if (over > 0) {
            expect(own).toBeDefined();
            expect(over).toBeLessThan(moved * own!);
          }
        }
      }
      if (
        d.kind === 'restore' &&
        w.trigger === 'reconcile' &&
        record.health === 'degraded' &&
        !d.refusals.some((r) => r.guard === 'last-resort')
      ) {
        const own = lossOf(record);
        const figures = carriers.map((c) => lossOf(c));
        if (own !== undefined && figures.every((l) => l !== undefined)) {
          // Every figure known: back only if measurably better than the best carrier.
          expect(clearlyBetter(own, Math.min(...(figures as number[])), policy)).toBe(true);
        } else {
          // A figure missing: the labels decide — back only when every carrier is degraded too (as doing nothing).
          expect(carriers.every((c) => c.health === 'degraded')).toBe(true);
        }
      }
    }),
    { numRuns: 400 },
  );
});
