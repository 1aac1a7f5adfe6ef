/**
 * Both ends of a link on the simulator: a GCP incident drains the GCP routes AND, through a signed link
 * message handled by the AWS end with its own guards, the paired AWS connection's static routes; the recovery
 * restores both exactly. Replayed messages are no-ops, forged or unsigned ones change nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeCli, type CliDeps } from '../../cli/compose';
import type { CliIo } from '../../cli/io';
import { main } from '../../cli/main';
import { handleSignal, reconcile } from '../../shared/engine';
import { signLinkMessage, type LinkMessage } from '../../shared/links/message';
import { ledgerFileFor } from '../../simulator';
import type { Signal } from '../../shared/types';

const T1 = 'gcp:example-project:asia-northeast1:tunnel-aws-1';
const T2 = 'gcp:example-project:asia-northeast1:tunnel-aws-2';
const A11 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11';
const A21 = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60002:203.0.113.21';
const VPN1 = 'vpn-0a1b2c3d4e5f60001';
const VPN2 = 'vpn-0a1b2c3d4e5f60002';
const SECRET = 'test-link-secret-for-the-simulator';
const T0 = Date.parse('2026-11-25T10:00:00Z');
const iso = (s: number) => new Date(T0 + s * 1000).toISOString();

let dir: string;
let sim: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-links-'));
  sim = join(dir, 'world.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const io = (env: Record<string, string> = {}, sink = { out: '', err: '' }): CliIo => ({
  stdout: (s) => void (sink.out += s),
  stderr: (s) => void (sink.err += s),
  env: { TUNNEL_GUARD_SIMULATOR: sim, TUNNEL_GUARD_LINK_SECRET: SECRET, ...env },
  cwd: dir,
});
async function cli(args: string[], env: Record<string, string> = {}) {
  const sink = { out: '', err: '' };
  const code = await main(args, io(env, sink));
  return { code, ...sink };
}

/** The CLI's own dependencies (same composition root as every command), with a pinned clock. */
function cliDeps(env: Record<string, string> = {}) {
  const ctx = composeCli(io(env));
  let now = T0;
  return { ctx, at: (s: number) => void (now = T0 + s * 1000), deps: () => ctx.deps({ now: () => new Date(now) }) };
}

const gcpSignal = (tunnelId: string, health: Signal['health'], s: number): Signal => ({
  tunnelId,
  health,
  observedAt: iso(s),
  source: 'gcp-webhook',
  key: `test:${tunnelId}:${health}:${s}`,
  evidence: 'Cloud Monitoring incident',
});

/** Both clouds' route tables: AWS route objects per connection, GCP routes' writable fields. */
function world() {
  const s = JSON.parse(readFileSync(sim, 'utf8'));
  const writable = (r: any) => ({
    name: r.name,
    network: r.network,
    destRange: r.destRange,
    priority: r.priority,
    tags: r.tags,
    description: r.description,
    nextHopVpnTunnel: r.nextHopVpnTunnel,
  });
  return {
    aws: Object.fromEntries(
      s.aws.vpnConnections.map((c: any) => [
        c.vpnConnectionId,
        [...c.routes].sort((a: any, b: any) => a.destinationCidrBlock.localeCompare(b.destinationCidrBlock)),
      ]),
    ),
    gcp: [...s.gcp.routes].map(writable).sort((a: any, b: any) => a.name.localeCompare(b.name)),
  } as { aws: Record<string, unknown[]>; gcp: Array<{ name: string }> };
}
/** The more specific halves a connection holds for the other connection's de-preference. */
const halvesOn = (vpn: string) =>
  (world().aws[vpn] as { destinationCidrBlock: string }[]).filter(
    (r) => !['10.240.0.0/16', '192.168.1.0/24'].includes(r.destinationCidrBlock),
  ).length;
/** Both files byte for byte (the ledger may not exist yet: that is a state too). */
const files = () => [readFileSync(sim, 'utf8'), existsSync(ledgerFileFor(sim)) ? readFileSync(ledgerFileFor(sim), 'utf8') : '(no ledger)'];

