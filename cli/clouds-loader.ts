/**
 * Loads the real-cloud seat lazily, like `invoke` loads the edges: the build writes it as its own bundle
 * `dist/clouds.js` beside `dist/cli.js`, so `status` on the simulator never loads a cloud SDK; from source (jest)
 * the TypeScript module is required directly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudsModule } from './seat';

export function loadClouds(): CloudsModule {
  const candidates = [join(__dirname, 'clouds.js'), join(__dirname, 'clouds', 'index')];
  for (const path of candidates) {
    if (!existsSync(path) && !existsSync(`${path}.ts`)) continue;
    const mod = lazyRequire(path);
    if (mod.clouds) return mod.clouds as CloudsModule;
    throw new Error(`${path} does not export clouds`);
  }
  throw new Error(`--target clouds is not available (looked for ${candidates.join(', ')}); run npm run build`);
}

/** A require of a computed path: the bundler leaves it alone (the SDKs stay out of the CLI bundle). */
function lazyRequire(path: string): Record<string, unknown> {
  return require(path) as Record<string, unknown>;
}
