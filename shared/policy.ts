/**
 * The validated configuration: policy knobs (guards), scope, alarm/policy → tunnel mappings and links.
 * Pure: the edges read the file and the environment and pass them in; nothing here touches process.env.
 */
import { zodIssue, type Result } from './result';
import { z } from 'zod';

const glob = z.string().min(1).max(300);

export const policySchema = z
  .object({
    /** Guard 1: every withdrawn destination must stay covered by at least this many healthy paths. */
    minHealthyPaths: z.number().int().min(1).max(16).default(1),
    /** Guard 3: at most this many tunnels drained at once per cloud... */
    maxDrainedTunnels: z.number().int().min(0).max(1000).default(2),
    /** ...and at most this fraction of all the cloud's tunnels (both limits hold). */
    maxDrainedFraction: z.number().min(0).max(1).default(0.5),
    /** Guard 5: continuous health needed before a restore. */
    restoreHoldDownSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86400)
      .default(300),
    /** Guard 5: more than this many drains within the window → stays drained until released. */
    maxFlaps: z.number().int().min(1).max(1000).default(3),
    flapWindowSeconds: z
      .number()
      .int()
      .min(1)
      .max(30 * 86400)
      .default(3600),
    /** Guard 6: compute, report and notify the plan; change nothing. */
    dryRun: z.boolean().default(false),
    /** Guard 2: tunnel ids (globs, `*` matches anything) that tunnel-guard may touch. */
    scope: z.array(glob).max(1000).default(['*']),
    /** Tunnel ids (globs) never touched, even when `scope` matches. */
    exclude: z.array(glob).max(1000).default([]),
    /** Bounded concurrency for cloud writes (cloud write quotas are finite). */
    concurrency: z.number().int().min(1).max(256).default(16),
    /** Retries with exponential backoff and full jitter for transient errors, after the SDK's own. */
    retryAttempts: z.number().int().min(1).max(20).default(5),
    retryBaseMs: z.number().int().min(0).max(60_000).default(200),
    retryMaxMs: z.number().int().min(0).max(300_000).default(5_000),
    /**
     * How a drain takes a path out of service. `deprefer`: where the cloud has a preference (GCP route priority, BGP
     * MED / AS path on a Cloud Router peer), make the path worse instead of removing it, make-before-break, so it still
     * carries traffic when nothing better exists; paths without such a lever are withdrawn. `withdraw`: always remove.
     */
    drainMode: z.enum(['deprefer', 'withdraw']).default('deprefer'),
    /** Loss figures older than this no longer describe a tunnel (a drained tunnel's traffic monitors fall silent). */
    lossMaxAgeSeconds: z.number().int().min(30).max(86400).default(900),
    /**
     * Traffic moves to a tunnel only when it is measurably less lossy than the one it leaves: by this factor (2 =
     * at most half the loss) and by `lossBetterMargin` (a loss ratio, 0.01 = one percentage point: probe figures are coarse) both, so two
     * similar tunnels never ping-pong.
     */
    lossBetterFactor: z.number().min(1).max(100).default(2),
    lossBetterMargin: z.number().min(0).max(1).default(0.01),
    /**
     * Packet-rate limits per tunnel, sent plus received, where the adapter reads no figure of its own: AWS documents
     * up to 140,000 packets/s per Site-to-Site VPN tunnel, GCP 250,000 packets/s per Cloud VPN tunnel.
     */
    awsTunnelCapacityPps: z.number().int().min(1).max(10_000_000).default(140_000),
    gcpTunnelCapacityPps: z.number().int().min(1).max(10_000_000).default(250_000),
  })
  .strict();
export type Policy = z.infer<typeof policySchema>;

export const configSchema = z
  .object({
    policy: policySchema.default(policySchema.parse({})),
    /**
     * Alarms without `AWS/VPN` dimensions (anomaly detection, composite) mapped to tunnel ids by alarm name
     * (or by the value of the alarm tag `tunnel-guard:tunnel`, which needs no entry here).
     */
    alarmTunnels: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** GCP schema-1.1 fallback payloads (no resource/metric) mapped to tunnel ids by alert policy name. */
    policyTunnels: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Both ends of a link: a GCP tunnel id and the AWS tunnel id of the same IPsec tunnel. */
    links: z
      .array(z.object({ gcp: z.string().min(1), aws: z.string().min(1) }).strict())
      .max(1000)
      .default([]),
  })
  .strict();
