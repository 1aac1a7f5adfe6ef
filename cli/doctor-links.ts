/**
 * doctor, links: with links configured, both transports must be set up consistently — the shared secret, the GCP
 * function's URL and credentials on the AWS end, the AWS link topic on the GCP end (and the Lambda subscribed to
 * it) — and each configured pair must still be the same IPsec tunnel (GCP peerIp = AWS outside IP).
 */
import type { Env } from '../config/source';
import type { Config } from '../shared/policy';
import type { TunnelStatus } from '../shared/types';
import type { DoctorCheck } from './seat';

const check = (name: string, status: DoctorCheck['status'], detail: string, fix?: string): DoctorCheck => ({
  cloud: 'links',
  name,
  status,
  detail,
  ...(fix ? { fix } : {}),
});

/** `topicCheck`: the AWS side's look at the link topic (loaded only when a topic is named). */
export async function doctorLinks(
  env: Env,
  config: Config,
  tunnels: TunnelStatus[],
  readClouds: { aws: boolean; gcp: boolean },
  topicCheck?: () => Promise<DoctorCheck>,
): Promise<DoctorCheck[]> {
  if (config.links.length === 0)
    return [check('links', 'skip', 'no links configured: each cloud acts alone', 'tunnel-guard discover --target clouds proposes them')];
  const out: DoctorCheck[] = [];
  out.push(
    env.TUNNEL_GUARD_LINK_SECRET
      ? check('link secret', 'pass', 'TUNNEL_GUARD_LINK_SECRET is set (it must be the same value on both functions)')
      : env.TUNNEL_GUARD_LINK_SECRET_ARN
        ? // Read from Secrets Manager when a command composes the AWS side (as the Lambda reads it).
          check('link secret', 'pass', `TUNNEL_GUARD_LINK_SECRET_ARN names it: ${env.TUNNEL_GUARD_LINK_SECRET_ARN}`)
        : check(
            'link secret',
            'fail',
            'TUNNEL_GUARD_LINK_SECRET is not set: link messages cannot be signed or verified',
            'set the same secret on both functions and here',
          ),
  );

  const url = env.TUNNEL_GUARD_GCP_LINK_URL;
  const creds =
    !!env.TUNNEL_GUARD_GCP_LINK_TOKEN ||
    !!env.TUNNEL_GUARD_GCP_LINK_SECRET_ARN ||
    (!!env.TUNNEL_GUARD_GCP_LINK_USERNAME && !!env.TUNNEL_GUARD_GCP_LINK_PASSWORD);
  if (!url)
    out.push(
      check(
        'AWS → GCP',
        'fail',
        'TUNNEL_GUARD_GCP_LINK_URL is not set: the AWS end cannot tell the GCP end',
        'set it to the tunnelIncident function URL (with its webhook credentials)',
      ),
    );
  else if (!/^https:\/\//.test(url) && !/^http:\/\/(127\.0\.0\.1|localhost)[:/]/.test(url))
    out.push(check('AWS → GCP', 'fail', `${url} is not https://`, "use the function's https URL"));
  else if (!creds)
    out.push(
      check(
        'AWS → GCP',
        'fail',
        `${url} is set without TUNNEL_GUARD_GCP_LINK_SECRET_ARN (or _USERNAME + _PASSWORD, or _TOKEN)`,
        'set the webhook credentials the function accepts',
      ),
    );
  else
    out.push(
      check(
        'AWS → GCP',
        'pass',
        `${url} with ${env.TUNNEL_GUARD_GCP_LINK_TOKEN ? 'token' : env.TUNNEL_GUARD_GCP_LINK_SECRET_ARN ? 'Basic credentials from Secrets Manager' : 'Basic credentials'}`,
      ),
    );

  const topic = env.TUNNEL_GUARD_AWS_LINK_TOPIC_ARN;
  if (!topic)
    out.push(
      check(
        'GCP → AWS',
        'fail',
        'TUNNEL_GUARD_AWS_LINK_TOPIC_ARN is not set: the GCP end cannot tell the AWS end',
        'set it to the deployed link topic (tunnel-guard-<stage>-link)',
      ),
    );
  else if (topicCheck) out.push(await topicCheck());

  if (readClouds.aws && readClouds.gcp) out.push(...linkPairChecks(config.links, tunnels, 'tunnel-guard discover --target clouds'));
  else out.push(check('link pairs', 'skip', 'both clouds must take part to compare the ends of each link'));
  return out;
}

/**
 * Each pair must still be the same IPsec tunnel seen from both clouds: the GCP tunnel's peerIp is the AWS tunnel's
 * outside IP. A wrong pair would drain the wrong AWS tunnel when the GCP end sees loss. Shared by both targets.
 */
export function linkPairChecks(links: Config['links'], tunnels: readonly TunnelStatus[], discover: string): DoctorCheck[] {
  const byId = new Map(tunnels.map((t) => [t.ref.id, t]));
  const fix = `${discover}, and update links`;
  return links.map((l) => {
    const g = byId.get(l.gcp);
    const a = byId.get(l.aws);
    const peerIp = g?.ref.cloud === 'gcp' ? g.ref.native.peerIp : undefined;
    const outside = a?.ref.cloud === 'aws' ? a.ref.native.outsideIpAddress : undefined;
    if (!g || !a) return check(`link ${l.gcp}`, 'fail', `${!g ? l.gcp : l.aws} does not exist`, fix);
    if (peerIp !== outside)
      return check(`link ${l.gcp}`, 'fail', `peerIp ${peerIp ?? '(none)'} ≠ AWS outside IP ${outside}: not the same tunnel`, fix);
    return check(`link ${l.gcp}`, 'pass', `↔ ${l.aws} (${outside})`);
  });
}
