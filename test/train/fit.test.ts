import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Writable } from 'node:stream';
import * as bp from '../../src/index.js';
import { loadSafetensors } from '../../src/io/files.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import {
  CSVLogger, Callback, EarlyStopping, LRScheduler, LambdaCallback, ModelCheckpoint, ProgressBar, ReduceLROnPlateau, TerminateOnNaN,
  evaluate, fit, l2Penalty, predict,
} from '../../src/train/index.js';

/** Two Gaussian blobs, linearly separable: class 1 around (2, 2), class 0 around (−2, −2). */
function blobs(n: number, seed: number): [bp.Tensor, bp.Tensor] {
  const g = new bp.Generator(seed);
  const y = bp.randint(0, 2, [n], { generator: g });
  const x = bp.randn([n, 2], { generator: g }).add(y.float().mul(4).sub(2).unsqueeze(1));
  return [x, y];
}

const mlp = (): nn.Module => new nn.Sequential(new nn.Linear(2, 8), new nn.Tanh(), new nn.Linear(8, 2));

describe('fit', () => {
  test('learns a separable problem; history, flops and time are recorded', async () => {
    bp.manualSeed(0);
    const model = mlp();
    const data = blobs(200, 1);
    const h = await fit(model, {
      data, valData: blobs(100, 2), loss: 'crossEntropy', optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }),
      epochs: 5, batchSize: 16, metrics: ['accuracy'], verbose: false,
    });
    assert.deepEqual(h.epochs, [0, 1, 2, 3, 4]);
    assert.ok(h.history.loss[4] < h.history.loss[0], 'loss should decrease');
    assert.ok(h.last('valAccuracy') >= 0.97, `valAccuracy ${h.last('valAccuracy')}`);
    assert.deepEqual(Object.keys(h.history).sort(), ['accuracy', 'loss', 'lr', 'valAccuracy', 'valLoss']);
    // One epoch is 13 batches; each forward+backward of a 2-8-2 MLP is ≥ 2·2·(2·8 + 8·2) flops per sample.
    assert.ok(h.flops > 5 * 200 * 2 * 2 * 32, `flops ${h.flops}`);
    assert.ok(h.wallTimeMs > 0);
    assert.match(h.summary(), /^5 epochs in \d+\.\d\d s, [\d.]+ [kMG]FLOP$/);
    const ev = evaluate(model, data, { loss: 'crossEntropy', metrics: ['accuracy'] });
    assert.ok(ev.accuracy >= 0.97);
  });

  test('the same seed gives bit-identical training', async () => {
    const run = async (): Promise<number[]> => {
      bp.manualSeed(42);
      const model = mlp();
      const h = await fit(model, { data: blobs(64, 3), loss: 'crossEntropy', optimizer: new optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }), epochs: 3, batchSize: 8, verbose: false });
      return h.history.loss;
    };
    assert.deepEqual(await run(), await run());
  });

  test('valSplit holds out the last rows; binary logits use threshold 0', async () => {
    bp.manualSeed(1);
    const [x, y] = blobs(100, 4);
    const model = new nn.Sequential(new nn.Linear(2, 1));
    const h = await fit(model, { data: [x, y.float().unsqueeze(1)], valSplit: 0.2, loss: 'bceWithLogits', optimizer: new optim.SGD(model.parameters(), { lr: 0.5 }), epochs: 4, metrics: ['accuracy'], verbose: false });
    assert.equal(h.history.valLoss.length, 4);
    assert.ok(h.last('valAccuracy') >= 0.95);
    const full = evaluate(model, [x.narrow(0, 80, 20), y.float().unsqueeze(1).narrow(0, 80, 20)], { loss: 'bceWithLogits', metrics: ['accuracy'] });
    assert.ok(Math.abs(full.loss - h.last('valLoss')) < 1e-6);
  });

  test('a regulariser is added to the loss', async () => {
    bp.manualSeed(2);
    const model = new nn.Sequential(new nn.Linear(2, 2));
    const params = [...model.parameters()];
    const base = evaluate(model, blobs(32, 5), { loss: 'crossEntropy' }).loss;
    const penalty = l2Penalty([params[0]], 10).item();
    const h = await fit(model, { data: blobs(32, 5), loss: 'crossEntropy', regularizer: () => l2Penalty([params[0]], 10), optimizer: new optim.SGD(params, { lr: 0 }), epochs: 1, batchSize: 32, shuffle: false, verbose: false });
    assert.ok(Math.abs(h.history.loss[0] - (base + penalty)) < 1e-5);
  });

  test('predict and evaluate use eval mode and restore train mode', () => {
    const model = new nn.Sequential(new nn.Linear(2, 4), new nn.Dropout(0.5));
    model.train();
    const x = bp.ones([3, 2]);
    const a = predict(model, x);
    const b = predict(model, x);
    assert.deepEqual(a.toArray(), b.toArray());
    assert.equal(model.training, true);
  });

  test('bad arguments are refused with clear messages', async () => {
    const model = mlp();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    await assert.rejects(fit(model, { data: [bp.zeros([4, 2]), bp.zeros([3])], loss: 'mse', optimizer: opt, verbose: false }), /fit: inputs \[4,2\] and targets \[3\] must have the same number of rows/);
    await assert.rejects(fit(model, { data: blobs(4, 1), valSplit: 1.5, loss: 'mse', optimizer: opt, verbose: false }), /fit: valSplit must be in \(0, 1\), got 1.5/);
    await assert.rejects(fit(model, { data: blobs(4, 1), loss: 'hinge' as never, optimizer: opt, verbose: false }), /fit: unknown loss "hinge"/);
    await assert.rejects(
      fit(model, { data: blobs(8, 1), loss: 'crossEntropy', optimizer: opt, epochs: 1, callbacks: [new EarlyStopping()], verbose: false }),
      /EarlyStopping: monitored figure 'valLoss' is not in the logs \(available: loss, lr\); pass valData or valSplit/,
    );
  });

  test('accepts an iterable of batches (DataLoader-like) and a module as loss', async () => {
    bp.manualSeed(3);
    const [x, y] = blobs(40, 6);
    const batches = { length: 4, *[Symbol.iterator]() { for (let i = 0; i < 4; i++) yield [x.narrow(0, i * 10, 10), y.narrow(0, i * 10, 10)] as const; } };
    const model = mlp();
    const seen: number[] = [];
    const h = await fit(model, { data: batches, loss: new nn.CrossEntropyLoss(), optimizer: new optim.Adam(model.parameters(), { lr: 0.01 }), epochs: 2, verbose: false, callbacks: [new LambdaCallback({ onBatchEnd: (b) => { seen.push(b); } })] });
    assert.deepEqual(seen, [0, 1, 2, 3, 0, 1, 2, 3]);
    assert.equal(h.epochs.length, 2);
  });
});

