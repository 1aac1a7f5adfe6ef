/**
 * `TunnelDataIn`/`TunnelDataOut` are no degradation signal: AWS documents that they keep reporting traffic from
 * status checks and background ARP/BGP requests when a tunnel is down. The README and the example events it shows
 * must not suggest alarming on them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

it('the README mentions the data metrics only to warn against them', () => {
  const lines = readme.split('\n').filter((l) => /TunnelData(In|Out)/.test(l));
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) expect(l).toMatch(/\bnot\b|\bDo \*\*not\*\*/i);
});

it.each(['example-tunnel-degraded-alarm.json', 'example-tunnel-recovered-ok.json'])(
  'the example %s alarms on a loss probe, not on a data metric',
  (file) => {
    const text = readFileSync(join(ROOT, 'test/fixtures/aws', file), 'utf8');
    expect(text).not.toMatch(/TunnelData/);
    expect(JSON.parse(text).detail.configuration.metrics[0].metricStat.metric).toMatchObject({
      namespace: 'Custom/TunnelProbe',
      name: 'PacketLossPercent',
    });
  },
);
