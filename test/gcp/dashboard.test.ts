/**
 * The GCP dashboard and its log-based metrics (deploy/gcp/dashboard.json, deploy/gcp/log-metrics/*.json), checked
 * the way the package test checks the CloudWatch one: the tiles name tunnel-guard's metrics and Cloud VPN's, every
 * field is one the Dashboard resource has, and every log-based metric's filter really selects — and extracts a number
 * from — the lines the GCP edge writes.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { applyDashboard, dashboardDefinition, logMetrics } = require('../../deploy/gcp/dashboard.js');
import { KIND_FIELD, metricLogEntry } from '../../gcp-functions/metrics';
import { decisionMetrics, METRIC_NAMES as N, tunnelMetrics } from '../../shared/metrics';
import type { LedgerRecord, TunnelStatus } from '../../shared/types';

const NOW = new Date('2026-12-06T10:00:00Z');
const T1 = 'gcp:example-project:asia-northeast1:tunnel-aws-1';

/** Log entries as Cloud Logging stores the GCP edge's metric lines: the line is the jsonPayload. */
function sampleEntries(): any[] {
  const sets = [
    ...decisionMetrics('gcp', [
      { tunnelId: T1, decision: 'drain', ok: true, dryRun: false, refusals: [{ guard: 'blast-radius', reason: 'x' }] } as any,
      { tunnelId: T1, decision: 'restore', ok: true, dryRun: false, refusals: [] } as any,
    ]),
    ...tunnelMetrics(
      'gcp',
      [
        {
          tunnelId: T1,
          cloud: 'gcp',
          state: 'drained',
          withdrawn: [],
          loss: { 'aws-to-gcp': { ratio: 0.04, at: NOW.toISOString(), monitor: 'm', basis: 'probe' } },
        } as unknown as LedgerRecord,
      ],
      [{ ref: { id: T1, cloud: 'gcp', native: {} }, status: 'up', load: { pps: 900, at: NOW.toISOString() } } as unknown as TunnelStatus],
      NOW,
    ),
  ];
  return sets.map((s) => ({ resource: { type: 'cloud_run_revision' }, jsonPayload: metricLogEntry(s) }));
}

/** The subset of the Logging query language the shipped filters use: `a.b="s"`, `a.b=1`, `a.b>=0`, joined by AND. */
function matches(filter: string, entry: any): boolean {
  return filter.split(' AND ').every((term) => {
    const m = /^([\w.]+)(>=|=)(".*"|-?[\d.]+)$/.exec(term.trim());
    if (!m) throw new Error(`filter term not understood: ${term}`);
    const value = m[1]!.split('.').reduce((o, k) => (o == null ? undefined : o[k]), entry);
    if (m[3]!.startsWith('"')) return m[2] === '=' && value === JSON.parse(m[3]!);
    return typeof value === 'number' && (m[2] === '=' ? value === Number(m[3]) : value >= Number(m[3]));
  });
}
const extract = (extractor: string, entry: any) => {
  const m = /^EXTRACT\(([\w.]+)\)$/.exec(extractor);
  if (!m) throw new Error(`extractor not understood: ${extractor}`);
  return m[1]!.split('.').reduce((o, k) => (o == null ? undefined : o[k]), entry);
};

const METRIC_ROWS: [string, any][] = logMetrics().map((m: any) => [m.name, m.definition]);

