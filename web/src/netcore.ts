/**
 * The network panel's model, written with the library only (no DOM): the data set, the input features, an
 * nn.Sequential MLP, one epoch of mini-batch training, losses, and the values drawn on the heatmap grid.
 * The worker runs it; Node tests can too. Everything random comes from the settings' seed.
 */
import {
  Generator, type Tensor, binaryCrossEntropyWithLogits, crossEntropy, data, indexSelect, l1Penalty, l2Penalty, manualSeed,
  mseLoss, nn, noGrad, optim, randperm, reshape, sigmoid, softmax, tensor,
} from '../../src/index.js';
import type { Feature, Settings } from './state.js';

/** A 2-D classification set split into train and test, as plain arrays (they cross the worker boundary). */
export interface Points {
  /** Row-major [n, 2]. */
  xTrain: Float32Array;
  yTrain: Int32Array;
  xTest: Float32Array;
  yTest: Int32Array;
  classes: number;
  /** The square drawn: [xmin, xmax, ymin, ymax]. */
  domain: [number, number, number, number];
}

/** Labelled 2-D points from a user's CSV file (parsed on the page), standardised to zero mean and unit variance. */
export interface CsvPoints {
  x: Float32Array;
  y: Int32Array;
  classes: number;
  /** The label of each class index, as in the file. */
  classNames: string[];
  /** The two feature columns' names. */
  columns: [string, string];
  name: string;
}

/** Colours on the page, and so classes in a CSV file. */
export const MAX_CLASSES = 5;
const MAX_ROWS = 5000;

/**
 * Reads a CSV file of two numeric columns and a label (a column named label, class, target or category, else the last
 * one). A header line is optional. Rows with a missing value are left out; the features are standardised.
 */
export function csvToPoints(text: string, name: string): CsvPoints {
  // A first line of numbers is data, not a header.
  const first = text.trimStart().split(/\r?\n/, 1)[0] ?? '';
  const header = !first.split(/[,;\t|]/).every((c) => /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(c));
  const table = data.parseCSV(text, { missing: 'drop', header });
  if (table.columns.length !== 3) {
    throw new Error(`${name}: expected 3 columns (two numeric features and a label), got ${table.columns.length}: ${table.columns.join(', ')}`);
  }
  // Not 'y': with columns x, y, … that is a coordinate.
  const label = table.columns.find((c) => /^(label|class|target|category)$/i.test(c)) ?? table.columns[2];
  const features = table.columns.filter((c) => c !== label) as [string, string];
  for (const f of features) {
    if (table.types[f] !== 'numeric') throw new Error(`${name}: column '${f}' is not numeric; expected two numeric feature columns and a label`);
  }
  if (table.length < 10 || table.length > MAX_ROWS) throw new Error(`${name}: ${table.length} rows; expected 10 to ${MAX_ROWS}`);
  const t = table.toTensors({ target: label, task: 'classification' });
  if (t.classes.length < 2 || t.classes.length > MAX_CLASSES) {
    throw new Error(`${name}: the label column '${label}' has ${t.classes.length} classes; expected 2 to ${MAX_CLASSES}`);
  }
  const x = new data.StandardScaler().fitTransform(t.x).data() as Float32Array;
  return { x: Float32Array.from(x), y: Int32Array.from(t.y.data()), classes: t.classes.length, classNames: t.classes.map(String), columns: features, name };
}

/** Gaussian centers: the library's two blobs for 2 classes, else K blobs on a circle of radius 1.5. */
function gaussCenters(k: number): [number, number][] {
  if (k === 2) return [[-1, -1], [1, 1]];
  return Array.from({ length: k }, (_, i): [number, number] => {
    const a = (2 * Math.PI * i) / k + Math.PI / 4;
    return [1.5 * Math.cos(a), 1.5 * Math.sin(a)];
  });
}

