/**
 * The game day's picture, rendered in a real browser (Debian's Chromium, driven by playwright-core; `.ci/run`
 * installs it): one panel per scenario and strategy, the oracle's among them, every chart of a scenario on one
 * scale, each tunnel's ends, the signals by kind, the moments, the notices, and the legends — checked against the
 * run's own numbers, so a picture that draws the wrong thing fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadDeployed } from '../../gameday/deployed';
import { LOSS_BINS, STATE_COLORS } from '../../gameday/picture/bands';
import { renderHtml } from '../../gameday/picture/page';
import { dropsOf } from '../../gameday/picture/scale';
import { type RunOutput, runScenario } from '../../gameday/run';
import { loadScenarioFile, type Scenario } from '../../gameday/scenario';
import { STRATEGIES } from '../../gameday/strategies';
import { launchChromium } from '../support/chromium';

const ROOT = join(__dirname, '..', '..');
/** An outage (down, unreachable, CRITICAL notices, link messages, probes), throttling, a blip, and four links. */
const SCENARIOS = ['seed-incident-with-outage-probes', 'overload', 'blip', 'four-links-unequal'];

let browser: Browser;
let page: Page;
let dir: string;
const errors: string[] = [];
const outputs: { scenario: Scenario; out: RunOutput }[] = [];
const out = (name: string): RunOutput => outputs.find((o) => o.scenario.name === name)!.out;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-gameday-html-'));
  const deployed = loadDeployed(ROOT);
  for (const name of SCENARIOS) {
    const scenario = loadScenarioFile(join(ROOT, 'gameday', 'scenarios', `${name}.json`));
    outputs.push({ scenario, out: await runScenario(scenario, deployed) });
  }
  const file = join(dir, 'gameday.html');
  writeFileSync(file, renderHtml(outputs));
  browser = await launchChromium();
  page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sel = (scenario: string, strategy: string) => `section.panel[data-scenario="${scenario}"][data-strategy="${strategy}"]`;

/** What one panel draws, read from the browser (sizes as laid out). */
async function readPanel(scenario: string, strategy: string) {
  return page.$eval(sel(scenario, strategy), (e) => {
    const box = (el: ReturnType<typeof e.querySelector>) =>
      el?.getBoundingClientRect() ?? { x: 0, y: 0, width: 0, height: 0, top: 0, bottom: 0 };
    const chart = (name: string) => {
      const g = e.querySelector(`g.chart.${name}`)!;
      const frame = g.querySelector('rect.frame')!;
      return {
        max: Number(g.getAttribute('data-max')),
        scaleText: g.querySelector('.scale-max')?.textContent,
        frame: {
          x: Number(frame.getAttribute('x')),
          y: Number(frame.getAttribute('y')),
          w: Number(frame.getAttribute('width')),
          h: Number(frame.getAttribute('height')),
        },
      };
    };
    const lostPts = e.querySelector('polyline.lost')!.getAttribute('points')!.trim().split(' ');
    const links = [...e.querySelectorAll('g.link-bands')].map((g) => ({
      link: g.getAttribute('data-link'),
      states: [...g.querySelectorAll('rect.state')].map((r) => ({
        end: r.getAttribute('data-end'),
        state: r.getAttribute('class')!.replace('state ', ''),
        width: Number(r.getAttribute('width')),
        fill: r.getAttribute('fill'),
      })),
      loss: [...g.querySelectorAll('rect.loss')].map((r) => ({
        cls: r.getAttribute('class'),
        bin: r.getAttribute('data-bin'),
        fill: r.getAttribute('fill'),
      })),
    }));
    const marks = (s: string) =>
      [...e.querySelectorAll(s)].map((m) => ({ t: Number(m.getAttribute('data-t')), fill: m.getAttribute('fill') }));
    const marker = (k: string) => {
      const g = e.querySelector(`g.marker.${k}`);
      return g
        ? { t: Number(g.getAttribute('data-t')), x: Number(g.querySelector('line')!.getAttribute('x1')), height: box(g).height }
        : null;
    };
    const series = (k: string) => {
      const p = e.querySelector(`polygon.series.${k}`);
      return p ? { total: Number(p.getAttribute('data-total')), height: box(p).height } : null;
    };
    return {
      oracle: e.classList.contains('yardstick'),
      svgWidth: box(e.querySelector('svg')).width,
      traffic: chart('traffic'),
      drops: chart('drops'),
      lost: { ...chart('lost'), last: lostPts.at(-1)!.split(',').map(Number) },
      trafficLines: e.querySelectorAll('polyline.traffic').length,
      links,
      signals: Object.fromEntries(
        ['probe', 'loss-ratio', 'state', 'link', 'other'].map((k) => [
          k,
          { trip: marks(`path.signal.${k}.trip`), clear: marks(`path.signal.${k}.clear`) },
        ]),
      ),
      drains: marks('circle.decision.drain').length,
      critical: marks('path.notice.critical'),
      onset: marker('onset'),
      floor: marker('floor'),
      mitigated: marker('mitigated'),
      unreachable: series('unreachable'),
      throttled: series('throttled'),
    };
  });
}

