/**
 * End to end on the simulator: `npm run start:gcp` (the Functions Framework serving the esbuild bundle) as a child
 * process on a free port, driven over HTTP with a token, checked through the simulator file.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSimulator } from '../../simulator';

const ROOT = join(__dirname, '..', '..');
const TOKEN = 'e2e-webhook-token-0123456789';
const fixture = (name: string): string => readFileSync(join(ROOT, 'test/fixtures/gcp', name), 'utf8');

let server: ChildProcess;
let port: number;
let dir: string;
let simFile: string;
let output = '';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

const post = async (body: string, token = TOKEN) => {
  // HTTP Basic, the shipped default: the credential travels in a header, never in the (logged) URL.
  const res = await fetch(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`tunnel-guard:${token}`).toString('base64')}` },
    body,
  });
  return { status: res.status, body: (await res.json()) as any };
};

const routes = async () => (await openSimulator(simFile).read()).gcp.routes;
const writable = (r: any) => ({
  name: r.name,
  network: r.network,
  destRange: r.destRange,
  priority: r.priority,
  tags: r.tags,
  description: r.description,
  nextHopVpnTunnel: r.nextHopVpnTunnel,
});
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'deploy/gcp/build.js')], { cwd: ROOT, stdio: 'pipe' });
  dir = mkdtempSync(join(tmpdir(), 'tg-gcp-e2e-'));
  simFile = join(dir, 'sim.json');
  port = await freePort();
  server = spawn('npm', ['run', '--silent', 'start:gcp'], {
    cwd: ROOT,
    detached: true, // its own process group: npm and the framework under it are stopped together
    env: {
      ...process.env,
      PORT: String(port),
      TUNNEL_GUARD_SIMULATOR: simFile,
      TUNNEL_GUARD_WEBHOOK_USERNAME: 'tunnel-guard',
      TUNNEL_GUARD_WEBHOOK_PASSWORD: TOKEN,
      TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      break;
    } catch {
      if (Date.now() > deadline || server.exitCode !== null) throw new Error(`start:gcp did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}, 60_000);

afterAll(async () => {
  if (server?.pid) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run start:gcp on the simulator', () => {
  it('refuses a wrong token and changes nothing', async () => {
    const before = await routes();
    const res = await post(fixture('incident-open-dropped-packets.json'), 'wrong-token-wrong-token');
    expect(res.status).toBe(401);
    expect(await routes()).toEqual(before);
  });

  it('drains on an open incident, ignores a cancellation, and restores the exact routes on the real recovery', async () => {
    const before = (await routes()).map(writable).sort(byName);
    expect(before.map((r) => r.name)).toEqual(['route-to-aws-via-tunnel-aws-1', 'route-to-aws-via-tunnel-aws-2']);

    const open = await post(fixture('incident-open-dropped-packets.json'));
    expect(open.status).toBe(200);
    expect(open.body.report).toMatchObject({ decision: 'drain', stateAfter: 'drained' });
    expect((await routes()).map((r) => r.name).filter((n) => !n.endsWith('-tg-standby'))).toEqual(['route-to-aws-via-tunnel-aws-2']); // drained: withdrawn or de-preferred

    const cancelled = await post(fixture('incident-closed-cancelled.json'));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.signal.health).toBe('unknown');
    expect((await routes()).map((r) => r.name).filter((n) => !n.endsWith('-tg-standby'))).toEqual(['route-to-aws-via-tunnel-aws-2']); // drained: withdrawn or de-preferred

    const recovered = await post(fixture('incident-closed-recovered.json'));
    expect(recovered.status).toBe(200);
    expect(recovered.body.report).toMatchObject({ decision: 'restore', stateAfter: 'active' });
    expect((await routes()).map(writable).sort(byName)).toEqual(before);
    // The decisions were notified (the simulator's notifier records them in the file).
    const kinds = (await openSimulator(simFile).notifications()).map((r) => r.decision);
    expect(kinds).toEqual(expect.arrayContaining(['drain', 'restore']));
  });
});

describe('npm run start:gcp stops with its parent', () => {
  // A supervisor (a terminal's Ctrl-C aside: systemd, a process manager, a test runner) signals the process it
  // started — npm — and nothing else. The server under npm must stop with it and free its port; a shell between
  // them used to die alone and leave the Functions Framework running, holding the port.
  it('stops the server and frees the port when npm alone gets SIGTERM', async () => {
    const ownPort = await freePort();
    const npm = spawn('npm', ['run', '--silent', 'start:gcp'], {
      cwd: ROOT,
      detached: true, // only so that the cleanup below can reach a leftover; the test signals npm's own pid
      env: { ...process.env, PORT: String(ownPort), TUNNEL_GUARD_SIMULATOR: join(dir, 'sigterm.json'), TUNNEL_GUARD_WEBHOOK_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    npm.stdout!.on('data', (d) => (log += d));
    npm.stderr!.on('data', (d) => (log += d));
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    const answers = async () => {
      try {
        await fetch(`http://127.0.0.1:${ownPort}/`);
        return true;
      } catch {
        return false;
      }
    };
    const groupAlive = () => {
      try {
        process.kill(-npm.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      const deadline = Date.now() + 20_000;
      while (!(await answers())) {
        if (Date.now() > deadline || npm.exitCode !== null) throw new Error(`start:gcp did not come up:\n${log}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      process.kill(npm.pid!, 'SIGTERM');
      await exited;
      const gone = Date.now() + 5_000;
      while (groupAlive() && Date.now() < gone) await new Promise((r) => setTimeout(r, 50));
      expect(groupAlive()).toBe(false); // no process of it left: npm, any shell, the framework
      expect(await answers()).toBe(false); // and the port is free
    } finally {
      if (groupAlive()) process.kill(-npm.pid!, 'SIGKILL');
    }
  }, 40_000);
});
