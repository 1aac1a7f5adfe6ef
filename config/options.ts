/**
 * Options declared once. Every environment variable an edge reads is one entry of an option table — its
 * environment variable, parser, default, doc and who reads it — and everything else (compose, the deploy checks,
 * the docs test) goes through the table. This file holds the shape, the parsers, and the table both edges share.
 */
import { PermanentError } from '../shared/errors';
import { POLICY_ENV_VARS } from '../shared/policy';

export type Env = Record<string, string | undefined>;

/**
 * Who reads a variable, in the words of `docs/configuration.md`'s "used by" column: the deployed functions, the
 * CLI, or a deploy step (read on the deployer's machine, never by a function).
 */
export type Reader =
  | 'Lambda'
  | 'Cloud Function'
  | 'CLI'
  | 'serverless deploy'
  | 'deploy:gcp'
  | 'monitoring:gcp'
  | 'probe-routes:gcp'
  | 'doctor'
  | 'tests';

/**
 * How a variable read by a deployed function gets there:
 * - `forwarded`: the deploy copies it from the deployer's environment (serverless.yml `${env:…}`, deploy:gcp
 *   `--set-env-vars`);
 * - `set-by-deploy`: the deploy sets it itself (a name, a secret reference);
 * - `secret`: mounted from the secret store (Secret Manager on GCP) or fetched at cold start from its ARN;
 * - `platform`: set by the cloud (region, project);
 * - `local`: only meaningful off the cloud (simulator, endpoint overrides for fakes) — never deployed.
 */
export type Delivery = 'forwarded' | 'set-by-deploy' | 'secret' | 'platform' | 'local';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface Option<T> {
  /** The environment variable (a contract: never renamed). */
  env: string;
  /** Raw value (unset and empty are the same) → value, or the reason it is wrong. */
  parse: (raw: string | undefined, env: string) => Parsed<T>;
  /** The default as the docs state it ('' = none). */
  default: string;
  doc: string;
  readers: readonly Reader[];
  /** For variables a deployed function reads: how they get there. */
  delivery?: Delivery;
  /** Never logged or printed; never a CloudFormation parameter or a plain `--set-env-vars` value. */
  secret?: boolean;
}

export type OptionTable = Record<string, Option<unknown>>;
export type ValueOf<O> = O extends Option<infer V> ? V : never;

const blank = (raw: string | undefined): boolean => raw === undefined || raw.trim() === '';

// ---- parsers (one spelling for every edge) ----

/** A string; unset or empty → undefined. */
export const text = (): Option<string | undefined>['parse'] => (raw) => ({ ok: true, value: blank(raw) ? undefined : raw });

