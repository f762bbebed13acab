// The HTML evaluation report: curve alignment for uPlot, the embedded figures, escaping, self-containment
// (uPlot inlined, nothing fetched), and, in headless Chromium, that the page really draws its charts.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  type EvaluationReportSpec, type ReportData, alignCurves, loadUplotAssets, renderEvaluationReport, reportData, writeEvaluationReport,
} from '../../src/report/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'backprop-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FAKE = { js: 'window.uPlot = function FAKE_UPLOT() {};', css: '.FAKE_UPLOT_CSS { color: red }' };

/** Two models, one with a ROC curve of a tie (a vertical step) and one epoch more than the other. */
function spec(): EvaluationReportSpec {
  return {
    title: 'Spam <filter> & co',
    intro: ['Held-out <20%>.'],
    classNames: ['ham', 'spam'],
    heldOutName: 'test',
    generated: '2024-01-01T00:00:00.000Z',
    models: [
      {
        name: 'linear </script><b>',
        description: 'Linear 3→1',
        history: { loss: [0.6, 0.4], valLoss: [0.65, 0.5], accuracy: [0.7, 0.8], valAccuracy: [0.68, 0.75], lr: [0.1, 0.1] },
        roc: { fpr: [0, 0, 0.5, 1], tpr: [0, 0.5, 1, 1], auc: 0.875 },
        confusion: [[40, 2], [3, 17]],
        metrics: { precision: 17 / 19, recall: 17 / 20, f1: 34 / 39, auc: 0.875, accuracy: 57 / 62 },
      },
      {
        name: 'MLP',
        history: { loss: [0.5, 0.3, 0.2], valLoss: [0.55, 0.45, NaN] },
        roc: { fpr: [0, 1], tpr: [0, 1], auc: 0.5 },
        confusion: [[41, 1], [9, 11]],
        metrics: { f1: 22 / 32 },
      },
    ],
    notes: ['Fixed beforehand.'],
  };
}

