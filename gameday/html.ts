/**
 * The game day's picture: one self-contained HTML page (inline SVG and CSS, no script, nothing fetched), a
 * timeline per scenario and strategy — loss per link, where the traffic flowed, the signals the edges received,
 * the decisions, route changes and lost packets accumulating.
 */
import type { RunOutput, Timeline } from './run';
import type { Scenario } from './scenario';
import { STRATEGIES, type StrategyName } from './strategies';

const W = 960;
const LEFT = 150;
const PLOT = W - LEFT - 20;
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2'];

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function panel(scenario: Scenario, strategy: StrategyName, tl: Timeline): string {
  const span = scenario.minutes * 60;
  const x = (t: number) => LEFT + (t / span) * PLOT;
  const rows: string[] = [];
  let y = 10;
  // Loss per link: one band each, darker = more loss (black = down).
  for (const [i, name] of tl.links.entries()) {
    rows.push(`<text x="${LEFT - 8}" y="${y + 11}" text-anchor="end" class="label">loss ${esc(name)}</text>`);
    for (const m of tl.minutes) {
      if (m.loss[i]! > 0) {
        const a = Math.min(1, 0.25 + m.loss[i]! * 8).toFixed(2);
        rows.push(
          `<rect class="loss" x="${x(m.t).toFixed(1)}" y="${y}" width="${(PLOT / scenario.minutes + 0.5).toFixed(1)}" height="14" fill="rgba(200,0,0,${a})"><title>minute ${m.t / 60}: ${(m.loss[i]! * 100).toFixed(1)}%</title></rect>`,
        );
      }
    }
    y += 18;
  }
  // Traffic into each link, both directions (packets per second).
  const h = 90;
  const top = y + 6;
  const max = Math.max(1, ...tl.minutes.flatMap((m) => [...m.gcpToAws, ...m.awsToGcp]));
  rows.push(`<text x="${LEFT - 8}" y="${top + 12}" text-anchor="end" class="label">traffic (pps)</text>`);
  rows.push(`<text x="${LEFT - 8}" y="${top + 26}" text-anchor="end" class="small">max ${fmt(max)}</text>`);
  rows.push(`<rect x="${LEFT}" y="${top}" width="${PLOT}" height="${h}" class="frame"/>`);
  for (const [i, name] of tl.links.entries()) {
    for (const dir of ['gcpToAws', 'awsToGcp'] as const) {
      const pts = tl.minutes.map((m) => `${x(m.t + 30).toFixed(1)},${(top + h - (m[dir][i]! / max) * h).toFixed(1)}`).join(' ');
      rows.push(
        `<polyline class="traffic ${dir}" points="${pts}" stroke="${COLORS[i % COLORS.length]}"${dir === 'awsToGcp' ? ' stroke-dasharray="4 3"' : ''}><title>${esc(name)} ${dir}</title></polyline>`,
      );
    }
  }
  y = top + h + 8;
  // Signals and decisions on one track each.
  rows.push(`<text x="${LEFT - 8}" y="${y + 10}" text-anchor="end" class="label">signals</text>`);
  for (const s of tl.signals)
    rows.push(
      `<path class="signal" d="M${x(s.t).toFixed(1)} ${y} l5 10 l-10 0 z"><title>minute ${s.t / 60}: ${esc(s.text)}</title></path>`,
    );
  y += 16;
  rows.push(`<text x="${LEFT - 8}" y="${y + 10}" text-anchor="end" class="label">decisions</text>`);
  for (const d of tl.decisions)
    rows.push(
      `<circle class="decision ${d.kind}" cx="${x(d.t).toFixed(1)}" cy="${y + 6}" r="5"><title>minute ${(d.t / 60).toFixed(1)}: ${d.kind} ${esc(d.tunnelId)} — ${esc(d.summary)}</title></circle>`,
    );
  y += 18;
  // Lost packets accumulating, and route changes.
  const lostMax = Math.max(1, ...tl.minutes.map((m) => m.lostTotal));
  const lh = 50;
  rows.push(`<text x="${LEFT - 8}" y="${y + 12}" text-anchor="end" class="label">lost (cumulative)</text>`);
  rows.push(`<text x="${LEFT - 8}" y="${y + 26}" text-anchor="end" class="small">${fmt(tl.minutes.at(-1)?.lostTotal ?? 0)}</text>`);
  rows.push(`<rect x="${LEFT}" y="${y}" width="${PLOT}" height="${lh}" class="frame"/>`);
  rows.push(
    `<polyline class="lost" points="${tl.minutes.map((m) => `${x(m.t + 60).toFixed(1)},${(y + lh - (m.lostTotal / lostMax) * lh).toFixed(1)}`).join(' ')}"/>`,
  );
  y += lh + 6;
  const changes = tl.minutes.at(-1)?.routeChanges ?? 0;
  rows.push(`<text x="${LEFT - 8}" y="${y + 10}" text-anchor="end" class="label">route changes</text>`);
  let prev = 0;
  for (const m of tl.minutes) {
    if (m.routeChanges > prev)
      rows.push(
        `<rect class="change" x="${x(m.t).toFixed(1)}" y="${y}" width="3" height="12"><title>minute ${m.t / 60}: ${m.routeChanges - prev} change(s)</title></rect>`,
      );
    prev = m.routeChanges;
  }
  rows.push(`<text x="${W - 20}" y="${y + 10}" text-anchor="end" class="small">${changes} in all</text>`);
  y += 18;
  // Time axis, every 30 minutes.
  for (let m = 0; m <= scenario.minutes; m += 30)
    rows.push(`<text x="${x(m * 60).toFixed(1)}" y="${y + 10}" text-anchor="middle" class="small">${m} min</text>`);
  y += 16;
  return `<section class="panel" data-scenario="${esc(scenario.name)}" data-strategy="${strategy}">
<h3>${esc(strategy)}</h3>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" role="img" aria-label="${esc(`${scenario.name}: ${strategy}`)}">${rows.join('')}</svg>
</section>`;
}

