/**
 * What the project ships, read from the files that deploy it, so that the game day evaluates exactly that:
 * the GCP alert policies (`deploy/gcp/alert-policy-*.json`), the CloudWatch alarms (`functions/deploy/tunnel-alarms.js`,
 * the generator `serverless.yml` includes) and the reconcile schedules (`serverless.yml`'s `rate(…)`, the Cloud
 * Scheduler job in `deploy/gcp/monitoring.js`).
 */
import { parseProbeAlarmName } from '../clouds/probes';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { alarmsFromResources, type AlarmDefinition } from './model/aws-alarms';
import { loadShippedPolicies, type AlertPolicy } from './model/gcp-alerts';

/** A link's probe as the deploy tooling declares it. */
export interface ProbeDeclaration {
  vpnId: string;
  tunnelIp: string;
  target: string;
  subnetArn: string;
}

/** The dimensions the game day writes a probe's PacketLoss with (CloudFormation resolves them in a real stack). */
export const GAMEDAY_MONITOR = 'tunnel-guard-gameday-probes';
export const probeDimension = (p: Pick<ProbeDeclaration, 'vpnId' | 'tunnelIp'>): string =>
  `probe-${`${p.vpnId}${p.tunnelIp}`.replace(/[^A-Za-z0-9]/g, '')}`;

/** The tunnel a probe alarm of the deploy tooling names: the alarm name is all that carries it, here as for the Lambda. */
export const probeAlarmTunnel = parseProbeAlarmName;

export interface Deployed {
  policies: AlertPolicy[];
  /** The probe alarms (trip and clear) the AWS deploy tooling creates for these probes. */
  probeAlarmsFor(probes: readonly ProbeDeclaration[]): AlarmDefinition[];
  /** Alarms for the given AWS tunnels (`vpn-id:outside-ip`), as `serverless deploy` would create them. */
  alarmsFor(tunnels: readonly string[]): AlarmDefinition[];
  awsReconcileSeconds: number;
  gcpReconcileSeconds: number;
}

/** `rate(5 minutes)` / `rate(1 minute)` → seconds. */
export function rateSeconds(expr: string): number | undefined {
  const m = /rate\((\d+)\s+(minute|minutes|hour|hours)\)/.exec(expr);
  if (!m) return undefined;
  return Number(m[1]) * (m[2]!.startsWith('hour') ? 3600 : 60);
}

/** A cron schedule of the form `* * * * *` or `*\/N * * * *` → seconds between runs. */
export function cronSeconds(expr: string): number | undefined {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5 || fields.slice(1).some((f) => f !== '*')) return undefined;
  if (fields[0] === '*') return 60;
  const m = /^\*\/(\d+)$/.exec(fields[0]!);
  return m ? Number(m[1]) * 60 : undefined;
}

function awsReconcileRate(root: string): number {
  const yml = readFileSync(join(root, 'serverless.yml'), 'utf8');
  // The `reconcile` function's block runs until the next function at the same indentation.
  const block = /\n {2}reconcile:\n([\s\S]*?)(\n {2}[A-Za-z]|\n[A-Za-z])/.exec(yml)?.[1] ?? '';
  const rate = /schedule:\s*(rate\([^)]*\))/.exec(block)?.[1];
  const s = rate && rateSeconds(rate);
  if (!s) throw new Error('serverless.yml: the reconcile function has no schedule rate(…) the game day can read');
  return s;
}

function gcpReconcileRate(root: string): number {
  const req = createRequire(join(root, 'package.json'));
  // The Cloud Scheduler job the GCP deploy tooling creates.
  const { schedulerFlags } = req('./deploy/gcp/monitoring.js') as { schedulerFlags: (o: Record<string, string>) => string[] };
  const arg = schedulerFlags({ project: 'p', region: 'r', reconcileUrl: 'https://example.invalid', token: 't' }).find((a) =>
    a.startsWith('--schedule='),
  );
  const s = arg && cronSeconds(arg.slice('--schedule='.length));
  if (!s) throw new Error('deploy/gcp/monitoring.js: the Cloud Scheduler job has no schedule the game day can read');
  return s;
}

export function loadDeployed(root: string): Deployed {
  const req = createRequire(join(root, 'package.json'));
  const generator = req('./functions/deploy/tunnel-alarms.js') as {
    tunnelAlarms: (list: string) => { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  };
  const probeGen = req('./functions/deploy/probes.js') as {
    probeResources: (
      list: unknown,
      o: Record<string, unknown>,
    ) => { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  };
  const yml = readFileSync(join(root, 'serverless.yml'), 'utf8');
  // The thresholds' deploy-time defaults, as serverless.yml declares them.
  const percent = (key: string, fallback: number) =>
    Number(new RegExp(`${key}:\\s*\\$\\{env:[A-Z_]+,\\s*'([\\d.]+)'\\}`).exec(yml)?.[1] ?? fallback);
  return {
    policies: loadShippedPolicies(join(root, 'deploy', 'gcp')),
    probeAlarmsFor: (probes) => {
      const { Resources } = probeGen.probeResources([...probes], {
        monitorName: GAMEDAY_MONITOR,
        tripPercent: percent('probeTripPercent', 2),
        clearPercent: percent('probeClearPercent', 0.5),
      });
      // CloudFormation resolves the monitor's name and the probe's id; the game day names them itself.
      for (const r of Object.values(Resources)) {
        if (r.Type !== 'AWS::CloudWatch::Alarm') continue;
        const dims = r.Properties.Dimensions as { Name: string; Value: unknown }[];
        const probe = probeAlarmTunnel(String(r.Properties.AlarmName));
        if (!probe) throw new Error(`probe alarm ${String(r.Properties.AlarmName)} does not name its tunnel`);
        r.Properties.Dimensions = dims.map((d) => ({
          Name: d.Name,
          Value: d.Name === 'Monitor' ? GAMEDAY_MONITOR : probeDimension(probe),
        }));
      }
      return alarmsFromResources(Resources);
    },
    alarmsFor: (tunnels) => alarmsFromResources(generator.tunnelAlarms(tunnels.join(',')).Resources),
    awsReconcileSeconds: awsReconcileRate(root),
    gcpReconcileSeconds: gcpReconcileRate(root),
  };
}
