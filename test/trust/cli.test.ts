import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import * as bp from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { mnist } from '../../src/data/mnist.js';
import { saveModelDir } from '../../src/io/model-dir.js';
import { fit } from '../../src/train/index.js';
import { main } from '../../src/cli/main.js';
import { attackCommand } from '../../src/cli/commands/trust-attack.js';
import { calibrateCommand } from '../../src/cli/commands/trust-calibrate.js';
import { explainCommand } from '../../src/cli/commands/trust-explain.js';
import { shiftCommand } from '../../src/cli/commands/trust-shift.js';
import { chartSvg } from '../../src/cli/commands/trust-report.js';

// A small MLP trained for two epochs on 500 digits: enough for every command to have something to measure.
const split = { train: 600, test: 200, seed: 3, val: 100 };
let dir = '';

before(async () => {
  const data = await mnist(split);
  bp.manualSeed(0);
  const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 32), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(32, 10));
  await fit(model, {
    data: [data.xTrain.narrow(0, 0, 500), data.yTrain.narrow(0, 0, 500)], loss: 'crossEntropy',
    optimizer: new optim.Adam(model.parameters(), { lr: 3e-3 }), epochs: 3, batchSize: 50, verbose: false,
  });
  dir = mkdtempSync(join(tmpdir(), 'bp-trust-cli-'));
  await saveModelDir(dir, model, { dataset: 'mnist', split, inputShape: [1, 28, 28], classes: 10 });
});

/** Runs a command with its output captured; returns the lines. */
async function capture(run: (log: (l: string) => void) => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  await run((l) => lines.push(l));
  return lines;
}

describe('trust commands', () => {
  test('attack: a table of ε rows (ε = 0 first), the last line one JSON object, a report section', async () => {
    const lines = await capture((log) => attackCommand(dir, { eps: [0.1, 0.2], limit: 100, log, json: true }));
    const json = JSON.parse(lines.at(-1)!);
    assert.deepEqual(json.points.map((p: { eps: number }) => p.eps), [0, 0.1, 0.2]);
    assert.equal(json.testImages, 100);
    assert.ok(json.points[0].accuracy > 0.6, `clean accuracy ${json.points[0].accuracy}`);
    assert.ok(json.points[2].accuracy < json.points[0].accuracy);
    assert.ok(lines.some((l) => /ε\s+accuracy\s+error rate/.test(l)), lines.join('\n'));
    const html = readFileSync(join(dir, 'trust-report.html'), 'utf8');
    assert.match(html, /<section id="attack">/);
    assert.match(html, /<svg/);
  });

  test('explain: writes a PNG that decodes to 280×280 and checks IG completeness', async () => {
    const lines = await capture((log) => explainCommand(dir, { index: 3, method: 'ig', steps: 64, log, json: true }));
    const json = JSON.parse(lines.at(-1)!);
    assert.ok(existsSync(json.png));
    const png = PNG.sync.read(readFileSync(json.png));
    assert.equal(png.width, 280);
    assert.equal(png.height, 280);
    assert.ok(json.completenessGap < 0.05, `completeness gap ${json.completenessGap}`);
    assert.ok(Math.abs(json.attributionSum - json.scoreDifference) <= 0.05 * Math.abs(json.scoreDifference));
    const gc = await capture((log) => explainCommand(dir, { index: 0, method: 'gradcam', log }).catch((e: Error) => log(`error: ${e.message}`)));
    assert.match(gc.join('\n'), /gradcam needs a convolutional model/);
    assert.match(readFileSync(join(dir, 'trust-report.html'), 'utf8'), /<img src="explain-ig-3.png"/);
  });

  test('calibrate: T fitted on the validation rows; accuracy unchanged, NLL on the test rows reported', async () => {
    const lines = await capture((log) => calibrateCommand(dir, { log, json: true }));
    const json = JSON.parse(lines.at(-1)!);
    assert.equal(json.fittedOn, 'validation split');
    assert.equal(json.validationImages, 100);
    assert.equal(json.testImages, 200);
    assert.equal(json.after.accuracy, json.before.accuracy);
    assert.ok(json.temperature > 0);
    assert.ok(lines.some((l) => l.startsWith('temperature-scaled')));
  });

  test('shift: one row per corruption and severity after the clean row', async () => {
    const lines = await capture((log) => shiftCommand(dir, { corruptions: ['invert', 'rotate'], severities: [1, 5], mcSamples: 3, limit: 60, log, json: true }));
    const json = JSON.parse(lines.at(-1)!);
    assert.equal(json.rows.length, 4);
    assert.equal(json.mcSamples, 3);
    const invert5 = json.rows.find((r: { corruption: string; severity: number }) => r.corruption === 'invert' && r.severity === 5);
    assert.ok(invert5.accuracy < json.clean.accuracy);
    assert.ok(invert5.aurocMsp >= 0 && invert5.aurocMsp <= 1);
    assert.ok(lines.some((l) => l.startsWith('none (clean)')));
    const html = readFileSync(join(dir, 'trust-report.html'), 'utf8');
    for (const key of ['attack', 'explain', 'calibrate', 'shift']) assert.match(html, new RegExp(`<section id="${key}">`));
  });

  test('main: the model folder is a positional argument; a missing or extra one is a usage error', async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    assert.equal(await main(['attack'], io), 2);
    assert.match(out.join(''), /missing <model-dir>/);
    assert.equal(await main(['attack', dir, 'extra'], io), 2);
    assert.match(out.join(''), /unexpected argument 'extra'/);
    assert.equal(await main(['shift', '--help'], io), 0);
    assert.match(out.join(''), /Usage: backprop shift <model-dir>/);
    assert.equal(await main(['attack', join(dir, 'nope')], io), 1);
    assert.match(out.join(''), /cannot read .*config\.json/);
  });

  test('the report’s SVG chart escapes its text and skips NaN points', () => {
    const svg = chartSvg({ title: 'a < b', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points: [[0, 1], [1, NaN], [2, 3]] }] });
    assert.match(svg, /a &#60; b/);
    assert.equal((svg.match(/<circle/g) ?? []).length, 2);
  });
});
