// `backprop demo mnist` and `backprop demo finetune` in CI: shorter runs of the same code, each with its own
// threshold measured for that length. The full runs (MLP ≥ 97%, LeNet ≥ 98.5% on the 2,000 test images; the
// fine-tuning comparison) take minutes and are the demos' defaults; their measured figures are in the README.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { demoFinetune } from '../../src/cli/commands/demo-finetune.js';
import { MNIST_RECIPES, demoMnist, mnistLenet } from '../../src/cli/commands/demo-mnist.js';
import { main } from '../../src/cli/main.js';

describe('demo mnist', () => {
  test('the models are the spec\'s: MLP 784-256-128-10 and a LeNet; targets 97% and 98.5%', () => {
    const mlp = MNIST_RECIPES.mlp.build();
    assert.equal(mlp.numParameters(), 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    // conv 1→20 5×5, conv 20→50 5×5, fc 800→500, fc 500→10 (Caffe's LeNet).
    assert.equal(mnistLenet().numParameters(), (25 + 1) * 20 + (20 * 25 + 1) * 50 + 801 * 500 + 501 * 10);
    assert.equal(MNIST_RECIPES.mlp.target, 0.97);
    assert.equal(MNIST_RECIPES.lenet.target, 0.985);
  });

  test('short runs without augmentation: MLP 10 epochs ≥ 94% (2,000 test images), LeNet 2 epochs of 4,000 images ≥ 93%', async () => {
    const out: string[] = [];
    const r = await demoMnist({ epochs: 10, models: ['mlp'], augment: false, json: true, log: (l) => out.push(l) });
    assert.equal(r.testImages, 2000);
    assert.equal(r.fullRun, false);
    assert.ok(r.mlp!.testAccuracy >= 0.94, `MLP test accuracy ${r.mlp!.testAccuracy}`);
    assert.deepEqual(JSON.parse(out[out.length - 1]), r, '--json ends with the figures');
    const c = await demoMnist({ epochs: 2, models: ['lenet'], train: 4000, augment: false, log: () => {} });
    assert.ok(c.lenet!.testAccuracy >= 0.93, `LeNet test accuracy ${c.lenet!.testAccuracy}`);
  });

  test('the command line: flags are checked', async () => {
    const err: string[] = [];
    const io = { stdout: (): void => {}, stderr: (t: string): void => void err.push(t) };
    assert.equal(await main(['demo', 'mnist', '--model', 'resnet'], io), 2);
    assert.match(err.join(''), /--model must be mlp, lenet or both, got 'resnet'/);
  });
});

describe('demo finetune', () => {
  test('short run: features pre-trained on 0–4 beat training from scratch on 20 labels per digit of 5–9', async () => {
    const out: string[] = [];
    const r = await demoFinetune({ pretrainEpochs: 1, epochs: 20, json: true, log: (l) => out.push(l) });
    assert.deepEqual(JSON.parse(out[out.length - 1]), r, '--json ends with the figures');
    assert.equal(r.shots, 20);
    assert.ok(r.pretrainTestAccuracy >= 0.95, `pre-trained on 0–4: ${r.pretrainTestAccuracy}`);
    // The frozen run trains the new head only; the fine-tuned and scratch runs train every parameter.
    assert.equal(r.frozen.trainedParameters, 800 * 500 + 500 + 500 * 5 + 5);
    assert.equal(r.scratch.trainedParameters, r.finetuned.trainedParameters);
    assert.equal(r.frozenBodyUnchanged, true, 'the frozen feature extractor did not move');
    assert.ok(r.scratch.testAccuracy >= 0.85, `from scratch: ${r.scratch.testAccuracy}`);
    for (const v of [r.frozen, r.finetuned]) {
      assert.ok(v.testAccuracy >= r.scratch.testAccuracy + 0.015, `${v.method}: ${v.testAccuracy} against ${r.scratch.testAccuracy} from scratch`);
    }
  });
});
