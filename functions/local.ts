/**
 * Run the real AWS handler logic locally (`tunnel-guard invoke aws <event.json>`), composed from the given
 * environment — with `TUNNEL_GUARD_SIMULATOR=<file>` it acts on the simulator. An EventBridge
 * `Scheduled Event` runs `reconcile`, anything else goes to `tunnelAlarm`.
 */
import type { Env } from '../config/source';
import { jsonLogger } from '../shared/log';
import { composeAwsWithSecrets } from './compose';
import { makeReconcileHandler, makeTunnelAlarmHandler } from './handlers';

export async function invokeAwsLocal(event: unknown, env: Env): Promise<unknown> {
  // Log lines go to stderr so the caller's stdout carries only the result (e.g. `tunnel-guard invoke aws … | jq`).
  const edge = await composeAwsWithSecrets(env, { logger: jsonLogger((line) => process.stderr.write(`${line}\n`)) });
  const scheduled = typeof event === 'object' && event !== null && (event as Record<string, unknown>)['detail-type'] === 'Scheduled Event';
  return scheduled ? makeReconcileHandler(edge)(event) : makeTunnelAlarmHandler(edge)(event);
}
