/**
 * `doctor` on the simulator: the same one-line-per-check contract as on the clouds, for what a simulator run can
 * get wrong — the configuration, the simulator file and its ledger, the links in use. Each check is one named
 * entry of a list, run in order once the files could be opened.
 */
import { errorMessage } from '../../shared/errors';
import type { CliContext } from '../compose';
import { linkPairChecks } from '../doctor-links';
import type { DoctorCheck } from '../seat';
import { utilisationChecks } from '../utilisation';

interface SimulatorCheck {
  cloud: DoctorCheck['cloud'];
  name: string;
  run(c: CliContext): Promise<Pick<DoctorCheck, 'status' | 'detail'> & { fix?: string }>;
}

/** Checks that answer with one line per item (each link pair). */
interface SimulatorChecks {
  name: string;
  runAll(c: CliContext): Promise<DoctorCheck[]>;
}

const CHECKS: readonly (SimulatorCheck | SimulatorChecks)[] = [
  {
    cloud: 'links',
    name: 'configuration',
    run: async (c) => ({
      status: 'pass',
      detail: `scope ${JSON.stringify(c.config.policy.scope)}, ${c.config.links.length} configured link(s)`,
    }),
  },
  {
    cloud: 'aws',
    name: 'simulator',
    run: async (c) => ({ status: 'pass', detail: `${(await c.sim.ports('aws').tunnels.list()).length} tunnel(s)` }),
  },
  {
    cloud: 'gcp',
    name: 'simulator',
    run: async (c) => ({ status: 'pass', detail: `${(await c.sim.ports('gcp').tunnels.list()).length} tunnel(s)` }),
  },
  {
    cloud: 'links',
    name: 'ledger',
    run: async (c) => ({ status: 'pass', detail: `${(await c.sim.ledger.list()).length} record(s) readable` }),
  },
  {
    cloud: 'links',
    name: 'links',
    run: async (c) => {
      const links = await c.links();
      return { status: links.source === 'off' ? 'skip' : 'pass', detail: `${links.links.length} pair(s) (${links.source})` };
    },
  },
  {
    name: 'link pairs',
    async runAll(c) {
      const links = await c.links();
      const tunnels = [...(await c.sim.ports('aws').tunnels.list()), ...(await c.sim.ports('gcp').tunnels.list())];
      return linkPairChecks(links.links, tunnels, 'tunnel-guard discover');
    },
  },
  {
    name: 'utilisation',
    async runAll(c) {
      const ports = [c.sim.ports('aws'), c.sim.ports('gcp')];
      const [tunnels, paths, links] = await Promise.all([
        Promise.all(ports.map((p) => p.tunnels.list())).then((x) => x.flat()),
        Promise.all(ports.map((p) => p.paths.list())).then((x) => x.flat()),
        c.links(),
      ]);
      return utilisationChecks(tunnels, paths, links.links, c.config.policy);
    },
  },
];

/** `open` parses the configuration and reads the simulator file and its ledger; its failure is the one check. */
export async function simulatorDoctor(open: () => Promise<CliContext>): Promise<DoctorCheck[]> {
  let c: CliContext;
  try {
    c = await open();
  } catch (e) {
    return [
      {
        cloud: 'links',
        name: 'simulator',
        status: 'fail',
        detail: errorMessage(e),
        fix: 'fix the configuration, or remove the simulator file to start afresh',
      },
    ];
  }
  const checks: DoctorCheck[] = [];
  for (const check of CHECKS)
    checks.push(...('runAll' in check ? await check.runAll(c) : [{ cloud: check.cloud, name: check.name, ...(await check.run(c)) }]));
  return checks;
}