describe('callbacks', () => {
  /** Drives a callback through fit's hooks with a scripted sequence of epoch logs. */
  async function drive(cb: Callback, values: number[], model = new nn.Sequential(new nn.Linear(1, 1))): Promise<number> {
    const ctx = { model, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: values.length, steps: 1, stopTraining: false };
    cb.setContext(ctx);
    await cb.onTrainBegin({});
    let epoch = 0;
    for (; epoch < values.length && !ctx.stopTraining; epoch++) await cb.onEpochEnd(epoch, { valLoss: values[epoch], loss: values[epoch] });
    await cb.onTrainEnd({});
    return epoch;
  }

  test('EarlyStopping: patience, minDelta, mode', async () => {
    assert.equal(await drive(new EarlyStopping({ patience: 2 }), [1, 0.5, 0.6, 0.7, 0.1, 0.1]), 4);
    assert.equal(await drive(new EarlyStopping({ patience: 0 }), [1, 0.5, 0.6, 0.1]), 3);
    assert.equal(await drive(new EarlyStopping({ patience: 1, minDelta: 0.2 }), [1, 0.9, 0.85, 0.1]), 2);
    assert.equal(await drive(new EarlyStopping({ patience: 1, minDelta: 0.2 }), [1, 0.7, 0.45, 0.4, 0.3]), 4);
    const es = new EarlyStopping({ monitor: 'valAccuracy' });
    assert.equal(es.mode, 'max');
  });

  test('EarlyStopping restores the best weights', async () => {
    const model = new nn.Sequential(new nn.Linear(1, 1));
    const w = [...model.parameters()][0];
    const es = new EarlyStopping({ patience: 1, restoreBestWeights: true });
    const values = [3, 1, 2, 2.5];
    const ctx = { model, optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 4, steps: 1, stopTraining: false };
    es.setContext(ctx);
    es.onTrainBegin();
    for (let e = 0; e < values.length && !ctx.stopTraining; e++) {
      bp.noGrad(() => w.fill_(e * 10));
      es.onEpochEnd(e, { valLoss: values[e] });
    }
    es.onTrainEnd();
    assert.equal(es.stoppedEpoch, 2);
    assert.equal(w.item(), 10);
  });

  test('TerminateOnNaN stops at the first non-finite loss', async () => {
    const model = mlp();
    const h = await fit(model, { data: blobs(64, 1), loss: (p) => p.sum().mul(NaN), optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 5, batchSize: 8, callbacks: [new TerminateOnNaN()], verbose: false });
    assert.equal(h.epochs.length, 1);
    assert.match(h.stopReason!, /loss became NaN at batch 1/);
  });

  test('LRScheduler and ReduceLROnPlateau change the learning rate', async () => {
    bp.manualSeed(5);
    const model = mlp();
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const h = await fit(model, { data: blobs(32, 1), loss: 'crossEntropy', optimizer: opt, epochs: 4, callbacks: [new LRScheduler(new optim.StepLR(opt, 2, 0.5))], verbose: false });
    assert.deepEqual(h.history.lr.map((v) => +v.toFixed(6)), [0.1, 0.1, 0.05, 0.05]);
    const opt2 = new optim.SGD(model.parameters(), { lr: 0.1 });
    const plateau = new ReduceLROnPlateau(new optim.ReduceLROnPlateau(opt2, { patience: 0, factor: 0.5 }), { monitor: 'loss' });
    await drive(plateau, [1, 1, 1]);
    assert.ok(Math.abs((opt2.paramGroups[0].lr as number) - 0.025) < 1e-12, `lr ${opt2.paramGroups[0].lr}`);
  });

  test('ModelCheckpoint writes safetensors atomically, every epoch or only the best', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bp-ckpt-'));
    const every = new ModelCheckpoint(join(dir, 'e{epoch}.safetensors'), { monitor: 'valLoss' });
    await drive(every, [1, 2, 0.5]);
    assert.deepEqual(readdirSync(dir).sort(), ['e1.safetensors', 'e2.safetensors', 'e3.safetensors']);
    const best = new ModelCheckpoint(join(dir, 'best.safetensors'), { saveBestOnly: true });
    const model = new nn.Sequential(new nn.Linear(1, 1));
    await drive(best, [1, 2, 0.5, 0.7], model);
    assert.equal(best.saved.length, 2);
    const { tensors, metadata } = await loadSafetensors(join(dir, 'best.safetensors'));
    assert.deepEqual(Object.keys(tensors), ['0.weight', '0.bias']);
    assert.equal(metadata.epoch, '3');
    assert.equal(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length, 0);
  });

  test('CSVLogger writes a header and one row per epoch', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bp-csv-')), 'log.csv');
    await drive(new CSVLogger(path), [0.5, 0.25]);
    assert.equal(readFileSync(path, 'utf8'), 'epoch,valLoss,loss\n1,0.5,0.5\n2,0.25,0.25\n');
  });

  test('ProgressBar is silent off a terminal and draws when forced', async () => {
    let out = '';
    const stream = new Writable({ write(chunk, _enc, cb) { out += chunk.toString(); cb(); } }) as unknown as NodeJS.WriteStream;
    const model = mlp();
    await fit(model, { data: blobs(16, 1), loss: 'crossEntropy', optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 2, batchSize: 8, callbacks: [new ProgressBar({ stream })], verbose: false });
    assert.equal(out, '');
    await fit(model, { data: blobs(16, 1), loss: 'crossEntropy', optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 2, batchSize: 8, callbacks: [new ProgressBar({ stream, force: true })], verbose: false });
    assert.match(out, /epoch 1\/2 · loss \d\.\d{4}/);
    assert.match(out, /epoch 2\/2 · loss \d\.\d{4} · lr 0\.1000 · [\d.]+ s/);
  });
});
