/**
 * The GCP handler logic without HTTP or webhook credentials: a local, trusted path for
 * `tunnel-guard invoke gcp <payload.json>` (usually with `TUNNEL_GUARD_SIMULATOR=<file>`).
 */
import type { Env } from '../config/source';
import { errorMessage } from '../shared/errors';
import { jsonLogger } from '../shared/log';
import { composeGcp, type ComposeOptions } from './compose';
import { processNotification } from './handlers';

/** Run one Cloud Monitoring notification (or signed link message) through the GCP edge and the core. */
export async function invokeGcpLocal(payload: unknown, env: Env, options: ComposeOptions = {}): Promise<{ status: number; body: unknown }> {
  let edge: ReturnType<typeof composeGcp>;
  try {
    // Log lines go to stderr: stdout carries the result, which the CLI prints as JSON.
    edge = composeGcp(env, { logger: jsonLogger((line) => console.error(line)), ...options });
  } catch (e) {
    return { status: 500, body: { status: 'error', reason: errorMessage(e) } };
  }
  return processNotification(edge, payload);
}
