/**
 * `doctor` on the simulator: the same one-line-per-check contract as on the clouds, for what a simulator run can
 * get wrong — the configuration, the simulator file and its ledger, the links in use.
 */
import { errorMessage } from '../shared/errors';
import type { CliContext } from './compose';
import { doctorExitCode, formatDoctor } from './doctor-format';
import type { CliIo, ExitCode } from './io';
import type { DoctorCheck } from './seat';

export async function simulatorDoctor(io: CliIo, open: () => Promise<CliContext>, json: boolean): Promise<ExitCode> {
  const checks: DoctorCheck[] = [];
  let c: CliContext | undefined;
  try {
    c = await open(); // parses the configuration and reads the simulator file and its ledger
    checks.push({
      cloud: 'links',
      name: 'configuration',
      status: 'pass',
      detail: `scope ${JSON.stringify(c.config.policy.scope)}, ${c.config.links.length} configured link(s)`,
    });
  } catch (e) {
    checks.push({
      cloud: 'links',
      name: 'simulator',
      status: 'fail',
      detail: errorMessage(e),
      fix: 'fix the configuration, or remove the simulator file to start afresh',
    });
  }
  if (c) {
    const [aws, gcp, records] = await Promise.all([
      c.sim.ports('aws').tunnels.list(),
      c.sim.ports('gcp').tunnels.list(),
      c.sim.ledger.list(),
    ]);
    checks.push({ cloud: 'aws', name: 'simulator', status: 'pass', detail: `${aws.length} tunnel(s)` });
    checks.push({ cloud: 'gcp', name: 'simulator', status: 'pass', detail: `${gcp.length} tunnel(s)` });
    checks.push({ cloud: 'links', name: 'ledger', status: 'pass', detail: `${records.length} record(s) readable` });
    const links = await c.links();
    checks.push({
      cloud: 'links',
      name: 'links',
      status: links.source === 'off' ? 'skip' : 'pass',
      detail: `${links.links.length} pair(s) (${links.source})`,
    });
  }
  const code = doctorExitCode(checks);
  io.stdout(json ? `${JSON.stringify({ ok: code === 0, checks }, null, 2)}\n` : formatDoctor(checks));
  return code;
}
