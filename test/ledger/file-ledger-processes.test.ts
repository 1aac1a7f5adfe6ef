/**
 * The file ledger shared by several processes (two CLI commands at once, the CLI beside `serverless invoke local`):
 * writes stay conditional across processes. Each child process increments one record many times (read → write
 * conditional on the version read → on conflict, read again); no increment may be lost, so the final version is the
 * total number of successful writes.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileLedger } from '../../simulator/file-ledger';

const ROOT = resolve(__dirname, '..', '..');
let dir: string;
let bundle: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-ledger-proc-'));
  bundle = join(dir, 'file-ledger.js');
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'esbuild'),
    [join(ROOT, 'simulator', 'file-ledger.ts'), '--bundle', '--platform=node', '--format=cjs', `--outfile=${bundle}`, '--log-level=error'],
    { cwd: ROOT },
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WORKER = `
const { FileLedger } = require(process.argv[2]);
const ledger = new FileLedger(process.argv[3]);
const id = 'gcp:p:r:shared';
(async () => {
  let done = 0, conflicts = 0;
  while (done < Number(process.argv[4])) {
    const r = (await ledger.get(id)) ?? { tunnelId: id, cloud: 'gcp', version: 0, state: 'active', health: 'unknown', recentKeys: [], withdrawn: [], drains: [], suppressed: false };
    try {
      await ledger.put({ ...r, reason: String(done) });
      done++;
    } catch (e) {
      if (e.name !== 'LedgerConflictError') throw e;
      conflicts++;
    }
  }
  process.stdout.write(JSON.stringify({ done, conflicts }));
})().catch((e) => { process.stderr.write(String(e && e.stack || e)); process.exit(1); });
`;

function worker(script: string, file: string, n: number): Promise<{ done: number; conflicts: number }> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, [script, bundle, file, String(n)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) => (code === 0 ? res(JSON.parse(out)) : rej(new Error(`worker exited ${code}: ${err}`))));
  });
}

describe('FileLedger across processes', () => {
  it('three processes writing one record: every successful write counts, none is silently lost', async () => {
    const script = join(dir, 'worker.js');
    writeFileSync(script, WORKER);
    const file = join(dir, 'ledger.json');
    const N = 60;
    const results = await Promise.all([worker(script, file, N), worker(script, file, N), worker(script, file, N)]);
    expect(results.map((r) => r.done)).toEqual([N, N, N]);
    // Two writers that both "succeeded" on the same version would leave the version below the number of successes.
    expect((await new FileLedger(file).get('gcp:p:r:shared'))?.version).toBe(3 * N);
  }, 60_000);
});
