/**
 * How a link's probe and everything pinned to it are named. One prefix for the probe's alarms and its pinning routes
 * (kept in probe-names.json so that the plain-JavaScript deploy tooling reads the same string):
 * - alarms `tunnel-guard-probe-<vpn>-<aws outside ip>-<trip|fast|clear>`: the name is all that carries the tunnel, because
 *   EventBridge alarm events carry no tags by default and the probe's own dimensions (`Monitor`, `Probe`) name none;
 * - GCP routes back to the probe subnet, recognised by name (AWS routes have no name, so by their target).
 * The pinning routes are not paths: tunnel-guard never withdraws them (a drained tunnel must stay measured) and never
 * counts them as coverage for production prefixes.
 */
import names from './probe-names.json';

export const PROBE_PREFIX: string = names.prefix;

/** `trip` drains on light loss held for minutes, `fast` on heavy loss at once, `clear` reports the recovery. */
export type ProbeRole = 'trip' | 'fast' | 'clear';

export const isProbeRouteName = (name: string | null | undefined): boolean => !!name && name.startsWith(PROBE_PREFIX);

/** The name of a probe's trip or clear alarm. */
export const probeAlarmName = (vpnId: string, tunnelIp: string, role: ProbeRole): string => `${PROBE_PREFIX}${vpnId}-${tunnelIp}-${role}`;

export const PROBE_ALARM = new RegExp(`^${PROBE_PREFIX}(vpn-[0-9a-f]+)-(\\d{1,3}(?:\\.\\d{1,3}){3})-(trip|fast|clear)$`);

/** The tunnel and role a probe alarm's name carries; undefined for any other name. */
export function parseProbeAlarmName(alarmName: string): { vpnId: string; tunnelIp: string; role: ProbeRole } | undefined {
  const m = PROBE_ALARM.exec(alarmName);
  return m ? { vpnId: m[1]!, tunnelIp: m[2]!, role: m[3] as ProbeRole } : undefined;
}
