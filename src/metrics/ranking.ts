/**
 * Ranking metrics for binary scores (ROC, AUC, precision–recall, average precision), following scikit-learn:
 * one curve point per distinct score (tied scores move together), no intermediate points dropped.
 */
import { type Vector, pair, uniqueSorted } from './util.js';

export interface BinaryOptions {
  /** The label of the positive class in yTrue (default 1); every other value is negative. */
  posLabel?: number;
}

/** Counts behind both curves: for each distinct threshold (descending), false and true positives at score ≥ it. */
function binaryClfCurve(op: string, yTrue: Vector, scores: Vector, options: BinaryOptions): { fps: number[]; tps: number[]; thresholds: number[] } {
  const [t, s] = pair(op, yTrue, scores, 'scores');
  const posLabel = options.posLabel ?? 1;
  const labels = uniqueSorted(t);
  if (labels.length > 2) throw new Error(`${op}: yTrue has ${labels.length} classes [${labels.join(', ')}]; expected binary labels`);
  const order = Array.from(s.keys()).sort((a, b) => s[b] - s[a]);
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    if (t[order[k]] === posLabel) tp++;
    else fp++;
    // Emit a point only after the last sample of a run of equal scores.
    if (k === order.length - 1 || s[order[k + 1]] !== s[order[k]]) {
      fps.push(fp);
      tps.push(tp);
      thresholds.push(s[order[k]]);
    }
  }
  return { fps, tps, thresholds };
}

function onlyOneClass(op: string, what: string, posLabel: number): Error {
  return new Error(
    `${op}: only one class is present in yTrue (no ${what}, positive label ${posLabel}); ${op} needs both positive and negative samples`,
  );
}

export interface RocCurve {
  /** False positive rate FP / N at each threshold, from 0 up to 1. */
  fpr: number[];
  /** True positive rate TP / P at each threshold, from 0 up to 1. */
  tpr: number[];
  /** Decreasing score thresholds; the first is +Infinity (nothing predicted positive). */
  thresholds: number[];
}

/**
 * The ROC curve: predicting "positive" for score ≥ threshold, at every distinct score (scikit-learn's roc_curve
 * with drop_intermediate=false). Tied scores give one point.
 */
export function rocCurve(yTrue: Vector, scores: Vector, options: BinaryOptions = {}): RocCurve {
  return roc('rocCurve', yTrue, scores, options);
}

function roc(op: string, yTrue: Vector, scores: Vector, options: BinaryOptions): RocCurve {
  const { fps, tps, thresholds } = binaryClfCurve(op, yTrue, scores, options);
  const nNeg = fps[fps.length - 1];
  const nPos = tps[tps.length - 1];
  const posLabel = options.posLabel ?? 1;
  if (nPos === 0) throw onlyOneClass(op, 'positive samples', posLabel);
  if (nNeg === 0) throw onlyOneClass(op, 'negative samples', posLabel);
  return {
    fpr: [0, ...fps.map((v) => v / nNeg)],
    tpr: [0, ...tps.map((v) => v / nPos)],
    thresholds: [Infinity, ...thresholds],
  };
}

/**
 * Area under the ROC curve by the trapezoidal rule. It equals the Mann–Whitney probability that a random
 * positive scores above a random negative, ties counted ½. Throws when yTrue has only one class.
 */
export function rocAuc(yTrue: Vector, scores: Vector, options: BinaryOptions = {}): number {
  const { fpr, tpr } = roc('rocAuc', yTrue, scores, options);
  let area = 0;
  for (let k = 1; k < fpr.length; k++) area += ((fpr[k] - fpr[k - 1]) * (tpr[k] + tpr[k - 1])) / 2;
  return area;
}

export interface PrecisionRecallCurve {
  /** Precision at each threshold (ascending thresholds), ending with 1 (the point recall 0). */
  precision: number[];
  /** Recall at each threshold, decreasing, ending with 0. */
  recall: number[];
  /** The distinct scores, ascending; one fewer than precision and recall. */
  thresholds: number[];
}

/**
 * Precision and recall when predicting "positive" for score ≥ threshold, at every distinct score, as scikit-learn's
 * precision_recall_curve (drop_intermediate=false): thresholds ascending, a final point (precision 1, recall 0).
 */
export function precisionRecallCurve(yTrue: Vector, scores: Vector, options: BinaryOptions = {}): PrecisionRecallCurve {
  return prCurve('precisionRecallCurve', yTrue, scores, options);
}

function prCurve(op: string, yTrue: Vector, scores: Vector, options: BinaryOptions): PrecisionRecallCurve {
  const { fps, tps, thresholds } = binaryClfCurve(op, yTrue, scores, options);
  const nPos = tps[tps.length - 1];
  if (nPos === 0) throw onlyOneClass(op, 'positive samples', options.posLabel ?? 1);
  // Every threshold is an observed score, so at least one sample is predicted positive: tps + fps ≥ 1.
  const precision = tps.map((tp, k) => tp / (tp + fps[k]));
  const recall = tps.map((tp) => tp / nPos);
  return {
    precision: [...precision.reverse(), 1],
    recall: [...recall.reverse(), 0],
    thresholds: [...thresholds].reverse(),
  };
}

/**
 * Average precision AP = Σₙ (Rₙ − Rₙ₋₁) · Pₙ over the thresholds (scikit-learn's step definition, no interpolation):
 * the precision at each distinct score weighted by the recall it adds.
 */
export function averagePrecision(yTrue: Vector, scores: Vector, options: BinaryOptions = {}): number {
  const { precision, recall } = prCurve('averagePrecision', yTrue, scores, options);
  let ap = 0;
  for (let k = 0; k < recall.length - 1; k++) ap += (recall[k] - recall[k + 1]) * precision[k];
  return ap;
}
