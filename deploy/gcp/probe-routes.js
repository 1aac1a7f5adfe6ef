#!/usr/bin/env node
/**
 * `npm run probe-routes:gcp` — the GCP half of pinning each link's probe to that link: a route back to the AWS
 * probe subnet through the link's Classic VPN tunnel (`nextHopVpnTunnel`), so the probe's replies return through
 * the same tunnel the probe left by. tunnel-guard never withdraws these routes and never counts them as paths: they
 * are recognised by their name prefix `tunnel-guard-probe-` (clouds/probes.ts).
 *
 * Settings: TUNNEL_GUARD_GCP_PROJECT and TUNNEL_GUARD_GCP_PROBE_ROUTES, a JSON list of
 * { "tunnel": "<Classic VPN tunnel name>", "region": "<its region>", "network": "<VPC network>", "sourceCidr": "<the
 * AWS probe subnet, e.g. 10.0.255.0/28>" }. Give each link's probe its own small AWS subnet: Network Monitor picks
 * the probe's source address inside the subnet, so the subnet is what the return route can pin.
 * `--print` shows the gcloud commands without running them. gcloud GA: `compute routes create`.
 * https://cloud.google.com/sdk/gcloud/reference/compute/routes/create
 */
const { spawnSync } = require('node:child_process');

// The one spelling of the probe names, shared with the adapters and the AWS deploy tooling.
const { prefix: PREFIX } = require('../../clouds/probe-names.json');
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/(\d{1,2})$/;
const NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The gcloud argument vectors; throws naming the bad field. Pure: the tests check them. */
function probeRouteCommands(env) {
  const project = env.TUNNEL_GUARD_GCP_PROJECT;
  if (!project) throw new Error('TUNNEL_GUARD_GCP_PROJECT is not set');
  let list;
  try {
    list = JSON.parse(env.TUNNEL_GUARD_GCP_PROBE_ROUTES || '[]');
  } catch (e) {
    throw new Error(`TUNNEL_GUARD_GCP_PROBE_ROUTES is not JSON (${e.message})`);
  }
  if (!Array.isArray(list)) throw new Error('TUNNEL_GUARD_GCP_PROBE_ROUTES must be a JSON list');
  return list.map((r, i) => {
    const where = `TUNNEL_GUARD_GCP_PROBE_ROUTES[${i}]`;
    for (const k of ['tunnel', 'region', 'network'])
      if (!NAME.test(String(r?.[k] ?? ''))) throw new Error(`${where}.${k} must be a GCP resource name`);
    const m = CIDR.exec(String(r.sourceCidr ?? ''));
    if (!m || Number(m[2]) < 16) throw new Error(`${where}.sourceCidr must be the AWS probe subnet as a CIDR (/16 or smaller)`);
    const name = `${PREFIX}${r.tunnel}`.slice(0, 63).replace(/-+$/, '');
    return [
      'gcloud',
      'compute',
      'routes',
      'create',
      name,
      `--project=${project}`,
      `--network=${r.network}`,
      `--destination-range=${r.sourceCidr}`,
      `--next-hop-vpn-tunnel=${r.tunnel}`,
      `--next-hop-vpn-tunnel-region=${r.region}`,
      // Most preferred: the probe's replies must take this tunnel even when production routes are de-preferred.
      '--priority=0',
      `--description=tunnel-guard probe return route through ${r.tunnel}: never withdrawn by tunnel-guard`,
    ];
  });
}

function main(argv, env, io) {
  let commands;
  try {
    commands = probeRouteCommands(env);
  } catch (e) {
    io.err(`probe routes: ${e.message}\n`);
    return 2;
  }
  for (const argv0 of commands) {
    io.out(`${argv0.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')}\n`);
    if (argv.includes('--print')) continue;
    const r = spawnSync(argv0[0], argv0.slice(1), { stdio: 'inherit' });
    // An existing route is what we wanted (run it again: nothing changes).
    if (r.status !== 0) io.err(`  (exit ${r.status}: if the route already exists, nothing needs doing)\n`);
  }
  return 0;
}

module.exports = { probeRouteCommands, main, PREFIX };

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), process.env, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) });
}