/** Generates the chosen data set (or takes the CSV points) and splits it by trainRatio. */
export function makePoints(s: Settings, csv?: CsvPoints | null): Points {
  let x: Float32Array;
  let y: Int32Array;
  let classes = 2;
  if (s.dataset === 'csv') {
    if (!csv) throw new Error('makePoints: the data set is csv but no CSV file is loaded; drop the file on the page again');
    // Shuffle the file's rows with the seed, so the split does not follow the file's order.
    const perm = randperm(csv.y.length, { generator: new Generator(s.seed) }).data();
    x = new Float32Array(csv.x.length);
    y = new Int32Array(csv.y.length);
    perm.forEach((j, i) => {
      x[2 * i] = csv.x[2 * j];
      x[2 * i + 1] = csv.x[2 * j + 1];
      y[i] = csv.y[j];
    });
    classes = csv.classes;
  } else {
    const o = { n: s.points, noise: s.noise, seed: s.seed };
    const set =
      s.dataset === 'circle' ? data.makeCircle(o)
      : s.dataset === 'xor' ? data.makeXor(o)
      : s.dataset === 'gauss' ? data.makeGaussians({ ...o, centers: gaussCenters(s.classes) })
      : s.dataset === 'spiral' ? data.makeSpiral({ ...o, classes: s.classes })
      : data.makeMoons(o);
    x = set.x.data() as Float32Array;
    y = set.y.data() as Int32Array;
    classes = s.dataset === 'gauss' || s.dataset === 'spiral' ? s.classes : 2;
  }
  const n = y.length;
  const nTrain = Math.min(n - 1, Math.max(1, Math.round((n * s.trainRatio) / 100)));
  return {
    xTrain: x.slice(0, 2 * nTrain),
    yTrain: y.slice(0, nTrain),
    xTest: x.slice(2 * nTrain),
    yTest: y.slice(nTrain),
    classes,
    domain: squareDomain(x),
  };
}

/** The smallest square around all points, widened by 10% and rounded out to a tenth. */
export function squareDomain(x: Float32Array): [number, number, number, number] {
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < x.length; i += 2) {
    x0 = Math.min(x0, x[i]);
    x1 = Math.max(x1, x[i]);
    y0 = Math.min(y0, x[i + 1]);
    y1 = Math.max(y1, x[i + 1]);
  }
  const half = Math.max(x1 - x0, y1 - y0, 1e-3) * 0.55;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const r = (v: number, up: boolean): number => (up ? Math.ceil(v * 10) : Math.floor(v * 10)) / 10;
  return [r(cx - half, false), r(cx + half, true), r(cy - half, false), r(cy + half, true)];
}

/** Each input feature as a function of the point (x₁, x₂). */
export const FEATURE_FNS: Record<Feature, (a: number, b: number) => number> = {
  x1: (a) => a,
  x2: (_, b) => b,
  x1sq: (a) => a * a,
  x2sq: (_, b) => b * b,
  x1x2: (a, b) => a * b,
  sinx1: (a) => Math.sin(a),
  sinx2: (_, b) => Math.sin(b),
};

/** Human labels of the features, as printed on the page. */
export const FEATURE_LABELS: Record<Feature, string> = {
  x1: 'x₁', x2: 'x₂', x1sq: 'x₁²', x2sq: 'x₂²', x1x2: 'x₁x₂', sinx1: 'sin x₁', sinx2: 'sin x₂',
};

/** The input matrix [n, F] of the chosen features of 2-D points [n, 2]. */
export function featurize(x: Float32Array, features: readonly Feature[]): Tensor {
  const n = x.length / 2;
  const f = features.length;
  const out = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) out[i * f + j] = FEATURE_FNS[features[j]](x[2 * i], x[2 * i + 1]);
  }
  return tensor(out, { shape: [n, f] });
}

