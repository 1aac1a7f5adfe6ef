/**
 * Start and stop a local `moto_server` (the Python AWS emulator) for one test file, on 127.0.0.1 and a free
 * port. A missing `moto_server` is a test FAILURE with a clear message — never a silent skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Moto {
  endpoint: string;
  /** Forget all state (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** Throws (failing the test) when moto_server is not installed. */
export function requireMotoServer(): string {
  const found = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || !path) {
    throw new Error(
      'moto_server is not installed: these tests need it (pip install "moto[server]"). ' +
        'They fail instead of being skipped so a missing emulator is never mistaken for a pass.',
    );
  }
  return path;
}

export async function startMoto(timeoutMs = 20_000): Promise<Moto> {
  const bin = requireMotoServer();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr = (stderr + String(d)).slice(-4000)));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`moto_server exited (code ${code}): ${stderr}`))),
  );

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await Promise.race([fetch(`${endpoint}/moto-api/reset`, { method: 'POST' }), exited]);
      if (r.ok) break;
    } catch (e) {
      if (child.exitCode !== null) throw e;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  exited.catch(() => undefined);

  return {
    endpoint,
    reset: async () => {
      const r = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!r.ok) throw new Error(`moto reset failed: ${r.status}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 3000).unref();
      }),
  };
}
