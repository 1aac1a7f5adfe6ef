import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIncident } from '../../gcp-functions/parse-incident';
import { gcpTunnelId } from '../../shared/types';

const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/gcp', name), 'utf8'));
const T1 = gcpTunnelId({ project: 'example-project', region: 'asia-northeast1', name: 'tunnel-aws-1' });
const cfg = { policyTunnels: { 'tunnel-aws-1 dropped packets': T1 } };

describe('parseIncident: Cloud Monitoring webhook → Signal', () => {
  it.each([
    ['incident-open-dropped-packets.json', 'degraded', '2025-11-25T10:00:00.000Z', 'gcp-incident:0.nv3xq1k2a7bc:open'],
    ['incident-open-tunnel-established.json', 'down', '2025-11-25T10:00:00.000Z', 'gcp-incident:0.nv3xq9z8y7wd:open'],
    ['incident-closed-recovered.json', 'healthy', '2025-11-25T10:30:00.000Z', 'gcp-incident:0.nv3xq1k2a7bc:closed:1764066600'],
    ['incident-closed-cancelled.json', 'unknown', '2025-11-25T10:10:00.000Z', 'gcp-incident:0.nv3xq1k2a7bc:closed:1764065400'],
    ['incident-closed-no-data.json', 'unknown', expect.any(String), expect.stringMatching(/:closed:/)],
    ['incident-v1.1-open.json', 'degraded', '2025-11-25T10:00:00.000Z', 'gcp-incident:0.nv3xr5t6u7vw:open'],
    ['incident-v1.1-closed.json', 'healthy', '2025-11-25T10:30:00.000Z', 'gcp-incident:0.nv3xr5t6u7vw:closed:1764066600'],
  ])('%s → %s', (name, health, observedAt, key) => {
    const r = parseIncident(fixture(name), cfg);
    expect(r).toMatchObject({ kind: 'signal', signal: { tunnelId: T1, health, observedAt, key, source: 'gcp-webhook' } });
  });

  describe('monitor: which policy condition said it', () => {
    const DROPPED = 'gcp-policy:tunnel-guard: dropped packets per tunnel/Dropped received packets per tunnel';
    const monitorOf = (body: unknown): string | undefined => {
      const r = parseIncident(body, cfg);
      if (r.kind !== 'signal') throw new Error(`expected a signal, got ${JSON.stringify(r)}`);
      return r.signal.monitor;
    };

    it('is gcp-policy:<policy_name>/<condition_name>, shared by the open and every closed notification', () => {
      for (const f of [
        'incident-open-dropped-packets.json',
        'incident-closed-recovered.json',
        'incident-closed-cancelled.json',
        'incident-closed-no-data.json',
      ]) {
        expect(monitorOf(fixture(f))).toBe(DROPPED);
      }
    });

    it('differs between two policies on the same tunnel', () => {
      const established = parseIncident(fixture('incident-open-tunnel-established.json'), cfg);
      const dropped = parseIncident(fixture('incident-open-dropped-packets.json'), cfg);
      expect(established.kind === 'signal' && dropped.kind === 'signal' && established.signal.tunnelId === dropped.signal.tunnelId).toBe(
        true,
      );
      expect(monitorOf(fixture('incident-open-tunnel-established.json'))).toBe(
        'gcp-policy:tunnel-guard: tunnel established/Tunnel established per tunnel',
      );
      expect(monitorOf(fixture('incident-open-tunnel-established.json'))).not.toBe(DROPPED);
      // Same policy, another condition: another monitor too.
      const other = fixture('incident-open-dropped-packets.json');
      other.incident.condition_name = 'Dropped sent packets per tunnel';
      expect(monitorOf(other)).not.toBe(DROPPED);
    });

    it('schema 1.1 (mapped by policy name): open and closed share the policy-named monitor', () => {
      const open = monitorOf(fixture('incident-v1.1-open.json'));
      expect(open).toMatch(/^gcp-policy:tunnel-aws-1 dropped packets(\/|$)/);
      expect(monitorOf(fixture('incident-v1.1-closed.json'))).toBe(open);
      const noCondition = fixture('incident-v1.1-open.json');
      delete noCondition.incident.condition_name;
      expect(monitorOf(noCondition)).toBe('gcp-policy:tunnel-aws-1 dropped packets');
    });
  });

  it('acknowledges a test notification and changes nothing', () => {
    expect(parseIncident(fixture('notification-test.json'), cfg)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringMatching(/test notification/),
    });
  });

  it('explains why a cancellation is not a recovery, even though the summary says "returned to normal"', () => {
    const r = parseIncident(fixture('incident-closed-cancelled.json'), cfg);
    expect(r.kind === 'signal' && r.signal.evidence).toMatch(/closed without recovery/);
  });

  it('is not fooled by resource names: a tunnel called "cancelled-no-data" still recovers', () => {
    const p = fixture('incident-closed-recovered.json');
    p.incident.metric.labels.tunnel_name = 'cancelled-no-data';
    p.incident.summary = p.incident.summary.replace(/tunnel_name=tunnel-aws-1/, 'tunnel_name=cancelled-no-data');
    expect(parseIncident(p, cfg)).toMatchObject({ kind: 'signal', signal: { health: 'healthy' } });
  });

  it('does not restore when a closed incident still breaches the threshold', () => {
    const p = fixture('incident-closed-recovered.json');
    p.incident.observed_value = '5.000';
    expect(parseIncident(p, cfg)).toMatchObject({ kind: 'signal', signal: { health: 'unknown' } });
  });

  it('a closed tunnel_established incident with the tunnel back up (1 ≥ 1) is a recovery', () => {
    const p = fixture('incident-open-tunnel-established.json');
    Object.assign(p.incident, { state: 'closed', ended_at: 1764066000, observed_value: '1.000' });
    expect(parseIncident(p, cfg)).toMatchObject({ kind: 'signal', signal: { health: 'healthy' } });
  });

  it.each([
    [
      'a metric that is not Cloud VPN',
      (p: any) => (p.incident.metric.type = 'compute.googleapis.com/instance/cpu/utilization'),
      /not a Cloud VPN metric/,
    ],
    [
      'a policy not grouped by tunnel_name and not mapped',
      (p: any) => delete p.incident.metric.labels.tunnel_name,
      /names no tunnel.*not mapped/,
    ],
    [
      'schema 1.1 from an unmapped policy',
      (p: any) => {
        delete p.incident.resource;
        delete p.incident.metric;
        p.incident.policy_name = 'other';
      },
      /schema 1.1.*not mapped/,
    ],
    ['an unknown state', (p: any) => (p.incident.state = 'acknowledged'), /neither open nor closed/],
  ])('ignores %s, with a reason', (_what, edit, reason) => {
    const p = fixture('incident-open-dropped-packets.json');
    edit(p);
    expect(parseIncident(p, cfg)).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(reason) });
  });

  it('maps an ungrouped 1.2 policy by its name when configured', () => {
    const p = fixture('incident-open-dropped-packets.json');
    delete p.incident.metric.labels.tunnel_name;
    p.incident.policy_name = 'tunnel-aws-1 dropped packets';
    expect(parseIncident(p, cfg)).toMatchObject({ kind: 'signal', signal: { tunnelId: T1, health: 'degraded' } });
  });

  it.each([
    ['an array', []],
    ['null', null],
    ['no incident', { version: '1.2' }],
    ['no incident_id', { version: '1.2', incident: { state: 'open', started_at: 1 } }],
    ['a string started_at', { version: '1.2', incident: { incident_id: 'x', state: 'open', started_at: 'yesterday' } }],
    ['no started_at', { version: '1.2', incident: { incident_id: 'x', state: 'open' } }],
  ])('rejects %s as invalid (HTTP 400)', (_what, body) => {
    expect(parseIncident(body, cfg).kind).toBe('invalid');
  });
});

describe('configuration maps are looked up by own keys only', () => {
  it('a policy named "toString" is ignored with a reason, never crashes', () => {
    const inc = fixture('incident-v1.1-open.json');
    inc.incident.policy_name = 'toString';
    const r = parseIncident(inc, { policyTunnels: {} });
    expect(r.kind).toBe('ignored');
  });
});
