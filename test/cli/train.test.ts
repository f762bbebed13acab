import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import { type ClassificationMetrics, type RegressionMetrics, train } from '../../src/cli/commands/train.js';
import { main } from '../../src/cli/main.js';
import { parseConfig } from '../../src/cli/train-config.js';
import { loadSafetensors } from '../../src/io/files.js';
import { loadModelDir } from '../../src/io/model-dir.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'backprop-cli-'));
const silent = { log: (): void => {}, progress: false };
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A binary task: 'approved' is yes when 2·income − debt + (plan bonus) > 0, with a categorical 'plan' whose
 * values hold commas and quotes (so they are quoted in the file), and an identifier column.
 */
function loansCsv(n: number): string {
  const g = new bp.Generator(7);
  const plans = ['basic', '"gold, annual"', '"silver ""plus"""'];
  const bonus = [-1, 1.5, 0];
  const rows = ['id,income,debt,plan,approved'];
  for (let i = 0; i < n; i++) {
    const income = g.nextNormal();
    const debt = g.nextNormal();
    const p = g.nextInt(3);
    rows.push(`user${i},${income.toFixed(4)},${debt.toFixed(4)},${plans[p]},${2 * income - debt + bonus[p] > 0 ? 'yes' : 'no'}`);
  }
  return `${rows.join('\n')}\n`;
}

/** A regression: price = 3·x1 − 2·x2 + city effect + N(0, 0.1²), with many distinct values. */
function housesCsv(n: number): string {
  const g = new bp.Generator(8);
  const effect: Record<string, number> = { A: 0, B: 4, C: -4 };
  const rows = ['x1,x2,city,price'];
  for (let i = 0; i < n; i++) {
    const x1 = g.nextNormal();
    const x2 = g.nextNormal();
    const city = 'ABC'[g.nextInt(3)];
    rows.push(`${x1.toFixed(4)},${x2.toFixed(4)},${city},${(3 * x1 - 2 * x2 + effect[city] + 0.1 * g.nextNormal()).toFixed(4)}`);
  }
  return `${rows.join('\n')}\n`;
}

const loans = join(dir, 'loans.csv');
const houses = join(dir, 'houses.csv');
const broken = join(dir, 'broken.csv');
writeFileSync(loans, loansCsv(300));
writeFileSync(houses, housesCsv(300));
// Line 1 is the header; the cell of column 'debt' on line 4 is empty.
writeFileSync(broken, 'income,debt,approved\n1.5,0.2,yes\n0.3,1.1,no\n0.7,,yes\n');

