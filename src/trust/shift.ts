/**
 * Distribution shift: seeded image corruptions graded by severity 1–5 (in the spirit of Hendrycks & Dietterich's
 * MNIST-C/ImageNet-C), and an evaluation of a classifier on them: accuracy and ECE per severity, and how well its
 * uncertainty tells shifted inputs from clean ones (AUROC of max-softmax probability, Hendrycks & Gimpel, 2017,
 * and of MC-dropout predictive entropy).
 */
import { rocAuc } from '../metrics/index.js';
import { Module } from '../nn/module.js';
import { Generator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { reliabilityDiagram } from './calibration.js';
import { dropoutLayers, mcDropout } from './uncertainty.js';
import { type Classifier, asClassLogits, forwardBatched, labelsOf, withMode } from './util.js';

/** The corruptions, each with five severity levels. */
export type Corruption = 'rotate' | 'gaussianNoise' | 'gaussianBlur' | 'invert';

export const CORRUPTIONS: readonly Corruption[] = ['rotate', 'gaussianNoise', 'gaussianBlur', 'invert'];

/**
 * The parameter of each corruption at severities 1..5: rotation angle in degrees (± at random per image), noise
 * standard deviation and blur σ in pixels-values and pixels, and the blend towards the negative image (1 = 1 − x).
 */
export const SEVERITY_LEVELS: Readonly<Record<Corruption, readonly number[]>> = {
  rotate: [15, 30, 45, 60, 90],
  gaussianNoise: [0.1, 0.2, 0.3, 0.45, 0.6],
  gaussianBlur: [0.5, 1, 1.5, 2, 3],
  invert: [0.2, 0.4, 0.6, 0.8, 1],
};

export interface CorruptOptions {
  /** Seed of the random draws (rotation signs, noise); default 0. Same seed, same output. */
  seed?: number;
  /** Clamp the result to this range (default [0, 1]); null: no clamping. */
  clamp?: readonly [number, number] | null;
}

/** How a batch splits into H×W planes: [N, H·W] (square), [N, H, W] or [N, C, H, W]. */
function planes(who: string, x: Tensor): { count: number; h: number; w: number } {
  if (x.ndim === 2) {
    const s = Math.round(Math.sqrt(x.shape[1]));
    if (s * s !== x.shape[1]) throw new Error(`${who}: flat images of ${x.shape[1]} values are not square; pass [N, H, W] or [N, C, H, W]`);
    return { count: x.shape[0], h: s, w: s };
  }
  if (x.ndim === 3 || x.ndim === 4) {
    const h = x.shape[x.ndim - 2];
    const w = x.shape[x.ndim - 1];
    return { count: x.numel() / (h * w), h, w };
  }
  throw new Error(`${who}: expected images [N, H·W], [N, H, W] or [N, C, H, W], got ${fmtShape(x.shape)}`);
}

/** Rotates a plane by `deg` degrees about its centre, bilinear, zero outside. */
function rotatePlane(src: ArrayLike<number>, off: number, h: number, w: number, deg: number, out: Float32Array): void {
  const t = (deg * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const cy = (h - 1) / 2;
  const cx = (w - 1) / 2;
  const at = (i: number, j: number): number => (i >= 0 && i < h && j >= 0 && j < w ? src[off + i * w + j] : 0);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      // The inverse rotation of the output pixel gives where it comes from.
      const sy = cos * (i - cy) - sin * (j - cx) + cy;
      const sx = sin * (i - cy) + cos * (j - cx) + cx;
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      out[off + i * w + j] =
        (at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx) * (1 - fy) + (at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx) * fy;
    }
  }
}

/** Separable Gaussian blur of a plane with standard deviation σ, radius ⌈3σ⌉, edges replicated. */
function blurPlane(src: ArrayLike<number>, off: number, h: number, w: number, sigma: number, out: Float32Array): void {
  const r = Math.max(1, Math.ceil(3 * sigma));
  const k = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const ks = k.reduce((a, b) => a + b, 0);
  const tmp = new Float64Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += k[d + r] * src[off + i * w + Math.min(w - 1, Math.max(0, j + d))];
      tmp[i * w + j] = s / ks;
    }
  }
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      let s = 0;
      for (let d = -r; d <= r; d++) s += k[d + r] * tmp[Math.min(h - 1, Math.max(0, i + d)) * w + j];
      out[off + i * w + j] = s / ks;
    }
  }
}

/**
 * A corrupted copy of a batch of images at severity 1..5 (see SEVERITY_LEVELS), same shape, float32, clamped to
 * [0, 1] by default. Deterministic given the seed; severity 0 returns an unchanged copy.
 */