describe('a GCP incident drains both ends of the link; the recovery restores both, exactly', () => {
  it('via handleSignal on the CLI deps: drain, GCP hold-down, AWS hold-down, both back deep-equal', async () => {
    const { at, deps } = cliDeps();
    await cli(['status']); // create the files
    const initial = world();

    const d: CliDeps = await deps();
    const drained = await handleSignal(d, gcpSignal(T1, 'degraded', 0));
    expect(drained).toMatchObject({ decision: 'drain', ok: true, viaLink: false });
    expect(world().gcp.map((r) => r.name)).toEqual(['route-to-aws-via-tunnel-aws-1-tg-standby', 'route-to-aws-via-tunnel-aws-2']);
    // The AWS end de-prefers: its routes stay (AWS falls back on them by itself), the other connection takes the halves.
    expect(world().aws[VPN1]).toEqual(initial.aws[VPN1]);
    expect(halvesOn(VPN2)).toBe(4);
    expect(d.link!.wire).toHaveLength(1);
    expect(d.link!.deliveries).toEqual([
      expect.objectContaining({ ok: true, report: expect.objectContaining({ tunnelId: A11, decision: 'drain', viaLink: true, ok: true }) }),
    ]);

    at(300);
    const h = await deps();
    const healthy = await handleSignal(h, gcpSignal(T1, 'healthy', 300));
    expect(healthy.decision).not.toBe('restore');
    // GCP's own monitors are healthy again: it tells the AWS end, which starts its own hold-down now.
    expect(h.link!.deliveries).toEqual([
      expect.objectContaining({ ok: true, message: expect.objectContaining({ health: 'healthy', toTunnelId: A11 }) }),
    ]);
    expect(halvesOn(VPN2)).toBe(4);

    at(550);
    expect((await reconcile(await deps())).some((r) => r.decision === 'restore')).toBe(false);
    expect(halvesOn(VPN2)).toBe(4);

    at(601); // both hold-downs (300 s from t=300) passed: each end restores from its own ledger
    const r1 = await deps();
    const first = await reconcile(r1);
    expect(
      first
        .filter((r) => r.decision === 'restore')
        .map((r) => r.tunnelId)
        .sort(),
    ).toEqual([A11, T1].sort());
    expect(world()).toEqual(initial);
    const ledger = JSON.parse(readFileSync(ledgerFileFor(sim), 'utf8'));
    expect(JSON.stringify(ledger)).not.toMatch(/"withdrawn":\[\{/); // nothing left in any ledger record
  });

  it('through the CLI: signal prints what the AWS end did; status shows peers and withdrawn routes on both clouds', async () => {
    const r = await cli(['signal', 'tunnel-aws-1', 'degraded', '--at', iso(0)]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^DRAIN/);
    expect(r.out).toContain(`link → AWS end ${A11} told "degraded" by the GCP end:\n  DRAIN`);
    const doc = JSON.parse((await cli(['status', '--json'])).out);
    const byId = (id: string) => doc.tunnels.find((t: any) => t.id === id);
    expect(byId(T1)).toMatchObject({ state: 'drained', peer: A11, peerSource: 'discovered' });
    expect(byId(A11)).toMatchObject({
      state: 'drained',
      peer: T1,
      withdrawn: [{ destination: '10.240.0.0/16' }, { destination: '192.168.1.0/24' }],
    });
    expect(byId('aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.12')).toMatchObject({ peer: null });
    expect((await cli(['status'])).out).toMatch(/links: 2 pair\(s\) discovered on the simulator/);

    // recovery through the CLI too: GCP restores after its hold-down, the AWS end after its own
    expect((await cli(['signal', 'tunnel-aws-1', 'healthy', '--at', iso(60)])).code).toBe(0);
    const back = await cli(['reconcile', '--now', iso(361)]);
    expect(back.out).toMatch(/^RESTORE gcp|RESTORE: restore gcp/m);
    expect(back.out).toMatch(/RESTORE: restore aws/);
    expect(world().aws[VPN1]).toEqual(world().aws[VPN2]);
    const idle = await cli(['reconcile', '--now', iso(662), '--json']);
    expect(JSON.parse(idle.out).filter((x: any) => x.decision === 'restore')).toEqual([]);
  });

  it('the other direction: an AWS alarm on tunnel 1 of a connection drains the GCP end too', async () => {
    const r = await cli(['signal', '203.0.113.21', 'degraded', '--at', iso(0)]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`link → GCP end ${T2} told "degraded" by the AWS end:\n  DRAIN`);
    expect(halvesOn(VPN1)).toBe(4);
    expect(world().gcp.map((x) => x.name)).toEqual(['route-to-aws-via-tunnel-aws-1', 'route-to-aws-via-tunnel-aws-2-tg-standby']);
  });

  it('each end keeps its own guards: withdrawing, the AWS end refuses to drain its last path, GCP still drains', async () => {
    // Only withdrawing can be refused for the last path; de-preferring it is not a black hole at either end.
    const withdraw = { TUNNEL_GUARD_DRAIN_MODE: 'withdraw' };
    await cli(['status']);
    expect((await cli(['drain', VPN2 + ':203.0.113.21', '--now', iso(0)], { ...withdraw, TUNNEL_GUARD_LINKS: 'off' })).code).toBe(0); // AWS vpn-2 drained alone
    const r = await cli(['signal', 'tunnel-aws-1', 'degraded', '--at', iso(10)], withdraw);
    expect(r.code).toBe(0); // the GCP drain succeeded; the AWS end's refusal is shown, not this command's failure
    expect(r.out).toMatch(new RegExp(`link → AWS end ${A11} told "degraded" by the GCP end:\\n  REFUSE`));
    expect(r.out).toMatch(/refused by black-hole/);
    expect(world().aws[VPN1]).toHaveLength(2);
    expect(world().gcp.map((x) => x.name)).toEqual(['route-to-aws-via-tunnel-aws-2']);
  });

  it('drainMode withdraw: a refused GCP drain puts the first tunnel back at both ends, as doing nothing would', async () => {
    // Only withdrawing can be refused for the last path; de-preferring it is not a black hole.
    const withdraw = { TUNNEL_GUARD_DRAIN_MODE: 'withdraw' };
    await cli(['signal', 'tunnel-aws-1', 'degraded', '--at', iso(0)], withdraw);
    expect(world().gcp.map((x) => x.name)).toEqual(['route-to-aws-via-tunnel-aws-2']);
    const r = await cli(['signal', 'tunnel-aws-2', 'degraded', '--at', iso(60)], withdraw);
    expect(r.code).toBe(3); // this command's own decision: the refusal
    expect(r.out).toMatch(/refused by black-hole/);
    // Both degraded, no figure says which is worse: tunnel-aws-1 shares the traffic again, and the AWS end hears it.
    expect(world().gcp.map((x) => x.name)).toEqual(['route-to-aws-via-tunnel-aws-1', 'route-to-aws-via-tunnel-aws-2']);
    expect(r.out).toMatch(new RegExp(`link → AWS end ${A11} told "healthy" by the GCP end`));
  });
});

describe('link messages: replayed ones are no-ops, forged or unsigned ones change nothing', () => {
  async function drainedOnce() {
    const { deps, at } = cliDeps();
    const d = await deps();
    await handleSignal(d, gcpSignal(T1, 'degraded', 0));
    return { wire: d.link!.wire, deps, at };
  }

  it('a replayed message is a no-op (also in a later process, and after the recovery: stale)', async () => {
    const { wire, deps, at } = await drainedOnce();
    expect(wire).toHaveLength(1);
    const before = files();
    const again = await (await deps()).link!.receive(JSON.parse(wire[0]!));
    expect(again).toMatchObject({ ok: true, report: { decision: 'ignore', refusals: [expect.objectContaining({ guard: 'duplicate' })] } });
    expect(files()).toEqual(before);

    // recover both ends, then replay the old "degraded" message: stale, nothing drained again
    at(10);
    const d = await deps();
    await handleSignal(d, gcpSignal(T1, 'healthy', 10));
    at(400);
    await reconcile(await deps());
    at(800);
    await reconcile(await deps());
    const recovered = world();
    expect(recovered.aws[VPN1]).toHaveLength(2);
    const late = await (await deps()).link!.receive(JSON.parse(wire[0]!));
    expect(late).toMatchObject({ ok: true, report: { decision: 'ignore' } });
    expect(world()).toEqual(recovered);
  });

  it.each([
    ['signed with another secret', (w: any) => signLinkMessage(JSON.parse(w.message), 'not-the-secret'), /signature does not match/],
    ['unsigned', (w: any) => ({ message: w.message }), /not a signed link message/],
    ['altered after signing', (w: any) => ({ ...w, message: w.message.replace('"degraded"', '"down"') }), /signature does not match/],
    ['not JSON at all', () => 'drain everything', /not a signed link message/],
  ])('%s: refused, and neither cloud nor ledger changes', async (_name, forge, reason) => {
    const { ctx, deps } = cliDeps();
    await ctx.sim.read();
    await handleSignal(await deps(), gcpSignal(T2, 'healthy', 0)); // ledger exists
    // a genuine envelope to tamper with: AWS vpn-1 tunnel 1 "degraded" from GCP tunnel-aws-1
    const genuine: LinkMessage = {
      v: 1,
      id: 'gcp:forged:1',
      origin: 'gcp',
      fromTunnelId: T1,
      toTunnelId: A11,
      health: 'degraded',
      observedAt: iso(5),
      reason: 'GCP end drained',
    };
    const before = files();
    const r = await (await deps()).link!.receive(forge(signLinkMessage(genuine, SECRET)));
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(reason) });
    expect(files()).toEqual(before);
  });

  it('a correctly signed message for a pair that is not linked is refused', async () => {
    const { ctx, deps } = cliDeps();
    await ctx.sim.read();
    const before = files();
    const wrongPair: LinkMessage = {
      v: 1,
      id: 'gcp:x',
      origin: 'gcp',
      fromTunnelId: T1,
      toTunnelId: A21,
      health: 'degraded',
      observedAt: iso(5),
      reason: 'r',
    };
    const r = await (await deps()).link!.receive(signLinkMessage(wrongPair, SECRET));
    expect(r).toEqual({ ok: false, reason: expect.stringMatching(/no configured link pairs/) });
    expect(files()).toEqual(before);
  });
});

