/**
 * The GCP edge's metrics: structured log lines written by the real HTTP handlers (through the Functions Framework) on
 * the simulator, each one a single subject that the log-based metrics of deploy/gcp/log-metrics.json can count or
 * extract.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import request from 'supertest';
import { composeGcp, type GcpEdge } from '../../gcp-functions/compose';
import { makeIncidentHandler, makeReconcileHandler } from '../../gcp-functions/handlers';
import { KIND_FIELD, metricLogEntry, tunnelName } from '../../gcp-functions/metrics';
import { memoryLogger } from '../../shared/log';
import { METRIC_NAMES as N } from '../../shared/metrics';
import { gcpTunnelId } from '../../shared/types';

const TOKEN = 'tg-test-token-0123456789abcdef';
const T1 = gcpTunnelId({ project: 'example-project', region: 'asia-northeast1', name: 'tunnel-aws-1' });
const fixture = (name: string): string => readFileSync(join(__dirname, '../fixtures/gcp', name), 'utf8');

let dir: string;
let edge: GcpEdge | undefined;
let logger = memoryLogger();
const env = () => ({
  TUNNEL_GUARD_SIMULATOR: join(dir, 'sim.json'),
  TUNNEL_GUARD_WEBHOOK_USERNAME: 'monitoring',
  TUNNEL_GUARD_WEBHOOK_PASSWORD: TOKEN,
  TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '600',
  TUNNEL_GUARD_CONFIG_JSON: JSON.stringify({ policyTunnels: { 'tunnel-aws-1 dropped packets': T1 } }),
});
const getEdge = () => (edge ??= composeGcp(env(), { logger }));
http('tunnelIncident', makeIncidentHandler(getEdge));
http('reconcile', makeReconcileHandler(getEdge));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tg-gcp-metrics-'));
  edge = undefined;
  logger = memoryLogger();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const post = (fn: string, body = '{}') =>
  request(getTestServer(fn)).post('/').auth('monitoring', TOKEN).set('content-type', 'application/json').send(body);
const metricLines = () => logger.entries.filter((e) => e[KIND_FIELD]);

it('logs a drain, then every tunnel as the function sees it, one subject per line, before the request line', async () => {
  expect((await post('tunnelIncident', fixture('incident-open-dropped-packets.json'))).status).toBe(200);
  expect(metricLines()).toEqual([
    expect.objectContaining({ [KIND_FIELD]: 'decision', cloud: 'gcp', tunnel: T1, tunnelName: 'tunnel-aws-1', [N.drains]: 1 }),
  ]);
  expect(logger.entries.at(-1)).toMatchObject({ handler: 'tunnelIncident' });

  logger.entries.splice(0);
  expect((await post('reconcile')).status).toBe(200);
  const lines = metricLines();
  const t1 = lines.find((l) => l.tunnel === T1);
  expect(t1).toMatchObject({ [KIND_FIELD]: 'tunnel', tunnelName: 'tunnel-aws-1', [N.outOfService]: 1 });
  expect(lines.find((l) => l[KIND_FIELD] === 'cloud')).toMatchObject({ cloud: 'gcp', [N.tunnelsOutOfService]: 1 });
  for (const l of lines) expect(l.severity).toBe('INFO');
  expect(logger.entries.at(-1)).toMatchObject({ handler: 'reconcile' });
});

it("names a tunnel as Cloud VPN's own metrics label it, so both can share a chart", () => {
  expect(tunnelName('gcp:example-project:asia-northeast1:tunnel-aws-1')).toBe('tunnel-aws-1');
  expect(tunnelName('aws:r:vpn-1:1.2.3.4')).toBe('aws:r:vpn-1:1.2.3.4');
  expect(
    metricLogEntry({
      kind: 'refusal',
      dimensions: { Cloud: 'gcp', Guard: 'black-hole' },
      values: { Refusals: { value: 1, unit: 'Count' } },
    }),
  ).toEqual({ severity: 'INFO', message: 'metrics: refusal', [KIND_FIELD]: 'refusal', cloud: 'gcp', guard: 'black-hole', Refusals: 1 });
});
