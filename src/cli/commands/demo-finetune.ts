/**
 * `backprop demo finetune`: transfer learning as the course's skin-cancer case does with Inception, on MNIST.
 * A LeNet is pre-trained on the digits 0–4, saved as a model folder and loaded back; its classifier head (the
 * fully connected layers) is replaced by a new one with 5 outputs, and it learns the digits 5–9 from a few labels
 * (20 per class by default) in two ways: the feature extractor (the conv layers) frozen, only the head training;
 * and everything training with per-group learning rates (small for the body, larger for the head). The same
 * network trained from scratch on the same few labels is the baseline.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backend } from '../../backend/index.js';
import { DataLoader, TensorDataset } from '../../data/index.js';
import { type MnistSplit, mnist } from '../../data/mnist.js';
import { shuffleInPlace } from '../../data/stratify.js';
import { compose, randomRotation, randomShift } from '../../data/transforms.js';
import { loadModelDir, saveModelDir } from '../../io/model-dir.js';
import * as nn from '../../nn/index.js';
import * as optim from '../../optim/index.js';
import { indexSelect, sub } from '../../ops/index.js';
import { tensor } from '../../tensor/creation.js';
import { Generator, manualSeed } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { evaluate, fit } from '../../train/index.js';
import type { Batch } from '../../train/types.js';
import {
  type CommandSpec, type PrintOptions, JSON_FLAG, SEED_FLAG, checkSeed, intFlag, pct, printJson, printTable, printer, stringFlag,
} from '../command.js';
import { lenetClassifier, lenetFeatures, mnistLenet } from './demo-mnist.js';

export interface DemoFinetuneOptions extends PrintOptions {
  /** Seed of the split, the few labels, init, batch order, augmentation and dropout (default 0). */
  seed?: number;
  /** Labelled training images per digit 5–9 (default 20). */
  shots?: number;
  /** Epochs of pre-training on the digits 0–4 (default 3). */
  pretrainEpochs?: number;
  /** Epochs of each few-label training (default 40). */
  epochs?: number;
  /** Learning rates: the head's (and the scratch network's) and the pre-trained body's (defaults 1e-3 and 1e-4). */
  headLr?: number;
  bodyLr?: number;
  /** Keep the pre-trained model folder here (default: a temporary folder, removed at the end). */
  out?: string;
}

export interface FinetuneFigures {
  /** How the 5–9 classifier was obtained. */
  method: string;
  /** Accuracy on the test images of the digits 5–9. */
  testAccuracy: number;
  /** Parameters that were trained. */
  trainedParameters: number;
  epochs: number;
  wallTimeMs: number;
}

export interface DemoFinetuneResult {
  seed: number;
  backend: string;
  shots: number;
  /** Training images of the digits 0–4 used for pre-training, and the pre-trained model's test accuracy on 0–4. */
  pretrainImages: number;
  pretrainTestAccuracy: number;
  /** Test images of the digits 5–9. */
  testImages: number;
  frozen: FinetuneFigures;
  finetuned: FinetuneFigures;
  scratch: FinetuneFigures;
  /** The frozen feature extractor's weights were bit for bit the same after training the head. */
  frozenBodyUnchanged: boolean;
  /** Where the pre-trained model was saved and loaded from (null when a temporary folder was used). */
  savedTo: string | null;
}

/** The rows whose digit is in [lo, lo + 5), with the digits shifted to 0–4. */
function digits(x: Tensor, y: Tensor, lo: number): [Tensor, Tensor] {
  const rows = Int32Array.from([...y.data()].flatMap((d, i) => (d >= lo && d < lo + 5 ? [i] : [])));
  const idx = tensor(rows, { dtype: 'int32' });
  return [indexSelect(x, 0, idx), sub(indexSelect(y, 0, idx), lo).int()];
}