describe('log-based metrics', () => {
  const metrics: { name: string; definition: any }[] = logMetrics();

  it('cover drains, restores, refusals, tunnels out of service, and per tunnel state, loss, probe loss and load', () => {
    expect(metrics.map((m) => m.name)).toEqual([
      'tunnel_guard_drains',
      'tunnel_guard_refusals',
      'tunnel_guard_restores',
      'tunnel_guard_tunnel_load_pps',
      'tunnel_guard_tunnel_loss_percent',
      'tunnel_guard_tunnel_out_of_service',
      'tunnel_guard_tunnel_probe_loss_percent',
      'tunnel_guard_tunnels_out_of_service',
    ]);
  });

  it.each(METRIC_ROWS)('%s selects and reads the lines the GCP edge writes', (name: string, d: any) => {
    expect(d.name).toBe(name);
    expect(d.filter).toContain(`jsonPayload.${KIND_FIELD}=`);
    const selected = sampleEntries().filter((e) => matches(d.filter, e));
    expect(selected.length).toBeGreaterThan(0);
    // Every declared label has an extractor, and the extractors find a string on every selected line.
    expect(Object.keys(d.labelExtractors ?? {}).sort()).toEqual((d.metricDescriptor.labels ?? []).map((l: any) => l.key).sort());
    for (const e of selected) for (const x of Object.values<string>(d.labelExtractors ?? {})) expect(typeof extract(x, e)).toBe('string');
    if (d.metricDescriptor.valueType === 'DISTRIBUTION') {
      expect(d.bucketOptions).toBeDefined();
      for (const e of selected) expect(typeof extract(d.valueExtractor, e)).toBe('number');
      expect(Object.values(N)).toContain(d.valueExtractor.replace(/^EXTRACT\(jsonPayload\.|\)$/g, ''));
    } else {
      expect(d.metricDescriptor).toMatchObject({ metricKind: 'DELTA', valueType: 'INT64' });
      expect(d.valueExtractor).toBeUndefined();
    }
  });

  it('does not count a line twice: the drain and restore counters select different lines', () => {
    const [drains, restores] = ['tunnel_guard_drains', 'tunnel_guard_restores'].map((n) => metrics.find((m) => m.name === n)!.definition);
    const both = sampleEntries().filter((e) => matches(drains.filter, e) && matches(restores.filter, e));
    expect(both).toEqual([]);
  });
});

/** Fields of the Dashboard resource (Cloud Monitoring API v1) this file may use; a typo anywhere fails. */
const ALLOWED: Record<string, string[]> = {
  dashboard: ['displayName', 'mosaicLayout'],
  mosaicLayout: ['columns', 'tiles'],
  tile: ['xPos', 'yPos', 'width', 'height', 'widget'],
  widget: ['title', 'xyChart', 'text'],
  text: ['content', 'format'],
  xyChart: ['dataSets', 'timeshiftDuration', 'yAxis'],
  axis: ['label', 'scale'],
  dataSet: ['timeSeriesQuery', 'plotType', 'legendTemplate', 'minAlignmentPeriod'],
  timeSeriesQuery: ['timeSeriesFilter'],
  timeSeriesFilter: ['filter', 'aggregation'],
  aggregation: ['alignmentPeriod', 'perSeriesAligner', 'crossSeriesReducer', 'groupByFields'],
};
const ALIGNERS = [
  'ALIGN_DELTA',
  'ALIGN_RATE',
  'ALIGN_MIN',
  'ALIGN_MAX',
  'ALIGN_MEAN',
  'ALIGN_SUM',
  'ALIGN_PERCENTILE_99',
  'ALIGN_PERCENTILE_50',
];
const REDUCERS = ['REDUCE_SUM', 'REDUCE_MIN', 'REDUCE_MAX', 'REDUCE_MEAN'];
const onlyKeys = (o: any, kind: string) => expect(Object.keys(o).filter((k) => !ALLOWED[kind]!.includes(k))).toEqual([]);