it('draws a panel per scenario and strategy, the oracle among them, each as wide as the page allows', async () => {
  const panels = await page.$$eval('section.panel', (els) =>
    els.map((e) => `${e.getAttribute('data-scenario')}/${e.getAttribute('data-strategy')}`),
  );
  expect(panels).toEqual(SCENARIOS.flatMap((s) => STRATEGIES.map((k) => `${s}/${k}`)));
  for (const s of SCENARIOS) {
    const oracle = await readPanel(s, 'oracle');
    expect(oracle.oracle).toBe(true);
    expect(oracle.svgWidth).toBeGreaterThan(900);
    expect((await readPanel(s, 'none')).oracle).toBe(false);
  }
  expect(await page.$$eval('table.results tr[data-strategy]', (rows) => rows.length)).toBe(SCENARIOS.length * STRATEGIES.length);
});

it('puts every strategy of a scenario on one scale, and draws on it', async () => {
  for (const s of SCENARIOS) {
    const tls = STRATEGIES.map((k) => out(s).timelines[k]);
    const truth = {
      traffic: Math.max(...tls.flatMap((tl) => tl.minutes.flatMap((m) => [...m.gcpToAws, ...m.awsToGcp]))),
      drops: Math.max(...tls.flatMap((tl) => dropsOf(tl).map((d) => d.tunnels + d.throttled + d.unreachable))),
      lost: Math.max(...tls.map((tl) => tl.minutes.at(-1)!.lostTotal)),
    };
    const panels = await Promise.all(STRATEGIES.map((k) => readPanel(s, k)));
    for (const chart of ['traffic', 'drops', 'lost'] as const) {
      const first = panels[0]![chart];
      for (const p of panels) {
        expect(p[chart].max).toBe(first.max);
        expect(p[chart].scaleText).toBe(first.scaleText);
        expect(p[chart].frame).toEqual(first.frame);
      }
      // The scenario's largest value fits and fills more than a third of the chart: the scale is the scenario's.
      expect(first.max).toBeGreaterThanOrEqual(truth[chart]);
      expect(first.max).toBeLessThan(truth[chart] * 2.6);
    }
    // Each panel's running total ends at its own total on that shared scale.
    STRATEGIES.forEach((k, i) => {
      const p = panels[i]!;
      const drawn = ((p.lost.frame.y + p.lost.frame.h - p.lost.last[1]!) / p.lost.frame.h) * p.lost.max;
      expect(Math.abs(drawn - out(s).timelines[k].minutes.at(-1)!.lostTotal)).toBeLessThan(p.lost.max / 50);
    });
  }
  // The scale is shared, not merely equal: in the outage the strategies' totals differ by far more than rounding.
  const totals = STRATEGIES.map((k) => out(SCENARIOS[0]!).result.strategies[k].lostPackets.total);
  expect(Math.max(...totals) / Math.min(...totals)).toBeGreaterThan(3);
});

