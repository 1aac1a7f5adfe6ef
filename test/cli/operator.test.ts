/**
 * The operator's day at the terminal: the habits of kubectl, aws and gcloud (--version, -o, status of one tunnel,
 * completion, init) and the checks that catch a wrong set-up before an incident does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configJsonSchema } from '../../cli/commands/init';
import { CONFIG_NOTES } from '../../cli/config-notes';
import type { CliIo } from '../../cli/io';
import { main } from '../../cli/main';
import { configFromEnv } from '../../config/source';

let dir: string;
let sim: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-op-'));
  sim = join(dir, 'world.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: { TUNNEL_GUARD_SIMULATOR: sim, ...env },
    cwd: dir,
  };
  return { code: await main(args, io), out, err };
}

describe('the habits of kubectl, aws and gcloud', () => {
  it('--version prints the package version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(`tunnel-guard ${JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version}`);
  });

  it('status -o json is status --json', async () => {
    const json = await run(['status', '--json']);
    const o = await run(['status', '-o', 'json']);
    expect(o.code).toBe(0);
    expect(o.out).toBe(json.out);
    expect((await run(['status', '-o', 'yaml'])).code).toBe(2);
  });

  it('status fits 120 columns for the built-in world, drained tunnels with long reasons included', async () => {
    const reason = 'drops seen on the GCP side by the dropped packets metric of the tunnel, confirmed by the network team on call';
    expect((await run(['drain', 'tunnel-aws-1', '--reason', reason])).code).toBe(0);
    const r = await run(['status']);
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^target: simulator /);
    expect(lines[1]).toMatch(/^TUNNEL +LINK +HEALTH +STATE +ROUTES +PEER +SINCE +REASON$/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
    expect(r.out).toMatch(/^tunnel-aws-1 +up +healthy +\S+ +0\/1 +203\.0\.113\.11 +\d+s +operator: drops seen/m);
    // The whole reason is behind -o wide.
    expect((await run(['status', '-o', 'wide'])).out).toContain(reason);
  });

  it('status tunnel-aws-1 shows both ends, the monitors and the last decisions', async () => {
    await run(['signal', 'tunnel-aws-1', 'degraded', '--at', '2026-11-25T10:00:00Z', '--loss', '4.5', '--span', 'aws-to-gcp']);
    const r = await run(['status', 'tunnel-aws-1']);
    expect(r.out).toMatch(/loss aws-to-gcp: 4\.50 % from cli/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^TUNNEL\n {2}gcp:example-project:asia-northeast1:tunnel-aws-1\n/m);
    expect(r.out).toMatch(/^PEER \(discovered\)\n {2}aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203\.0\.113\.11\n/m);
    expect(r.out).toMatch(/monitor cli: degraded at 2026-11-25T10:00:00/);
    expect(r.out).toMatch(/HISTORY[\s\S]*DRAIN +WARNING +drain gcp:[\s\S]*\(via link\) drain aws:/);
    const json = JSON.parse((await run(['status', 'tunnel-aws-1', '-o', 'json'])).out);
    expect(json.tunnels.map((t: { id: string }) => t.id).sort()).toEqual([
      'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11',
      'gcp:example-project:asia-northeast1:tunnel-aws-1',
    ]);
    expect(json.history.length).toBeGreaterThanOrEqual(2);
  });

  it('completion bash is a valid script offering the commands and their options', async () => {
    const r = await run(['completion', 'bash']);
    expect(r.code).toBe(0);
    const file = join(dir, 'tg.bash');
    writeFileSync(file, r.out);
    const offered = (words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _tunnel_guard; echo "\${COMPREPLY[@]}"`,
        ],
        { encoding: 'utf8' },
      ).trim();
    expect(offered(['tunnel-guard', 'dr'])).toBe('drain');
    expect(offered(['tunnel-guard', 'status', '-o', ''])).toBe('table wide json');
    expect(offered(['tunnel-guard', '--target', 'clouds', 'drain', '--dr'])).toBe('--dry-run');
    expect((await run(['completion', 'fish'])).code).toBe(2);
  });

  it('init writes a configuration the functions accept and its JSON Schema beside it, and never overwrites', async () => {
    const r = await run(['init', 'tg.json']);
    expect(r.code).toBe(0);
    const config = JSON.parse(readFileSync(join(dir, 'tg.json'), 'utf8'));
    expect(config.$schema).toBe('./tg.schema.json');
    const schema = JSON.parse(readFileSync(join(dir, 'tg.schema.json'), 'utf8'));
    expect(schema.properties.policy.properties.restoreHoldDownSeconds).toMatchObject({ type: 'integer', default: 300 });
    const parsed = configFromEnv({ TUNNEL_GUARD_CONFIG: join(dir, 'tg.json') }, (p) => readFileSync(p, 'utf8'), dir);
    expect(parsed.ok).toBe(true);
    expect((await run(['status'], { TUNNEL_GUARD_CONFIG: join(dir, 'tg.json') })).code).toBe(0);
    expect((await run(['init', 'tg.json'])).code).toBe(2);
  });

  it('the schema explains every key of the configuration', () => {
    const keys = (s: { properties?: Record<string, unknown> }, prefix: string): string[] =>
      Object.entries(s.properties ?? {}).flatMap(([k, v]) => [
        `${prefix}${k}`,
        ...keys(v as { properties?: Record<string, unknown> }, `${prefix}${k}.`),
      ]);
    for (const key of keys(configJsonSchema(), '').filter((k) => k !== '$schema')) expect(CONFIG_NOTES[key]).toEqual(expect.any(String));
  });
});

describe('changes say what they did, what the other end did, and what comes next', () => {
  it('a refusal is one short line; the whole report is behind -o wide and --json', async () => {
    const withdraw = { TUNNEL_GUARD_DRAIN_MODE: 'withdraw', TUNNEL_GUARD_LINKS: 'off' };
    await run(['drain', 'tunnel-aws-1'], withdraw);
    const r = await run(['drain', 'tunnel-aws-2'], withdraw);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/^REFUSE tunnel-aws-2: refused by blast-radius \(URGENT\): /);
    expect(r.out).toMatch(/\nREFUSE tunnel-aws-2: refused by black-hole/);
    expect(r.out).toMatch(/\(the whole report: -o wide or --json\)\n$/);
    for (const line of r.out.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    expect((await run(['drain', 'tunnel-aws-2', '-o', 'wide'], withdraw)).out).toMatch(/state active → active/);
  });

  it('--json of a change includes what the linked end did', async () => {
    const r = await run(['drain', 'tunnel-aws-1', '--json']);
    const doc = JSON.parse(r.out);
    expect(doc.decision).toBe('drain');
    expect(doc.linked).toEqual([
      expect.objectContaining({
        ok: true,
        tunnelId: 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11',
        report: expect.objectContaining({ decision: 'drain', viaLink: true }),
      }),
    ]);
  });

  it('release says what happens next', async () => {
    const r = await run(['release', 'tunnel-aws-1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/next: tunnel-aws-1 is no longer held drained .* or now with: tunnel-guard restore tunnel-aws-1/);
  });

  it('while a change is under way, an interruption would name the state and the commands that finish or undo it', async () => {
    const notes: (string | undefined)[] = [];
    const io: CliIo = {
      stdout: () => undefined,
      stderr: () => undefined,
      env: { TUNNEL_GUARD_SIMULATOR: sim },
      cwd: dir,
      inFlight: (n) => notes.push(n),
    };
    expect(await main(['drain', 'tunnel-aws-1'], io)).toBe(0);
    expect(notes[0]).toMatch(
      /interrupted during drain of tunnel-aws-1: it may be half-done.*tunnel-guard reconcile finishes it; tunnel-guard restore tunnel-aws-1 undoes it/,
    );
    expect(notes.at(-1)).toBeUndefined();
  });
});

describe('set-up mistakes caught before an incident', () => {
  it('doctor fails a configured link whose GCP peerIp is not the AWS outside IP', async () => {
    const wrong = {
      links: [{ gcp: 'gcp:example-project:asia-northeast1:tunnel-aws-1', aws: 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60002:203.0.113.21' }],
    };
    const r = await run(['doctor'], { TUNNEL_GUARD_CONFIG_JSON: JSON.stringify(wrong) });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /FAIL {2}links link gcp:example-project:asia-northeast1:tunnel-aws-1: peerIp 203\.0\.113\.11 ≠ AWS outside IP 203\.0\.113\.21/,
    );
    const right = { links: [{ ...wrong.links[0]!, aws: 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11' }] };
    expect((await run(['doctor'], { TUNNEL_GUARD_CONFIG_JSON: JSON.stringify(right) })).code).toBe(0);
  });

  it('the simulator says when it creates a new world, and where', async () => {
    const first = await run(['status', '--json']);
    expect(first.err).toBe(`tunnel-guard: created a new simulator world (the built-in incident) at ${sim}\n`);
    expect((await run(['status', '--json'])).err).toBe('');
  });
});