/** `shots` rows per class (0–4), drawn with `gen`, in class order. */
function fewLabels([x, y]: [Tensor, Tensor], shots: number, gen: Generator): [Tensor, Tensor] {
  const labels = y.data();
  const rows: number[] = [];
  for (let k = 0; k < 5; k++) {
    const ofClass = shuffleInPlace(Int32Array.from([...labels].flatMap((d, i) => (d === k ? [i] : []))), gen);
    if (ofClass.length < shots) throw new Error(`demo finetune: only ${ofClass.length} training images of digit ${k + 5}; ask for at most that many shots`);
    rows.push(...ofClass.subarray(0, shots));
  }
  const idx = tensor(Int32Array.from(rows), { dtype: 'int32' });
  return [indexSelect(x, 0, idx), indexSelect(y, 0, idx)];
}

/** Trains on the few labels with augmentation (shifts ±2 px, rotations ±10°), batches of 20. */
async function trainFew(model: nn.Module, optimizer: optim.Optimizer, [x, y]: [Tensor, Tensor], epochs: number): Promise<number> {
  const loader = new DataLoader(new TensorDataset(x, y), { batchSize: 20, shuffle: true, transform: compose(randomShift(2), randomRotation(10)) });
  const history = await fit(model, { data: loader as Iterable<Batch>, loss: 'crossEntropy', optimizer, epochs, verbose: false });
  return history.wallTimeMs;
}

