/**
 * Calibration: does a confidence of 80% mean right 80% of the time? Reliability-diagram bins, the expected and
 * maximum calibration errors (Naeini et al., 2015; Guo et al., 2017), and temperature scaling (Guo et al., 2017):
 * one scalar T fitted on a validation split that divides the logits, which changes confidence but never the argmax.
 */
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { Module } from '../nn/module.js';
import { div } from '../ops/index.js';
import { type Classifier, asClassLogits, forwardBatched, labelsOf, withMode } from './util.js';

/** Rows of class probabilities (or logits, for the temperature functions): a Tensor [N, C] or nested arrays. */
export type Scores = Tensor | readonly (readonly number[])[];

function table(who: string, what: string, s: Scores): { n: number; c: number; v: Float64Array } {
  if (s instanceof Tensor) {
    if (s.ndim !== 2 || s.shape[0] === 0 || s.shape[1] < 2) {
      throw new Error(`${who}: ${what} must be [N, C] with N ≥ 1 and C ≥ 2, got ${fmtShape(s.shape)}`);
    }
    return { n: s.shape[0], c: s.shape[1], v: Float64Array.from(s.data()) };
  }
  if (!Array.isArray(s) || s.length === 0) throw new Error(`${who}: ${what} must be a non-empty [N, C] table`);
  const c = s[0].length;
  if (c < 2 || s.some((r) => r.length !== c)) throw new Error(`${who}: every row of ${what} must have the same C ≥ 2 entries`);
  return { n: s.length, c, v: Float64Array.from(s.flat()) };
}

function checkBins(who: string, bins: number): void {
  if (!Number.isInteger(bins) || bins < 1) throw new Error(`${who}: bins must be a positive integer, got ${bins}`);
}

/** One bin of a reliability diagram: the predictions whose confidence falls in (lower, upper]. */
export interface ReliabilityBin {
  lower: number;
  upper: number;
  /** Predictions in the bin. */
  count: number;
  /** Fraction of them that are right (NaN when empty). */
  accuracy: number;
  /** Their mean confidence (NaN when empty). */
  confidence: number;
}

export interface ReliabilityDiagram {
  bins: ReliabilityBin[];
  /** ECE = Σ_b (|B_b| / n) · |acc(B_b) − conf(B_b)|. */
  ece: number;
  /** MCE = max over non-empty bins of |acc(B_b) − conf(B_b)|. */
  mce: number;
  /** Overall accuracy of the argmax. */
  accuracy: number;
  /** Mean confidence (max probability). */
  meanConfidence: number;
  count: number;
}

export interface CalibrationOptions {
  /** Equal-width confidence bins over [0, 1] (default 15, as Guo et al.). */
  bins?: number;
}

/**
 * Reliability-diagram data: confidence = max probability, prediction = its class; bin b holds confidences in
 * ((b−1)/M, b/M] (0 goes to the first bin). Ties in the max go to the lowest class index, as argmax does.
 */
export function reliabilityDiagram(probs: Scores, labels: Tensor | ArrayLike<number>, options: CalibrationOptions = {}): ReliabilityDiagram {
  const M = options.bins ?? 15;
  checkBins('reliabilityDiagram', M);
  const { n, c, v } = table('reliabilityDiagram', 'probs', probs);
  const y = labelsOf('reliabilityDiagram', labels instanceof Tensor ? labels : Array.from(labels), n).data();
  const count = new Float64Array(M);
  const hits = new Float64Array(M);
  const confSum = new Float64Array(M);
  let totalHits = 0;
  let totalConf = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (v[i * c + k] > v[i * c + best]) best = k;
    const conf = v[i * c + best];
    if (!(conf >= 0 && conf <= 1)) {
      throw new Error(`reliabilityDiagram: row ${i} has max probability ${conf}; expected probabilities in [0, 1] (apply softmax to logits)`);
    }
    const b = Math.min(M - 1, Math.max(0, Math.ceil(conf * M) - 1));
    const hit = best === y[i] ? 1 : 0;
    count[b]++;
    hits[b] += hit;
    confSum[b] += conf;
    totalHits += hit;
    totalConf += conf;
  }
  let ece = 0;
  let mce = 0;
  const bins: ReliabilityBin[] = [];
  for (let b = 0; b < M; b++) {
    const acc = count[b] > 0 ? hits[b] / count[b] : NaN;
    const conf = count[b] > 0 ? confSum[b] / count[b] : NaN;
    if (count[b] > 0) {
      const gap = Math.abs(acc - conf);
      ece += (count[b] / n) * gap;
      mce = Math.max(mce, gap);
    }
    bins.push({ lower: b / M, upper: (b + 1) / M, count: count[b], accuracy: acc, confidence: conf });
  }
  return { bins, ece, mce, accuracy: totalHits / n, meanConfidence: totalConf / n, count: n };
}

