/**
 * The licence package.json names is the one the repository carries: a clone gets the full Apache-2.0 text.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

it('ships the full Apache License 2.0 text that package.json names', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.license).toBe('Apache-2.0');
  const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  expect(text).toMatch(/Apache License\s+Version 2\.0, January 2004/);
  expect(text).toMatch(/END OF TERMS AND CONDITIONS/);
  expect(text.length).toBeGreaterThan(11_000);
});
