/**
 * The game-day scenario format (a contract: documented in the README, validated here, a bad file is exit 2).
 * A scenario is a topology (the built-in one, or a simulator file), offered traffic, and what happens to the
 * tunnels over time. `tunnel` takes the CLI's short forms; it names a link, so a loss applies to the one IPsec
 * tunnel that both clouds see.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';

const minute = z
  .number()
  .min(0)
  .max(24 * 60);

const lossEvent = z.strictObject({
  at: minute,
  until: minute,
  tunnel: z.string().min(1).max(300),
  /** Fraction of the packets lost in the tunnel while the event lasts. */
  loss: z.number().min(0).max(1),
  direction: z.enum(['gcpToAws', 'awsToGcp', 'both']).default('both'),
  /**
   * Why packets drop: `path` (in transit; a route change onto a clean tunnel helps) or `mtu` (packets too large
   * for the tunnel: the gateways count them as `exceeds_mtu` / `dont_fragment_*`, and no route change helps when
   * every tunnel has the same MTU).
   */
  reason: z.enum(['path', 'mtu']).default('path'),
});

const downEvent = z.strictObject({
  at: minute,
  until: minute,
  tunnel: z.string().min(1).max(300),
  /** The tunnel goes down (IKE lost): both clouds report it down and stop using it by themselves. */
  down: z.literal(true),
});

export const scenarioEventSchema = z.union([lossEvent, downEvent]);

export const scenarioSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be a short kebab-case name'),
    description: z.string().max(500).optional(),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60),
    traffic: z.strictObject({ gcpToAwsPps: z.number().min(0).max(1e7), awsToGcpPps: z.number().min(0).max(1e7) }),
    /**
     * A probe pinned through each link: `true` (the assumed default number of packets per period), `false`, or how
     * many packets a probe sends per aggregation period (its loss is sampled from them).
     */
    probes: z.union([z.boolean(), z.strictObject({ packetsPerPeriod: z.number().int().min(1).max(100_000) })]).default(false),
    /** Seed of every random choice in the run (probe sampling, missing data, ECMP hashing, cloud failures). */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(1),
    /** GCP spreads equal routes by flow: with `flows`, a seeded hash places that many flows (uneven shares). */
    flows: z.number().int().min(1).max(100_000).optional(),
    /**
     * Capacity per tunnel in packets per second, sent plus received (`default` for every tunnel, or a tunnel's
     * name); without it, the documented limits of each cloud, the smaller end of a link binding.
     */
    capacity: z.record(z.string().min(1).max(300), z.strictObject({ pps: z.number().min(1).max(1e8) })).optional(),
    /** The clouds' API behaviour: a seeded fraction of mutating calls failing transiently, and how long a route change takes to carry traffic. */
    clouds: z
      .strictObject({
        failRate: z.number().min(0).max(0.5).optional(),
        gcpRouteSeconds: z.number().min(0).max(600).optional(),
        awsRouteSeconds: z.number().min(0).max(600).optional(),
      })
      .optional(),
    /** How often AWS publishes `AWS/VPN` data points: AWS does not document it, so it is a parameter. */
    awsMetricPeriodSeconds: z.number().int().min(60).max(3600).multipleOf(60).default(300),
    /** A simulator file (relative to the scenario file); default: the built-in topology. */
    simulator: z.string().min(1).optional(),
    events: z.array(scenarioEventSchema).max(1000),
  })
  .superRefine((s, ctx) => {
    s.events.forEach((e, i) => {
      if (!(e.until > e.at)) ctx.addIssue({ code: 'custom', path: ['events', i, 'until'], message: 'must be after at' });
      if (e.until > s.minutes)
        ctx.addIssue({ code: 'custom', path: ['events', i, 'until'], message: `must be within the scenario's ${s.minutes} minutes` });
    });
  });

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioEvent = z.infer<typeof scenarioEventSchema>;
export type LossEvent = z.infer<typeof lossEvent>;

export class ScenarioError extends Error {}

/** Validate a parsed scenario; the error names the first bad field. */
export function parseScenario(raw: unknown, where = 'scenario'): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? issue.path.join('.') : '(root)';
  throw new ScenarioError(`${where} is invalid at ${path}: ${issue?.message ?? 'invalid'}`);
}

/** Read and validate a scenario file; `simulator` is resolved against the file's folder. */
export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ScenarioError(`cannot read scenario ${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`scenario ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const s = parseScenario(raw, `scenario ${file}`);
  return s.simulator ? { ...s, simulator: resolve(dirname(file), s.simulator) } : s;
}

export const isLoss = (e: ScenarioEvent): e is LossEvent => 'loss' in e;

/** Packets a probe sends per aggregation period when the scenario does not say (see model/probes.ts). */
export const DEFAULT_PROBE_PACKETS = 30;

/** How many packets each probe sends per period, or 0 without probes. */
export const probePackets = (s: Scenario): number =>
  s.probes === false ? 0 : s.probes === true ? DEFAULT_PROBE_PACKETS : s.probes.packetsPerPeriod;
