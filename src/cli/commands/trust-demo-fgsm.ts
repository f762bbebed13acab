/**
 * `backprop demo fgsm`: Goodfellow et al. (2015) on our MNIST split, end to end. A softmax-regression classifier
 * attacked by FGSM at ε = 0.25 (the paper: 99.9% error, 79.3% mean confidence on the wrong class); then an MLP
 * trained plainly and one trained adversarially (half of every batch replaced by FGSM examples at ε = 0.1),
 * compared under FGSM at ε = 0.1. With --out, the three models are saved for `backprop attack|explain|calibrate|shift`.
 */
import { join } from 'node:path';
import { mnist } from '../../data/mnist.js';
import { saveModelDir } from '../../io/model-dir.js';
import * as nn from '../../nn/index.js';
import * as optim from '../../optim/index.js';
import { narrow } from '../../ops/index.js';
import { manualSeed } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import { fit } from '../../train/index.js';
import { type RobustPoint, fgsm, fgsmAttack, robustAccuracy } from '../../trust/index.js';
import {
  type CommandSpec, type PrintOptions, JSON_FLAG, SEED_FLAG, checkSeed, intFlag, pct, printJson, printTable, printer, stringFlag,
} from '../command.js';
import { DEFAULT_SPLIT, type MnistSplitSpec } from './trust-common.js';

export interface DemoFgsmOptions extends PrintOptions {
  /** Seed of the split, init, batch order and dropout (default 0). */
  seed?: number;
  /** Epochs of the softmax regression (default 10). */
  srEpochs?: number;
  /** Epochs of each MLP (default 20: long enough for the plain MLP to become over-confident, see 'backprop calibrate'). */
  epochs?: number;
  /** Hidden units of the MLP (default 128). */
  hidden?: number;
  /** Save the three models under this folder (softmax-regression/, mlp/, mlp-adversarial/). */
  out?: string;
}

export interface ModelFigures {
  model: string;
  /** Clean test accuracy. */
  cleanAccuracy: number;
  /** FGSM at the demo's ε for this model. */
  fgsm: RobustPoint;
  epochs: number;
  wallTimeMs: number;
  flops: number;
  savedTo: string | null;
}

export interface DemoFgsmResult {
  seed: number;
  split: MnistSplitSpec;
  trainImages: number;
  testImages: number;
  /** Softmax regression under FGSM at ε = 0.25, against the paper's figures. */
  softmaxRegression: ModelFigures;
  paper: { eps: number; errorRate: number; meanWrongConfidence: number };
  mlp: ModelFigures;
  adversarialMlp: ModelFigures;
  /** Plain MLP's FGSM error divided by the adversarially trained one's (≥ 2: halved). */
  errorReduction: number;
  checks: { paperErrorReached: boolean; errorHalved: boolean; cleanWithin2Points: boolean };
}

const PAPER = { eps: 0.25, errorRate: 0.999, meanWrongConfidence: 0.793 };
const MLP_EPS = 0.1;