/** `node --import tsx src/cli/main.ts …` as a user runs it. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, BACKPROP_DEBUG: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('train --csv', () => {
  test('classification with a categorical, quoted column: one-hot, stratified split, the test metrics', async () => {
    const out = join(dir, 'model');
    const r = await train({ csv: loans, target: 'approved', epochs: 60, out, ...silent });
    assert.equal(r.task, 'classification');
    assert.deepEqual(r.classes, ['no', 'yes']);
    assert.deepEqual(r.droppedColumns, ['id']);
    assert.deepEqual(r.features, ['income', 'debt', 'plan_basic', 'plan_gold, annual', 'plan_silver "plus"']);
    assert.equal(r.testRows, 60);
    assert.equal(r.trainRows + r.valRows + r.testRows, 300);
    assert.ok(r.stratified);
    const m = r.metrics as ClassificationMetrics;
    assert.ok(m.accuracy >= 0.85, `accuracy ${m.accuracy}`);
    assert.ok(m.rocAuc !== null && m.rocAuc >= 0.9, `AUC ${m.rocAuc}`);
    // The confusion matrix counts every test row once; its diagonal is the accuracy; supports are its row sums.
    const total = m.confusion.flat().reduce((a, b) => a + b, 0);
    assert.equal(total, 60);
    assert.ok(Math.abs((m.confusion[0][0] + m.confusion[1][1]) / total - m.accuracy) < 1e-12);
    m.perClass.forEach((c, k) => assert.equal(c.support, m.confusion[k][0] + m.confusion[k][1]));
    // Recall of class k = diagonal / row sum; macro F1 = mean of per-class F1.
    m.perClass.forEach((c, k) => assert.ok(Math.abs(c.recall - m.confusion[k][k] / c.support) < 1e-12));
    assert.ok(Math.abs(m.macroF1 - (m.perClass[0].f1 + m.perClass[1].f1) / 2) < 1e-12);
    assert.ok(r.bestEpoch !== null && r.bestEpoch >= 1 && r.bestEpoch <= r.epochsRun);
    assert.ok(r.flops > 0);

    // The folder is a model folder: io's loader rebuilds the MLP with the saved weights.
    const saved = await loadSafetensors(join(out, 'model.safetensors'));
    assert.deepEqual(Object.keys(saved.tensors).sort(), ['0.bias', '0.weight', '2.bias', '2.weight', '4.bias', '4.weight']);
    assert.deepEqual(saved.tensors['0.weight'].shape, [64, 5]);
    const { model, config } = await loadModelDir(out);
    assert.deepEqual(config.layers.map((l) => l.type), ['Linear', 'ReLU', 'Linear', 'ReLU', 'Linear']);
    assert.deepEqual(Array.from(model.stateDict()['4.weight'].data()), Array.from(saved.tensors['4.weight'].data()));
    assert.equal(config.classes, 2);
    assert.deepEqual(config.classNames, ['no', 'yes']);
    assert.deepEqual((config.categories as Record<string, string[]>).plan, ['basic', 'gold, annual', 'silver "plus"']);
    const scaler = config.scaler as { mean: number[]; scale: number[] };
    assert.equal(scaler.mean.length, 5);
    assert.deepEqual(scaler.mean.slice(2), [0, 0, 0], 'one-hot columns are not standardised');
    assert.deepEqual(scaler.scale.slice(2), [1, 1, 1]);
  });

  test('regression on a numeric target with many values: MSE, MAE, R² in the target units', async () => {
    const r = await train({ csv: houses, target: 'price', config: { model: { hidden: [32] }, optimizer: { name: 'adam', lr: 0.01 } }, epochs: 80, ...silent });
    assert.equal(r.task, 'regression');
    assert.deepEqual(r.classes, []);
    assert.equal(r.stratified, false);
    const m = r.metrics as RegressionMetrics;
    assert.ok(m.r2 > 0.95, `R² ${m.r2}`);
    // MAE ≤ RMSE for any residuals.
    assert.ok(m.mae <= Math.sqrt(m.mse) + 1e-12);
    assert.equal(r.model, 'MLP 5-32-1 (relu)');
  });

  test('the same seed gives the same result', async () => {
    const a = await train({ csv: houses, target: 'price', epochs: 3, seed: 5, ...silent });
    const b = await train({ csv: houses, target: 'price', epochs: 3, seed: 5, ...silent });
    assert.deepEqual(a.metrics, b.metrics);
  });

  test('--json prints one JSON object last; a malformed CSV names row and column, exit 1, no stack trace', () => {
    const ok = cli('train', '--csv', houses, '--target', 'price', '--epochs', '2', '--json');
    assert.equal(ok.status, 0, ok.stderr);
    const last = ok.stdout.trimEnd().split('\n').pop()!;
    const json = JSON.parse(last);
    assert.equal(json.task, 'regression');
    assert.equal(typeof json.metrics.r2, 'number');
    assert.equal(json.epochsRun, 2);

    const bad = cli('train', '--csv', broken, '--target', 'approved');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^backprop: readCSV: row 4, column 'debt': missing value/);
    assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(bad.stdout, '');
  });

  test('command-line mistakes exit with code 2 and say what is wrong', async () => {
    const run = async (...argv: string[]): Promise<{ code: number; out: string; err: string }> => {
      let out = '';
      let err = '';
      const code = await main(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
      return { code, out, err };
    };
    let r = await run('train', '--csv', loans, '--target', 'approved', '--epoch', '3');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown option '--epoch' for 'backprop train'/);
    r = await run('train', '--csv', loans);
    assert.equal(r.code, 2);
    assert.match(r.err, /train needs --target <column>/);
    r = await run('train', '--csv', loans, '--target', 'approved', '--epochs', 'ten');
    assert.equal(r.code, 2);
    assert.match(r.err, /--epochs must be an integer ≥ 1, got 'ten'/);
    r = await run('demo', 'xor', '--seed', '-1');
    assert.equal(r.code, 2);
    r = await run('demo', 'nope');
    assert.equal(r.code, 2);
    assert.match(r.err, /unknown command 'demo nope'/);
    // Library errors: exit 1 with the message.
    r = await run('train', '--csv', loans, '--target', 'aproved');
    assert.equal(r.code, 1);
    assert.match(r.err, /^backprop: train --target: no column 'aproved'; the columns are 'id', 'income'/);
    // BACKPROP_DEBUG=1 adds the stack trace.
    process.env.BACKPROP_DEBUG = '1';
    try {
      r = await run('train', '--csv', broken, '--target', 'approved');
    } finally {
      delete process.env.BACKPROP_DEBUG;
    }
    assert.equal(r.code, 1);
    assert.match(r.err, /^backprop: readCSV: row 4, column 'debt'.*\nError: readCSV[^]*\n\s+at /);
    // Every command has a --help.
    for (const words of [['demo', 'xor'], ['demo', 'circle'], ['demo', 'gd'], ['demo', 'ridge'], ['train'], ['info']]) {
      r = await run(...words, '--help');
      assert.equal(r.code, 0);
      assert.match(r.out, new RegExp(`^backprop ${words.join(' ')}: .*\\n\\nUsage: backprop ${words.join(' ')}`));
    }
  });
});

describe('--config validation', () => {
  const refuses = (config: unknown, message: RegExp): void => assert.throws(() => parseConfig(config, 'my.json'), message);

  test('defaults fill what a config leaves out', () => {
    const c = parseConfig({ model: { hidden: [8] }, optimizer: { name: 'sgd', momentum: 0.9 } });
    assert.deepEqual(c.model, { hidden: [8], activation: 'relu', dropout: 0 });
    assert.deepEqual(c.optimizer, { name: 'sgd', lr: 0.01, momentum: 0.9 });
    assert.equal(c.training.epochs, 100);
  });

  test('every mistake is named with its key and what was expected', () => {
    refuses({ modle: {} }, /^Error: my\.json: unknown key 'modle' \(did you mean 'model'\?\); expected one of model, optimizer, training, data, seed$/);
    refuses({ model: { hiden: [3] } }, /unknown key 'model\.hiden' \(did you mean 'hidden'\?\)/);
    refuses({ model: { hidden: '64' } }, /'model\.hidden' must be an array of positive integers such as \[64, 32\].*got "64"/);
    refuses({ model: { hidden: [64, 0] } }, /'model\.hidden' must be an array of positive integers/);
    refuses({ model: { activation: 'rleu' } }, /'model\.activation' must be one of "relu", .*got "rleu" \(did you mean "relu"\?\)/);
    refuses({ model: { dropout: 1 } }, /'model\.dropout' must be in \[0, 1\), got 1/);
    refuses({ training: { epochs: 2.5 } }, /'training\.epochs' must be an integer, got 2\.5/);
    refuses({ training: { batchSize: 0 } }, /'training\.batchSize' must be an integer ≥ 1, got 0/);
    refuses({ training: { patience: 'a' } }, /'training\.patience' must be an integer, got "a"/);
    refuses({ data: { testSize: 1 } }, /'data\.testSize' must be in \(0, 1\), got 1/);
    refuses({ data: { task: 'clustering' } }, /'data\.task' must be one of "auto", "classification", "regression"/);
    refuses({ seed: -2 }, /'seed' must be an integer ≥ 0, got -2/);
    refuses({ optimizer: { name: 'adamm' } }, /'optimizer\.name' must be one of "adam", "adamw", "sgd", "rmsprop", "adagrad", got "adamm"/);
    refuses({ optimizer: { lr: -0.1 } }, /'optimizer\.lr' must be a number > 0, got -0\.1/);
    refuses({ optimizer: { name: 'sgd', momentum: -1 } }, /'optimizer\.momentum': SGD: momentum = -1; expected a finite number >= 0/);
    refuses({ optimizer: { weight_decay: 0.1 } }, /'optimizer\.weight_decay': Adam: unknown option 'weight_decay'.*\(did you mean 'weightDecay'\?\)/);
    refuses({ optimizer: { name: 'adam', betas: [0.9] } }, /'optimizer\.betas': Adam: betas = \[0\.9\]; expected two numbers/);
    refuses([1, 2], /the config must be a JSON object, got \[1,2\]/);
  });

  test('a config file with a mistake stops train with the file name and key', async () => {
    const file = join(dir, 'bad-config.json');
    writeFileSync(file, JSON.stringify({ training: { epochs: 0 } }));
    await assert.rejects(train({ csv: loans, target: 'approved', config: file, ...silent }), new RegExp(`^Error: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 'training\\.epochs' must be an integer ≥ 1, got 0$`));
    writeFileSync(file, '{ "seed": 1, }');
    await assert.rejects(train({ csv: loans, target: 'approved', config: file, ...silent }), /bad-config\.json: not valid JSON/);
  });
});
