/**
 * Classification metrics on hard labels, following scikit-learn's definitions.
 * Zero division: when a ratio has a zero denominator (precision with no predicted positives, recall with no true
 * positives in the data, F1 with neither), the value is 0, as scikit-learn's default zero_division="warn" returns
 * (without the warning).
 */
import { type Matrix, type Vector, pair, toMatrix, toVector, uniqueSorted } from './util.js';

/** Fraction of predictions equal to the true label. */
export function accuracy(yTrue: Vector, yPred: Vector): number {
  const [t, p] = pair('accuracy', yTrue, yPred);
  let correct = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === p[i]) correct++;
  return correct / t.length;
}

/** How per-class scores are combined: see precision(). */
export type Average = 'binary' | 'macro' | 'micro' | 'weighted';

export interface ClassificationOptions {
  /**
   * 'binary' (default): the score of class `posLabel` only (at most two labels allowed);
   * 'macro': unweighted mean over classes; 'weighted': mean weighted by each class's support (true count);
   * 'micro': from the summed true/false positives and negatives of all classes (equals accuracy for
   * single-label multi-class data).
   */
  average?: Average;
  /** The positive class for average 'binary' (default 1). */
  posLabel?: number;
  /** Classes to score (default: every label in yTrue or yPred, ascending). */
  labels?: readonly number[];
}

/** Per-class scores, as scikit-learn's precision_recall_fscore_support with average=None. */
export interface PerClassScores {
  labels: number[];
  precision: number[];
  recall: number[];
  f1: number[];
  /** Number of true samples of each class. */
  support: number[];
}

const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);

/** True positives, false positives and false negatives per class, with the per-class scores. */
type Counts = PerClassScores & { tp: number[]; fp: number[]; fn: number[] };

function perClassCounts(op: string, yTrue: Vector, yPred: Vector, labels?: readonly number[]): Counts {
  const [t, p] = pair(op, yTrue, yPred);
  const ls = labels ? [...labels] : uniqueSorted(t, p);
  if (ls.length === 0) throw new Error(`${op}: labels is empty`);
  const at = new Map(ls.map((l, k) => [l, k]));
  const tp = new Array<number>(ls.length).fill(0);
  const fp = new Array<number>(ls.length).fill(0);
  const fn = new Array<number>(ls.length).fill(0);
  for (let i = 0; i < t.length; i++) {
    const kt = at.get(t[i]);
    const kp = at.get(p[i]);
    if (t[i] === p[i]) {
      if (kt !== undefined) tp[kt]++;
    } else {
      if (kp !== undefined) fp[kp]++;
      if (kt !== undefined) fn[kt]++;
    }
  }
  return {
    labels: ls, tp, fp, fn,
    precision: ls.map((_, k) => ratio(tp[k], tp[k] + fp[k])),
    recall: ls.map((_, k) => ratio(tp[k], tp[k] + fn[k])),
    // F1 = 2PR/(P+R) = 2TP/(2TP+FP+FN), the form without 0/0 when TP = 0.
    f1: ls.map((_, k) => ratio(2 * tp[k], 2 * tp[k] + fp[k] + fn[k])),
    support: ls.map((_, k) => tp[k] + fn[k]),
  };
}

/** Per-class precision, recall, F1 and support (scikit-learn's precision_recall_fscore_support, average=None). */
export function precisionRecallFscoreSupport(yTrue: Vector, yPred: Vector, options: { labels?: readonly number[] } = {}): PerClassScores {
  const { labels, precision, recall, f1, support } = perClassCounts('precisionRecallFscoreSupport', yTrue, yPred, options.labels);
  return { labels, precision, recall, f1, support };
}

