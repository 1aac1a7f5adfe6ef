/**
 * Simulator options from an environment the edge passes in (the core never reads process.env itself):
 * `TUNNEL_GUARD_SIMULATOR_LATENCY_MS`, `TUNNEL_GUARD_SIMULATOR_OPERATION_MS`, `TUNNEL_GUARD_SIMULATOR_FAIL_RATE`,
 * `TUNNEL_GUARD_SIMULATOR_FAIL_KIND` (transient|permanent), `TUNNEL_GUARD_SIMULATOR_SEED`.
 */
import type { Result } from '../shared/result';
import type { SimulatorOptions } from './';

export type SimOptionsResult = Result<SimulatorOptions>;

export const SIMULATOR_ENV_VARS = {
  file: 'TUNNEL_GUARD_SIMULATOR',
  latencyMs: 'TUNNEL_GUARD_SIMULATOR_LATENCY_MS',
  operationMs: 'TUNNEL_GUARD_SIMULATOR_OPERATION_MS',
  failRate: 'TUNNEL_GUARD_SIMULATOR_FAIL_RATE',
  failKind: 'TUNNEL_GUARD_SIMULATOR_FAIL_KIND',
  seed: 'TUNNEL_GUARD_SIMULATOR_SEED',
} as const;

/** Parse the simulator knobs; never throws. Unset variables leave the option out. */
export function simulatorOptionsFromEnv(env: Record<string, string | undefined>): SimOptionsResult {
  const num = (name: string, min: number, max: number): number | undefined | string => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) return `${name}=${JSON.stringify(raw)} must be a number from ${min} to ${max}`;
    return n;
  };
  const V = SIMULATOR_ENV_VARS;
  const latencyMs = num(V.latencyMs, 0, 60_000);
  const operationMs = num(V.operationMs, 0, 600_000);
  const failRate = num(V.failRate, 0, 1);
  const seed = num(V.seed, 0, 2 ** 32 - 1);
  for (const v of [latencyMs, operationMs, failRate, seed]) if (typeof v === 'string') return { ok: false, reason: v };
  const kind = env[V.failKind]?.trim();
  if (kind && kind !== 'transient' && kind !== 'permanent') {
    return { ok: false, reason: `${V.failKind}=${JSON.stringify(kind)} must be transient or permanent` };
  }
  const value: SimulatorOptions = {};
  if (latencyMs !== undefined) value.latencyMs = latencyMs as number;
  if (operationMs !== undefined) value.operationMs = operationMs as number;
  if (failRate !== undefined && failRate !== 0) {
    value.faults = {
      failRate: failRate as number,
      ...(seed !== undefined ? { seed: seed as number } : {}),
      ...(kind ? { failKind: kind as 'transient' | 'permanent' } : {}),
    };
  }
  return { ok: true, value };
}
