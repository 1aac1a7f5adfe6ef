/**
 * Loads one cloud's side lazily, like `invoke` loads the edges: the build writes `dist/clouds-aws.js` and
 * `dist/clouds-gcp.js` beside `dist/cli.js`; from source (jest) the TypeScript module is required directly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Cloud } from '../shared/types';
import type { SideModule } from './seat';

export function loadSide(cloud: Cloud): SideModule {
  const candidates = [join(__dirname, `clouds-${cloud}.js`), join(__dirname, 'clouds', `${cloud}-entry`)];
  for (const path of candidates) {
    if (!existsSync(path) && !existsSync(`${path}.ts`)) continue;
    const mod = lazyRequire(path);
    if (mod.side) return mod.side as SideModule;
    throw new Error(`${path} does not export side`);
  }
  throw new Error(`--target clouds (${cloud}) is not available (looked for ${candidates.join(', ')}); run npm run build`);
}

/** A require of a computed path: the bundler leaves it alone (the SDKs stay out of the CLI bundle). */
function lazyRequire(path: string): Record<string, unknown> {
  return require(path) as Record<string, unknown>;
}