/** Pre-trains, saves, loads, fine-tunes two ways and trains from scratch; prints and returns the accuracies. */
export async function demoFinetune(options: DemoFinetuneOptions = {}): Promise<DemoFinetuneResult> {
  const seed = checkSeed('demo finetune', options.seed ?? 0);
  const shots = options.shots ?? 20;
  const pretrainEpochs = options.pretrainEpochs ?? 3;
  const epochs = options.epochs ?? 40;
  const headLr = options.headLr ?? 1e-3;
  const bodyLr = options.bodyLr ?? 1e-4;
  const log = printer(options);
  const data: MnistSplit = await mnist({ seed });
  const trainA = digits(data.xTrain, data.yTrain, 0);
  const testA = digits(data.xTest, data.yTest, 0);
  const few = fewLabels(digits(data.xTrain, data.yTrain, 5), shots, new Generator(seed + 1));
  const testB = digits(data.xTest, data.yTest, 5);
  const accuracy = (m: nn.Module, d: [Tensor, Tensor]): number => evaluate(m, d, { metrics: ['accuracy'] }).accuracy;
  log(`Transfer learning on MNIST (seed ${seed}, backend ${backend().name}): pre-train on the digits 0–4, then learn 5–9 from ${shots} labels per digit.`);

  // 1. Pre-train on 0–4 and save the model folder (config.json + model.safetensors).
  manualSeed(seed);
  const pretrained = mnistLenet(5);
  const pre = await fit(pretrained, {
    data: trainA, loss: 'crossEntropy', optimizer: new optim.Adam(pretrained.parameters(), { lr: 1e-3 }), epochs: pretrainEpochs, batchSize: 64,
    verbose: options.log === undefined ? undefined : false, // a progress bar on a terminal
  });
  const pretrainTestAccuracy = accuracy(pretrained, testA);
  log(`pre-trained ${pretrainEpochs} epochs on ${trainA[0].shape[0]} images of 0–4: test accuracy on 0–4 ${pct(pretrainTestAccuracy, 2)} ` +
    `(${(pre.wallTimeMs / 1000).toFixed(1)} s).`);
  const dir = options.out ?? (await mkdtemp(join(tmpdir(), 'backprop-finetune-')));
  await saveModelDir(dir, pretrained, { dataset: 'mnist', inputShape: [1, 28, 28], classes: 5, digits: [0, 1, 2, 3, 4], testAccuracy: pretrainTestAccuracy });

  // 2. Load it back; keep its feature extractor (the conv layers) and put a new classifier head for 5–9 on it.
  const features = lenetFeatures().length;
  const withNewHead = async (): Promise<{ model: nn.Sequential; body: nn.Sequential; head: nn.Sequential }> => {
    const { model: loaded } = await loadModelDir(dir);
    const body = new nn.Sequential(...[...loaded].slice(0, features));
    const head = lenetClassifier(5);
    return { model: new nn.Sequential(...body, ...head), body, head };
  };
  const results: FinetuneFigures[] = [];
  let frozenBodyUnchanged = false;
  try {
    // 3a. Frozen feature extractor: only the new head learns (no gradient flows into the body).
    manualSeed(seed + 2);
    const a = await withNewHead();
    a.body.requiresGrad_(false);
    const before = a.body.stateDict();
    const snapshot = Object.values(before).map((t) => Array.from(t.data()));
    const msA = await trainFew(a.model, new optim.Adam(a.head.parameters(), { lr: headLr }), few, epochs);
    frozenBodyUnchanged = Object.values(before).every((t, i) => t.data().every((v, j) => Object.is(v, snapshot[i][j])));
    results.push({ method: 'pre-trained features frozen, new head', testAccuracy: accuracy(a.model, testB), trainedParameters: a.head.numParameters(), epochs, wallTimeMs: msA });

    // 3b. Everything trains, the pre-trained body with a 10× smaller learning rate than the new head (two parameter groups).
    manualSeed(seed + 2);
    const b = await withNewHead();
    const groups = [{ params: b.body.parameters(), lr: bodyLr }, { params: b.head.parameters(), lr: headLr }];
    const msB = await trainFew(b.model, new optim.Adam(groups, { lr: headLr }), few, epochs);
    results.push({
      method: `fine-tuned: body lr ${bodyLr}, head lr ${headLr}`, testAccuracy: accuracy(b.model, testB), trainedParameters: b.model.numParameters(), epochs, wallTimeMs: msB,
    });

    // 3c. The same network from scratch on the same few labels.
    manualSeed(seed + 2);
    const c = mnistLenet(5);
    const msC = await trainFew(c, new optim.Adam(c.parameters(), { lr: headLr }), few, epochs);
    results.push({ method: 'from scratch', testAccuracy: accuracy(c, testB), trainedParameters: c.numParameters(), epochs, wallTimeMs: msC });
  } finally {
    if (!options.out) await rm(dir, { recursive: true, force: true });
  }
  const [frozen, finetuned, scratch] = results;
  const result: DemoFinetuneResult = {
    seed, backend: backend().name, shots, pretrainImages: trainA[0].shape[0], pretrainTestAccuracy, testImages: testB[0].shape[0],
    frozen, finetuned, scratch, frozenBodyUnchanged, savedTo: options.out ?? null,
  };
  log();
  printTable(log, ['digits 5–9 from ' + `${5 * shots} labels`, 'trained parameters', 'epochs', 'test accuracy'],
    results.map((r) => [r.method, r.trainedParameters, r.epochs, pct(r.testAccuracy, 2)]));
  log();
  log(`On ${result.testImages} test images of 5–9, features learnt on 0–4 give ${pct(frozen.testAccuracy, 1)} (frozen) and ` +
    `${pct(finetuned.testAccuracy, 1)} (fine-tuned) against ${pct(scratch.testAccuracy, 1)} from scratch.`);
  if (options.out) log(`pre-trained model saved in ${options.out}`);
  printJson(options, result);
  return result;
}

export const demoFinetuneCommand: CommandSpec = {
  name: 'demo finetune',
  summary: 'pre-train a CNN on digits 0–4, fine-tune on 5–9 from 20 labels per digit, against training from scratch',
  usage: 'demo finetune [--shots <n>] [--pretrain-epochs <n>] [--epochs <n>] [--out <dir>] [--seed <n>] [--json]',
  flags: {
    shots: { type: 'string', value: '<n>', description: 'labelled images per digit 5–9 (default 20)' },
    'pretrain-epochs': { type: 'string', value: '<n>', description: 'epochs of pre-training on 0–4 (default 3)' },
    epochs: { type: 'string', value: '<n>', description: 'epochs of each few-label training (default 40)' },
    out: { type: 'string', value: '<dir>', description: 'keep the pre-trained model folder there' },
    seed: SEED_FLAG,
    json: JSON_FLAG,
  },
  run: (f) => demoFinetune({
    seed: intFlag(f, 'seed', 0, 0), shots: intFlag(f, 'shots', 20, 1), pretrainEpochs: intFlag(f, 'pretrain-epochs', 3, 1),
    epochs: intFlag(f, 'epochs', 40, 1), out: stringFlag(f, 'out'), json: f.json === true,
  }),
};
