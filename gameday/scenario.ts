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
    probes: z.boolean().default(false),
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
