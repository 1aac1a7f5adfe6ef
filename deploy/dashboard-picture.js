/**
 * A picture of a dashboard definition, for the docs: one HTML page that lays out the widgets as the console would
 * (CloudWatch's 24-column grid, Cloud Monitoring's 48-column mosaic), each with its title and the series it plots, and
 * no data (there is no cloud here). A test renders it in Chromium and saves the PNGs under docs/images/.
 * Plain CommonJS, like the rest of the deploy tooling.
 */

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

/** The series a CloudWatch metric widget plots, as the legend names them. */
function cloudWatchSeries(metrics) {
  return metrics.map((m) => {
    if (!Array.isArray(m)) {
      const s = /SEARCH\('\{([^}]*)\} MetricName="([^"]+)"', '(\w+)'/.exec(m.expression || '');
      return s ? `${s[2]} (${s[1].split(',')[0]}, ${s[3]}) — one line per ${s[1].split(',').slice(1).join(' + ')}` : m.expression;
    }
    const options = typeof m.at(-1) === 'object' ? m.at(-1) : {};
    const parts = typeof m.at(-1) === 'object' ? m.slice(0, -1) : m;
    const [ns, name, ...dims] = parts;
    const where = [];
    for (let i = 0; i + 1 < dims.length; i += 2) if (dims[i] !== 'Cloud') where.push(dims[i + 1]);
    return `${options.label ?? name} — ${ns} ${name}${where.length ? ` (${where.join(' ')})` : ''}`;
  });
}

/** CloudWatch dashboard body → widgets in grid units. */
function fromCloudWatch(body) {
  return body.widgets.map((w) => ({
    x: w.x,
    y: w.y,
    width: w.width,
    height: w.height,
    title: w.type === 'text' ? '' : w.properties.title,
    text: w.type === 'text' ? w.properties.markdown : undefined,
    series: w.type === 'metric' ? cloudWatchSeries(w.properties.metrics) : [],
  }));
}

/** Cloud Monitoring Dashboard → widgets in grid units. */
function fromCloudMonitoring(d) {
  return d.mosaicLayout.tiles.map((t) => ({
    x: t.xPos ?? 0,
    y: t.yPos ?? 0,
    width: t.width,
    height: t.height,
    title: t.widget.text ? '' : t.widget.title,
    text: t.widget.text ? `# ${t.widget.title}\n${t.widget.text.content}` : undefined,
    series: (t.widget.xyChart?.dataSets ?? []).map((s) => {
      const f = s.timeSeriesQuery.timeSeriesFilter;
      const type = /metric\.type="([^"]+)"/.exec(f.filter)[1].replace(/^logging\.googleapis\.com\/user\//, 'user/');
      const legend = (s.legendTemplate || type).replace(/\$\{metric\.labels\.(\w+)\}/g, '<$1>');
      return `${legend} — ${type}`;
    }),
  }));
}

/**
 * The page: `kind` is 'cloudwatch' or 'cloud-monitoring'. Grid units become pixels at the console's proportions:
 * CloudWatch 24 columns, a row about 1/6 of a default widget; Cloud Monitoring 48 columns, 16 rows to a default chart.
 */
function renderDashboardHtml(kind, definition, { title, width = 1440 } = {}) {
  const cw = kind === 'cloudwatch';
  const widgets = cw ? fromCloudWatch(definition) : fromCloudMonitoring(definition);
  const columns = cw ? 24 : 48;
  const col = width / columns;
  const row = cw ? 48 : 19;
  const height = Math.max(...widgets.map((w) => (w.y + w.height) * row)) + 8;
  const tiles = widgets
    .map((w, i) => {
      const style = `left:${w.x * col}px;top:${w.y * row}px;width:${w.width * col - 8}px;height:${w.height * row - 8}px`;
      if (w.text !== undefined) {
        const [head, ...rest] = w.text.split('\n');
        return `<section class="widget text" data-index="${i}" style="${style}"><h1>${esc(head.replace(/^#\s*/, ''))}</h1><p>${esc(rest.join(' '))}</p></section>`;
      }
      const legend = w.series
        .map((s, j) => `<li class="series"><span class="swatch" style="background:${COLOURS[j % COLOURS.length]}"></span>${esc(s)}</li>`)
        .join('');
      return `<section class="widget chart" data-index="${i}" style="${style}"><h2>${esc(w.title)}</h2><div class="plot"><span>no data — layout only</span></div><ul class="legend">${legend}</ul></section>`;
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title><style>
body{margin:0;font:12px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;background:${cw ? '#f2f3f3' : '#f8f9fa'};color:#16191f}
header{padding:10px 12px;font-size:16px;font-weight:600;background:${cw ? '#232f3e' : '#1a73e8'};color:#fff}
main{position:relative;margin:8px 4px;height:${height}px;width:${width}px}
.widget{position:absolute;box-sizing:border-box;background:#fff;border:1px solid #d5dbdb;border-radius:${cw ? 2 : 8}px;padding:8px;overflow:hidden;display:flex;flex-direction:column}
.widget h2{margin:0 0 6px;font-size:13px;font-weight:600}
.widget.text h1{margin:0 0 4px;font-size:18px}.widget.text p{margin:0;color:#545b64}
.plot{flex:1;min-height:40px;border-left:1px solid #aab7b8;border-bottom:1px solid #aab7b8;margin:0 0 6px 18px;display:flex;align-items:center;justify-content:center;color:#aab7b8;
background:repeating-linear-gradient(to top,transparent 0,transparent 24px,#eef0f0 24px,#eef0f0 25px)}
.legend{list-style:none;margin:0;padding:0;font-size:11px;color:#545b64}
.series{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.swatch{display:inline-block;width:10px;height:3px;margin:0 6px 3px 0;vertical-align:middle}
</style></head><body><header>${esc(title)}</header><main>
${tiles}
</main></body></html>`;
}

module.exports = { renderDashboardHtml, fromCloudWatch, fromCloudMonitoring, cloudWatchSeries };
