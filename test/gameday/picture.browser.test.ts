/**
 * The game day's picture, rendered in a real browser (Debian's Chromium, driven by playwright-core; `.ci/run`
 * installs it): one panel per scenario and strategy, each with its tracks drawn.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { loadDeployed } from '../../gameday/deployed';
import { renderHtml } from '../../gameday/picture/page';
import { runScenario } from '../../gameday/run';
import { loadScenarioFile } from '../../gameday/scenario';

const ROOT = join(__dirname, '..', '..');

let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-gameday-html-'));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('draws a timeline per scenario and strategy, with loss, traffic, signals, decisions and lost packets', async () => {
  const deployed = loadDeployed(ROOT);
  const outputs = [];
  for (const name of ['seed-incident', 'blip']) {
    const scenario = loadScenarioFile(join(ROOT, 'gameday', 'scenarios', `${name}.json`));
    outputs.push({ scenario, out: await runScenario(scenario, deployed) });
  }
  const file = join(dir, 'gameday.html');
  writeFileSync(file, renderHtml(outputs));

  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);

  const panels = await page.$$eval('section.panel', (els) =>
    els.map((e) => {
      const svg = e.querySelector('svg')!.getBoundingClientRect();
      return {
        scenario: e.getAttribute('data-scenario'),
        strategy: e.getAttribute('data-strategy'),
        width: svg.width,
        height: svg.height,
        loss: e.querySelectorAll('rect.loss').length,
        traffic: e.querySelectorAll('polyline.traffic').length,
        signals: e.querySelectorAll('.signal').length,
        drains: e.querySelectorAll('circle.decision.drain').length,
        lost: e.querySelectorAll('polyline.lost').length,
      };
    }),
  );
  expect(panels.map((p) => `${p.scenario}/${p.strategy}`)).toEqual([
    'seed-incident/none',
    'seed-incident/naive',
    'seed-incident/tunnel-guard',
    'seed-incident/oracle',
    'blip/none',
    'blip/naive',
    'blip/tunnel-guard',
    'blip/oracle',
  ]);
  for (const p of panels) {
    expect(p.width).toBeGreaterThan(500);
    expect(p.height).toBeGreaterThan(150);
    expect(p.traffic).toBe(4); // two links × two directions
    expect(p.lost).toBe(1);
    expect(p.loss).toBeGreaterThan(0);
  }
  const seedGuard = panels.find((p) => p.scenario === 'seed-incident' && p.strategy === 'tunnel-guard')!;
  expect(seedGuard.signals).toBeGreaterThan(0);
  expect(seedGuard.drains).toBe(outputs[0]!.out.result.strategies['tunnel-guard'].drains);
  expect(panels.find((p) => p.scenario === 'blip' && p.strategy === 'tunnel-guard')!.drains).toBe(0);
  // The result table of each scenario is on the page too.
  expect(await page.$$eval('table.results tr[data-strategy]', (rows) => rows.length)).toBe(8);
  await page.screenshot({ path: process.env.GAMEDAY_SCREENSHOT ?? join(dir, 'gameday.png'), fullPage: true });
  expect(errors).toEqual([]);
});