/** The G×G grid of points covering the domain, row 0 at the top (largest y), as [G², 2]. */
export function gridPoints(domain: readonly number[], g: number): Float32Array {
  const [x0, x1, y0, y1] = domain;
  const out = new Float32Array(g * g * 2);
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      out[2 * (r * g + c)] = x0 + ((c + 0.5) / g) * (x1 - x0);
      out[2 * (r * g + c) + 1] = y1 - ((r + 0.5) / g) * (y1 - y0);
    }
  }
  return out;
}

function activationModule(s: Settings): nn.Module {
  switch (s.activation) {
    case 'relu': return new nn.ReLU();
    case 'tanh': return new nn.Tanh();
    case 'sigmoid': return new nn.Sigmoid();
    case 'linear': return new nn.Identity();
  }
}

/** [Linear, activation, Dropout?] per hidden layer, then a Linear to 1 logit (2 classes) or K logits. */
export function buildModel(s: Settings, inputs: number, classes: number): nn.Sequential {
  const layers: nn.Module[] = [];
  let width = inputs;
  for (const h of s.hidden) {
    layers.push(new nn.Linear(width, h), activationModule(s));
    if (s.dropout > 0) layers.push(new nn.Dropout(s.dropout));
    width = h;
  }
  layers.push(new nn.Linear(width, classes === 2 ? 1 : classes));
  return new nn.Sequential(...layers);
}

/** Per-layer output of the forward pass: the post-activation values of each hidden layer, then the logits. */
function forwardLayers(model: nn.Sequential, x: Tensor): { hidden: Tensor[]; logits: Tensor } {
  const hidden: Tensor[] = [];
  const mods = [...model];
  let h = x;
  mods.forEach((m, i) => {
    h = m.forward(h);
    // A hidden layer's output is taken after its activation (the module that follows a Linear, not the last one).
    if (i > 0 && mods[i - 1] instanceof nn.Linear) hidden.push(h);
  });
  return { hidden, logits: h };
}

export interface Snapshot {
  epoch: number;
  trainLoss: number;
  testLoss: number;
  trainAcc: number;
  testAcc: number;
  /** Class probabilities on the grid, [G², K] (K = classes, 2 columns for a binary model). */
  output: Float32Array;
  /** Each hidden layer's activations on the grid, [G², width]. */
  neurons: Float32Array[];
  /** Each Linear layer's weight [out, in], row-major, with its shape. */
  weights: { shape: [number, number]; data: Float32Array }[];
}

/** One training run: the model, its optimizer and data, advanced an epoch at a time. */
export class Trainer {
  readonly model: nn.Sequential;
  readonly points: Points;
  epoch = 0;
  private readonly opt: optim.Optimizer;
  private readonly xTrain: Tensor;
  private readonly yTrain: Tensor;
  private readonly xTest: Tensor;
  private readonly yTest: Tensor;
  private readonly shuffle: Generator;
  private readonly weights: Tensor[];

  constructor(
    readonly settings: Settings,
    points: Points,
  ) {
    this.points = points;
    this.xTrain = featurize(points.xTrain, settings.features);
    this.xTest = featurize(points.xTest, settings.features);
    this.yTrain = tensor(points.yTrain, { dtype: 'int32' });
    this.yTest = tensor(points.yTest, { dtype: 'int32' });
    // The global generator draws the initial weights and the dropout masks; the batch order has its own.
    manualSeed(settings.seed);
    this.model = buildModel(settings, settings.features.length, points.classes);
    this.shuffle = new Generator(settings.seed + 1);
    const params = this.model.parameters();
    this.weights = [...this.model].filter((m) => m instanceof nn.Linear).map((m) => (m as nn.Linear).weight);
    const { lr } = settings;
    this.opt =
      settings.optimizer === 'adam' ? new optim.Adam(params, { lr })
      : new optim.SGD(params, { lr, momentum: settings.optimizer === 'momentum' ? 0.9 : 0 });
  }

