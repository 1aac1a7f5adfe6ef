/**
 * The topology as a run sees it: the state it starts from, the routing domain of each link, the state traffic
 * follows while the clouds are still programming route changes, and a GCP gateway's numeric id.
 */
import { readFileSync } from 'node:fs';
import { simStateSchema, type SimState } from '../simulator/sim-state';
import { incidentTopology } from '../simulator/topology';
import type { World } from './model/world';
import { ScenarioError, type Scenario } from './scenario';

/** The scenario's simulator file, or the built-in topology. */
export function initialState(s: Scenario): SimState {
  if (!s.simulator) return incidentTopology();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(s.simulator, 'utf8'));
  } catch (e) {
    throw new ScenarioError(`scenario ${s.name}: cannot read simulator file ${s.simulator}: ${(e as Error).message}`);
  }
  const parsed = simStateSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new ScenarioError(
      `scenario ${s.name}: simulator file ${s.simulator} is invalid at ${i?.path.join('.') || '(root)'}: ${i?.message}`,
    );
  }
  return parsed.data;
}

/** The routing domain of each link (GCP network and AWS gateway): only links of one domain can stand in for each other. */
export function domainsOf(world: World): string[] {
  const s = world.initial;
  return world.links.map((l) => {
    const url = `/regions/${l.gcp.region}/vpnTunnels/${l.gcp.name}`;
    const route = s.gcp.routes.find((r) => r.nextHopVpnTunnel?.endsWith(url));
    const router = s.gcp.routers.find((r) => r.interfaces.some((i) => i.linkedVpnTunnel.endsWith(url)));
    const conn = s.aws.vpnConnections.find((c) => c.vpnConnectionId === l.aws.vpnConnectionId);
    return `${route?.network ?? router?.network ?? '?'}|${conn?.vpnGatewayId ?? conn?.transitGatewayId ?? conn?.vpnConnectionId}`;
  });
}

/** The state the traffic follows: tunnel status as it is now, routes as the clouds have finished programming them. */
export function programmed(now: SimState, gcpThen: SimState, awsThen: SimState): SimState {
  const s = structuredClone(now);
  s.gcp.routes = structuredClone(gcpThen.gcp.routes);
  s.gcp.routers = s.gcp.routers.map((r) => {
    const then = gcpThen.gcp.routers.find((x) => x.name === r.name && x.region === r.region);
    return then ? { ...structuredClone(then), interfaces: r.interfaces } : r;
  });
  for (const c of s.aws.vpnConnections) {
    const then = awsThen.aws.vpnConnections.find((x) => x.vpnConnectionId === c.vpnConnectionId);
    if (then) c.routes = structuredClone(then.routes);
  }
  return s;
}

/** A stable numeric id for a gateway name (the webhook's `gateway_id` label is a number in GCP). */
export function gatewayId(name: string): string {
  let h = 0n;
  for (const ch of name) h = (h * 131n + BigInt(ch.codePointAt(0)!)) % 9_000_000_000_000_000_000n;
  return String(1_000_000_000_000_000_000n + h);
}
