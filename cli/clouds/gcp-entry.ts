/**
 * Entry of the `dist/clouds-gcp.js` bundle: the GCP side of `--target clouds` (the Cloud Function's composition
 * root with credentials resolved up front, discovery of tunnels and alert policies, doctor's GCP checks).
 */
import { readTraffic } from '../../shared/engine/traffic';
import type { SideModule } from '../seat';
import { CloudUnavailableError, explainGcpError } from './bounded';
import { gcpEndpoints, resolveGcpAuth } from './gcp-api';
import { listAlertPolicies, tunnelNamesOfPolicy } from './gcp-alerting';
import { composeGcpSide, gcpProjectOf, preflightGcp } from './gcp-side';
import { listGcpTunnels } from './gcp-tunnels';
import { doctorGcp } from './doctor-gcp';
import { runOnSide, sideLogger } from './side-run';

export const side: SideModule = {
  async open(o) {
    const auth = await resolveGcpAuth(o.env);
    const { deps } = composeGcpSide(o.env, o.cwd, sideLogger(o), auth);
    await preflightGcp(o.env, auth);
    return {
      cloud: 'gcp',
      where: `gcp:${gcpProjectOf(o.env)} bucket ${o.env.TUNNEL_GUARD_LEDGER_BUCKET}`,
      async read() {
        const [listed, paths, records] = await Promise.all([
          deps.clouds.gcp!.tunnels.list(),
          deps.clouds.gcp!.paths.list(),
          deps.ledger.list(),
        ]);
        // The figures the function decides with (load per tunnel, loss on what each received), read the same way:
        // `status` and `doctor` show utilisation from them. A failed read only leaves them out.
        const tunnels = await readTraffic(deps, deps.clouds.gcp!, listed);
        return { tunnels, paths, records };
      },
      run: (command, clock, preview) => runOnSide(deps, command, clock, preview),
    };
  },

  /** Every VPN tunnel of the project (one aggregated list, all regions), and the policies pinned to one tunnel. */
  async discover(o) {
    const project = gcpProjectOf(o.env);
    const auth = await resolveGcpAuth(o.env);
    const ep = gcpEndpoints(o.env);
    let tunnels: Awaited<ReturnType<typeof listGcpTunnels>>;
    try {
      tunnels = await listGcpTunnels(o.env, auth, project);
    } catch (e) {
      throw new CloudUnavailableError(explainGcpError(e, `GCP ${project}: vpnTunnels.aggregatedList`, ep.compute));
    }
    const policyTunnels: Record<string, string> = {};
    const warnings: string[] = [];
    try {
      const byName = new Map<string, string[]>();
      for (const t of tunnels)
        if (t.ref.cloud === 'gcp') byName.set(t.ref.native.name, [...(byName.get(t.ref.native.name) ?? []), t.ref.id]);
      for (const p of await listAlertPolicies(o.env, auth, project)) {
        const names = tunnelNamesOfPolicy(p);
        // Only a policy about exactly one tunnel can stand for it when a notification lacks the tunnel label.
        const ids = names.length === 1 ? (byName.get(names[0]!) ?? []) : [];
        if (ids.length === 1 && p.displayName) policyTunnels[p.displayName] = ids[0]!;
      }
    } catch (e) {
      warnings.push(explainGcpError(e, `GCP ${project}: alertPolicies.list (policyTunnels left empty)`, ep.monitoring));
    }
    return { tunnels, alarmTunnels: {}, policyTunnels, sources: [`gcp:${project} (aggregated, ${tunnels.length} tunnel(s))`], warnings };
  },

  doctor: (o, config) => doctorGcp(o.env, config),
};