/** A comma list; unset or empty → []. */
export const list =
  (check?: (item: string) => boolean, what = 'valid entries'): Option<string[]>['parse'] =>
  (raw, env) => {
    const items = (raw ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = check ? items.filter((i) => !check(i)) : [];
    if (bad.length) return { ok: false, reason: `${env} must list ${what}: ${bad.map((b) => JSON.stringify(b)).join(', ')}` };
    return { ok: true, value: items };
  };

/** An integer in [min, max]; unset → undefined. */
export const integer =
  (min: number, max: number, unit = ''): Option<number | undefined>['parse'] =>
  (raw, env) => {
    if (blank(raw)) return { ok: true, value: undefined };
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      return { ok: false, reason: `${env} must be an integer${unit ? ` number of ${unit}` : ''}, ${min}..${max}` };
    return { ok: true, value: n };
  };

/** One of a few words (case-insensitive); unset → undefined. */
export const oneOf =
  <W extends string>(...words: W[]): Option<W | undefined>['parse'] =>
  (raw, env) => {
    if (blank(raw)) return { ok: true, value: undefined };
    const v = raw!.trim().toLowerCase() as W;
    return words.includes(v)
      ? { ok: true, value: v }
      : { ok: false, reason: `${env}=${JSON.stringify(raw)} is not ${words.map((w) => `"${w}"`).join(' or ')}` };
  };

/**
 * Read one option. Throws `PermanentError` with the parser's reason: a configuration error stops the edge at
 * composition, before any event is handled.
 */
export function read<T>(option: Option<T>, env: Env): T {
  const r = option.parse(env[option.env], option.env);
  if (!r.ok) throw new PermanentError(r.reason);
  return r.value;
}

/** Read a whole table into typed values. Throws `PermanentError` on the first bad value. */
export function readAll<T extends OptionTable>(table: T, env: Env): { [K in keyof T]: ValueOf<T[K]> } {
  const out = {} as { [K in keyof T]: ValueOf<T[K]> };
  for (const key of Object.keys(table) as (keyof T)[]) out[key] = read(table[key]!, env) as ValueOf<T[typeof key]>;
  return out;
}

const EDGES: readonly Reader[] = ['Lambda', 'Cloud Function', 'CLI'];

/**
 * The policy knobs (`TUNNEL_GUARD_<KNOB>`), one option each, derived from the policy schema so a new knob cannot be
 * missed. Their values are validated with the rest of the configuration (`configFromEnv`): the parser here only
 * passes the text on. Both deploys forward every one of them (a test checks serverless.yml and deploy:gcp).
 */
export const POLICY_OPTIONS: Readonly<Record<string, Option<string | undefined>>> = Object.fromEntries(
  POLICY_ENV_VARS.map((k) => [
    k.key,
    {
      env: k.env,
      parse: text(),
      default: Array.isArray(k.default) ? k.default.join(',') : String(k.default),
      doc: `policy knob \`${k.key}\` (wins over the configuration file)`,
      readers: EDGES,
      delivery: 'forwarded' as const,
    },
  ]),
);

/** What both edges read the same way: where the configuration comes from, the simulator, the link key. */
export const COMMON_OPTIONS = {
  config: {
    env: 'TUNNEL_GUARD_CONFIG',
    parse: text(),
    default: '',
    doc: 'path of the configuration file (relative paths resolve against the directory the command started in). A deploy reads the file and sends its content as TUNNEL_GUARD_CONFIG_JSON: a function cannot read the deployer’s file',
    readers: [...EDGES, 'serverless deploy', 'deploy:gcp'],
    delivery: 'set-by-deploy',
  },
  configJson: {
    env: 'TUNNEL_GUARD_CONFIG_JSON',
    parse: text(),
    default: '',
    doc: 'the configuration inline (wins over TUNNEL_GUARD_CONFIG)',
    readers: [...EDGES, 'serverless deploy', 'deploy:gcp'],
    delivery: 'forwarded',
  },
  simulator: {
    env: 'TUNNEL_GUARD_SIMULATOR',
    parse: text(),
    default: '',
    doc: 'act on this simulator file instead of the clouds',
    readers: EDGES,
    delivery: 'local',
  },
  // The simulator's own knobs: parsed by simulator/options-from-env.ts (declared here for the docs and the checks).
  simulatorLatencyMs: {
    env: 'TUNNEL_GUARD_SIMULATOR_LATENCY_MS',
    parse: text(),
    default: '',
    doc: 'simulator option `latencyMs`: added to every simulated API call',
    readers: EDGES,
    delivery: 'local',
  },
  simulatorOperationMs: {
    env: 'TUNNEL_GUARD_SIMULATOR_OPERATION_MS',
    parse: text(),
    default: '',
    doc: 'simulator option `operationMs`: added to every mutating call',
    readers: EDGES,
    delivery: 'local',
  },
  simulatorFailRate: {
    env: 'TUNNEL_GUARD_SIMULATOR_FAIL_RATE',
    parse: text(),
    default: '',
    doc: 'simulator option `faults.failRate`: fraction of mutating calls that fail before changing anything',
    readers: EDGES,
    delivery: 'local',
  },
  simulatorFailKind: {
    env: 'TUNNEL_GUARD_SIMULATOR_FAIL_KIND',
    parse: text(),
    default: 'transient',
    doc: 'simulator option `faults.failKind`: `transient` (a `TransientError` "503") or `permanent`',
    readers: EDGES,
    delivery: 'local',
  },
  simulatorSeed: {
    env: 'TUNNEL_GUARD_SIMULATOR_SEED',
    parse: text(),
    default: '',
    doc: 'simulator option `faults.seed`: same seed, same failures',
    readers: EDGES,
    delivery: 'local',
  },
  linkSecret: {
    env: 'TUNNEL_GUARD_LINK_SECRET',
    parse: text(),
    default: '',
    doc: 'HMAC key of link messages, both ways (from the secret store when deployed)',
    readers: EDGES,
    delivery: 'secret',
    secret: true,
  },
  awsEndpoint: {
    env: 'TUNNEL_GUARD_AWS_ENDPOINT',
    parse: text(),
    default: '',
    doc: 'AWS endpoint override (EC2, SNS, DynamoDB, CloudWatch, Secrets Manager, STS): moto and local fakes',
    readers: [...EDGES, 'tests'],
    delivery: 'local',
  },
} satisfies OptionTable;
