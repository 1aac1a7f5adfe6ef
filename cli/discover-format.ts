/** `discover --target clouds`: the proposal for people, and the whole configuration it suggests. */
import type { Config } from '../shared/policy';
import { formatDiscovery } from './link-format';
import type { CloudDiscovery } from './seat';

/** The configuration file's shape (`TUNNEL_GUARD_CONFIG`): scope, alarm and policy mappings, links. */
export function configOf(d: CloudDiscovery): Pick<Config, 'alarmTunnels' | 'policyTunnels' | 'links'> & { policy: { scope: string[] } } {
  return { policy: { scope: d.scope }, alarmTunnels: d.alarmTunnels, policyTunnels: d.policyTunnels, links: d.links };
}

export function formatCloudDiscovery(d: CloudDiscovery, configured: Config['links']): string {
  const out = [`Read: ${d.sources.join('; ') || '(nothing)'}`];
  for (const w of d.warnings) out.push(`warning: ${w}`);
  // The links part reads as on the simulator; the whole configuration follows it.
  const links = formatDiscovery(d, configured).split('\n');
  const cut = links.findIndex((l) => l.startsWith('Configuration to paste'));
  out.push(...(cut >= 0 ? links.slice(0, cut) : links).filter((l) => !l.startsWith('The configuration names no links')));
  out.push(
    `Alarms mapped to tunnels: ${Object.keys(d.alarmTunnels).length}; alert policies mapped to one tunnel: ${Object.keys(d.policyTunnels).length}`,
  );
  out.push('Suggested configuration (TUNNEL_GUARD_CONFIG file; review the scope before using it):');
  out.push(JSON.stringify(configOf(d), null, 2));
  return out.join('\n') + '\n';
}
