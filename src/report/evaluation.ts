/**
 * The evaluation report of one or more classifiers as a single self-contained HTML file: the metrics table,
 * learning curves (loss and accuracy per epoch, training and held-out), the ROC curves and the confusion
 * matrices. The charts are drawn by uPlot, whose script and stylesheet are copied into the page, so the file
 * opens offline and can be mailed or archived as it is. The figures sit in the page as one JSON block
 * (`<script type="application/json" id="report-data">`) that the drawing script and any other tool can read.
 */

/** What the report shows of one trained classifier. */
export interface ClassifierEvaluation {
  /** The model's name, e.g. 'logistic regression'. */
  name: string;
  /** One line: architecture and training settings. */
  description?: string;
  /** Figures per epoch as fit()'s History.history holds them: loss, accuracy, valLoss, valAccuracy… */
  history: Record<string, readonly number[]>;
  /** The ROC curve of the positive class (binary tasks): rocCurve()'s points and the area under it. */
  roc?: { fpr: readonly number[]; tpr: readonly number[]; auc: number };
  /** confusion[i][j]: held-out rows of true class i predicted as class j. */
  confusion: readonly (readonly number[])[];
  /** The figures of the metrics table, e.g. { precision: 0.97, recall: 0.95, f1: 0.96, auc: 0.99, accuracy: 0.98 }. */
  metrics: Record<string, number>;
}

/** The whole report. */
export interface EvaluationReportSpec {
  title: string;
  /** Short paragraphs under the title: the task, the data, the split. */
  intro?: readonly string[];
  /** Class names in label order; the last one is the positive class of a binary task. */
  classNames: readonly string[];
  /** What the held-out curves are called (default 'held-out'), e.g. 'test'. */
  heldOutName?: string;
  models: readonly ClassifierEvaluation[];
  /** Paragraphs at the end (how to reproduce, caveats). */
  notes?: readonly string[];
  /** Time stamp in the footer (default: now, ISO 8601). */
  generated?: string;
}

/** One series of a chart: a value per x (null where the series has no point). */
export interface ChartSeries {
  label: string;
  color: string;
  /** Dash pattern in pixels, e.g. [6, 4]; solid when absent. */
  dash?: number[];
  /** Draw a marker at each point (useful for a few epochs). */
  points?: boolean;
  values: (number | null)[];
}

/** A chart in uPlot's aligned layout: the x values ascending, then one value array per series. */
export interface ChartData {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  series: ChartSeries[];
  xRange?: [number, number];
  yRange?: [number, number];
}

/** The JSON block embedded in the page. */
export interface ReportData {
  title: string;
  classNames: string[];
  charts: ChartData[];
  models: { name: string; metrics: Record<string, number>; confusion: number[][]; auc: number | null }[];
}

/** uPlot's browser build and stylesheet (see loadUplotAssets). */
export interface UplotAssets {
  js: string;
  css: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

/** Labels of the usual metric keys; others are shown as they are. */
const METRIC_LABELS: Record<string, string> = {
  precision: 'precision', recall: 'recall', f1: 'F1', auc: 'ROC AUC', accuracy: 'accuracy', loss: 'loss',
};

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(4) : 'n/a');

/**
 * Points of several curves on one ascending x axis (uPlot's aligned data): every curve's points, stably sorted
 * by x so that a curve's own order survives ties (the vertical steps of a ROC curve), with null in the other
 * curves' columns. uPlot's spanGaps joins each curve across those nulls.
 */
export function alignCurves(curves: readonly { x: readonly number[]; y: readonly number[] }[]): { x: number[]; values: (number | null)[][] } {
  const points: { x: number; y: number; curve: number; order: number }[] = [];
  curves.forEach((c, k) => {
    if (c.x.length !== c.y.length) throw new Error(`alignCurves: curve ${k} has ${c.x.length} x values but ${c.y.length} y values`);
    c.x.forEach((x, i) => points.push({ x, y: c.y[i], curve: k, order: points.length }));
  });
  points.sort((a, b) => a.x - b.x || a.order - b.order);
  const values = curves.map(() => new Array<number | null>(points.length).fill(null));
  points.forEach((p, i) => (values[p.curve][i] = Number.isFinite(p.y) ? p.y : null));
  return { x: points.map((p) => p.x), values };
}

