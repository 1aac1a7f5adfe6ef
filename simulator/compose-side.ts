/**
 * One cloud's edge composed over the simulator (the Lambda and the Cloud Function in `TUNNEL_GUARD_SIMULATOR`
 * mode): its own cloud's ports, the file ledger and notifier, and a link to the other cloud's end — the real
 * transport when the edge configured one, otherwise the simulator's own delivery to the same file's other cloud.
 */
import { resolveFromCaller, type Env } from '../config/source';
import { PermanentError } from '../shared/errors';
import type { CoreDeps, LinkPublisher } from '../shared/ports';
import type { Cloud } from '../shared/types';
import { openSimulator } from './';
import { simulatorLinkPublisher } from './link';
import { simulatorOptionsFromEnv } from './options-from-env';

export type BaseDeps = Pick<CoreDeps, 'clock' | 'logger' | 'policy' | 'links'>;

export function composeSimulatorSide(
  env: Env,
  cwd: string,
  base: BaseDeps,
  local: Cloud,
  transport: LinkPublisher | undefined,
  linkSecret: string | undefined,
): { deps: CoreDeps; target: string } {
  const simOptions = simulatorOptionsFromEnv(env);
  if (!simOptions.ok) throw new PermanentError(`tunnel-guard simulator: ${simOptions.reason}`);
  const file = resolveFromCaller(env.TUNNEL_GUARD_SIMULATOR ?? '', env, cwd);
  const sim = openSimulator(file, simOptions.value);
  const other: Cloud = local === 'aws' ? 'gcp' : 'aws';
  // The receiving end gets no publisher: a change caused by a link message is never echoed anyway.
  const otherEnd: CoreDeps = { ...base, clouds: { [other]: sim.ports(other) }, ledger: sim.ledger, notifier: sim.notifier };
  const link = transport ?? simulatorLinkPublisher(() => otherEnd, linkSecret);
  return {
    deps: { ...base, clouds: { [local]: sim.ports(local) }, ledger: sim.ledger, notifier: sim.notifier, link },
    target: `simulator:${file}`,
  };
}
