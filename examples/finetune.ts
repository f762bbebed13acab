// Transfer learning with the public API, as the course's skin-cancer case does with Inception: pre-train a CNN on
// the digits 0–4, save it, load it, keep its feature extractor, put a new classifier head on it and learn the
// digits 5–9 from 20 labels per digit, (a) with the features frozen and (b) with everything training at two
// learning rates (parameter groups); compare with (c) the same network from scratch on the same 100 images.
// `backprop demo finetune` is the same case with options. Run: npx tsx examples/finetune.ts  (a few minutes)
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Generator, type Tensor, data, evaluate, fit, indexSelect, loadModelDir, manualSeed, nn, optim, saveModelDir, sub, tensor,
} from '../src/index.js';

const mnist = await data.datasets.mnist({ seed: 0 });

/** The images of the digits lo … lo + 4, with the labels shifted to 0–4; `perDigit` of each at random if given. */
function digits(x: Tensor, y: Tensor, lo: number, perDigit?: number, gen = new Generator(1)): [Tensor, Tensor] {
  const byDigit: number[][] = [[], [], [], [], []];
  y.data().forEach((d, i) => d >= lo && d < lo + 5 && byDigit[d - lo].push(i));
  const rows = byDigit.flatMap((r) => {
    if (perDigit === undefined) return r;
    for (let i = r.length - 1; i > 0; i--) {
      const j = gen.nextInt(i + 1);
      [r[i], r[j]] = [r[j], r[i]];
    }
    return r.slice(0, perDigit);
  });
  const idx = tensor(Int32Array.from(rows), { dtype: 'int32' });
  return [indexSelect(x, 0, idx), sub(indexSelect(y, 0, idx), lo).int()];
}

const features = () => new nn.Sequential(
  new nn.Conv2d(1, 20, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(20, 50, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
);
const head = () => new nn.Sequential(new nn.Linear(800, 500), new nn.ReLU(), new nn.Dropout(0.5), new nn.Linear(500, 5));
const accuracy = (m: nn.Module, d: [Tensor, Tensor]) => (100 * evaluate(m, d, { metrics: ['accuracy'] }).accuracy).toFixed(2);

// 1. Pre-train on 0–4 and save the model folder (config.json + model.safetensors).
manualSeed(0);
const pretrained = new nn.Sequential(...features(), ...head());
await fit(pretrained, { data: digits(mnist.xTrain, mnist.yTrain, 0), loss: 'crossEntropy', optimizer: new optim.Adam(pretrained.parameters()), epochs: 3, batchSize: 64 });
console.log(`pre-trained on 0–4: test accuracy ${accuracy(pretrained, digits(mnist.xTest, mnist.yTest, 0))}%`);
const dir = join(mkdtempSync(join(tmpdir(), 'finetune-')), 'digits-0-4');
await saveModelDir(dir, pretrained, { inputShape: [1, 28, 28], classes: 5 });

// 2. Few labels of 5–9, learnt with augmentation (shifts ±2 px, rotations ±10°) in batches of 20.
const few = digits(mnist.xTrain, mnist.yTrain, 5, 20);
const test = digits(mnist.xTest, mnist.yTest, 5);
const train = (model: nn.Module, optimizer: optim.Optimizer) => fit(model, {
  data: new data.DataLoader(new data.TensorDataset(...few), {
    batchSize: 20, shuffle: true, transform: data.compose(data.randomShift(2), data.randomRotation(10)),
  }) as Iterable<[Tensor, Tensor]>,
  loss: 'crossEntropy', optimizer, epochs: 40,
});
/** The saved model's feature extractor (its first 7 layers) under a new, freshly initialised head. */
const reloaded = async () => {
  const { model } = await loadModelDir(dir);
  const body = new nn.Sequential(...[...model].slice(0, 7));
  const top = head();
  return { body, top, model: new nn.Sequential(...body, ...top) };
};

manualSeed(2);
const a = await reloaded();
a.body.requiresGrad_(false); // (a) frozen: only the head's parameters train
await train(a.model, new optim.Adam(a.top.parameters(), { lr: 1e-3 }));
manualSeed(2);
const b = await reloaded(); // (b) everything trains: the body at lr 1e-4, the new head at 1e-3
await train(b.model, new optim.Adam([{ params: b.body.parameters(), lr: 1e-4 }, { params: b.top.parameters(), lr: 1e-3 }]));
manualSeed(2);
const c = new nn.Sequential(...features(), ...head()); // (c) from scratch
await train(c, new optim.Adam(c.parameters(), { lr: 1e-3 }));
console.log(`digits 5–9 from 100 labels: frozen features ${accuracy(a.model, test)}%, fine-tuned ${accuracy(b.model, test)}%, from scratch ${accuracy(c, test)}%`);
