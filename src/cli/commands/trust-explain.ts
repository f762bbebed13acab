/**
 * `backprop explain <model-dir> --index N --method ig`: which pixels drive a saved MNIST model's decision on one
 * test image. Writes a PNG heat map over the digit, prints the figures (for Integrated Gradients, the
 * completeness check), and adds a section to <model-dir>/trust-report.html.
 */
import { basename, dirname, join, relative, resolve } from 'node:path';
import { noGrad } from '../../autograd/mode.js';
import { writeFileAtomic } from '../../io/files.js';
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, Tanh } from '../../nn/activation.js';
import { Conv2d } from '../../nn/conv.js';
import type { Sequential } from '../../nn/container.js';
import type { Module } from '../../nn/module.js';
import { narrow, softmax, sum } from '../../ops/index.js';
import { tensor } from '../../tensor/creation.js';
import { Generator } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  completenessGap, gradCam, gradientXInput, heatmapPNG, integratedGradients, saliency, smoothGrad, targetScores,
} from '../../trust/index.js';
import {
  type FlagValues, type PrintOptions, JSON_FLAG, SEED_FLAG, UsageError, intFlag, num, numberFlag, pct, printJson, printTable, printer, stringFlag,
} from '../command.js';
import { type PositionalCommandSpec, commandLine, loadMnistModel, modelDirFlag } from './trust-common.js';
import { writeTrustReport } from './trust-report.js';

export const METHODS = ['ig', 'saliency', 'gradxinput', 'smoothgrad', 'gradcam'] as const;
export type ExplainMethod = (typeof METHODS)[number];

const TITLES: Record<ExplainMethod, string> = {
  ig: 'Integrated Gradients',
  saliency: 'gradient saliency',
  gradxinput: 'gradient × input',
  smoothgrad: 'SmoothGrad',
  gradcam: 'Grad-CAM',
};

export interface ExplainCommandOptions extends PrintOptions {
  /** Row of the test split (default 0). */
  index?: number;
  method?: ExplainMethod;
  /** The class explained (default: the predicted one). */
  target?: number;
  /** Integrated Gradients steps (default 256). */
  steps?: number;
  /** SmoothGrad samples (default 50) and noise σ (default 0.15). */
  samples?: number;
  sigma?: number;
  /** PNG path (default <model-dir>/explain-<method>-<index>.png). */
  out?: string;
  /** Each pixel becomes scale × scale in the PNG (default 10). */
  scale?: number;
  seed?: number;
  report?: boolean;
  commandLine?: string;
}

export interface ExplainResult {
  modelDir: string;
  index: number;
  label: number;
  predicted: number;
  confidence: number;
  target: number;
  method: string;
  /** Σ attributions (for Grad-CAM: of the map). */
  attributionSum: number;
  /** F(x) − F(baseline) and the relative completeness gap (Integrated Gradients only, else null). */
  scoreDifference: number | null;
  completenessGap: number | null;
  png: string;
  report: string | null;
}

const ACTIVATIONS = [ReLU, LeakyReLU, ELU, GELU, Tanh, Sigmoid];

/** The layer Grad-CAM reads: the activation after the last Conv2d (or the Conv2d itself). */
function lastConvLayer(model: Sequential): Module {
  const layers = [...model];
  for (let i = layers.length - 1; i >= 0; i--) {
    if (layers[i] instanceof Conv2d) {
      const next = layers[i + 1];
      return ACTIVATIONS.some((A) => next instanceof A) ? next : layers[i];
    }
  }
  throw new UsageError("--method gradcam needs a convolutional model (a Conv2d layer); use ig, saliency, gradxinput or smoothgrad for this one");
}

