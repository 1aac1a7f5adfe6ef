/**
 * doctor, probes (AWS): with `TUNNEL_GUARD_AWS_PROBES` set (the deployment's own setting), every probe's pinned /32
 * route is on its VPN connection and its trip and clear alarms exist. The setting is parsed and the alarm names
 * built by the deploy code itself (`functions/deploy/probes.js`), so doctor and the deployment cannot disagree.
 * The Network Synthetic Monitor monitor and probe themselves are not read (no client for that API here).
 */
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Env } from '../../config/source';
import type { Config } from '../../shared/policy';
import { errorMessage } from '../../shared/errors';
import type { VpnConnectionInfo } from '../../functions/adapters/vpn-inventory';
import type { DoctorCheck } from '../seat';

interface Probe {
  vpnId: string;
  tunnelIp: string;
  target: string;
}
// Plain CommonJS shared with serverless.yml; loaded with require so its one definition serves both.
const deploy = require('../../functions/deploy/probes') as {
  parseProbes(raw: unknown): Probe[];
  unprobedLinks(raw: unknown, links: Config['links']): Config['links'];
  PROBE_ALARM_PREFIX: string;
};

/**
 * One line per configured link with no probe pinned to its AWS end: a tunnel that is up and carries nothing shows in
 * no loss ratio, so without a probe a silent black hole goes unseen (and a drained tunnel waits for an operator).
 */
export function unprobedLinkChecks(env: Env, links: Config['links']): DoctorCheck[] {
  let missing: Config['links'];
  try {
    missing = deploy.unprobedLinks(env.TUNNEL_GUARD_AWS_PROBES, links);
  } catch {
    return []; // the probes check says what is wrong with the setting
  }
  return missing.map((l) =>
    check(
      `probe for link ${l.aws}`,
      'pass',
      `warning: no probe is pinned to this link (TUNNEL_GUARD_AWS_PROBES): a silent black hole — up, carrying nothing — shows in no loss ratio; only a probe catches it. Add one (docs/recovery.md#probes-pinned-through-each-link)`,
    ),
  );
}

const check = (name: string, status: DoctorCheck['status'], detail: string, fix?: string): DoctorCheck => ({
  cloud: 'aws',
  name,
  status,
  detail,
  ...(fix ? { fix } : {}),
});

export function probeChecks(env: Env, connections: readonly VpnConnectionInfo[], alarms: readonly MetricAlarm[]): DoctorCheck[] {
  let probes: Probe[];
  try {
    probes = deploy.parseProbes(env.TUNNEL_GUARD_AWS_PROBES);
  } catch (e) {
    return [check('probes', 'fail', errorMessage(e), 'fix TUNNEL_GUARD_AWS_PROBES (the same value the deployment used)')];
  }
  if (probes.length === 0) return [check('probes', 'skip', 'no probes configured (TUNNEL_GUARD_AWS_PROBES is empty)')];
  const names = new Set(alarms.map((a) => a.AlarmName));
  return probes.map((p) => {
    const name = `probe ${p.vpnId}:${p.tunnelIp}`;
    const conn = connections.find((c) => c.vpnConnectionId === p.vpnId);
    const route = conn?.staticRoutes.find((r) => r.destinationCidrBlock === `${p.target}/32` && r.state !== 'deleted');
    const missingAlarms = ['trip', 'clear']
      .map((role) => `${deploy.PROBE_ALARM_PREFIX}${p.vpnId}-${p.tunnelIp}-${role}`)
      .filter((n) => !names.has(n));
    if (!conn) return check(name, 'fail', `VPN connection ${p.vpnId} not found`, 'fix TUNNEL_GUARD_AWS_PROBES, or AWS_REGION');
    if (!route)
      return check(
        name,
        'fail',
        `${p.target}/32 is not a static route of ${p.vpnId}: the probe does not leave through this link`,
        'redeploy the AWS half (serverless.yml creates the route)',
      );
    if (missingAlarms.length)
      return check(
        name,
        'fail',
        `alarm(s) ${missingAlarms.join(', ')} do not exist`,
        'redeploy the AWS half (serverless.yml creates them)',
      );
    return check(name, 'pass', `${p.target}/32 pinned on ${p.vpnId}; trip and clear alarms exist`);
  });
}
