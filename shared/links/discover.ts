/**
 * Discovering both ends of each link: a GCP tunnel and an AWS tunnel are the same IPsec
 * tunnel when the GCP tunnel's `peerIp` is the AWS tunnel's outside IP (`VgwTelemetry[].OutsideIpAddress`, the
 * `TunnelIpAddress` metric dimension). Pure: the caller reads both clouds and passes their tunnels in.
 *
 * Pairing drives automatic drains on the other cloud, so a wrong pair would withdraw routes of an unrelated
 * connection. Hence anything that is not a one-to-one match is reported with its reason and never guessed.
 */
import type { Config } from '../policy';
import type { TunnelStatus } from '../types';

/** A proposed pair, with the address that matched (for people; the config only needs the two ids). */
export interface DiscoveredPair {
  gcp: string;
  aws: string;
  ip: string;
}

/** A tunnel that could not be paired, and why. */
export interface UnpairedTunnel {
  id: string;
  /** GCP: the tunnel's peerIp; AWS: its outside IP (absent when the cloud reports none). */
  ip?: string;
  reason: string;
  /** The tunnels that made the match ambiguous, if that is the reason. */
  candidates?: string[];
}

export interface Discovery {
  /** Ready to paste as the configuration's `links` (exactly the schema's shape). */
  links: Config['links'];
  pairs: DiscoveredPair[];
  unpairedGcp: UnpairedTunnel[];
  unpairedAws: UnpairedTunnel[];
}

const byId = <T extends { id: string }>(a: T, b: T): number => a.id.localeCompare(b.id);

/** Keep one entry per tunnel id (a cloud listed twice must not look like an ambiguity). */
function unique(tunnels: readonly TunnelStatus[], cloud: 'aws' | 'gcp'): TunnelStatus[] {
  const seen = new Map<string, TunnelStatus>();
  for (const t of tunnels) if (t.ref.cloud === cloud && !seen.has(t.ref.id)) seen.set(t.ref.id, t);
  return [...seen.values()];
}

const ipOf = (t: TunnelStatus): string | undefined => (t.ref.cloud === 'aws' ? t.ref.native.outsideIpAddress : t.ref.native.peerIp);

/** IPv4 dotted quads and IPv6 compare case-insensitively; surrounding blanks are never meaningful. */
const norm = (ip: string): string => ip.trim().toLowerCase();

function groupByIp(tunnels: readonly TunnelStatus[]): Map<string, TunnelStatus[]> {
  const m = new Map<string, TunnelStatus[]>();
  for (const t of tunnels) {
    const ip = ipOf(t);
    if (!ip) continue;
    const k = norm(ip);
    m.set(k, [...(m.get(k) ?? []), t]);
  }
  return m;
}

const awsDownNote = (t: TunnelStatus): string =>
  t.status === 'down'
    ? ` (AWS reports this tunnel down${t.detail ? `: ${t.detail}` : ''}, as expected for a tunnel nobody peers with)`
    : '';

/**
 * Propose links by matching each GCP tunnel's `peerIp` to an AWS tunnel's outside IP. Only one-to-one matches
 * become links; every other tunnel is listed in `unpairedGcp`/`unpairedAws` with the reason. Deterministic order.
 */
export function discoverLinks(awsTunnels: readonly TunnelStatus[], gcpTunnels: readonly TunnelStatus[]): Discovery {
  const aws = unique(awsTunnels, 'aws');
  const gcp = unique(gcpTunnels, 'gcp');
  const awsByIp = groupByIp(aws);
  const gcpByIp = groupByIp(gcp);

  const pairs: DiscoveredPair[] = [];
  const unpairedGcp: UnpairedTunnel[] = [];
  const unpairedAws: UnpairedTunnel[] = [];

  for (const g of gcp) {
    const ip = ipOf(g);
    if (!ip) {
      unpairedGcp.push({ id: g.ref.id, reason: 'the GCP tunnel reports no peerIp, so nothing identifies its AWS end' });
      continue;
    }
    const sameAws = awsByIp.get(norm(ip)) ?? [];
    const sameGcp = gcpByIp.get(norm(ip)) ?? [];
    if (sameAws.length === 0) {
      unpairedGcp.push({
        id: g.ref.id,
        ip,
        reason: `no AWS tunnel has outside IP ${ip} (a peer outside AWS, or an AWS account/region that was not read)`,
      });
    } else if (sameAws.length > 1) {
      const candidates = sameAws.map((t) => t.ref.id).sort();
      unpairedGcp.push({
        id: g.ref.id,
        ip,
        candidates,
        reason: `ambiguous: ${sameAws.length} AWS tunnels have outside IP ${ip}; pair it by hand in the configuration's links`,
      });
    } else if (sameGcp.length > 1) {
      const candidates = sameGcp.map((t) => t.ref.id).sort();
      unpairedGcp.push({
        id: g.ref.id,
        ip,
        candidates,
        reason: `ambiguous: ${sameGcp.length} GCP tunnels have peerIp ${ip}; pair it by hand in the configuration's links`,
      });
    } else {
      pairs.push({ gcp: g.ref.id, aws: sameAws[0]!.ref.id, ip: ipOf(sameAws[0]!) ?? ip });
    }
  }

  const pairedAws = new Set(pairs.map((p) => p.aws));
  for (const a of aws) {
    if (pairedAws.has(a.ref.id)) continue;
    const ip = ipOf(a);
    if (!ip) {
      unpairedAws.push({ id: a.ref.id, reason: 'the AWS tunnel reports no outside IP' });
      continue;
    }
    const sameAws = awsByIp.get(norm(ip)) ?? [];
    const sameGcp = gcpByIp.get(norm(ip)) ?? [];
    if (sameGcp.length === 0) {
      unpairedAws.push({ id: a.ref.id, ip, reason: `no GCP tunnel has peerIp ${ip}${awsDownNote(a)}` });
    } else if (sameAws.length > 1) {
      const candidates = sameAws
        .map((t) => t.ref.id)
        .filter((id) => id !== a.ref.id)
        .sort();
      unpairedAws.push({
        id: a.ref.id,
        ip,
        candidates,
        reason: `ambiguous: ${sameAws.length} AWS tunnels have outside IP ${ip} (peered by ${sameGcp
          .map((t) => t.ref.id)
          .sort()
          .join(', ')}); pair it by hand`,
      });
    } else {
      const candidates = sameGcp.map((t) => t.ref.id).sort();
      unpairedAws.push({
        id: a.ref.id,
        ip,
        candidates,
        reason: `ambiguous: ${sameGcp.length} GCP tunnels have peerIp ${ip}; pair it by hand`,
      });
    }
  }

  pairs.sort((a, b) => a.gcp.localeCompare(b.gcp));
  return {
    links: pairs.map((p) => ({ gcp: p.gcp, aws: p.aws })),
    pairs,
    unpairedGcp: unpairedGcp.sort(byId),
    unpairedAws: unpairedAws.sort(byId),
  };
}
