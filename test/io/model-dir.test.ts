import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { Conv2d } from '../../src/nn/conv.js';
import { MaxPool2d } from '../../src/nn/pooling.js';
import { buildModel, describeModel, loadModelDir, saveModelDir } from '../../src/io/model-dir.js';

describe('model folders (config.json + model.safetensors)', () => {
  test('a CNN round-trips: same layers, same weights, same outputs', async () => {
    bp.manualSeed(1);
    const model = new nn.Sequential(
      new Conv2d(1, 4, 3, { padding: 1 }), new nn.ReLU(), new MaxPool2d(2), new nn.Flatten(),
      new nn.Linear(4 * 4 * 4, 16), new nn.Tanh(), new nn.Dropout(0.25), new nn.Linear(16, 10),
    );
    const dir = mkdtempSync(join(tmpdir(), 'bp-model-'));
    await saveModelDir(dir, model, { dataset: 'mnist', inputShape: [1, 8, 8], classes: 10 });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(config.format, 'backprop-model');
    assert.equal(config.dataset, 'mnist');
    assert.deepEqual(config.layers[0], { type: 'Conv2d', inChannels: 1, outChannels: 4, kernelSize: 3, stride: 1, padding: 1, bias: true });
    assert.deepEqual(config.layers[6], { type: 'Dropout', p: 0.25 });
    bp.manualSeed(2); // the loaded model's fresh init differs; its weights must come from the file
    const { model: loaded, config: c2 } = await loadModelDir(dir);
    assert.deepEqual(c2.inputShape, [1, 8, 8]);
    assert.equal(loaded.training, false);
    const x = bp.rand([3, 1, 8, 8]);
    model.eval();
    assert.deepEqual(Array.from(bp.noGrad(() => loaded.forward(x).data())), Array.from(bp.noGrad(() => model.forward(x).data())));
    assert.deepEqual(describeModel(loaded), describeModel(model));
  });

  test('buildModel names unknown layers and bad sizes; loadModelDir names the missing file', async () => {
    assert.throws(() => buildModel([{ type: 'Conv3d' } as never]), /layer 0 has unknown type "Conv3d"/);
    assert.throws(() => buildModel([{ type: 'Linear', inFeatures: 2.5, outFeatures: 1 }]), /layer 0 \(Linear\) needs an integer 'inFeatures'/);
    const dir = mkdtempSync(join(tmpdir(), 'bp-model-'));
    await assert.rejects(loadModelDir(dir), /cannot read .*config\.json/);
    writeFileSync(join(dir, 'config.json'), '{"layers": []}');
    await assert.rejects(loadModelDir(dir), /not a backprop model config/);
  });

  test('describeModel refuses layers it cannot describe', () => {
    assert.throws(() => describeModel(new nn.Sequential(new nn.LayerNorm(4))), /layer 0 is a LayerNorm, which config.json cannot describe/);
  });
});

test('BatchNorm1d and BatchNorm2d keep their own type in config.json (one extends the other)', () => {
  const model = new nn.Sequential(new Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.Flatten(), new nn.Linear(2 * 6 * 6, 4), new nn.BatchNorm1d(4));
  const types = describeModel(model).map((l) => l.type);
  assert.deepEqual(types.filter((t) => t.startsWith('BatchNorm')), ['BatchNorm2d', 'BatchNorm1d']);
  assert.throws(() => new nn.BatchNorm2d(2).forward(bp.zeros([2, 2])), /BatchNorm2d: expected a 4-D \[N, C, H, W\] input, got \[2,2\]/);
  assert.throws(() => new nn.BatchNorm2d(0), /BatchNorm2d: numFeatures must be a positive integer, got 0/);
});
