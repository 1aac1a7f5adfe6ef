/**
 * One option table per edge: docs/configuration.md and serverless.yml are checked against the tables, so a variable
 * cannot be read without being documented, or documented and set on the deployer's machine without reaching the
 * function.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMON_OPTIONS, type Option, POLICY_OPTIONS, readAll } from '../../config/options';
import { AWS_OPTIONS } from '../../functions/options';
import { GCP_OPTIONS } from '../../gcp-functions/options';
import { POLICY_ENV_VARS } from '../../shared/policy';

const ROOT = join(__dirname, '../..');
const TABLES = { common: COMMON_OPTIONS, aws: AWS_OPTIONS, gcp: GCP_OPTIONS } as Record<string, Record<string, Option<unknown>>>;
const ALL: Option<unknown>[] = Object.values(TABLES).flatMap((t) => Object.values(t));
const KNOBS = Object.values(POLICY_OPTIONS);
const docs = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
const serverlessYml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');

/** The rows of the table under "## Environment variables": [variables, used by, meaning]. */
function envRows(): { vars: string[]; usedBy: string; meaning: string }[] {
  const section = docs.slice(docs.indexOf('## Environment variables'));
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => l.split(' | '))
    .map(([first, usedBy, meaning]) => ({
      vars: [...(first ?? '').matchAll(/`([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]!),
      usedBy: usedBy ?? '',
      meaning: meaning ?? '',
    }));
}

describe('the option tables', () => {
  it('declare every variable once, across both edges and the shared table', () => {
    const names = [...ALL, ...KNOBS].map((o) => o.env);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('read through one parser each, and a bad value names the variable', () => {
    expect(() => readAll(AWS_OPTIONS, { TUNNEL_GUARD_GCP_LINK_TIMEOUT_MS: '0' })).toThrow(
      /TUNNEL_GUARD_GCP_LINK_TIMEOUT_MS must be an integer/,
    );
    expect(() => readAll(AWS_OPTIONS, { TUNNEL_GUARD_ALARM_TOPIC_ARNS: 'x' })).toThrow(
      /TUNNEL_GUARD_ALARM_TOPIC_ARNS must list SNS topic ARNs/,
    );
    expect(readAll(GCP_OPTIONS, { TUNNEL_GUARD_GCP_REGIONS: ' a , b,' }).regions).toEqual(['a', 'b']);
  });

  it('have one policy option per knob of the policy schema', () => {
    expect(KNOBS.map((o) => o.env).sort()).toEqual(POLICY_ENV_VARS.map((k) => k.env).sort());
  });
});

describe('docs/configuration.md', () => {
  const rows = envRows();
  const rowOf = (env: string) => rows.find((r) => r.vars.includes(env));

  it.each(ALL.map((o) => [o.env, o] as const))('documents %s with who reads it and its default', (env, o) => {
    const row = rowOf(env);
    expect(row).toBeDefined();
    for (const reader of o.readers) expect(row!.usedBy).toContain(reader);
    if (o.default) expect(row!.meaning).toContain(o.default);
  });

  it('documents no variable an edge does not declare (rows read by the Lambda or the Cloud Function)', () => {
    const declared = new Set(ALL.map((o) => o.env));
    const stray = rows.filter((r) => /Lambda|Cloud Function/.test(r.usedBy)).flatMap((r) => r.vars.filter((v) => !declared.has(v)));
    expect(stray).toEqual([]);
  });

  it.each(POLICY_ENV_VARS.map((k) => [k.env, k] as const))('lists the knob %s with its default', (env, k) => {
    const line = docs.split('\n').find((l) => l.startsWith(`| \`${k.key}\``));
    expect(line).toContain(`\`${env}\``);
    const def = Array.isArray(k.default) ? (k.default.length ? k.default.join(',') : '(none)') : String(k.default);
    expect(line).toContain(def);
  });
});

describe('serverless.yml', () => {
  const environment = serverlessYml.slice(serverlessYml.indexOf('  environment:'), serverlessYml.indexOf('  iam:'));

  it.each(KNOBS.map((o) => [o.env] as const))('passes the policy knob %s from the deployer to the Lambda', (env) => {
    expect(environment).toContain(`    ${env}: \${env:${env}, ''}`);
  });

  it('passes every variable the Lambda reads that the deployer forwards', () => {
    const forwarded = ALL.filter((o) => o.readers.includes('Lambda') && o.delivery === 'forwarded' && o.env !== 'TUNNEL_GUARD_CONFIG_JSON');
    for (const o of forwarded) expect(environment).toContain(`    ${o.env}: \${env:${o.env}, ''}`);
    // The configuration: inline or from the file TUNNEL_GUARD_CONFIG names, resolved at deploy time.
    expect(environment).toContain('TUNNEL_GUARD_CONFIG_JSON: ${file(./functions/deploy/environment.js):configJson}');
  });

  it('reads no deployer variable the AWS table does not declare, and every declared one is read', () => {
    const declared = new Set(ALL.filter((o) => o.readers.includes('serverless deploy')).map((o) => o.env));
    const read = new Set([...serverlessYml.matchAll(/\$\{env:([A-Z0-9_]+)/g)].map((m) => m[1]!));
    read.delete('AWS_REGION'); // the region of the deploy itself, not an option of the function
    expect([...read].filter((v) => !declared.has(v) && !KNOBS.some((k) => k.env === v))).toEqual([]);
    const indirect = new Set(['TUNNEL_GUARD_CONFIG', 'TUNNEL_GUARD_CONFIG_JSON']); // read by functions/deploy/environment.js
    expect([...declared].filter((v) => !read.has(v) && !indirect.has(v))).toEqual([]);
  });
});