  /** The data loss (no penalty) of logits against labels: BCE or softmax CE, or MSE on the probabilities. */
  private lossOf(logits: Tensor, y: Tensor): Tensor {
    const binary = this.points.classes === 2;
    const n = y.shape[0];
    if (this.settings.loss === 'ce') {
      return binary ? binaryCrossEntropyWithLogits(reshape(logits, [n]), y.to('float32')) : crossEntropy(logits, y);
    }
    return binary ? mseLoss(sigmoid(reshape(logits, [n])), y.to('float32')) : mseLoss(softmax(logits, 1), data.oneHot(y, this.points.classes));
  }

  /** One pass over the training set in shuffled mini-batches. */
  trainEpoch(): void {
    const n = this.points.yTrain.length;
    const perm = randperm(n, { generator: this.shuffle }).data() as Int32Array;
    const b = Math.min(this.settings.batch, n);
    this.model.train();
    for (let start = 0; start < n; start += b) {
      const idx = tensor(perm.slice(start, Math.min(n, start + b)), { dtype: 'int32' });
      let loss = this.lossOf(this.model.forward(indexSelect(this.xTrain, 0, idx)), indexSelect(this.yTrain, 0, idx));
      const { reg, regRate } = this.settings;
      if (reg !== 'none' && regRate > 0) loss = loss.add(reg === 'l1' ? l1Penalty(this.weights, regRate) : l2Penalty(this.weights, regRate));
      this.opt.zeroGrad();
      loss.backward();
      this.opt.step();
    }
    this.epoch++;
  }

  /** Loss and accuracy on one split, in eval mode (dropout off). */
  evaluate(x: Tensor, y: Tensor): { loss: number; acc: number } {
    if (y.shape[0] === 0) return { loss: NaN, acc: NaN };
    this.model.eval();
    return noGrad(() => {
      const logits = this.model.forward(x);
      const loss = this.lossOf(logits, y).item();
      const pred = predictedClasses(logits);
      const labels = y.data();
      let hits = 0;
      for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hits++;
      return { loss, acc: hits / pred.length };
    });
  }

  /** The current epoch's loss and accuracy on both splits. */
  scores(): { trainLoss: number; testLoss: number; trainAcc: number; testAcc: number } {
    const train = this.evaluate(this.xTrain, this.yTrain);
    const test = this.evaluate(this.xTest, this.yTest);
    return { trainLoss: train.loss, testLoss: test.loss, trainAcc: train.acc, testAcc: test.acc };
  }

  /** Losses, accuracies, and the grid's probabilities and neuron activations (grid of G×G points). */
  snapshot(grid: Float32Array): Snapshot {
    const scores = this.scores();
    this.model.eval();
    const { hidden, logits } = noGrad(() => forwardLayers(this.model, featurize(grid, this.settings.features)));
    return {
      epoch: this.epoch,
      ...scores,
      output: probabilities(logits),
      neurons: hidden.map((h) => Float32Array.from(h.data())),
      weights: this.weights.map((w) => ({ shape: [w.shape[0], w.shape[1]], data: Float32Array.from(w.data()) })),
    };
  }
}

/** Row-wise class probabilities [n, K] (K ≥ 2) from 1 logit (binary) or K logits. */
export function probabilities(logits: Tensor): Float32Array {
  const n = logits.shape[0];
  if (logits.shape[1] === 1) {
    const p = sigmoid(reshape(logits, [n])).data();
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      out[2 * i] = 1 - p[i];
      out[2 * i + 1] = p[i];
    }
    return out;
  }
  return Float32Array.from(softmax(logits, 1).data());
}

function predictedClasses(logits: Tensor): Int32Array {
  const [n, k] = logits.shape;
  const d = logits.data();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (k === 1) {
      out[i] = d[i] > 0 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let j = 1; j < k; j++) if (d[i * k + j] > d[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** FNV-1a over the bytes of a typed array, as 8 hex digits: equal values give equal checksums. */
export function checksum(a: ArrayBufferView): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