/** Explains one test image of a saved model; writes the PNG, prints and returns the figures. */
export async function explainCommand(modelDir: string, options: ExplainCommandOptions = {}): Promise<ExplainResult> {
  const method = options.method ?? 'ig';
  if (!METHODS.includes(method)) throw new UsageError(`--method must be one of ${METHODS.join(', ')}, got '${String(method)}'`);
  const { model, xTest, yTest } = await loadMnistModel('explain', modelDir);
  const index = options.index ?? 0;
  if (!Number.isInteger(index) || index < 0 || index >= xTest.shape[0]) {
    throw new UsageError(`--index must be in 0..${xTest.shape[0] - 1}, got ${index}`);
  }
  const x = narrow(xTest, 0, index, 1);
  const label = yTest.data()[index];
  const probs = noGrad(() => softmax(model.forward(x), 1).data());
  let predicted = 0;
  for (let k = 1; k < probs.length; k++) if (probs[k] > probs[predicted]) predicted = k;
  const target = options.target ?? predicted;
  if (!Number.isInteger(target) || target < 0 || target >= probs.length) {
    throw new UsageError(`--target must be a class in 0..${probs.length - 1}, got ${target}`);
  }
  const steps = options.steps ?? 256;

  let attr: Tensor;
  switch (method) {
    case 'ig': attr = integratedGradients(model, x, { target, steps }); break;
    case 'saliency': attr = saliency(model, x, { target }); break;
    case 'gradxinput': attr = gradientXInput(model, x, { target }); break;
    case 'smoothgrad':
      attr = smoothGrad(model, x, {
        target, samples: options.samples ?? 50, sigma: options.sigma ?? 0.15, generator: new Generator(options.seed ?? 0),
      });
      break;
    case 'gradcam': attr = gradCam(model, lastConvLayer(model), x, { target }); break;
  }
  const attributionSum = noGrad(() => sum(attr).item());
  let scoreDifference: number | null = null;
  let gap: number | null = null;
  if (method === 'ig') {
    const t = tensor([target], { dtype: 'int32' });
    scoreDifference = noGrad(() => targetScores('explain', model, x, t).item() - targetScores('explain', model, x.mul(0), t).item());
    gap = completenessGap(model, x, attr, { target })[0];
  }
  const png = resolve(options.out ?? join(modelDir, `explain-${method}-${index}.png`));
  await writeFileAtomic(png, await heatmapPNG(attr.reshape([28, 28]), { image: x.reshape([28, 28]), scale: options.scale ?? 10 }));

  const log = printer(options);
  log(`${TITLES[method]} of ${modelDir} on test image ${index}.`);
  log();
  const rows: (string | number)[][] = [
    ['true label', label],
    ['predicted', `${predicted} (${pct(probs[predicted])})`],
    ['explained class', target],
    ['method', method === 'ig' ? `${TITLES[method]}, ${steps} steps, black baseline` : TITLES[method]],
    ['Σ attributions', num(attributionSum, 5)],
  ];
  if (scoreDifference !== null && gap !== null) {
    rows.push(['F(x) − F(baseline) (logit)', num(scoreDifference, 5)], ['completeness gap', pct(gap, 3)]);
  }
  const shown = relative(process.cwd(), png);
  rows.push(['heat map', shown.startsWith('..') ? png : shown]);
  printTable(log, ['figure', 'value'], rows);
  let report: string | null = null;
  if (options.report ?? true) {
    const sameDir = resolve(dirname(png)) === resolve(modelDir);
    report = await writeTrustReport(modelDir, {
      key: 'explain',
      title: `Explanation: ${TITLES[method]}`,
      command: options.commandLine ?? `backprop explain ${modelDir} --index ${index} --method ${method}`,
      summary: 'Red pixels raise the explained class’s logit, blue ones lower it; the strength of the colour is the size of the attribution.',
      tables: [{ caption: `Test image ${index}`, header: ['figure', 'value'], rows }],
      images: [{ file: sameDir ? basename(png) : png, caption: `${TITLES[method]}, class ${target}, test image ${index}` }],
    });
    log();
    log(`Report: ${report}`);
  }
  const result: ExplainResult = {
    modelDir, index, label, predicted, confidence: probs[predicted], target, method: TITLES[method],
    attributionSum, scoreDifference, completenessGap: gap, png, report,
  };
  printJson(options, result);
  return result;
}

function parseOptions(f: FlagValues): ExplainCommandOptions {
  return {
    index: intFlag(f, 'index', 0, 0),
    method: (stringFlag(f, 'method') ?? 'ig') as ExplainMethod,
    target: f.target === undefined ? undefined : intFlag(f, 'target', 0, 0),
    steps: intFlag(f, 'steps', 256, 1),
    samples: intFlag(f, 'samples', 50, 1),
    sigma: numberFlag(f, 'sigma', 0.15, 0),
    out: stringFlag(f, 'out'),
    scale: intFlag(f, 'scale', 10, 1, 64),
    seed: intFlag(f, 'seed', 0, 0),
    json: f.json === true,
  };
}

export const explainCommandSpec: PositionalCommandSpec = {
  name: 'explain',
  summary: 'a heat map of the pixels behind a saved MNIST model’s decision (IG, saliency, SmoothGrad, Grad-CAM)',
  usage: 'explain <model-dir> [--index <n>] [--method ig|saliency|gradxinput|smoothgrad|gradcam] [--out <file.png>] [--json]',
  details: 'Explains test image <n> of the split recorded in <model-dir>/config.json, writes a PNG heat map over the digit\n' +
    '(default <model-dir>/explain-<method>-<n>.png) and adds a section to <model-dir>/trust-report.html.',
  positional: { name: 'model-dir', description: 'folder of a saved model (config.json + model.safetensors)' },
  flags: {
    index: { type: 'string', value: '<n>', description: 'row of the test split (default 0)' },
    method: { type: 'string', value: '<name>', description: `one of ${METHODS.join(', ')} (default ig)` },
    target: { type: 'string', value: '<class>', description: 'the class to explain (default: the predicted one)' },
    steps: { type: 'string', value: '<n>', description: 'Integrated Gradients steps (default 256)' },
    samples: { type: 'string', value: '<n>', description: 'SmoothGrad samples (default 50)' },
    sigma: { type: 'string', value: '<x>', description: 'SmoothGrad noise standard deviation (default 0.15)' },
    out: { type: 'string', value: '<file.png>', description: 'where to write the PNG' },
    scale: { type: 'string', value: '<n>', description: 'PNG pixels per image pixel (default 10)' },
    seed: SEED_FLAG,
    json: JSON_FLAG,
  },
  run: (f) => {
    const dir = modelDirFlag(f);
    return explainCommand(dir, { ...parseOptions(f), commandLine: commandLine('explain', dir, f) });
  },
};