export function corrupt(x: Tensor, corruption: Corruption, severity: number, options: CorruptOptions = {}): Tensor {
  if (!(corruption in SEVERITY_LEVELS)) {
    throw new Error(`corrupt: unknown corruption '${String(corruption)}'; expected one of ${CORRUPTIONS.join(', ')}`);
  }
  if (!Number.isInteger(severity) || severity < 0 || severity > 5) throw new Error(`corrupt: severity must be an integer in 0..5, got ${severity}`);
  const { count, h, w } = planes('corrupt', x);
  const range = options.clamp === undefined ? ([0, 1] as const) : options.clamp;
  const src = x.data();
  const out = Float32Array.from(src);
  const g = new Generator(options.seed ?? 0);
  const level = severity === 0 ? 0 : SEVERITY_LEVELS[corruption][severity - 1];
  if (severity > 0) {
    for (let p = 0; p < count; p++) {
      const off = p * h * w;
      switch (corruption) {
        case 'rotate':
          rotatePlane(src, off, h, w, g.nextFloat() < 0.5 ? -level : level, out);
          break;
        case 'gaussianNoise':
          for (let i = 0; i < h * w; i++) out[off + i] = src[off + i] + level * g.nextNormal();
          break;
        case 'gaussianBlur':
          blurPlane(src, off, h, w, level, out);
          break;
        case 'invert':
          for (let i = 0; i < h * w; i++) out[off + i] = (1 - level) * src[off + i] + level * (1 - src[off + i]);
          break;
      }
    }
  }
  if (range) for (let i = 0; i < out.length; i++) out[i] = Math.min(range[1], Math.max(range[0], out[i]));
  return new Tensor(out, x.shape);
}

export interface ShiftOptions {
  /** Corruptions to apply (default all four). */
  corruptions?: readonly Corruption[];
  /** Severities to evaluate (default 1..5). */
  severities?: readonly number[];
  /** Seed of the corruptions (default 0). */
  seed?: number;
  /** MC-dropout samples for the entropy AUROC (default 20; 0 skips it). Skipped when the model has no Dropout. */
  mcSamples?: number;
  /** ECE bins (default 15). */
  bins?: number;
  batchSize?: number;
}

/** The figures of one corruption at one severity (severity 0: the clean test set). */
export interface ShiftRow {
  corruption: Corruption | 'none';
  severity: number;
  /** The corruption's parameter at this severity (see SEVERITY_LEVELS). */
  level: number;
  accuracy: number;
  ece: number;
  /** Mean max-softmax probability. */
  meanConfidence: number;
  /** AUROC of 1 − max softmax probability for telling these inputs from the clean ones (0.5 = blind). */
  aurocMsp: number;
  /** AUROC of MC-dropout predictive entropy for the same task (NaN when not computed). */
  aurocEntropy: number;
}

export interface ShiftReport {
  clean: ShiftRow;
  rows: ShiftRow[];
  /** MC-dropout samples used (0 when the entropy AUROC was skipped). */
  mcSamples: number;
}

/** Scores of one set of inputs: probabilities, confidence and (optionally) MC-dropout entropy. */
function scoreSet(model: Classifier, x: Tensor, labels: Tensor, mc: number, bins: number, bs: number | undefined) {
  const n = x.shape[0];
  const probs = withMode(model, false, () => asClassLogits('evaluateShift', forwardBatched(model, x, bs), n).softmax(1));
  const rel = reliabilityDiagram(probs, labels, { bins });
  const c = probs.shape[1];
  const pd = probs.data();
  const msp = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let k = 0; k < c; k++) m = Math.max(m, pd[i * c + k]);
    msp[i] = m;
  }
  const entropy = mc > 0 ? mcDropout(model as Module, x, { samples: mc, batchSize: bs }).entropy.data() : null;
  return { rel, msp, entropy };
}

function auroc(cleanScores: ArrayLike<number>, shiftedScores: ArrayLike<number>): number {
  const y = [...Array.from(cleanScores, () => 0), ...Array.from(shiftedScores, () => 1)];
  return rocAuc(y, [...Array.from(cleanScores), ...Array.from(shiftedScores)]);
}

/**
 * Evaluates `model` on clean and corrupted copies of (x, y): accuracy, ECE and mean confidence per corruption and
 * severity, and the AUROC of detecting the corrupted inputs among the clean ones by low max-softmax probability
 * and by high MC-dropout entropy.
 */
export function evaluateShift(model: Classifier, x: Tensor, y: Tensor, options: ShiftOptions = {}): ShiftReport {
  const n = x.shape[0];
  const labels = labelsOf('evaluateShift', y, n);
  const corruptions = options.corruptions ?? CORRUPTIONS;
  const severities = options.severities ?? [1, 2, 3, 4, 5];
  const bins = options.bins ?? 15;
  const hasDropout = model instanceof Module && dropoutLayers(model).length > 0;
  const mc = hasDropout ? (options.mcSamples ?? 20) : 0;
  const clean = scoreSet(model, x, labels, mc, bins, options.batchSize);
  const row = (corruption: Corruption | 'none', severity: number, level: number, s: ReturnType<typeof scoreSet>): ShiftRow => ({
    corruption, severity, level,
    accuracy: s.rel.accuracy,
    ece: s.rel.ece,
    meanConfidence: s.rel.meanConfidence,
    aurocMsp: corruption === 'none' ? 0.5 : auroc(clean.msp.map((m) => 1 - m), s.msp.map((m) => 1 - m)),
    aurocEntropy: corruption === 'none' ? (mc > 0 ? 0.5 : NaN) : clean.entropy && s.entropy ? auroc(clean.entropy, s.entropy) : NaN,
  });
  const rows: ShiftRow[] = [];
  for (const corruption of corruptions) {
    for (const severity of severities) {
      const xs = corrupt(x, corruption, severity, { seed: options.seed ?? 0 });
      const level = SEVERITY_LEVELS[corruption]?.[severity - 1] ?? 0;
      rows.push(row(corruption, severity, level, scoreSet(model, xs, labels, mc, bins, options.batchSize)));
    }
  }
  return { clean: row('none', 0, 0, clean), rows, mcSamples: mc };
}
