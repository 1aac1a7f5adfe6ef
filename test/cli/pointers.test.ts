/**
 * Pointers for people stay true: what `--help`, the CLI's messages and serverless.yml tell people to read exists —
 * the file, and the section (a heading's anchor). Sections moved from the README to docs/ once and left these
 * pointing at nothing; this test fails when that happens again.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CliIo } from '../../cli/io';
import { main } from '../../cli/main';

const root = join(__dirname, '..', '..');
const filesUnder = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const p = join(dir, name);
    return statSync(join(root, p)).isDirectory() ? filesUnder(p) : /\.(ts|mjs|js)$/.test(p) ? [p] : [];
  });

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
const anchorsOf = (file: string) =>
  new Set(
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, ''))),
  );

async function helpTexts(): Promise<string> {
  let out = '';
  const io: CliIo = { stdout: (s) => void (out += s), stderr: (s) => void (out += s), env: {}, cwd: root };
  for (const args of [
    [],
    ['status'],
    ['drain'],
    ['restore'],
    ['release'],
    ['signal'],
    ['reconcile'],
    ['discover'],
    ['doctor'],
    ['init'],
    ['demo'],
    ['invoke'],
    ['completion'],
  ])
    await main([...args, '--help'], io);
  return out;
}

describe('pointers to the documentation', () => {
  const sources = [...filesUnder('cli'), 'serverless.yml', 'bin/tunnel-guard.js'];
  const texts = async () => [
    { where: '--help', text: await helpTexts() },
    ...sources.map((f) => ({ where: f, text: readFileSync(join(root, f), 'utf8') })),
  ];

  it('every docs/*.md#section named exists', async () => {
    const broken: string[] = [];
    for (const { where, text } of await texts())
      for (const m of text.matchAll(/docs\/([\w-]+\.md)(?:#([\w-]+))?/g)) {
        const file = `docs/${m[1]}`;
        let anchors: Set<string>;
        try {
          anchors = anchorsOf(file);
        } catch {
          broken.push(`${where}: ${m[0]} (no such file)`);
          continue;
        }
        if (m[2] && !anchors.has(m[2])) broken.push(`${where}: ${m[0]} (no such section)`);
      }
    expect(broken).toEqual([]);
  });

  it('nothing sends people to a README section (they live in docs/ now)', async () => {
    const readme = anchorsOf('README.md');
    const stale: string[] = [];
    for (const { where, text } of await texts())
      for (const m of text.matchAll(/README(?:'s)?[ :,]+"?([A-Z][\w ,-]+)"?/g))
        if (!readme.has(slug(m[1]!))) stale.push(`${where}: ${m[0]}`);
    expect(stale).toEqual([]);
  });

  it('would notice a stale pointer', () => {
    expect(anchorsOf('docs/gcp.md').has('deploy')).toBe(true);
    expect(anchorsOf('README.md').has('operating-it-in-production')).toBe(false);
  });
});