function averaged(op: string, which: 'precision' | 'recall' | 'f1', yTrue: Vector, yPred: Vector, options: ClassificationOptions): number {
  const average = options.average ?? 'binary';
  const posLabel = options.posLabel ?? 1;
  if (average === 'binary') {
    const [t, p] = pair(op, yTrue, yPred);
    const present = uniqueSorted(t, p);
    if (present.length > 2) {
      throw new Error(
        `${op}: average 'binary' needs at most two classes, but the labels are [${present.join(', ')}]; ` +
          "pass average: 'macro', 'weighted' or 'micro'",
      );
    }
    if (present.length === 2 && !present.includes(posLabel)) {
      throw new Error(`${op}: posLabel ${posLabel} is not one of the labels [${present.join(', ')}]`);
    }
    return perClassCounts(op, t, p, [posLabel])[which][0];
  }
  const c = perClassCounts(op, yTrue, yPred, options.labels);
  switch (average) {
    case 'macro':
      return c[which].reduce((a, b) => a + b, 0) / c.labels.length;
    case 'weighted': {
      const total = c.support.reduce((a, b) => a + b, 0);
      return ratio(c[which].reduce((acc, v, k) => acc + v * c.support[k], 0), total);
    }
    case 'micro': {
      const tp = c.tp.reduce((a, b) => a + b, 0);
      const fp = c.fp.reduce((a, b) => a + b, 0);
      const fn = c.fn.reduce((a, b) => a + b, 0);
      if (which === 'precision') return ratio(tp, tp + fp);
      if (which === 'recall') return ratio(tp, tp + fn);
      return ratio(2 * tp, 2 * tp + fp + fn);
    }
    default:
      throw new Error(`${op}: average must be 'binary', 'macro', 'micro' or 'weighted', got ${JSON.stringify(average)}`);
  }
}

/** Precision TP / (TP + FP): of the samples predicted positive, the fraction that are. 0 when nothing is predicted positive. */
export function precision(yTrue: Vector, yPred: Vector, options: ClassificationOptions = {}): number {
  return averaged('precision', 'precision', yTrue, yPred, options);
}

/** Recall (sensitivity) TP / (TP + FN): of the positive samples, the fraction found. 0 when there are none. */
export function recall(yTrue: Vector, yPred: Vector, options: ClassificationOptions = {}): number {
  return averaged('recall', 'recall', yTrue, yPred, options);
}

/** F1 = 2·P·R / (P + R) = 2TP / (2TP + FP + FN), the harmonic mean of precision and recall. */
export function f1Score(yTrue: Vector, yPred: Vector, options: ClassificationOptions = {}): number {
  return averaged('f1Score', 'f1', yTrue, yPred, options);
}

/**
 * Counts of (true class, predicted class) pairs: `m[i][j]` is the number of samples of class i predicted as j.
 * Labels must be integers in [0, numClasses); numClasses defaults to the largest label + 1.
 */
export function confusionMatrix(yTrue: Vector, yPred: Vector, numClasses?: number): number[][] {
  const op = 'confusionMatrix';
  const [t, p] = pair(op, yTrue, yPred);
  let maxLabel = 0;
  for (const [name, a] of [['yTrue', t], ['yPred', p]] as const) {
    a.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 0) throw new Error(`${op}: ${name}[${i}] is ${v}; labels must be integers ≥ 0`);
      if (v > maxLabel) maxLabel = v;
    });
  }
  const c = numClasses ?? maxLabel + 1;
  if (!Number.isInteger(c) || c < 1) throw new Error(`${op}: numClasses must be a positive integer, got ${numClasses}`);
  if (maxLabel >= c) throw new Error(`${op}: label ${maxLabel} is out of range for numClasses ${c} (expected 0..${c - 1})`);
  const m = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  for (let i = 0; i < t.length; i++) m[t[i]][p[i]]++;
  return m;
}

export interface ReportOptions {
  /** A display name per class, in label order. */
  targetNames?: readonly string[];
  /** Decimals shown (default 2). */
  digits?: number;
  /** Classes to report (default: every label in yTrue or yPred). */
  labels?: readonly number[];
}

/**
 * A text table of per-class precision, recall, F1 and support, followed by accuracy, macro and weighted averages,
 * laid out as scikit-learn's classification_report.
 */
