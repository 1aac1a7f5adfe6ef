/**
 * One strategy's panel of one scenario: the moments, each link's bands, the charts on the scenario's shared scale,
 * the signals and what the strategy did — every panel of a scenario laid out identically, so the four read
 * straight down against each other.
 */
import type { StrategyResult, Timeline } from '../run';
import type { Scenario } from '../scenario';
import type { StrategyName } from '../strategies';
import { linkBands } from './bands';
import { dropsChart, lostChart, trafficChart } from './charts';
import { eventRows, MOMENT_ROWS_H, momentMarks, signalRows } from './marks';
import type { Scale } from './scale';
import { esc, type Frame, fmt, frameOf, W } from './svg';

/** What each strategy is, said on its panel (the oracle is a yardstick, not a contender). */
export const STRATEGY_ROLES: Record<StrategyName, string> = {
  none: 'native failover only; routes never change',
  naive: 'drains on every alarm, restores on every clear',
  'tunnel-guard': 'the real edges, shipped configuration',
  oracle: 'the yardstick: knows the true loss, acts only after the detection floor',
};

/** Time ticks often enough to read a minute off, rarely enough not to crowd. */
function axis(f: Frame, y: number): string {
  const step = f.minutes <= 60 ? 10 : f.minutes <= 180 ? 30 : 60;
  const out: string[] = [];
  for (let m = 0; m <= f.minutes; m += step) {
    const x = f.x(m * 60).toFixed(1);
    out.push(`<line class="tick" x1="${x}" x2="${x}" y1="${y}" y2="${y + 4}"/>`);
    out.push(`<text x="${x}" y="${y + 14}" text-anchor="middle" class="small">${m} min</text>`);
  }
  return out.join('');
}

function summary(name: StrategyName, r: StrategyResult, none: StrategyResult | undefined): string {
  const share =
    none && none.lostPackets.total > 0 ? ` (${Math.round((r.lostPackets.total / none.lostPackets.total) * 1000) / 10} % of none)` : '';
  const parts = [
    `lost ${fmt(r.lostPackets.total)}${name === 'none' ? '' : share}`,
    `GCP→AWS ${fmt(r.lostPackets.gcpToAws)}`,
    `AWS→GCP ${fmt(r.lostPackets.awsToGcp)}`,
    `unreachable ${fmt(r.unreachablePackets)}`,
    `throttled ${fmt(r.throttledPackets)}`,
    `time to mitigate ${r.timeToMitigateSeconds === null ? '—' : `${r.timeToMitigateSeconds} s`}`,
  ];
  return parts.join(' · ');
}

export function panel(
  scenario: Scenario,
  strategy: StrategyName,
  tl: Timeline,
  result: { floorSeconds: number | null; mine: StrategyResult; none: StrategyResult | undefined },
  scale: Scale,
): string {
  const f = frameOf(scenario.minutes);
  const top = 4;
  let y = top + MOMENT_ROWS_H;
  const parts: string[] = [];
  for (const i of tl.links.keys()) {
    const b = linkBands(tl, i, f, y);
    parts.push(b.svg);
    y = b.y;
  }
  for (const chart of [trafficChart, dropsChart, lostChart]) {
    const c = chart(tl, f, scale, y);
    parts.push(c.svg);
    y = c.y;
  }
  const s = signalRows(tl, f, y);
  parts.push(s.svg);
  const e = eventRows(tl, f, s.y, result.mine.routeChanges);
  parts.push(e.svg);
  y = e.y;
  // The moments' lines are drawn last, over everything they cross.
  parts.push(momentMarks(tl, result.floorSeconds, f, top, y));
  parts.push(axis(f, y));
  y += 20;
  return `<section class="panel${strategy === 'oracle' ? ' yardstick' : ''}" data-scenario="${esc(scenario.name)}" data-strategy="${strategy}">
<h3>${esc(strategy)} <span class="role">— ${esc(STRATEGY_ROLES[strategy])}</span></h3>
<p class="summary">${esc(summary(strategy, result.mine, result.none))}</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" role="img" aria-label="${esc(`${scenario.name}: ${strategy}`)}">${parts.join('')}</svg>
</section>`;
}
