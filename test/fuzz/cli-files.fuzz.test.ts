/**
 * The CLI's file inputs under fuzzing: event files for `invoke aws|gcp`, the simulator file and the ledger file.
 * Every run ends with a contract exit code and a message; bad input exits 2 and changes no byte on disk.
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { ledgerFileFor } from '../../simulator';
import { fuzzPayload } from '../support/mutate';

const fixtures = (cloud: string) =>
  readdirSync(join(__dirname, '..', 'fixtures', cloud))
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', cloud, f), 'utf8')));

let dir: string;
let sim: string;
beforeAll(async () => {
  // The local GCP invoker logs its JSON lines to stderr; 20,000 of them would drown the test output.
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  dir = mkdtempSync(join(tmpdir(), 'tg-fuzz-cli-'));
  sim = join(dir, 'world.json');
  await cli(['status']); // creates the built-in simulator file
});
afterAll(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env: { TUNNEL_GUARD_SIMULATOR: sim, TUNNEL_GUARD_WEBHOOK_AUTH: 'none' },
    cwd: dir,
  });
  return { code, out, err };
}
const bytes = (f: string) => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '<absent>';
  }
};

describe('CLI file inputs (fuzzing)', () => {
  it.each(['aws', 'gcp'] as const)(
    'invoke %s: 10,000 event files, contract exit codes, nothing changed on bad input',
    async (cloud) => {
      const event = join(dir, `event-${cloud}.json`);
      const content = fc.oneof(
        { weight: 8, arbitrary: fuzzPayload(fixtures(cloud)).map((v) => JSON.stringify(v) ?? 'undefined') },
        { weight: 1, arbitrary: fc.string() },
      );
      await fc.assert(
        fc.asyncProperty(content, async (text) => {
          writeFileSync(event, text);
          const before = bytes(sim) + bytes(ledgerFileFor(sim));
          const r = await cli(['invoke', cloud, event]);
          expect([0, 1, 2, 3]).toContain(r.code);
          if (r.code === 2) expect(bytes(sim) + bytes(ledgerFileFor(sim))).toBe(before);
          if (r.code !== 0) expect(r.out + r.err).toMatch(/\w{4,}/);
        }),
        { numRuns: 10_000, seed: cloud === 'aws' ? 404 : 505 },
      );
    },
    300_000,
  );

  it('status: 10,000 corrupted simulator and ledger files → exit 0 or 2 with a reason, and the files are never rewritten', async () => {
    const good = JSON.parse(readFileSync(sim, 'utf8'));
    const goodLedger = [
      {
        tunnelId: 'gcp:example-project:asia-northeast1:tunnel-aws-1',
        cloud: 'gcp',
        version: 1,
        state: 'active',
        health: 'healthy',
        recentKeys: [],
        withdrawn: [],
        drains: [],
        suppressed: false,
      },
    ];
    const which = fc.constantFrom('sim', 'ledger');
    await fc.assert(
      fc.asyncProperty(which, fuzzPayload([good, goodLedger]), fc.boolean(), async (target, value, raw) => {
        const file = target === 'sim' ? sim : ledgerFileFor(sim);
        const text = raw ? (JSON.stringify(value) ?? '').slice(0, 50) : (JSON.stringify(value) ?? 'null');
        writeFileSync(sim, JSON.stringify(good));
        rmSync(ledgerFileFor(sim), { force: true });
        writeFileSync(file, text);
        const r = await cli(['status']);
        expect([0, 2]).toContain(r.code);
        if (r.code === 2) expect(r.err).toMatch(/\w{4,}/);
        expect(bytes(file)).toBe(text);
      }),
      { numRuns: 10_000, seed: 606 },
    );
    writeFileSync(sim, JSON.stringify(good));
    rmSync(ledgerFileFor(sim), { force: true });
  }, 300_000);
});