/** A figure per epoch for every model that logged it: train (solid) and held-out (dashed). */
function curveChart(spec: EvaluationReportSpec, id: string, key: string, title: string, yLabel: string, yRange?: [number, number]): ChartData | null {
  const valKey = `val${key[0].toUpperCase()}${key.slice(1)}`;
  const epochs = Math.max(0, ...spec.models.map((m) => Math.max(m.history[key]?.length ?? 0, m.history[valKey]?.length ?? 0)));
  if (epochs === 0) return null;
  const x = Array.from({ length: epochs }, (_, i) => i + 1);
  const series: ChartSeries[] = [];
  const column = (v: readonly number[]): (number | null)[] => x.map((_, i) => (i < v.length && Number.isFinite(v[i]) ? v[i] : null));
  spec.models.forEach((m, k) => {
    const color = COLORS[k % COLORS.length];
    const few = epochs <= 30;
    if (m.history[key]) series.push({ label: `${m.name}, training`, color, points: few, values: column(m.history[key]) });
    if (m.history[valKey]) series.push({ label: `${m.name}, ${spec.heldOutName ?? 'held-out'}`, color, dash: [6, 4], points: few, values: column(m.history[valKey]) });
  });
  return { id, title, xLabel: 'epoch', yLabel, x, series, ...(yRange ? { yRange } : {}) };
}

/** The ROC curves of the models that have one, and the diagonal of a random guess. */
function rocChart(spec: EvaluationReportSpec): ChartData | null {
  const withRoc = spec.models.filter((m) => m.roc);
  if (withRoc.length === 0) return null;
  const curves = [...withRoc.map((m) => ({ x: m.roc!.fpr, y: m.roc!.tpr })), { x: [0, 1], y: [0, 1] }];
  const { x, values } = alignCurves(curves);
  const series: ChartSeries[] = withRoc.map((m, k) => ({
    label: `${m.name} (AUC ${fmt(m.roc!.auc)})`, color: COLORS[spec.models.indexOf(m) % COLORS.length], values: values[k],
  }));
  series.push({ label: 'random guess (AUC 0.5)', color: '#999999', dash: [4, 4], values: values[withRoc.length] });
  const positive = spec.classNames[spec.classNames.length - 1] ?? 'positive';
  return {
    id: 'chart-roc', title: `ROC curve (positive class: ${positive})`, xLabel: 'false positive rate', yLabel: 'true positive rate (recall)',
    x, series, xRange: [0, 1], yRange: [0, 1],
  };
}

/** The same ROC curves near the top-left corner, where good classifiers differ (FPR ≤ 10%, TPR ≥ 80%). */
function rocZoom(roc: ChartData | null): ChartData | null {
  if (roc === null) return null;
  return { ...roc, id: 'chart-roc-zoom', title: `${roc.title}, zoomed on false positive rates up to 10%`, xRange: [0, 0.1], yRange: [0.8, 1] };
}

/** The charts and tables' figures, as embedded in the page. */
export function reportData(spec: EvaluationReportSpec): ReportData {
  if (spec.models.length === 0) throw new Error('renderEvaluationReport: no models; expected at least one evaluated model');
  const n = spec.classNames.length;
  for (const m of spec.models) {
    if (m.confusion.length !== n || m.confusion.some((r) => r.length !== n)) {
      throw new Error(`renderEvaluationReport: the confusion matrix of '${m.name}' is not ${n}×${n} (classes: ${spec.classNames.join(', ')})`);
    }
  }
  const charts = [
    curveChart(spec, 'chart-loss', 'loss', 'Learning curves: loss', 'loss (binary cross-entropy)'),
    curveChart(spec, 'chart-accuracy', 'accuracy', 'Learning curves: accuracy', 'accuracy'),
    rocChart(spec),
    rocZoom(rocChart(spec)),
  ].filter((c): c is ChartData => c !== null);
  return {
    title: spec.title,
    classNames: [...spec.classNames],
    charts,
    models: spec.models.map((m) => ({
      name: m.name, metrics: { ...m.metrics }, confusion: m.confusion.map((r) => [...r]), auc: m.roc?.auc ?? null,
    })),
  };
}

