/**
 * Keep the README and docs/ true: every policy knob's variable and default is in the configuration table, every
 * `npm run X` they tell people to type exists, the README stays a short front door that links every document, and
 * nothing points at documents or tracker numbers a clone of this repository does not have.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_ENV_VARS } from '../../shared/policy';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const docNames = readdirSync(join(root, 'docs'))
  .filter((f) => f.endsWith('.md'))
  .sort();
const docs = docNames.map((f) => ({ name: `docs/${f}`, text: readFileSync(join(root, 'docs', f), 'utf8') }));
const all = [{ name: 'README.md', text: readme }, ...docs];
const configuration = readFileSync(join(root, 'docs', 'configuration.md'), 'utf8');
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;

describe('README and docs', () => {
  it.each(POLICY_ENV_VARS.map((v) => [v.env, v.key, v.default] as const))(
    'docs/configuration.md documents %s (%s) with its default',
    (env, key, def) => {
      const row = configuration.split('\n').find((l) => l.startsWith(`| \`${key}\``) && l.includes(`\`${env}\``));
      expect(row).toBeDefined();
      const shown = Array.isArray(def) ? (def.length ? def.join(',') : '(none)') : String(def);
      expect(row).toContain(shown === '(none)' ? '(none)' : `\`${shown}\``);
    },
  );

  it('names only npm scripts that exist', () => {
    const named = all.flatMap((d) => [...d.text.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]!));
    expect(named.length).toBeGreaterThan(5);
    for (const n of new Set(named)) expect(Object.keys(scripts)).toContain(n);
  });

  it('keeps the two set-up commands in the README', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toMatch(/^npm test\b/m);
  });

  it('keeps the README a front door: at most 250 lines, ending with Decisions', () => {
    expect(readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0)).toBeLessThanOrEqual(250);
    const headings = readme.split('\n').filter((l) => /^## /.test(l));
    expect(headings[headings.length - 1]).toBe('## Decisions');
  });

  it('links every docs/*.md file from the README', () => {
    expect(docNames.length).toBeGreaterThan(0);
    for (const f of docNames) expect(readme).toContain(`](docs/${f}`);
  });

  it('points at no document or issue number outside the repository', () => {
    for (const d of all) {
      const found = [
        ...d.text.matchAll(/DESIGN\.md|FACTS\.md|HOUSE_STYLE\.md|house\sstyle|\.\.\/shared\/|\bissues? #?\d+|\(issue\b|\bissue #/gi),
      ].map((m) => m[0]);
      expect({ file: d.name, found }).toEqual({ file: d.name, found: [] });
    }
  });
});
