/**
 * The dependency rule: shared/ imports no cloud SDK and reads no environment variable; the two
 * edges never import each other.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const filesUnder = (dir: string): string[] =>
  readdirSync(join(root, dir)).flatMap((name) => {
    const p = join(dir, name);
    return statSync(join(root, p)).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
/** Source without comments: a comment may mention process.env, code may not. */
const codeOf = (file: string): string =>
  readFileSync(join(root, file), 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
const importsOf = (file: string): string[] =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);

describe('architecture', () => {
  const shared = filesUnder('shared');

  it('finds the core files', () => {
    expect(shared).toEqual(expect.arrayContaining(['shared/decide/index.ts', 'shared/engine/index.ts']));
  });

  // The core decides; it does no I/O of its own. Hashing (node:crypto signs link messages) is computation, not I/O.
  const NODE_IO = /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|dgram|dns|os|worker_threads|cluster|path|process)$/;
  it.each(shared)('%s does no node I/O and knows no simulator', (file) => {
    for (const spec of importsOf(file)) {
      expect(spec).not.toMatch(NODE_IO);
      expect(normalize(join(dirname(file), spec))).not.toMatch(/^(simulator|clouds|config|gameday)(\/|$)/);
    }
  });

  // A file past ~300 lines usually holds two ideas; the core is where that hurts most.
  it.each(shared)('%s stays under 300 lines', (file) => {
    expect(readFileSync(join(root, file), 'utf8').split('\n').length).toBeLessThanOrEqual(300);
  });

  it('no import circle among the sources', () => {
    const sources = ['shared', 'clouds', 'simulator', 'config', 'functions', 'gcp-functions', 'cli', 'gameday', 'bench'].flatMap((d) =>
      filesUnder(d),
    );
    const known = new Set(sources);
    const target = (from: string, spec: string): string | undefined => {
      const base = normalize(join(dirname(from), spec));
      return [`${base}.ts`, join(base, 'index.ts'), base].find((c) => known.has(c));
    };
    const edges = new Map(
      sources.map((f) => [
        f,
        // Type-only imports tie files too: a circle of types is still two files that cannot be read apart.
        importsOf(f)
          .filter((s) => s.startsWith('.'))
          .flatMap((s) => target(f, s) ?? []),
      ]),
    );
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        circles.push([...trail.slice(trail.indexOf(f)), f].join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const t of edges.get(f) ?? []) visit(t, [...trail, f]);
      state.set(f, 'done');
    };
    for (const f of sources) visit(f, []);
    expect(circles).toEqual([]);
  });

  it.each(shared)('%s imports no cloud SDK and no edge', (file) => {
    for (const spec of importsOf(file)) {
      expect(spec).not.toMatch(/^@aws-sdk\/|^@google-cloud\/|^google-auth-library|^aws-sdk/);
      expect(spec).not.toMatch(/(^|\/)(functions|gcp-functions|cli)\//);
    }
  });

  it.each(shared)('%s never reads process.env', (file) => {
    expect(codeOf(file)).not.toMatch(/process\.env/);
  });

  it('the edges never import each other', () => {
    for (const file of filesUnder('functions')) for (const s of importsOf(file)) expect(s).not.toMatch(/gcp-functions/);
    for (const file of filesUnder('gcp-functions'))
      for (const s of importsOf(file)) expect(relative('.', s)).not.toMatch(/(^|\/)functions\//);
  });

  // The game day is the instrument, not the thing measured: it plays the clouds and drives the edges' handlers, and
  // must never reach into the decision code to decide (or to peek at) what the edges will do.
  const DECISION_CODE = /(^|\/)shared\/(decide|guards|engine|coverage|health|links\/rules)(\/|\.ts|$)/;
  it.each(filesUnder('gameday'))('%s imports no decision code', (file) => {
    for (const spec of importsOf(file)) expect(spec.replace(/^(\.\.\/)+/, '')).not.toMatch(DECISION_CODE);
  });

  it('would notice the game day importing the decision code', () => {
    expect('../shared/decide'.replace(/^(\.\.\/)+/, '')).toMatch(DECISION_CODE);
    expect('../shared/engine/fence'.replace(/^(\.\.\/)+/, '')).toMatch(DECISION_CODE);
    expect('../shared/policy'.replace(/^(\.\.\/)+/, '')).not.toMatch(DECISION_CODE);
  });

  it('catches a violation (the check itself can fail)', () => {
    expect(importsOf('test/core/architecture.test.ts')).toContain('node:fs');
  });
});

describe('the repository explains itself', () => {
  // A clone has no design notes or tracker beside it: a comment that points there explains nothing.
  const sources = ['shared', 'clouds', 'simulator', 'config', 'functions', 'gcp-functions', 'cli', 'bench', 'gameday', 'deploy', 'test']
    .flatMap((d) => filesUnder(d))
    .concat(['serverless.yml']);
  it.each(sources)('%s points at no document or issue outside the repository', (file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const pattern = ['DESIGN', 'FACTS', 'HOUSE_STYLE'].map((d) => `${d}\\.md`).join('|');
    expect(text).not.toMatch(new RegExp(`${pattern}|\\.\\./shared/(seed|[A-Z])|\\bissue #?\\d`));
    // Nor the style guide and its numbered habits: they are not in a clone either.
    expect(text).not.toMatch(/house\sstyle/i);
  });
});