/** Trains the three models, attacks them, prints the comparison, optionally saves them. */
export async function demoFgsm(options: DemoFgsmOptions = {}): Promise<DemoFgsmResult> {
  const seed = checkSeed('demo fgsm', options.seed ?? 0);
  const hidden = options.hidden ?? 128;
  const epochs = options.epochs ?? 20;
  const srEpochs = options.srEpochs ?? 10;
  const log = printer(options);
  const split: MnistSplitSpec = { ...DEFAULT_SPLIT, seed };
  const data = await mnist({ train: split.train, test: split.test, seed });
  const nTrain = split.train - (split.val ?? 0);
  const xTrain = narrow(data.xTrain, 0, 0, nTrain);
  const yTrain = narrow(data.yTrain, 0, 0, nTrain);
  const test: [Tensor, Tensor] = [data.xTest, data.yTest];
  log(`FGSM (Goodfellow et al., 2015) on MNIST: ${nTrain} training images, ${split.test} test images (seed ${seed}), pixels in [0, 1].`);

  type Cost = { ms: number; flops: number; epochs: number };
  const train = async (name: string, model: nn.Sequential, e: number, adversarial: boolean): Promise<Cost> => {
    log(`training ${name} (${e} epochs${adversarial ? `, half of every batch replaced by FGSM examples at ε = ${MLP_EPS}` : ''})…`);
    const h = await fit(model, {
      data: [xTrain, yTrain], loss: 'crossEntropy', optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }),
      epochs: e, batchSize: 64, verbose: false,
      adversarial: adversarial ? { attack: (m, x, y) => fgsm(m, x, y, { eps: MLP_EPS }), ratio: 0.5 } : undefined,
    });
    return { ms: h.wallTimeMs, flops: h.flops, epochs: e };
  };
  const save = async (model: nn.Sequential, name: string, extra: Record<string, unknown>): Promise<string | null> => {
    if (!options.out) return null;
    const dir = join(options.out, name);
    await saveModelDir(dir, model, { dataset: 'mnist', split, inputShape: [1, 28, 28], classes: 10, seed, ...extra });
    return dir;
  };
  /** Clean accuracy and FGSM figures at ε of a trained model, which is saved under `dirName` with --out. */
  const figures = async (
    name: string, dirName: string, model: nn.Sequential, eps: number, cost: Cost, extra: Record<string, unknown>,
  ): Promise<ModelFigures> => {
    const [clean, attacked] = robustAccuracy(model, test, fgsmAttack(), [0, eps]);
    const savedTo = await save(model, dirName, { training: { epochs: cost.epochs, optimizer: 'adam', lr: 1e-3, batchSize: 64, ...extra } });
    return { model: name, cleanAccuracy: clean.accuracy, fgsm: attacked, epochs: cost.epochs, wallTimeMs: cost.ms, flops: cost.flops, savedTo };
  };

  manualSeed(seed);
  const sr = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
  const srCost = await train('softmax regression 784-10', sr, srEpochs, false);
  const softmaxRegression = await figures('softmax regression', 'softmax-regression', sr, PAPER.eps, srCost, {});

  const makeMlp = (): nn.Sequential =>
    new nn.Sequential(new nn.Flatten(), new nn.Linear(784, hidden), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(hidden, 10));
  manualSeed(seed + 1);
  const mlp = makeMlp();
  const mlpCost = await train(`MLP 784-${hidden}-10`, mlp, epochs, false);
  const plain = await figures(`MLP 784-${hidden}-10`, 'mlp', mlp, MLP_EPS, mlpCost, {});
  manualSeed(seed + 1);
  const advMlp = makeMlp();
  const advCost = await train(`MLP 784-${hidden}-10, adversarially trained`, advMlp, epochs, true);
  const adversarial = await figures(`MLP 784-${hidden}-10, adversarial training`, 'mlp-adversarial', advMlp, MLP_EPS, advCost, {
    adversarial: { attack: 'fgsm', eps: MLP_EPS, ratio: 0.5 },
  });

  const errorReduction = plain.fgsm.errorRate / adversarial.fgsm.errorRate;
  const result: DemoFgsmResult = {
    seed, split, trainImages: nTrain, testImages: split.test,
    softmaxRegression, paper: PAPER, mlp: plain, adversarialMlp: adversarial, errorReduction,
    checks: {
      paperErrorReached: softmaxRegression.fgsm.errorRate >= 0.95,
      errorHalved: errorReduction >= 2,
      cleanWithin2Points: Math.abs(adversarial.cleanAccuracy - plain.cleanAccuracy) <= 0.02,
    },
  };

  log();
  const srFig = softmaxRegression;
  log(`Softmax regression under FGSM at ε = ${PAPER.eps}, against the paper:`);
  printTable(log, ['', 'clean error', 'FGSM error', 'mean confidence on the wrong class'], [
    ['Goodfellow et al. (2015)', '-', pct(PAPER.errorRate, 2), pct(PAPER.meanWrongConfidence, 2)],
    ['Backprop', pct(1 - srFig.cleanAccuracy, 2), pct(srFig.fgsm.errorRate, 2), pct(srFig.fgsm.meanWrongConfidence, 2)],
  ]);
  log();
  log(`MLPs under FGSM at ε = ${MLP_EPS}:`);
  printTable(log, ['model', 'clean accuracy', 'FGSM error', 'confidence when wrong', 'train time'], [plain, adversarial].map((m) => [
    m.model, pct(m.cleanAccuracy), pct(m.fgsm.errorRate), pct(m.fgsm.meanWrongConfidence), `${(m.wallTimeMs / 1000).toFixed(1)} s`,
  ]));
  log();
  const c = result.checks;
  log(`FGSM error of the softmax regression ${pct(softmaxRegression.fgsm.errorRate, 2)} (target ≥ 95%): ${c.paperErrorReached ? 'yes' : 'NO'}.`);
  const moved = ((adversarial.cleanAccuracy - plain.cleanAccuracy) * 100).toFixed(2);
  log(`Adversarial training divides the MLP's FGSM error by ${errorReduction.toFixed(2)} (target ≥ 2): ${c.errorHalved ? 'yes' : 'NO'}; ` +
    `clean accuracy moves by ${moved} points (target within ±2): ${c.cleanWithin2Points ? 'yes' : 'NO'}.`);
  if (options.out) {
    log(`Saved: ${[softmaxRegression, plain, adversarial].map((m) => m.savedTo).join(', ')} (try 'backprop attack ${plain.savedTo}').`);
  }
  printJson(options, result);
  return result;
}

export const demoFgsmCommand: CommandSpec = {
  name: 'demo fgsm',
  summary: 'FGSM fools softmax regression on MNIST (Goodfellow et al., 2015); adversarial training hardens an MLP',
  usage: 'demo fgsm [--out <dir>] [--seed <n>] [--epochs <n>] [--hidden <n>] [--json]',
  details: 'Trains softmax regression and two MLPs (plain, adversarially trained) on the mnist package\'s digits, attacks them\n' +
    'with FGSM and compares with the paper. A few minutes on the js backend. With --out, saves the models for the\n' +
    "trust commands: 'backprop attack <dir>/mlp', 'backprop shift <dir>/mlp'…",
  flags: {
    out: { type: 'string', value: '<dir>', description: 'save the models under <dir>/softmax-regression, <dir>/mlp, <dir>/mlp-adversarial' },
    seed: SEED_FLAG,
    epochs: { type: 'string', value: '<n>', description: 'epochs of each MLP (default 20)' },
    'sr-epochs': { type: 'string', value: '<n>', description: 'epochs of the softmax regression (default 10)' },
    hidden: { type: 'string', value: '<n>', description: 'hidden units of the MLPs (default 128)' },
    json: JSON_FLAG,
  },
  run: (f) => demoFgsm({
    seed: intFlag(f, 'seed', 0, 0), epochs: intFlag(f, 'epochs', 20, 1), srEpochs: intFlag(f, 'sr-epochs', 10, 1),
    hidden: intFlag(f, 'hidden', 128, 1), out: stringFlag(f, 'out'), json: f.json === true,
  }),
};