/** Expected calibration error: the bin-weighted mean gap |accuracy − confidence| (see reliabilityDiagram). */
export function expectedCalibrationError(probs: Scores, labels: Tensor | ArrayLike<number>, options: CalibrationOptions = {}): number {
  return reliabilityDiagram(probs, labels, options).ece;
}

/** Maximum calibration error: the largest gap |accuracy − confidence| over the non-empty bins. */
export function maxCalibrationError(probs: Scores, labels: Tensor | ArrayLike<number>, options: CalibrationOptions = {}): number {
  return reliabilityDiagram(probs, labels, options).mce;
}

/** Mean negative log-likelihood of softmax(logits / T) at the labels, computed in float64 (log-sum-exp). */
export function temperatureNll(logits: Scores, labels: Tensor | ArrayLike<number>, temperature = 1): number {
  if (!(temperature > 0)) throw new Error(`temperatureNll: temperature must be > 0, got ${temperature}`);
  const { n, c, v } = table('temperatureNll', 'logits', logits);
  const y = labelsOf('temperatureNll', labels instanceof Tensor ? labels : Array.from(labels), n).data();
  return nllAt(v, n, c, y, 1 / temperature);
}

function nllAt(v: Float64Array, n: number, c: number, y: ArrayLike<number>, beta: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let k = 0; k < c; k++) mx = Math.max(mx, beta * v[i * c + k]);
    let s = 0;
    for (let k = 0; k < c; k++) s += Math.exp(beta * v[i * c + k] - mx);
    total += mx + Math.log(s) - beta * v[i * c + y[i]];
  }
  return total / n;
}

export interface FitTemperatureOptions {
  /** Search interval for T (default [0.05, 20]). */
  range?: readonly [number, number];
  /** Golden-section iterations (default 100: the interval shrinks by 0.618¹⁰⁰). */
  iterations?: number;
}

/**
 * The temperature T > 0 minimising the validation NLL of softmax(logits / T). The NLL is convex in 1/T (the logits
 * scale linearly in it and cross-entropy is convex in the logits), hence unimodal in log T: golden-section search
 * on log T finds the minimum without a learning rate.
 */
export function fitTemperature(logits: Scores, labels: Tensor | ArrayLike<number>, options: FitTemperatureOptions = {}): number {
  const [lo, hi] = options.range ?? [0.05, 20];
  if (!(lo > 0 && hi > lo)) throw new Error(`fitTemperature: range must be [lo, hi] with 0 < lo < hi, got ${JSON.stringify(options.range)}`);
  const iters = options.iterations ?? 100;
  const { n, c, v } = table('fitTemperature', 'logits', logits);
  const y = labelsOf('fitTemperature', labels instanceof Tensor ? labels : Array.from(labels), n).data();
  const f = (logT: number): number => nllAt(v, n, c, y, Math.exp(-logT));
  const phi = (Math.sqrt(5) - 1) / 2;
  let a = Math.log(lo);
  let b = Math.log(hi);
  let x1 = b - phi * (b - a);
  let x2 = a + phi * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let i = 0; i < iters; i++) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - phi * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + phi * (b - a);
      f2 = f(x2);
    }
  }
  return Math.exp((a + b) / 2);
}

/** A classifier whose logits are divided by a fixed temperature: forward(x) = model(x) / T. */
export class TemperatureScaled extends Module {
  constructor(readonly model: Module, readonly temperature: number) {
    super();
    if (!(temperature > 0)) throw new Error(`TemperatureScaled: temperature must be > 0, got ${temperature}`);
  }

  override forward(x: Tensor): Tensor {
    return div(this.model.forward(x), this.temperature);
  }

  override extraRepr(): string {
    return `temperature=${this.temperature}`;
  }
}

export interface TemperatureScaleResult {
  /** The wrapped model, logits / T. */
  model: TemperatureScaled;
  temperature: number;
  /** Validation NLL before (T = 1) and after. */
  nllBefore: number;
  nllAfter: number;
}

/** Fits T on a validation split (in eval mode) and returns the model wrapped with it, with the NLL before and after. */
export function temperatureScale(
  model: Module, valX: Tensor, valY: Tensor, options: FitTemperatureOptions & { batchSize?: number } = {},
): TemperatureScaleResult {
  const logits = withMode(model, false, () => asClassLogits('temperatureScale', forwardBatched(model, valX, options.batchSize), valX.shape[0]));
  const temperature = fitTemperature(logits, valY, options);
  return {
    model: new TemperatureScaled(model, temperature),
    temperature,
    nllBefore: temperatureNll(logits, valY, 1),
    nllAfter: temperatureNll(logits, valY, temperature),
  };
}

/** Softmax probabilities of a classifier on x, in eval mode, without recording: [N, C]. */
export function predictProba(model: Classifier, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  return withMode(model, false, () => asClassLogits('predictProba', forwardBatched(model, x, options.batchSize), x.shape[0]).softmax(1));
}
