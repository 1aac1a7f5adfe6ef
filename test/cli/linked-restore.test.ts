/**
 * `drain` then `restore` of a linked tunnel through the CLI on the simulator: the drain reaches the other end over
 * the link, and the operator's restore brings both ends back — or names the end that stayed drained, and why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-linked-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const GCP = 'gcp:example-project:asia-northeast1:tunnel-aws-1';
const AWS = 'aws:ap-northeast-1:vpn-0a1b2c3d4e5f60001:203.0.113.11';

async function tg(args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, {
    stdout: (s) => void (out += s),
    stderr: () => undefined,
    env: { TUNNEL_GUARD_SIMULATOR: join(dir, 'world.json') },
    cwd: dir,
  });
  return { code, out };
}
const stateOf = async (id: string) =>
  (JSON.parse((await tg(['status', '--json'])).out).tunnels as { id: string; state: string; peer: string | null }[]).find(
    (t) => t.id === id,
  );

describe('drain and restore of a linked tunnel act on both ends', () => {
  it('after drain and restore of the GCP end, both ends are active again', async () => {
    expect((await stateOf(GCP))?.peer).toBe(AWS);
    expect((await tg(['drain', 'tunnel-aws-1'])).code).toBe(0);
    expect((await stateOf(AWS))?.state).toBe('drained');
    const r = await tg(['restore', 'tunnel-aws-1']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`other end ${AWS}: restored too`);
    expect((await stateOf(GCP))?.state).toBe('active');
    expect((await stateOf(AWS))?.state).toBe('active');
  });

  it('the same from the AWS end, and --json carries the other end', async () => {
    expect((await tg(['drain', '203.0.113.11'])).code).toBe(0);
    expect((await stateOf(GCP))?.state).toBe('drained');
    const r = await tg(['restore', '203.0.113.11', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.otherEnd).toMatchObject({ tunnelId: GCP, report: { decision: 'restore', ok: true } });
    expect((await stateOf(GCP))?.state).toBe('active');
    expect((await stateOf(AWS))?.state).toBe('active');
  });

  it('an end its own monitor still calls degraded stays drained, named with why; the command keeps its exit code', async () => {
    expect((await tg(['drain', 'tunnel-aws-1'])).code).toBe(0);
    expect((await tg(['signal', '203.0.113.11', 'degraded'])).code).toBe(0);
    const r = await tg(['restore', 'tunnel-aws-1']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`the other end ${AWS} stays drained: restore of ${AWS} refused: it is degraded`));
    expect((await stateOf(GCP))?.state).toBe('active');
    expect((await stateOf(AWS))?.state).toBe('drained');
  });

  it("an end an operator drained by name is not restored by the other end's restore, and is named", async () => {
    expect((await tg(['drain', 'tunnel-aws-1'])).code).toBe(0);
    // Already drained over the link: the operator's drain pins it (it now waits for an operator).
    expect((await tg(['drain', '203.0.113.11', '--reason', 'maintenance'])).code).toBe(0);
    const r = await tg(['restore', 'tunnel-aws-1']);
    expect(r.out).toMatch(
      new RegExp(`the other end ${AWS} stays drained: it is held by its own operator drain .*maintenance.*restore it by name`),
    );
    expect((await stateOf(AWS))?.state).toBe('drained');
  });
});
