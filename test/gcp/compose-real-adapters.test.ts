/**
 * The whole GCP edge as deployed (composeGcp with the real Compute and Storage clients), against the Compute REST
 * fake and the GCS fake: an open incident drains the tunnel's static route with the ledger written first, the
 * real recovery re-inserts exactly the same route.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeGcp } from '../../gcp-functions/compose';
import { processNotification } from '../../gcp-functions/handlers';
import { invokeGcpLocal } from '../../gcp-functions/local';
import { memoryLogger } from '../../shared/log';
import { ComputeRestFake } from '../fakes/compute-rest-fake';
import { GcsFake } from '../fakes/gcs-fake';
import { testAuthClient } from './support/auth';
import { NETWORK, PROJECT, REGION, tunnelUrl } from './support/compute';

const fixture = (name: string): any => JSON.parse(readFileSync(join(__dirname, '../fixtures/gcp', name), 'utf8'));
let compute: ComputeRestFake;
let gcs: GcsFake;
let env: Record<string, string>;

beforeEach(async () => {
  compute = new ComputeRestFake();
  gcs = new GcsFake();
  await Promise.all([compute.start(), gcs.start()]);
  for (const n of [1, 2]) {
    compute.addTunnel(PROJECT, REGION, {
      name: `tunnel-aws-${n}`,
      status: 'ESTABLISHED',
      peerIp: `203.0.113.${n}1`,
      targetVpnGateway: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/regions/${REGION}/targetVpnGateways/gw-aws-${n}`,
    });
    compute.addRoute(PROJECT, {
      name: `route-to-aws-via-tunnel-aws-${n}`,
      network: NETWORK,
      destRange: '10.0.0.0/16',
      priority: 1000,
      description: `AWS VPC via tunnel ${n}`,
      nextHopVpnTunnel: tunnelUrl(`tunnel-aws-${n}`),
    });
  }
  env = {
    TUNNEL_GUARD_GCP_PROJECT: PROJECT,
    TUNNEL_GUARD_GCP_REGIONS: REGION,
    TUNNEL_GUARD_LEDGER_BUCKET: 'tg-ledger',
    TUNNEL_GUARD_COMPUTE_ENDPOINT: `http://127.0.0.1:${compute.port}`,
    TUNNEL_GUARD_GCS_ENDPOINT: gcs.endpoint,
    TUNNEL_GUARD_RESTORE_HOLD_DOWN_SECONDS: '0',
    TUNNEL_GUARD_RETRY_BASE_MS: '0',
    TUNNEL_GUARD_WEBHOOK_AUTH: 'none',
  };
});
afterEach(async () => {
  await Promise.all([compute.stop(), gcs.stop()]);
});

it('drains and restores a Classic VPN static route through the real clients', async () => {
  const edge = composeGcp(env, { authClient: testAuthClient(), logger: memoryLogger() });
  expect(edge.target).toBe(`gcp:${PROJECT}`);
  const original = structuredClone(compute.route(PROJECT, 'route-to-aws-via-tunnel-aws-1')!);

  const open = await processNotification(edge, fixture('incident-open-dropped-packets.json'));
  expect(open.status).toBe(200);
  expect(open.body.report).toMatchObject({ decision: 'drain', stateAfter: 'drained' });
  expect(compute.route(PROJECT, 'route-to-aws-via-tunnel-aws-1')).toBeUndefined();
  expect(compute.route(PROJECT, 'route-to-aws-via-tunnel-aws-2')).toBeDefined();
  // Write-ahead: the ledger object holds the full definition of the withdrawn route.
  const ledgerObj = [...gcs.objects.entries()].find(([k]) => k.includes('tunnel-aws-1'))!;
  expect(JSON.parse(ledgerObj[1].data.toString()).withdrawn[0].definition).toMatchObject({
    name: 'route-to-aws-via-tunnel-aws-1',
    destRange: '10.0.0.0/16',
  });

  const closed = await processNotification(edge, fixture('incident-closed-recovered.json'));
  expect(closed.body.report).toMatchObject({ decision: 'restore', stateAfter: 'active' });
  const restored = compute.route(PROJECT, 'route-to-aws-via-tunnel-aws-1')!;
  for (const k of ['name', 'network', 'destRange', 'priority', 'description', 'nextHopVpnTunnel']) expect(restored[k]).toEqual(original[k]);
});

it('invokeGcpLocal runs the same logic without HTTP or credentials, and reports bad configuration', async () => {
  const ok = await invokeGcpLocal(
    fixture('notification-test.json'),
    { ...env, TUNNEL_GUARD_WEBHOOK_AUTH: '' },
    { authClient: testAuthClient(), logger: memoryLogger() },
  );
  expect(ok).toMatchObject({ status: 200, body: { status: 'ignored' } });
  const bad = await invokeGcpLocal(fixture('notification-test.json'), { TUNNEL_GUARD_GCP_PROJECT: PROJECT });
  expect(bad).toMatchObject({ status: 500, body: { status: 'error', reason: expect.stringMatching(/TUNNEL_GUARD_GCP_REGIONS/) } });
});