export function classificationReport(yTrue: Vector, yPred: Vector, options: ReportOptions = {}): string {
  const op = 'classificationReport';
  const digits = options.digits ?? 2;
  const c = perClassCounts(op, yTrue, yPred, options.labels);
  const names = options.targetNames ? [...options.targetNames] : c.labels.map(String);
  if (names.length !== c.labels.length) {
    throw new Error(`${op}: ${names.length} targetNames for ${c.labels.length} classes [${c.labels.join(', ')}]`);
  }
  const width = Math.max(...names.map((s) => s.length), 'weighted avg'.length, digits);
  const num = (v: number): string => v.toFixed(digits).padStart(9);
  const int = (v: number): string => String(v).padStart(9);
  const row = (name: string, cells: string[]): string => `${name.padStart(width)} ${cells.map((s) => ` ${s}`).join('')}\n`;

  let out = row('', ['precision', 'recall', 'f1-score', 'support'].map((h) => h.padStart(9))) + '\n';
  names.forEach((name, k) => (out += row(name, [num(c.precision[k]), num(c.recall[k]), num(c.f1[k]), int(c.support[k])])));
  out += '\n';
  const total = c.support.reduce((a, b) => a + b, 0);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const wmean = (xs: number[]): number => ratio(xs.reduce((acc, v, k) => acc + v * c.support[k], 0), total);
  const [t] = pair(op, yTrue, yPred);
  // scikit-learn prints an accuracy line when the report covers every label, else a micro-average line.
  const covers = uniqueSorted(t, toVector(op, 'yPred', yPred)).every((l) => c.labels.includes(l));
  if (covers) {
    out += row('accuracy', [''.padStart(9), ''.padStart(9), num(accuracy(yTrue, yPred)), int(total)]);
  } else {
    const tp = c.tp.reduce((a, b) => a + b, 0);
    const fp = c.fp.reduce((a, b) => a + b, 0);
    const fn = c.fn.reduce((a, b) => a + b, 0);
    out += row('micro avg', [num(ratio(tp, tp + fp)), num(ratio(tp, tp + fn)), num(ratio(2 * tp, 2 * tp + fp + fn)), int(total)]);
  }
  out += row('macro avg', [num(mean(c.precision)), num(mean(c.recall)), num(mean(c.f1)), int(total)]);
  out += row('weighted avg', [num(wmean(c.precision)), num(wmean(c.recall)), num(wmean(c.f1)), int(total)]);
  return out;
}

export interface LogLossOptions {
  /** Probabilities are clipped to [eps, 1 − eps] so that log never sees 0 (default 1e-15). */
  eps?: number;
}

/**
 * Mean negative log-likelihood (cross-entropy) of the true labels. `yProb` is either P(y = 1) per sample [N]
 * (yTrue in {0, 1}) or class probabilities [N, C] (yTrue class indices in [0, C)).
 */
export function logLoss(yTrue: Vector, yProb: Matrix, options: LogLossOptions = {}): number {
  const op = 'logLoss';
  const eps = options.eps ?? 1e-15;
  const t = toVector(op, 'yTrue', yTrue);
  const { data: p, rows, cols } = toMatrix(op, 'yProb', yProb);
  if (rows !== t.length) throw new Error(`${op}: yTrue has ${t.length} elements but yProb has ${rows} rows`);
  if (rows === 0) throw new Error(`${op}: yTrue and yProb are empty`);
  const clip = (v: number): number => Math.min(Math.max(v, eps), 1 - eps);
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const y = t[i];
    if (cols === 1) {
      if (y !== 0 && y !== 1) throw new Error(`${op}: yTrue[${i}] is ${y}; with one probability per sample, labels must be 0 or 1`);
      total -= Math.log(clip(y === 1 ? p[i] : 1 - p[i]));
    } else {
      if (!Number.isInteger(y) || y < 0 || y >= cols) throw new Error(`${op}: yTrue[${i}] is ${y}; expected a class index in [0, ${cols})`);
      total -= Math.log(clip(p[i * cols + y]));
    }
  }
  return total / rows;
}
