/**
 * An auth client for tests: sends no credentials and never probes the metadata server.
 * gaxios 7 (inside google-auth-library 10) lazily `import()`s node-fetch, which jest's CommonJS VM refuses
 * ("A dynamic import callback was invoked without --experimental-vm-modules"); handing it Node's global
 * `fetch` avoids the dynamic import. Production runs under plain Node, where the import works.
 */
import { PassThroughClient } from 'google-auth-library';

export function testAuthClient(): PassThroughClient {
  const c = new PassThroughClient();
  (c.transporter.defaults as { fetchImplementation?: typeof fetch }).fetchImplementation = globalThis.fetch;
  return c;
}