it('draws each direction of each link, shaded by loss, black while down, and each end of every tunnel', async () => {
  for (const s of SCENARIOS) {
    for (const k of STRATEGIES) {
      const tl = out(s).timelines[k];
      const p = await readPanel(s, k);
      expect(p.trafficLines).toBe(tl.links.length * 2);
      expect(p.links.map((l) => l.link)).toEqual(tl.links);
      for (const [i, l] of p.links.entries()) {
        for (const end of ['gcp', 'aws']) {
          const mine = l.states.filter((x) => x.end === end);
          // The band covers the whole scenario, and says what the timeline says at each minute.
          expect(mine.reduce((a, x) => a + x.width, 0)).toBeCloseTo(p.traffic.frame.w, 0);
          const states = new Set(tl.minutes.map((m) => m.ends[i]![end as 'gcp' | 'aws']));
          expect(new Set(mine.map((x) => x.state))).toEqual(states);
          for (const x of mine) expect(x.fill).toBe(STATE_COLORS[x.state as keyof typeof STATE_COLORS]);
        }
        for (const dir of ['gcpToAws', 'awsToGcp'] as const) {
          const lossy = tl.minutes.some((m) => m[dir === 'gcpToAws' ? 'lossGcpToAws' : 'lossAwsToGcp'][i]! > 0 || m.down[i]);
          expect(l.loss.some((x) => x.cls!.startsWith(`loss ${dir}`))).toBe(lossy);
        }
      }
    }
  }
  const outage = await readPanel(SCENARIOS[0]!, 'none');
  // tunnel-aws-1 loses 5 % (the 2–10 % shade), tunnel-aws-2 is down for five minutes (black, both directions).
  expect(outage.links[0]!.loss.every((x) => x.bin === '2' && x.fill === LOSS_BINS[2]!.color)).toBe(true);
  expect(outage.links[1]!.loss.filter((x) => x.bin === 'down' && x.fill === '#111').length).toBe(2);
  // Doing nothing keeps every end active; the naive script's drains show at the ends it drained.
  expect(outage.links.flatMap((l) => l.states.map((x) => x.state))).toEqual(Array(4).fill('active'));
  const naive = await readPanel(SCENARIOS[0]!, 'naive');
  expect(naive.links[0]!.states.some((x) => x.state === 'drained')).toBe(true);
});

it('marks the signals by kind, trips apart from clears, the decisions and the CRITICAL notices', async () => {
  for (const s of SCENARIOS) {
    for (const k of STRATEGIES) {
      const tl = out(s).timelines[k];
      const p = await readPanel(s, k);
      for (const kind of ['probe', 'loss-ratio', 'state', 'link', 'other'] as const) {
        expect(p.signals[kind]!.trip.map((x) => x.t)).toEqual(tl.signals.filter((x) => x.kind === kind && x.trip).map((x) => x.t));
        expect(p.signals[kind]!.clear.map((x) => x.t)).toEqual(tl.signals.filter((x) => x.kind === kind && !x.trip).map((x) => x.t));
      }
      expect(p.critical.map((x) => x.t)).toEqual(tl.critical.map((x) => x.t));
      expect(p.drains).toBe(out(s).result.strategies[k].drains);
    }
  }
  // The checks above met every kind, trips and clears, and notices (whichever strategy drew them).
  const all = await Promise.all(SCENARIOS.flatMap((s) => STRATEGIES.map((k) => readPanel(s, k))));
  for (const kind of ['probe', 'loss-ratio', 'state', 'link'] as const) {
    expect(all.some((p) => p.signals[kind]!.trip.length > 0)).toBe(true);
    expect(all.some((p) => p.signals[kind]!.clear.length > 0)).toBe(true);
  }
  expect(all.some((p) => p.critical.length > 0)).toBe(true);
  // A trip is filled with its kind's colour, a clear is hollow.
  const probes = all.find((p) => p.signals.probe!.trip.length && p.signals.probe!.clear.length)!.signals.probe!;
  expect(probes.trip[0]!.fill).not.toBe('#fff');
  expect(probes.clear[0]!.fill).toBe('#fff');
  expect((await readPanel('blip', 'tunnel-guard')).drains).toBe(0);
});