describe('evaluation report', () => {
  test('alignCurves: one ascending x axis, each curve in its own order through ties, null elsewhere', () => {
    const { x, values } = alignCurves([{ x: [0, 0, 0.5, 1], y: [0, 0.5, 1, 1] }, { x: [0, 1], y: [0, 1] }]);
    assert.deepEqual(x, [0, 0, 0, 0.5, 1, 1]);
    assert.deepEqual(values, [[0, 0.5, null, 1, 1, null], [null, null, 0, null, null, 1]]);
    assert.throws(() => alignCurves([{ x: [0, 1], y: [0] }]), /alignCurves: curve 0 has 2 x values but 1 y values/);
  });

  test('reportData: learning curves per epoch (gaps as null), ROC curves with the diagonal, confusion matrices', () => {
    const d = reportData(spec());
    assert.deepEqual(d.charts.map((c) => c.id), ['chart-loss', 'chart-accuracy', 'chart-roc', 'chart-roc-zoom']);
    const loss = d.charts[0];
    assert.deepEqual(loss.x, [1, 2, 3]);
    assert.deepEqual(loss.series.map((s) => [s.label, s.values]), [
      ['linear </script><b>, training', [0.6, 0.4, null]],
      ['linear </script><b>, test', [0.65, 0.5, null]],
      ['MLP, training', [0.5, 0.3, 0.2]],
      ['MLP, test', [0.55, 0.45, null]],
    ]);
    assert.deepEqual(loss.series.map((s) => s.dash ?? null), [null, [6, 4], null, [6, 4]]);
    // Only the first model logged accuracy.
    assert.equal(d.charts[1].series.length, 2);
    const roc = d.charts[2];
    assert.deepEqual(roc.series.map((s) => s.label), ['linear </script><b> (AUC 0.8750)', 'MLP (AUC 0.5000)', 'random guess (AUC 0.5)']);
    assert.deepEqual(roc.x, [0, 0, 0, 0, 0.5, 1, 1, 1]);
    assert.deepEqual(roc.series[0].values, [0, 0.5, null, null, 1, 1, null, null]);
    assert.deepEqual([roc.xRange, roc.yRange], [[0, 1], [0, 1]]);
    assert.deepEqual([d.charts[3].xRange, d.charts[3].yRange], [[0, 0.1], [0.8, 1]]);
    assert.deepEqual(d.models.map((m) => [m.confusion, m.auc]), [[[[40, 2], [3, 17]], 0.875], [[[41, 1], [9, 11]], 0.5]]);
  });

  test('the page inlines uPlot, loads nothing, escapes text, and embeds the figures as JSON', () => {
    const html = renderEvaluationReport(spec(), FAKE);
    assert.ok(html.includes(FAKE.js) && html.includes(FAKE.css));
    assert.ok(!/<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=/i.test(html));
    assert.ok(!/https?:/.test(html), 'no address anywhere (the fake uPlot has none)');
    assert.match(html, /<title>Spam &#60;filter&#62; &#38; co<\/title>/);
    assert.match(html, /<p>Held-out &#60;20%&#62;.<\/p>/);
    // A name holding </script> can neither close the JSON block nor inject markup.
    assert.equal(html.split('</script>').length - 1, 3);
    assert.ok(!html.includes('<b>, training'));
    const block = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
    assert.ok(block);
    assert.deepEqual(JSON.parse(block[1]) as ReportData, JSON.parse(JSON.stringify(reportData(spec()))));
    // Metrics table: four decimals, a dash where a model lacks a figure; confusion tables with their totals.
    assert.match(html, /<td>0\.8947<\/td><td>0\.8500<\/td><td>0\.8718<\/td><td>0\.8750<\/td><td>0\.9194<\/td>/);
    assert.match(html, /<th scope="row">MLP<\/th><td>–<\/td><td>–<\/td><td>0\.6875<\/td>/);
    assert.match(html, /MLP: 52 of 62 right/);
    for (const v of [40, 2, 3, 17, 41, 1, 9, 11]) assert.match(html, new RegExp(`>${v}</td>`));
  });

  test('a confusion matrix that does not match the classes is refused', () => {
    const s = spec();
    s.models = [{ ...s.models[0], confusion: [[1, 2, 3], [4, 5, 6]] }];
    assert.throws(() => renderEvaluationReport(s, FAKE), /confusion matrix of 'linear <\/script><b>' is not 2×2 \(classes: ham, spam\)/);
  });

  test('writeEvaluationReport inlines the installed uPlot files', async () => {
    const assets = await loadUplotAssets();
    assert.equal(assets.js, readFileSync(join(root, 'node_modules', 'uplot', 'dist', 'uPlot.iife.min.js'), 'utf8'));
    assert.equal(assets.css, readFileSync(join(root, 'node_modules', 'uplot', 'dist', 'uPlot.min.css'), 'utf8'));
    const path = await writeEvaluationReport(join(dir, 'sub', 'report.html'), spec());
    const html = readFileSync(path, 'utf8');
    assert.ok(html.includes(assets.js) && html.includes(assets.css));
  });
});

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
describe('evaluation report in Chromium', { timeout: 180_000 }, () => {
  before(() => assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}; run scripts/ensure-chromium.sh (or set CHROMIUM_PATH)`));
  test('the page draws its four charts with uPlot, offline, without errors', async () => {
    const { chromium } = await import('playwright-core');
    const path = await writeEvaluationReport(join(dir, 'browser', 'report.html'), spec());
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'] });
    try {
      const context = await browser.newContext({ offline: true });
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(path).href);
      await page.waitForFunction(() => (window as unknown as { __reportCharts?: unknown[] }).__reportCharts?.length === 4, null, { timeout: 15_000 });
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [pathToFileURL(path).href], 'the page fetches nothing but itself');
      assert.equal(await page.locator('.uplot canvas').count(), 4);
      // What uPlot holds is the embedded data: the loss chart's x axis and the MLP's training losses.
      const loss = await page.evaluate(() => {
        const u = (window as unknown as { __reportCharts: { data: (number | null)[][]; series: { label: string }[] }[] }).__reportCharts[0];
        return { x: u.data[0], mlp: u.data[3], labels: u.series.map((s) => s.label) };
      });
      assert.deepEqual(loss, {
        x: [1, 2, 3], mlp: [0.5, 0.3, 0.2],
        labels: ['epoch', 'linear </script><b>, training', 'linear </script><b>, test', 'MLP, training', 'MLP, test'],
      });
    } finally {
      await browser.close();
    }
  });
});
