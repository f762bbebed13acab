/**
 * `backprop demo mnist`: the field's figures on our MNIST split (8,000 training and 2,000 test images of the
 * `mnist` package, stratified, seeded). An MLP 784-256-128-10 reaches ≥ 97% test accuracy and a LeNet-style CNN
 * (Caffe's LeNet: conv 5×5 ×20, pool, conv 5×5 ×50, pool, 500 hidden units) ≥ 98.5%. With 8,000 images instead of
 * 60,000 both need augmentation (random shifts of up to 2 pixels, rotations up to 10°) and a cosine schedule.
 */
import { join } from 'node:path';
import { backend } from '../../backend/index.js';
import { mnist } from '../../data/mnist.js';
import { DataLoader, TensorDataset } from '../../data/index.js';
import { compose, randomRotation, randomShift } from '../../data/transforms.js';
import { saveModelDir } from '../../io/model-dir.js';
import * as nn from '../../nn/index.js';
import * as optim from '../../optim/index.js';
import { manualSeed } from '../../tensor/random.js';
import { type Callback, LRScheduler, evaluate, fit } from '../../train/index.js';
import type { Batch } from '../../train/types.js';
import {
  type CommandSpec, type PrintOptions, JSON_FLAG, SEED_FLAG, UsageError, checkSeed, intFlag, pct, printJson, printTable, printer, stringFlag,
} from '../command.js';

export type MnistModelName = 'mlp' | 'lenet';

/** The MLP 784-256-128-10 with ReLU. */
export function mnistMlp(): nn.Sequential {
  return new nn.Sequential(
    new nn.Flatten(), new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 128), new nn.ReLU(), new nn.Linear(128, 10),
  );
}

/** The feature extractor of Caffe's LeNet: conv 5×5 ×20 → ReLU → max-pool 2 → conv 5×5 ×50 → ReLU → max-pool 2 → flatten (800). */
export function lenetFeatures(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 20, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Conv2d(20, 50, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
  );
}

/** The classifier head of Caffe's LeNet: 800 → 500 → ReLU → dropout → `classes`. */
export function lenetClassifier(classes = 10, dropout = 0.5): nn.Sequential {
  return new nn.Sequential(new nn.Linear(800, 500), new nn.ReLU(), new nn.Dropout(dropout), new nn.Linear(500, classes));
}

/** Caffe's LeNet for 28×28 digits, with ReLU and dropout: lenetFeatures() then lenetClassifier(), as one Sequential of 11 layers. */
export function mnistLenet(classes = 10, dropout = 0.5): nn.Sequential {
  return new nn.Sequential(...lenetFeatures(), ...lenetClassifier(classes, dropout));
}

/** Each model's recipe: its epochs by default and the test accuracy it must reach at full size. */
export const MNIST_RECIPES: Record<MnistModelName, { name: string; epochs: number; target: number; build: () => nn.Sequential }> = {
  mlp: { name: 'MLP 784-256-128-10', epochs: 40, target: 0.97, build: mnistMlp },
  lenet: { name: 'LeNet (conv 20-50, fc 500)', epochs: 20, target: 0.985, build: () => mnistLenet() },
};

export interface DemoMnistOptions extends PrintOptions {
  /** Seed of the split, init, batch order, augmentation and dropout (default 0). */
  seed?: number;
  /** Which models (default both). */
  models?: MnistModelName[];
  /** Epochs of every model (default: each recipe's, 40 for the MLP and 20 for LeNet). */
  epochs?: number;
  /** Training images (default 8000) and test images (default 2000); a smaller run for quick checks. */
  train?: number;
  test?: number;
  /** Augment the training images (default true): the targets need it; without, a run is about 2× faster. */
  augment?: boolean;
  /** Save each model under this folder (mlp/, lenet/) for `backprop attack|explain|calibrate|shift`. */
  out?: string;
  /** Extra callbacks for every fit (e.g. a progress printer). */
  callbacks?: Callback[];
}

export interface MnistModelFigures {
  model: string;
  parameters: number;
  epochs: number;
  /** Accuracy on the test images. */
  testAccuracy: number;
  /** Accuracy on the (augmented) training batches of the last epoch. */
  trainAccuracy: number;
  /** The figure of the field this model must reach on the full split. */
  target: number;
  reached: boolean;
  flops: number;
  wallTimeMs: number;
  savedTo: string | null;
}

export interface DemoMnistResult {
  seed: number;
  backend: string;
  trainImages: number;
  testImages: number;
  /** Training images were augmented. */
  augment: boolean;
  /** True when the run used the full 8,000/2,000 split, augmentation and every recipe's epochs: the targets apply then. */
  fullRun: boolean;
  mlp?: MnistModelFigures;
  lenet?: MnistModelFigures;
}