function resultTable(out: RunOutput): string {
  const r = out.result;
  const cells = (s: StrategyName) => {
    const x = r.strategies[s];
    return [
      fmt(x.lostPackets.total),
      fmt(x.unreachablePackets),
      String(x.routeChanges),
      String(x.drains),
      String(x.restores),
      String(x.restoresIntoLoss),
      x.timeToMitigateSeconds === null ? '—' : `${x.timeToMitigateSeconds} s`,
    ];
  };
  return `<table class="results"><thead><tr><th>strategy</th><th>lost</th><th>unreachable</th><th>route changes</th><th>drains</th><th>restores</th><th>restores into loss</th><th>time to mitigate</th></tr></thead><tbody>${STRATEGIES.filter(
    (s) => r.strategies[s],
  )
    .map(
      (s) =>
        `<tr data-strategy="${s}"><th>${s}</th>${cells(s)
          .map((c) => `<td>${c}</td>`)
          .join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

export function renderHtml(outputs: { scenario: Scenario; out: RunOutput }[]): string {
  const body = outputs
    .map(
      ({ scenario, out }) => `<article class="scenario" id="${esc(scenario.name)}">
<h2>${esc(scenario.name)}</h2>
${scenario.description ? `<p>${esc(scenario.description)}</p>` : ''}
<p class="small">floor: ${out.result.floorSeconds === null ? 'no cloud metric sees the first loss' : `${out.result.floorSeconds} s`} · AWS publishes every ${scenario.awsMetricPeriodSeconds} s · ${scenario.traffic.gcpToAwsPps.toLocaleString('en-US')} pps GCP→AWS, ${scenario.traffic.awsToGcpPps.toLocaleString('en-US')} pps AWS→GCP</p>
${resultTable(out)}
${STRATEGIES.filter((s) => out.timelines[s])
  .map((s) => panel(scenario, s, out.timelines[s]))
  .join('\n')}
</article>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tunnel-guard game day</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
h2{margin-top:36px;border-bottom:1px solid #ccc}
.label{font-size:12px;fill:#333}.small{font-size:11px;fill:#666}
.frame{fill:none;stroke:#ddd}.traffic{fill:none;stroke-width:1.5}.lost{fill:none;stroke:#c00;stroke-width:2}
.signal{fill:#777}.decision.drain{fill:#d62728}.decision.restore{fill:#2ca02c}.decision.refuse,.decision.suppress{fill:#ff9800}
.change{fill:#555}table.results{border-collapse:collapse;margin:8px 0}table.results td,table.results th{border:1px solid #ddd;padding:3px 8px;text-align:right}
</style></head><body>
<h1>tunnel-guard game day</h1>
<p>Packets lost against doing nothing. Solid lines: GCP→AWS traffic into each link; dashed: AWS→GCP. Triangles: signals the edges received; circles: drains (red), restores (green), refusals (orange).</p>
${body}
</body></html>
`;
}
