/**
 * The PromQL the shipped alert policies use, evaluated over the game day's metric store — a deliberately small
 * subset: `sum by (labels) (rate(metric{matchers}[window]))`, `sum by (labels) (metric{matchers})` (an instant
 * vector: each series' latest visible point within PromQL's 5-minute lookback), `/`, a comparison with a number,
 * `and`, `unless`, `or`, and parentheses. Anything else is an error, so a policy the model cannot evaluate is never
 * silently mis-read.
 *
 * Cloud Monitoring exposes its metrics to PromQL with the domain's dots as underscores and the first slash as a
 * colon (`vpn.googleapis.com/network/received_packets_count` → `vpn_googleapis_com:network_received_packets_count`),
 * the resource type as `monitored_resource`, and metric and resource labels side by side
 * (https://cloud.google.com/monitoring/promql/promql-mapping). `rate` over a counter sampled as deltas is modelled
 * as the sum of the deltas in the window divided by the window.
 */
import type { MetricStore, Series } from './metrics';

export class PromqlModelError extends Error {}

type Matcher = { label: string; op: '=' | '!='; value: string };
type Node =
  | { kind: 'sum'; by: string[]; metric: string; matchers: Matcher[]; windowS: number; instant?: boolean }
  | { kind: 'div'; left: Node; right: Node }
  | { kind: 'cmp'; left: Node; op: '>' | '<' | '>=' | '<='; value: number }
  | { kind: 'set'; op: 'and' | 'or' | 'unless'; left: Node; right: Node };

/** PromQL's default lookback for an instant vector selector. */
const LOOKBACK_S = 300;

/** One output element: its labels and value. */
export interface Sample {
  labels: Record<string, string>;
  value: number;
}

const TOKEN =
  /\s*(sum|by|rate|and|unless|or|[A-Za-z_:][A-Za-z0-9_:]*|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|"(?:[^"\\]|\\.)*"|\[\d+[smh]\]|>=|<=|!=|[(){},=/<>])/y;

function tokenize(q: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < q.length) {
    if (/^\s*$/.test(q.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(q);
    if (!m) throw new PromqlModelError(`PromQL not modelled near ${JSON.stringify(q.slice(pos, pos + 30))}`);
    out.push(m[1]!);
    pos = TOKEN.lastIndex;
  }
  return out;
}

export function parsePromql(query: string): Node {
  const t = tokenize(query);
  let i = 0;
  const peek = () => t[i];
  const next = () => t[i++];
  const expect = (s: string) => {
    if (t[i] !== s) throw new PromqlModelError(`PromQL: expected ${s} but found ${t[i] ?? 'the end'} in ${JSON.stringify(query)}`);
    i++;
  };
  const setExpr = (): Node => {
    let left = andExpr();
    while (peek() === 'or') {
      next();
      left = { kind: 'set', op: 'or', left, right: andExpr() };
    }
    return left;
  };
  const andExpr = (): Node => {
    let left = cmpExpr();
    // `and` and `unless` bind alike (tighter than `or`), left to right.
    while (peek() === 'and' || peek() === 'unless') {
      const op = next() as 'and' | 'unless';
      left = { kind: 'set', op, left, right: cmpExpr() };
    }
    return left;
  };
  const cmpExpr = (): Node => {
    const left = divExpr();
    const op = peek();
    if (op === '>' || op === '<' || op === '>=' || op === '<=') {
      next();
      const v = Number(next());
      if (!Number.isFinite(v)) throw new PromqlModelError('PromQL: a comparison needs a number on its right');
      return { kind: 'cmp', left, op, value: v };
    }
    return left;
  };
  const divExpr = (): Node => {
    let left = primary();
    while (peek() === '/') {
      next();
      left = { kind: 'div', left, right: primary() };
    }
    return left;
  };
  const primary = (): Node => {
    if (peek() === '(') {
      next();
      const e = setExpr();
      expect(')');
      return e;
    }
    expect('sum');
    expect('by');
    expect('(');
    const by: string[] = [];
    while (peek() !== ')') {
      by.push(next()!);
      if (peek() === ',') next();
    }
    expect(')');
    expect('(');
    const rate = peek() === 'rate';
    if (rate) {
      next();
      expect('(');
    }
    const metric = next()!;
    const matchers: Matcher[] = [];
    if (peek() === '{') {
      next();
      while (peek() !== '}') {
        const label = next()!;
        const op = next();
        if (op !== '=' && op !== '!=') throw new PromqlModelError(`PromQL: matcher ${label}${op} not modelled (only = and !=)`);
        const raw = next()!;
        matchers.push({ label, op, value: JSON.parse(raw) as string });
        if (peek() === ',') next();
      }
      expect('}');
    }
    if (!rate) {
      expect(')');
      return { kind: 'sum', by, metric, matchers, windowS: LOOKBACK_S, instant: true };
    }
    const w = /^\[(\d+)([smh])\]$/.exec(next() ?? '');
    if (!w) throw new PromqlModelError('PromQL: rate() needs a range like [2m]');
    const windowS = Number(w[1]) * (w[2] === 'h' ? 3600 : w[2] === 'm' ? 60 : 1);
    expect(')');
    expect(')');
    return { kind: 'sum', by, metric, matchers, windowS };
  };
  const node = setExpr();
  if (i !== t.length) throw new PromqlModelError(`PromQL: unexpected ${t[i]} in ${JSON.stringify(query)}`);
  return node;
}

/** A Cloud Monitoring metric type as PromQL names it: `vpn.googleapis.com/network/received_packets_count` →
 * `vpn_googleapis_com:network_received_packets_count` (the first slash a colon, other dots and slashes underscores). */
export function promName(metricType: string): string {
  const slash = metricType.indexOf('/');
  if (slash < 0) return metricType.replace(/[./]/g, '_');
  return `${metricType.slice(0, slash).replace(/\./g, '_')}:${metricType.slice(slash + 1).replace(/[./]/g, '_')}`;
}

const labelOf = (s: Series, l: string): string | undefined =>
  l === 'monitored_resource' ? s.resourceType : (s.metricLabels[l] ?? s.resourceLabels[l]);
const keyOf = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));