function metricsTable(spec: EvaluationReportSpec): string {
  const keys = [...new Set(spec.models.flatMap((m) => Object.keys(m.metrics)))];
  const head = ['model', ...keys.map((k) => METRIC_LABELS[k] ?? k)].map((h) => `<th>${esc(h)}</th>`).join('');
  const rows = spec.models.map((m) => `<tr><th scope="row">${esc(m.name)}</th>${keys.map((k) => `<td>${k in m.metrics ? fmt(m.metrics[k]) : '–'}</td>`).join('')}</tr>`);
  return `<table class="metrics"><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

/** A confusion matrix with true classes as rows, each cell shaded by its share of its row. */
export function confusionTable(name: string, classNames: readonly string[], confusion: readonly (readonly number[])[]): string {
  const total = confusion.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  const right = confusion.reduce((s, r, i) => s + r[i], 0);
  const head = `<tr><th>true \\ predicted</th>${classNames.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>`;
  const rows = confusion.map((r, i) => {
    const rowTotal = r.reduce((a, b) => a + b, 0) || 1;
    const cells = r.map((v, j) => {
      const share = v / rowTotal;
      const hue = i === j ? '31,119,180' : '214,39,40';
      return `<td class="count" style="background: rgba(${hue},${(0.08 + 0.6 * share).toFixed(3)})" title="${esc(`true ${classNames[i]}, predicted ${classNames[j]}`)}">${v}</td>`;
    });
    return `<tr><th scope="row">${esc(classNames[i])}</th>${cells.join('')}</tr>`;
  });
  return `<figure class="confusion"><table><caption>${esc(name)}: ${right} of ${total} right</caption><thead>${head}</thead><tbody>\n${rows.join('\n')}\n</tbody></table></figure>`;
}

/** The page's own script: draws every chart of the JSON block with uPlot, as wide as its box. */
const DRAW_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  data.charts.forEach(function (c) {
    var box = document.getElementById(c.id);
    var fixed = function (r) { return r ? function () { return r; } : undefined; };
    var opts = {
      title: c.title,
      width: Math.max(320, Math.min(860, box.clientWidth || 720)),
      height: 320,
      scales: { x: { time: false, range: fixed(c.xRange) }, y: { range: fixed(c.yRange) } },
      axes: [{ label: c.xLabel }, { label: c.yLabel }],
      legend: { live: false },
      series: [{ label: c.xLabel }].concat(c.series.map(function (s) {
        return { label: s.label, stroke: s.color, width: 2, dash: s.dash, spanGaps: true, points: { show: !!s.points, size: 5 } };
      })),
    };
    var plot = new uPlot(opts, [c.x].concat(c.series.map(function (s) { return s.values; })), box);
    (window.__reportCharts = window.__reportCharts || []).push(plot);
  });
})();
`;

/** Keeps embedded text from closing its <script> or <style> element early. */
const inert = (s: string, tag: 'script' | 'style'): string => s.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');

/**
 * The report as one HTML page. `assets` is uPlot's browser build and stylesheet (loadUplotAssets reads them
 * from the installed uplot package); they are inlined, so the page loads nothing from anywhere.
 */
export function renderEvaluationReport(spec: EvaluationReportSpec, assets: UplotAssets): string {
  const data = reportData(spec);
  const chart = (id: string): string => (data.charts.some((c) => c.id === id) ? `<div class="chart" id="${id}"></div>` : '');
  const heldOut = spec.heldOutName ?? 'held-out';
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const generated = spec.generated ?? new Date().toISOString();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(spec.title)}</title>
<style>${inert(assets.css, 'style')}</style>
<style>
  body { font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #222; max-width: 960px; margin: 2em auto; padding: 0 1em; }
  h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ddd; }
  table { border-collapse: collapse; margin: 0.8em 0; } th, td { padding: 0.3em 0.8em; border: 1px solid #ddd; }
  td { text-align: right; font-variant-numeric: tabular-nums; } th { background: #f6f6f6; text-align: left; }
  caption { text-align: left; font-weight: 600; padding-bottom: 0.3em; }
  .confusions { display: flex; flex-wrap: wrap; gap: 2em; } figure { margin: 0; }
  .chart { margin: 1em 0 2em; } .note, footer { color: #666; font-size: 0.9em; }
</style>
</head>
<body>
<h1>${esc(spec.title)}</h1>
${(spec.intro ?? []).map((p) => `<p>${esc(p)}</p>`).join('\n')}
<h2>Metrics on the ${esc(heldOut)} data</h2>
${metricsTable(spec)}
${spec.models.filter((m) => m.description).map((m) => `<p class="note"><b>${esc(m.name)}</b>: ${esc(m.description!)}</p>`).join('\n')}
<h2>Learning curves</h2>
<p class="note">Solid: the training batches of each epoch (averaged while the weights were changing). Dashed: the ${esc(heldOut)} data after each epoch.</p>
${chart('chart-loss')}
${chart('chart-accuracy')}
<h2>ROC curve</h2>
<p class="note">Each point is one decision threshold on the predicted probability: the share of ${esc(spec.classNames[spec.classNames.length - 1] ?? 'positive')} caught (up) against the share of the other class wrongly flagged (right). The closer to the top-left corner, the better; the area under the curve is the ROC AUC.</p>
${chart('chart-roc')}
${chart('chart-roc-zoom')}
<h2>Confusion matrices</h2>
<div class="confusions">
${spec.models.map((m) => confusionTable(m.name, spec.classNames, m.confusion)).join('\n')}
</div>
${(spec.notes ?? []).map((p) => `<p class="note">${esc(p)}</p>`).join('\n')}
<footer>Generated by Backprop on ${esc(generated)}. Charts: uPlot (MIT licence), embedded in this file.</footer>
<script type="application/json" id="report-data">${json}</script>
<script>${inert(assets.js, 'script')}</script>
<script>${DRAW_SCRIPT}</script>
</body>
</html>
`;
}