describe('the Cloud Monitoring dashboard', () => {
  const d = dashboardDefinition();
  const tiles: any[] = d.mosaicLayout.tiles;
  const dataSets = tiles.flatMap((t) => t.widget.xyChart?.dataSets ?? []);
  const filters: string[] = dataSets.map((s: any) => s.timeSeriesQuery.timeSeriesFilter.filter);

  it('uses only fields and values of the Dashboard resource, in a 48-column grid without overlaps', () => {
    onlyKeys(d, 'dashboard');
    onlyKeys(d.mosaicLayout, 'mosaicLayout');
    expect(d.mosaicLayout.columns).toBe(48);
    for (const t of tiles) {
      onlyKeys(t, 'tile');
      onlyKeys(t.widget, 'widget');
      expect(t.xPos + t.width).toBeLessThanOrEqual(48);
      if (t.widget.text) onlyKeys(t.widget.text, 'text');
      if (!t.widget.xyChart) continue;
      onlyKeys(t.widget.xyChart, 'xyChart');
      onlyKeys(t.widget.xyChart.yAxis, 'axis');
      for (const s of t.widget.xyChart.dataSets) {
        onlyKeys(s, 'dataSet');
        onlyKeys(s.timeSeriesQuery, 'timeSeriesQuery');
        onlyKeys(s.timeSeriesQuery.timeSeriesFilter, 'timeSeriesFilter');
        const a = s.timeSeriesQuery.timeSeriesFilter.aggregation;
        onlyKeys(a, 'aggregation');
        expect(ALIGNERS).toContain(a.perSeriesAligner);
        expect(REDUCERS).toContain(a.crossSeriesReducer);
        expect(a.alignmentPeriod).toMatch(/^\d+s$/);
        expect(['LINE', 'STACKED_BAR']).toContain(s.plotType);
      }
    }
    const cells = new Set<string>();
    for (const t of tiles)
      for (let x = t.xPos; x < t.xPos + t.width; x++)
        for (let y = t.yPos; y < t.yPos + t.height; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
  });

  it("names tunnel-guard's log-based metrics (every one of them, and only defined ones) and Cloud VPN's own metrics", () => {
    const used = new Set(filters.flatMap((f) => [...f.matchAll(/logging\.googleapis\.com\/user\/(\w+)/g)].map((m) => m[1])));
    expect([...used].sort()).toEqual(logMetrics().map((m: any) => m.name));
    for (const native of [
      'tunnel_established',
      'network/dropped_received_packets_count',
      'network/received_packets_count',
      'network/sent_packets_count',
    ])
      expect(filters).toContainEqual(expect.stringContaining(`metric.type="vpn.googleapis.com/${native}" resource.type="vpn_gateway"`));
    // One line per tunnel, on the label both kinds of metric carry.
    const perTunnel = dataSets.filter((s: any) =>
      s.timeSeriesQuery.timeSeriesFilter.aggregation.groupByFields.includes('metric.label.tunnel_name'),
    );
    expect(perTunnel.length).toBeGreaterThanOrEqual(10);
  });
});

describe('monitoring:gcp step 6', () => {
  it('creates the log-based metrics and the dashboard once, and updates them on the next run', () => {
    const made = new Set<string>();
    const calls: string[][] = [];
    const gcloud = (args: string[], _opts?: unknown) => {
      calls.push(args);
      const key = args[0] === 'logging' ? `metric:${args[3]}` : 'dashboard';
      if (args[2] === 'describe') return { status: made.has(key) ? 0 : 1, stdout: '' };
      if (args[2] === 'list') return { status: 0, stdout: made.has('dashboard') ? 'projects/1/dashboards/abc\n' : '' };
      if (args[2] === 'create') made.add(args[0] === 'logging' ? `metric:${args[3]}` : 'dashboard');
      return { status: 0, stdout: '' };
    };
    applyDashboard('example-project', gcloud);
    const verbs = () => calls.filter((c) => ['create', 'update'].includes(c[2]!)).map((c) => `${c[0]} ${c[2]}`);
    expect(verbs()).toEqual([...Array(8).fill('logging create'), 'monitoring create']);
    calls.splice(0);
    applyDashboard('example-project', gcloud);
    expect(verbs()).toEqual([...Array(8).fill('logging update'), 'monitoring update']);
    expect(calls.at(-1)).toEqual([
      'monitoring',
      'dashboards',
      'update',
      'projects/1/dashboards/abc',
      '--project=example-project',
      '--config-from-file=deploy/gcp/dashboard.json',
    ]);
  });
});
