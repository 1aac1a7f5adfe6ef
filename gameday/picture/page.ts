/**
 * The game day's picture: one self-contained HTML page (inline SVG and CSS, no script, nothing fetched). Per
 * scenario: its links, its result table, and a panel per strategy (the oracle's last, as the yardstick), all on one
 * time axis and one y-scale so they compare by eye.
 */
import type { RunOutput } from '../run';
import type { Scenario } from '../scenario';
import { STRATEGIES, type StrategyName } from '../strategies';
import { linkLegend, pageLegend } from './legend';
import { panel } from './panel';
import { scaleOf } from './scale';
import { esc, fmt } from './svg';

const CSS = `
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
h2{margin-top:40px;border-bottom:1px solid #ccc}h3{margin:18px 0 2px}.role{font-weight:normal;color:#666;font-size:13px}
.summary{margin:0 0 4px;font-size:13px}.panel.yardstick h3{color:#555}.panel.yardstick svg{background:#fafafa}
.label{font-size:11px;fill:#333}.small{font-size:10px;fill:#666}.critical-label{fill:#b71c1c}
.frame,.band-frame{fill:none;stroke:#ddd}.grid,.track{stroke:#eee}.tick{stroke:#999}
polyline.traffic{fill:none;stroke-width:1.5}polyline.lost{fill:none;stroke:#c00;stroke-width:2}
.state-name{font-size:9px;fill:#111}.change{fill:#555}.notice.critical{fill:#b71c1c}
.marker line{stroke-width:1.2}.marker text{font-size:10px}
.marker.onset line{stroke:#555;stroke-dasharray:2 2}.marker.onset text{fill:#555}
.marker.floor line{stroke:#1565c0;stroke-dasharray:6 3}.marker.floor text{fill:#1565c0}
.marker.mitigated line{stroke:#2e7d32}.marker.mitigated text{fill:#2e7d32}
.legend{font-size:12px;margin:8px 0;line-height:1.9}.legend .group{margin:2px 0}.legend .entry{margin-right:12px;white-space:nowrap}
.legend svg{vertical-align:middle}.page-legend{border:1px solid #ddd;padding:6px 10px;background:#fcfcfc}
table.results{border-collapse:collapse;margin:8px 0}table.results td,table.results th{border:1px solid #ddd;padding:3px 8px;text-align:right}
`;

const FIELDS: [string, (x: RunOutput['result']['strategies'][StrategyName]) => string][] = [
  ['lost', (x) => fmt(x.lostPackets.total)],
  ['lost GCP→AWS', (x) => fmt(x.lostPackets.gcpToAws)],
  ['lost AWS→GCP', (x) => fmt(x.lostPackets.awsToGcp)],
  ['unreachable', (x) => fmt(x.unreachablePackets)],
  ['throttled', (x) => fmt(x.throttledPackets)],
  ['route changes', (x) => String(x.routeChanges)],
  ['drains', (x) => String(x.drains)],
  ['restores', (x) => String(x.restores)],
  ['restores into loss', (x) => String(x.restoresIntoLoss)],
  ['time to mitigate', (x) => (x.timeToMitigateSeconds === null ? '—' : `${x.timeToMitigateSeconds} s`)],
];

function resultTable(out: RunOutput): string {
  const r = out.result;
  const rows = STRATEGIES.filter((s) => r.strategies[s]).map(
    (s) => `<tr data-strategy="${s}"><th>${s}</th>${FIELDS.map(([, f]) => `<td>${f(r.strategies[s])}</td>`).join('')}</tr>`,
  );
  return `<table class="results"><thead><tr><th>strategy</th>${FIELDS.map(([h]) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function article(scenario: Scenario, out: RunOutput): string {
  const r = out.result;
  const shown = STRATEGIES.filter((s) => out.timelines[s]);
  // One scale for the scenario, from every strategy's timeline.
  const scale = scaleOf(shown.map((s) => out.timelines[s]));
  const links = shown.length ? out.timelines[shown[0]!].links : [];
  const floor = r.floorSeconds === null ? 'no cloud metric sees the first loss' : `${r.floorSeconds} s after the first fault`;
  return `<article class="scenario" id="${esc(scenario.name)}" data-scenario="${esc(scenario.name)}">
<h2>${esc(scenario.name)}</h2>
${scenario.description ? `<p>${esc(scenario.description)}</p>` : ''}
<p class="small">detection floor: ${esc(floor)} · AWS publishes every ${scenario.awsMetricPeriodSeconds} s · ${fmt(scenario.traffic.gcpToAwsPps)} pps GCP→AWS, ${fmt(scenario.traffic.awsToGcpPps)} pps AWS→GCP · one scale for every panel below</p>
${linkLegend(links)}
${resultTable(out)}
${shown
  .map((s) => panel(scenario, s, out.timelines[s], { floorSeconds: r.floorSeconds, mine: r.strategies[s], none: r.strategies.none }, scale))
  .join('\n')}
</article>`;
}

export function renderHtml(outputs: { scenario: Scenario; out: RunOutput }[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tunnel-guard game day</title>
<style>${CSS}</style></head><body>
<h1>tunnel-guard game day</h1>
<p>Packets lost against doing nothing, per scenario and strategy. Each panel, top to bottom: the moments (first
fault, detection floor, mitigation) as lines down the panel; per link, the loss of each direction and the state of
each end; the traffic into each link; the packets lost each minute by why; the packets lost since the start (these
three on one scale per scenario); the signals the edges received by kind; decisions, CRITICAL notices and route
changes.</p>
${pageLegend()}
<nav>${outputs.map(({ scenario }) => `<a href="#${esc(scenario.name)}">${esc(scenario.name)}</a>`).join(' · ')}</nav>
${outputs.map(({ scenario, out }) => article(scenario, out)).join('\n')}
</body></html>
`;
}