describe('where the links come from', () => {
  it('configured links win over discovery', async () => {
    const cfg = JSON.stringify({ links: [{ gcp: T1, aws: A11 }] });
    const doc = JSON.parse((await cli(['status', '--json'], { TUNNEL_GUARD_CONFIG_JSON: cfg })).out);
    expect(doc.tunnels.find((t: any) => t.id === T1)).toMatchObject({ peer: A11, peerSource: 'config' });
    expect(doc.tunnels.find((t: any) => t.id === T2)).toMatchObject({ peer: null });
    const r = await cli(['signal', 'tunnel-aws-2', 'degraded', '--at', iso(0)], { TUNNEL_GUARD_CONFIG_JSON: cfg });
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('link →');
    expect(world().aws[VPN2]).toHaveLength(2);
  });

  it('a GCP tunnel that discovery cannot pair drains alone', async () => {
    await cli(['status']);
    const { openSimulator } = await import('../../simulator');
    await openSimulator(sim).update((s) => void (s.gcp.vpnTunnels.find((t) => t.name === 'tunnel-aws-1')!.peerIp = '198.18.0.1'));
    const r = await cli(['signal', 'tunnel-aws-1', 'degraded', '--at', iso(0)]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('link →');
    expect(world().aws[VPN1]).toHaveLength(2);
  });

  it('TUNNEL_GUARD_LINKS=off: each cloud acts alone; a bad value is a usage error', async () => {
    const r = await cli(['signal', 'tunnel-aws-1', 'degraded', '--at', iso(0)], { TUNNEL_GUARD_LINKS: 'off' });
    expect(r.code).toBe(0);
    expect(world().aws[VPN1]).toHaveLength(2);
    const s = await cli(['status'], { TUNNEL_GUARD_LINKS: 'off' });
    expect(s.out).toMatch(/links: off/);
    expect(
      JSON.parse((await cli(['status', '--json'], { TUNNEL_GUARD_LINKS: 'off' })).out).tunnels.every((t: any) => t.peer === null),
    ).toBe(true);
    const bad = await cli(['status'], { TUNNEL_GUARD_LINKS: 'sometimes' });
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/TUNNEL_GUARD_LINKS/);
  });
});