it('draws the first fault, the detection floor after it and the time to mitigate where they are', async () => {
  for (const s of SCENARIOS) {
    const r = out(s).result;
    for (const k of STRATEGIES) {
      const tl = out(s).timelines[k];
      const p = await readPanel(s, k);
      const xOf = (t: number) => p.traffic.frame.x + (t / (tl.minutes.length * 60)) * p.traffic.frame.w;
      if (tl.onset === null) {
        // No fault (overload is capacity alone): no moment to draw.
        expect([p.onset, p.floor, p.mitigated]).toEqual([null, null, null]);
        continue;
      }
      expect(p.onset?.t).toBe(tl.onset);
      expect(p.onset!.x).toBeCloseTo(xOf(tl.onset), 0);
      if (r.floorSeconds === null) expect(p.floor).toBeNull();
      else {
        expect(p.floor!.t).toBe(tl.onset + r.floorSeconds);
        expect(p.floor!.x).toBeCloseTo(xOf(tl.onset + r.floorSeconds), 0);
        expect(p.floor!.height).toBeGreaterThan(200); // a line down the panel
      }
      const ttm = r.strategies[k].timeToMitigateSeconds;
      if (ttm === null) expect(p.mitigated).toBeNull();
      else expect(p.mitigated!.t).toBe(tl.onset + ttm);
    }
  }
  expect(out(SCENARIOS[0]!).result.floorSeconds).not.toBeNull();
  expect((await readPanel(SCENARIOS[0]!, 'tunnel-guard')).mitigated).not.toBeNull();
});

it('draws unreachable and throttled packets as their own series where there are any', async () => {
  for (const s of SCENARIOS) {
    for (const k of STRATEGIES) {
      const r = out(s).result.strategies[k];
      const p = await readPanel(s, k);
      for (const [key, total] of [
        ['unreachable', r.unreachablePackets],
        ['throttled', r.throttledPackets],
      ] as const) {
        if (total === 0) expect(p[key]).toBeNull();
        else {
          expect(Math.abs(p[key]!.total - total)).toBeLessThanOrEqual(1);
          expect(p[key]!.height).toBeGreaterThan(0);
        }
      }
    }
  }
  // The scenarios chosen have both, so the checks above were not vacuous.
  expect(out(SCENARIOS[0]!).result.strategies.naive.unreachablePackets).toBeGreaterThan(0);
  expect(out('overload').result.strategies.none.throttledPackets).toBeGreaterThan(0);
});

it('writes out the legends: directions, loss shades, states, signal kinds, series, moments, and each scenario’s links', async () => {
  const visible = (scope: string) =>
    page.$$eval(`${scope} [data-entry]`, (els) =>
      els.filter((e) => e.getBoundingClientRect().width > 20 && (e.textContent ?? '').trim()).map((e) => e.getAttribute('data-entry')),
    );
  const entries = await visible('.page-legend');
  for (const e of [
    'gcpToAws',
    'awsToGcp',
    ...LOSS_BINS.map((_, i) => `loss:${i}`),
    'down',
    ...Object.keys(STATE_COLORS).map((s) => `state:${s}`),
    ...['probe', 'loss-ratio', 'state', 'link', 'other'].map((k) => `signal:${k}`),
    'trip',
    'clear',
    'series:unreachable',
    'series:throttled',
    'series:tunnels',
    'critical',
    'marker:onset',
    'marker:floor',
    'marker:mitigated',
  ])
    expect(entries).toContain(e);
  for (const s of SCENARIOS) {
    const mine = await visible(`article[data-scenario="${s}"] .legend.links`);
    expect(mine).toEqual([...out(s).timelines.none.links.map((l) => `link:${l}`), 'gcpToAws', 'awsToGcp']);
  }
  await page.screenshot({ path: process.env.GAMEDAY_SCREENSHOT ?? join(dir, 'gameday.png'), fullPage: true });
  expect(errors).toEqual([]);
});
