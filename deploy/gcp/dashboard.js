/**
 * The GCP half's dashboard, step 6 of `npm run monitoring:gcp`: the log-based metrics that turn the functions' metric
 * log lines (gcp-functions/metrics.ts) into Cloud Monitoring metrics, one file each under deploy/gcp/log-metrics/,
 * and the Cloud Monitoring dashboard deploy/gcp/dashboard.json that shows them beside Cloud VPN's own metrics.
 * Created, or brought up to date, so that running it again changes nothing. GA gcloud only:
 * `gcloud logging metrics create|update NAME --config-from-file`, `gcloud monitoring dashboards create|update
 * --config-from-file`. Paths are relative to the project root, where npm runs its scripts.
 * https://cloud.google.com/logging/docs/logs-based-metrics/distribution-metrics ,
 * https://cloud.google.com/monitoring/api/ref_v3/rest/v1/projects.dashboards
 */
const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const DIR = __dirname;
const METRICS_DIR = 'deploy/gcp/log-metrics';
const DASHBOARD_FILE = 'deploy/gcp/dashboard.json';

/** The log-based metric definitions: [{ name, file, definition }], sorted by name. */
function logMetrics() {
  return readdirSync(join(DIR, 'log-metrics'))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: f.replace(/\.json$/, ''),
      file: `${METRICS_DIR}/${f}`,
      definition: JSON.parse(readFileSync(join(DIR, 'log-metrics', f), 'utf8')),
    }));
}

/** The dashboard definition (a Cloud Monitoring `Dashboard` resource). */
function dashboardDefinition() {
  return JSON.parse(readFileSync(join(DIR, 'dashboard.json'), 'utf8'));
}

/**
 * Create or update every log-based metric, then the dashboard (found by its display name). `gcloud(args, { ok })`
 * runs gcloud and returns { status, stdout }; `ok` lets a non-zero status through (a describe of something absent).
 */
function applyDashboard(project, gcloud) {
  const p = [`--project=${project}`];
  for (const m of logMetrics()) {
    const exists = gcloud(['logging', 'metrics', 'describe', m.name, ...p, '--format=value(name)'], { ok: true }).status === 0;
    gcloud(['logging', 'metrics', exists ? 'update' : 'create', m.name, ...p, `--config-from-file=${m.file}`]);
  }
  const { displayName } = dashboardDefinition();
  const found = gcloud(['monitoring', 'dashboards', 'list', ...p, `--filter=displayName="${displayName}"`, '--format=value(name)'], {
    ok: true,
  });
  const name = found.status === 0 ? (found.stdout || '').trim().split('\n')[0] : '';
  if (name) gcloud(['monitoring', 'dashboards', 'update', name, ...p, `--config-from-file=${DASHBOARD_FILE}`]);
  else gcloud(['monitoring', 'dashboards', 'create', ...p, `--config-from-file=${DASHBOARD_FILE}`]);
}

module.exports = { applyDashboard, logMetrics, dashboardDefinition, DASHBOARD_FILE, METRICS_DIR };