export type Config = z.infer<typeof configSchema>;

export const DEFAULT_POLICY: Policy = policySchema.parse({});

/**
 * Longer than any invocation can run (the functions' timeouts are a few minutes): work in the ledger younger than
 * this may still be in progress in another instance, so only the scheduled reconcile takes it over, and a fence
 * member without a record is dropped only once its fence is older than this.
 */
export const LONGEST_RUN_MS = 15 * 60 * 1000;

type PolicyKey = keyof Policy;
const kindOf: Record<PolicyKey, 'int' | 'number' | 'bool' | 'list' | readonly string[]> = {
  minHealthyPaths: 'int',
  maxDrainedTunnels: 'int',
  maxDrainedFraction: 'number',
  restoreHoldDownSeconds: 'int',
  maxFlaps: 'int',
  flapWindowSeconds: 'int',
  dryRun: 'bool',
  scope: 'list',
  exclude: 'list',
  concurrency: 'int',
  retryAttempts: 'int',
  retryBaseMs: 'int',
  retryMaxMs: 'int',
  drainMode: ['deprefer', 'withdraw'],
  lossMaxAgeSeconds: 'int',
  lossBetterFactor: 'number',
  lossBetterMargin: 'number',
  awsTunnelCapacityPps: 'int',
  gcpTunnelCapacityPps: 'int',
};

/** `restoreHoldDownSeconds` → `TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS`. */
export const envNameOf = (key: string): string => `TUNNEL_GUARD_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

export const POLICY_ENV_VARS: readonly { key: PolicyKey; env: string; default: unknown }[] = (Object.keys(kindOf) as PolicyKey[]).map(
  (key) => ({ key, env: envNameOf(key), default: DEFAULT_POLICY[key] }),
);

export type ConfigResult = Result<Config>;

function fromEnv(key: PolicyKey, raw: string): Result<unknown> {
  const v = raw.trim();
  const kind = kindOf[key];
  if (typeof kind !== 'string') {
    if (kind.includes(v)) return { ok: true, value: v };
    return { ok: false, reason: `${envNameOf(key)}=${JSON.stringify(raw)} is not one of ${kind.join(', ')}` };
  }
  switch (kind) {
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(v)) return { ok: true, value: true };
      if (/^(0|false|no|off)$/i.test(v)) return { ok: true, value: false };
      return { ok: false, reason: `${envNameOf(key)}=${JSON.stringify(raw)} is not a boolean (true/false)` };
    case 'list':
      return {
        ok: true,
        value: v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    default: {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n)) return { ok: false, reason: `${envNameOf(key)}=${JSON.stringify(raw)} is not a number` };
      return { ok: true, value: n };
    }
  }
}

/**
 * Build the configuration from an optional config file's parsed JSON and the environment; environment
 * variables `TUNNEL_GUARD_<KNOB>` override the file's `policy`. Never throws.
 */
export function loadConfig(file: unknown, env: Record<string, string | undefined>): ConfigResult {
  const base = file === undefined ? {} : file;
  if (typeof base !== 'object' || base === null || Array.isArray(base)) {
    return { ok: false, reason: 'configuration must be a JSON object' };
  }
  const fileCfg = base as Record<string, unknown>;
  const filePolicy = fileCfg.policy ?? {};
  if (typeof filePolicy !== 'object' || filePolicy === null || Array.isArray(filePolicy)) {
    return { ok: false, reason: 'configuration: "policy" must be an object' };
  }
  const policy: Record<string, unknown> = { ...(filePolicy as Record<string, unknown>) };
  for (const key of Object.keys(kindOf) as PolicyKey[]) {
    const raw = env[envNameOf(key)];
    if (raw === undefined || raw === '') continue;
    const r = fromEnv(key, raw);
    if (!r.ok) return r;
    policy[key] = r.value;
  }
  const parsed = configSchema.safeParse({ ...fileCfg, policy });
  if (!parsed.success) {
    return { ok: false, reason: `configuration ${zodIssue(parsed.error)}` };
  }
  return { ok: true, value: parsed.data };
}

/** `*` matches any run of characters; everything else is literal. */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

/** Guard 2: is this tunnel in scope? */
export const inScope = (policy: Pick<Policy, 'scope' | 'exclude'>, tunnelId: string): boolean =>
  policy.scope.some((p) => globMatch(p, tunnelId)) && !policy.exclude.some((p) => globMatch(p, tunnelId));