/** Trains one model with its recipe: Adam (lr 1e-3), batches of 64, cosine decay, shifts ±2 px and rotations ±10° (unless augment is false). */
async function trainOne(
  which: MnistModelName, data: Awaited<ReturnType<typeof mnist>>, epochs: number, options: DemoMnistOptions,
): Promise<{ model: nn.Sequential; figures: Omit<MnistModelFigures, 'reached' | 'savedTo'> }> {
  const recipe = MNIST_RECIPES[which];
  const model = recipe.build();
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const augment = options.augment === false ? undefined : compose(randomShift(2), randomRotation(10));
  const loader = new DataLoader(new TensorDataset(data.xTrain, data.yTrain), { batchSize: 64, shuffle: true, transform: augment });
  const history = await fit(model, {
    data: loader as Iterable<Batch>, loss: 'crossEntropy', optimizer, epochs, metrics: ['accuracy'],
    // A progress bar on a terminal, unless the caller captures the output.
    verbose: options.log === undefined ? undefined : false,
    callbacks: [new LRScheduler(new optim.CosineAnnealingLR(optimizer, epochs)), ...(options.callbacks ?? [])],
  });
  const test = evaluate(model, [data.xTest, data.yTest], { metrics: ['accuracy'] });
  return {
    model,
    figures: {
      model: recipe.name, parameters: model.numParameters(), epochs, testAccuracy: test.accuracy, trainAccuracy: history.last('accuracy'),
      target: recipe.target, flops: history.flops, wallTimeMs: history.wallTimeMs,
    },
  };
}

/** Trains the MLP and the LeNet on MNIST; prints and returns their test accuracies. */
export async function demoMnist(options: DemoMnistOptions = {}): Promise<DemoMnistResult> {
  const seed = checkSeed('demo mnist', options.seed ?? 0);
  const models = options.models ?? ['mlp', 'lenet'];
  const nTrain = options.train ?? 8000;
  const nTest = options.test ?? 2000;
  const log = printer(options);
  const data = await mnist({ train: nTrain, test: nTest, seed });
  const result: DemoMnistResult = {
    seed, backend: backend().name, trainImages: nTrain, testImages: nTest, augment: options.augment !== false,
    fullRun: nTrain === 8000 && nTest === 2000 && options.augment !== false && (options.epochs === undefined || models.every((m) => options.epochs! >= MNIST_RECIPES[m].epochs)),
  };
  log(`MNIST: ${nTrain} training and ${nTest} test images (seed ${seed}), backend ${result.backend}.`);
  log(`Each model: Adam lr 1e-3, batches of 64, cosine decay, ${result.augment ? 'augmentation by shifts ±2 px and rotations ±10°' : 'no augmentation'}.`);
  log();
  for (const which of models) {
    const epochs = options.epochs ?? MNIST_RECIPES[which].epochs;
    manualSeed(seed);
    const { model, figures } = await trainOne(which, data, epochs, options);
    let savedTo: string | null = null;
    if (options.out) {
      savedTo = join(options.out, which);
      await saveModelDir(savedTo, model, {
        dataset: 'mnist', inputShape: [1, 28, 28], classes: 10, split: { train: nTrain, test: nTest, seed }, testAccuracy: figures.testAccuracy,
      });
    }
    result[which] = { ...figures, reached: figures.testAccuracy >= figures.target, savedTo };
    log(`${figures.model}: test accuracy ${pct(figures.testAccuracy, 2)} after ${epochs} epochs (${(figures.wallTimeMs / 1000).toFixed(1)} s).`);
  }
  log();
  const rows = models.map((m) => result[m]!).map((f) => [
    f.model, f.parameters, f.epochs, pct(f.trainAccuracy, 2), pct(f.testAccuracy, 2), pct(f.target, 1), result.fullRun ? (f.reached ? 'yes' : 'NO') : 'n/a',
  ]);
  printTable(log, ['model', 'parameters', 'epochs', 'train acc.', 'test acc.', 'target', 'reached'], rows);
  if (!result.fullRun) log('(a reduced run: the targets apply to the full 8,000/2,000 split with augmentation and the default epochs)');
  for (const m of models) if (result[m]!.savedTo) log(`saved ${result[m]!.savedTo}`);
  printJson(options, result);
  return result;
}

export const demoMnistCommand: CommandSpec = {
  name: 'demo mnist',
  summary: 'an MLP (≥ 97%) and a LeNet CNN (≥ 98.5%) on MNIST test images',
  usage: 'demo mnist [--model mlp|lenet|both] [--epochs <n>] [--train <n>] [--test <n>] [--no-augment] [--out <dir>] [--seed <n>] [--json]',
  details: 'The full run takes a few minutes with the native backend (about 4× longer on the js backend); --epochs,\n' +
    '--train and --test make a quicker, smaller one.',
  flags: {
    model: { type: 'string', value: '<m>', description: 'mlp, lenet or both (default both)' },
    epochs: { type: 'string', value: '<n>', description: 'epochs of each model (default 40 for the MLP, 20 for LeNet)' },
    train: { type: 'string', value: '<n>', description: 'training images (default 8000)' },
    test: { type: 'string', value: '<n>', description: 'test images (default 2000; train + test ≤ 10000)' },
    'no-augment': { type: 'boolean', description: 'train on the images as they are (faster, below the targets)' },
    out: { type: 'string', value: '<dir>', description: 'save the models there (mlp/, lenet/)' },
    seed: SEED_FLAG,
    json: JSON_FLAG,
  },
  run: (f) => {
    const model = stringFlag(f, 'model') ?? 'both';
    if (!['mlp', 'lenet', 'both'].includes(model)) throw new UsageError(`--model must be mlp, lenet or both, got '${model}'`);
    return demoMnist({
      seed: intFlag(f, 'seed', 0, 0), models: model === 'both' ? ['mlp', 'lenet'] : [model as MnistModelName],
      epochs: f.epochs === undefined ? undefined : intFlag(f, 'epochs', 0, 1),
      train: intFlag(f, 'train', 8000, 1, 9999), test: intFlag(f, 'test', 2000, 1, 9999), out: stringFlag(f, 'out'), augment: f['no-augment'] !== true,
      json: f.json === true,
    });
  },
};
