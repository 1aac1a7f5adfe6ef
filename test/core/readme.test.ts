/**
 * Keep the README true: every policy knob's variable and default is in the configuration table, and every
 * `npm run X` the README tells people to type exists.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POLICY_ENV_VARS } from '../../shared/policy';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;

describe('README', () => {
  it.each(POLICY_ENV_VARS.map((v) => [v.env, v.key, v.default] as const))('documents %s (%s) with its default', (env, key, def) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\``) && l.includes(`\`${env}\``));
    expect(row).toBeDefined();
    const shown = Array.isArray(def) ? (def.length ? def.join(',') : '(none)') : String(def);
    expect(row).toContain(shown === '(none)' ? '(none)' : `\`${shown}\``);
  });

  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/npm run ([a-z][a-z0-9:-]*)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    for (const n of new Set(named)) expect(Object.keys(scripts)).toContain(n);
  });

  it('keeps the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toMatch(/^npm test\b/m);
  });
});