/** Evaluate at `now`, over the points visible then. */
export function evaluatePromql(node: Node, store: MetricStore, now: number): Map<string, Sample> {
  switch (node.kind) {
    case 'sum': {
      const out = new Map<string, Sample>();
      for (const s of store.all()) {
        if (promName(s.metricType) !== node.metric) continue;
        if (!node.matchers.every((m) => (m.op === '=' ? labelOf(s, m.label) === m.value : labelOf(s, m.label) !== m.value))) continue;
        const pts = s.points.filter((p) => p.end > now - node.windowS && p.end <= now && p.visibleAt <= now);
        if (pts.length === 0) continue;
        // An instant vector is the latest point; a rate the deltas in the window over the window.
        const rate = node.instant
          ? pts.reduce((a, p) => (p.end > a.end ? p : a)).value
          : pts.reduce((a, p) => a + p.value, 0) / node.windowS;
        const labels = Object.fromEntries(node.by.map((l) => [l, labelOf(s, l) ?? '']));
        const k = keyOf(labels);
        const prev = out.get(k);
        out.set(k, { labels, value: (prev?.value ?? 0) + rate });
      }
      return out;
    }
    case 'div': {
      const l = evaluatePromql(node.left, store, now);
      const r = evaluatePromql(node.right, store, now);
      const out = new Map<string, Sample>();
      for (const [k, a] of l) {
        const b = r.get(k);
        if (b) out.set(k, { labels: a.labels, value: a.value / b.value });
      }
      return out;
    }
    case 'cmp': {
      const l = evaluatePromql(node.left, store, now);
      const ok = (v: number) =>
        node.op === '>' ? v > node.value : node.op === '<' ? v < node.value : node.op === '>=' ? v >= node.value : v <= node.value;
      return new Map([...l].filter(([, s]) => ok(s.value)));
    }
    case 'set': {
      const l = evaluatePromql(node.left, store, now);
      const r = evaluatePromql(node.right, store, now);
      if (node.op === 'and') return new Map([...l].filter(([k]) => r.has(k)));
      if (node.op === 'unless') return new Map([...l].filter(([k]) => !r.has(k)));
      const out = new Map(l);
      for (const [k, s] of r) if (!out.has(k)) out.set(k, s);
      return out;
    }
  }
}
