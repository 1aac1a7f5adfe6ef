/**
 * The dashboards' pictures, rendered from their definitions in a real browser (Debian's Chromium, driven by
 * playwright-core): every widget laid out, titled, with the series it plots, none overlapping. With
 * TUNNEL_GUARD_WRITE_PICTURES=1 the screenshots replace docs/images/dashboard-{aws,gcp}.png; otherwise they go to a
 * temporary folder (a test run changes no tracked file).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { renderDashboardHtml } = require('../../deploy/dashboard-picture.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { dashboardBody, parseTunnels } = require('../../functions/deploy/dashboard.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { dashboardDefinition } = require('../../deploy/gcp/dashboard.js');

const ROOT = join(__dirname, '..', '..');
const WRITE = process.env.TUNNEL_GUARD_WRITE_PICTURES === '1';
const TUNNELS = 'vpn-0a1b2c3d4e5f60001:203.0.113.11,vpn-0a1b2c3d4e5f60001:203.0.113.12';

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-dashboards-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cases = [
  {
    cloud: 'aws',
    title: 'CloudWatch dashboard tunnel-guard-prod (serverless.yml, two configured tunnels)',
    html: () =>
      renderDashboardHtml(
        'cloudwatch',
        JSON.parse(JSON.stringify(dashboardBody(parseTunnels(TUNNELS))).replaceAll('${AWS::Region}', 'ap-northeast-1')),
        { title: 'CloudWatch dashboard tunnel-guard-prod (serverless.yml, two configured tunnels)' },
      ),
    widgets: () => dashboardBody(parseTunnels(TUNNELS)).widgets,
    names: [
      'TunnelsOutOfService',
      'Drains',
      'Refusals',
      'TunnelOutOfService',
      'TunnelLossPercent',
      'TunnelProbeLossPercent',
      'TunnelLoadPps',
      'AWS/VPN TunnelState',
      'PacketLoss (AWS/NetworkMonitor',
    ],
  },
  {
    cloud: 'gcp',
    title: 'Cloud Monitoring dashboard tunnel-guard (npm run monitoring:gcp)',
    html: () =>
      renderDashboardHtml('cloud-monitoring', dashboardDefinition(), {
        title: 'Cloud Monitoring dashboard tunnel-guard (npm run monitoring:gcp)',
      }),
    widgets: () => dashboardDefinition().mosaicLayout.tiles,
    names: [
      'user/tunnel_guard_tunnels_out_of_service',
      'user/tunnel_guard_drains',
      'user/tunnel_guard_refusals',
      'user/tunnel_guard_tunnel_out_of_service',
      'user/tunnel_guard_tunnel_loss_percent',
      'user/tunnel_guard_tunnel_probe_loss_percent',
      'user/tunnel_guard_tunnel_load_pps',
      'vpn.googleapis.com/tunnel_established',
      'vpn.googleapis.com/network/dropped_received_packets_count',
    ],
  },
];

it.each(cases)('draws the $cloud dashboard: every widget titled, with its series, none overlapping', async (c) => {
  const file = join(dir, `dashboard-${c.cloud}.html`);
  writeFileSync(file, c.html());
  const page = await browser.newPage({ viewport: { width: 1460, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);

  const drawn = await page.$$eval('section.widget', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return {
        x: r.x,
        y: r.y,
        w: r.width,
        h: r.height,
        title: e.querySelector('h2,h1')?.textContent ?? '',
        series: [...e.querySelectorAll('li.series')].map((li) => li.textContent ?? ''),
      };
    }),
  );
  const defined = c.widgets();
  expect(drawn).toHaveLength(defined.length);
  for (const w of drawn) {
    expect(w.title.length).toBeGreaterThan(0);
    expect(w.w).toBeGreaterThan(100);
    expect(w.h).toBeGreaterThan(60);
  }
  for (let i = 0; i < drawn.length; i++)
    for (let j = i + 1; j < drawn.length; j++) {
      const [a, b] = [drawn[i]!, drawn[j]!];
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      expect(overlap).toBe(false);
    }
  const legend = drawn.flatMap((w) => w.series).join('\n');
  for (const n of c.names) expect(legend).toContain(n);
  // Every chart shows each series it plots.
  expect(drawn.filter((w) => w.series.length > 0).length).toBe(drawn.length - 1); // all but the heading
  const out = WRITE ? join(ROOT, 'docs', 'images', `dashboard-${c.cloud}.png`) : join(dir, `dashboard-${c.cloud}.png`);
  await page.screenshot({ path: out, fullPage: true });
  expect(errors).toEqual([]);
  await page.close();
});
