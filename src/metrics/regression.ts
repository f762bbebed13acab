/**
 * Regression metrics. Inputs are [N] or [N, K] (K outputs); with several outputs the score of each column is
 * averaged uniformly, as scikit-learn's multioutput='uniform_average'.
 */
import { type Matrix, toMatrix } from './util.js';

/** Both inputs as float64 matrices of equal shape ([N] and [N, 1] count as the same). */
function matrices(op: string, yTrue: Matrix, yPred: Matrix): { t: Float64Array; p: Float64Array; rows: number; cols: number } {
  const a = toMatrix(op, 'yTrue', yTrue);
  const b = toMatrix(op, 'yPred', yPred);
  if (a.rows !== b.rows || a.cols !== b.cols) {
    const dims = (m: { rows: number; cols: number }): string => (m.cols === 1 ? `${m.rows} elements` : `shape [${m.rows}, ${m.cols}]`);
    throw new Error(`${op}: yTrue has ${dims(a)} but yPred has ${dims(b)}`);
  }
  if (a.rows === 0) throw new Error(`${op}: yTrue and yPred are empty`);
  return { t: a.data, p: b.data, rows: a.rows, cols: a.cols };
}

/** Mean of (yTrue − yPred)². */
export function meanSquaredError(yTrue: Matrix, yPred: Matrix): number {
  const { t, p } = matrices('meanSquaredError', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += (t[i] - p[i]) ** 2;
  return s / t.length;
}

/** Mean of |yTrue − yPred|. */
export function meanAbsoluteError(yTrue: Matrix, yPred: Matrix): number {
  const { t, p } = matrices('meanAbsoluteError', yTrue, yPred);
  let s = 0;
  for (let i = 0; i < t.length; i++) s += Math.abs(t[i] - p[i]);
  return s / t.length;
}

/**
 * Coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² per output column. For a constant yTrue column
 * (zero denominator) it is 1 when the predictions are exact and 0 otherwise, as scikit-learn's force_finite.
 */
export function r2Score(yTrue: Matrix, yPred: Matrix): number {
  const { t, p, rows, cols } = matrices('r2Score', yTrue, yPred);
  let total = 0;
  for (let j = 0; j < cols; j++) {
    let mean = 0;
    for (let i = 0; i < rows; i++) mean += t[i * cols + j];
    mean /= rows;
    let ssRes = 0;
    let ssTot = 0;
    for (let i = 0; i < rows; i++) {
      ssRes += (t[i * cols + j] - p[i * cols + j]) ** 2;
      ssTot += (t[i * cols + j] - mean) ** 2;
    }
    total += ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
  }
  return total / cols;
}
