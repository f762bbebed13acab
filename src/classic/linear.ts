/**
 * Closed-form linear regression: least squares and ridge, θ = (XᵀX + λI)⁻¹XᵀY, solved in float64 through a
 * Cholesky factorisation (two triangular solves, never an inverse).
 *
 * The intercept is fitted by centring: with x̄, ȳ the column means, θ solves (X̃ᵀX̃ + λI)θ = X̃ᵀỸ on the centred
 * X̃ = X − x̄, Ỹ = Y − ȳ, and b = ȳ − x̄ᵀθ. This is the exact minimiser of ‖Y − Xθ − b‖² + λ‖θ‖² with b left
 * unpenalised, and centring also makes XᵀX better conditioned than appending a column of ones would.
 */
import { Tensor } from '../tensor/tensor.js';
import { fmtShape } from '../tensor/shape.js';
import { cholesky, choleskySolve } from './cholesky.js';
import { expectTensor, readMatrix, type Matrix } from './validate.js';

export interface LinearFitOptions {
  /** Fit an unpenalised intercept b (default true). When false the model is y = Xθ. */
  fitIntercept?: boolean;
}

/** A fitted linear model y = X·weight + bias, as returned by leastSquares() and ridge(). */
export class LinearModel {
  /**
   * @param weight θ, float64 [F] for a 1-D target or [F, K] for a [N, K] target.
   * @param bias   the intercept b: a number for a 1-D target, one per output column otherwise (0 without intercept).
   * @param lambda the ridge penalty λ it was fitted with (0 for least squares).
   */
  constructor(readonly weight: Tensor, readonly bias: number | number[], readonly lambda: number) {}

  /** Number of input features F. */
  get inFeatures(): number {
    return this.weight.shape[0];
  }

  /** Predictions X·θ + b: float64 [M] for a 1-D target, [M, K] otherwise. x is [M, F]. */
  predict(x: Tensor): Tensor {
    const X = readMatrix('LinearModel.predict', 'x', x, this.inFeatures);
    const F = X.cols;
    const K = this.weight.ndim === 1 ? 1 : this.weight.shape[1];
    const w = this.weight._data;
    const b = typeof this.bias === 'number' ? [this.bias] : this.bias;
    const out = new Float64Array(X.rows * K);
    for (let i = 0; i < X.rows; i++) {
      for (let k = 0; k < K; k++) {
        let s = b[k];
        for (let f = 0; f < F; f++) s += X.data[i * F + f] * w[f * K + k];
        out[i * K + k] = s;
      }
    }
    return new Tensor(out, this.weight.ndim === 1 ? [X.rows] : [X.rows, K]);
  }
}

/** Ordinary least squares: θ minimising ‖Y − Xθ − b‖². X is [N, F], y is [N] or [N, K]. */
export function leastSquares(x: Tensor, y: Tensor, options: LinearFitOptions = {}): LinearModel {
  return solveRidge('leastSquares', x, y, 0, options);
}

/**
 * Ridge regression (Tikhonov, L2): θ = (X̃ᵀX̃ + λI)⁻¹X̃ᵀỸ on centred data, minimising ‖Y − Xθ − b‖² + λ‖θ‖²
 * (sum of squares, not mean: λ is on the scale of XᵀX). The intercept is not penalised. λ ≥ 0.
 */
export function ridge(x: Tensor, y: Tensor, lambda: number, options: LinearFitOptions = {}): LinearModel {
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) {
    throw new Error(`ridge: lambda must be a finite number ≥ 0, got ${String(lambda)}`);
  }
  return solveRidge('ridge', x, y, lambda, options);
}

/** Reads y [N] or [N, K] into float64 rows of K columns. */
function readTarget(op: string, y: unknown, X: Matrix, xShape: readonly number[]): { data: Float64Array; k: number } {
  const t = expectTensor(op, 'y', y);
  if ((t.ndim !== 1 && t.ndim !== 2) || t.shape[0] !== X.rows) {
    throw new Error(`${op}: y ${fmtShape(t.shape)} does not match x ${fmtShape(xShape)}; expected [${X.rows}] or [${X.rows}, K]`);
  }
  const k = t.ndim === 1 ? 1 : t.shape[1];
  if (k === 0) throw new Error(`${op}: y ${fmtShape(t.shape)} has no output columns`);
  const data = Float64Array.from(t._data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new Error(`${op}: y has a non-finite value ${data[i]} at flat index ${i}`);
  }
  return { data, k };
}

/** Column means of a row-major [rows, cols] matrix. */
function columnMeans(d: Float64Array, rows: number, cols: number): Float64Array {
  const m = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m[j] += d[i * cols + j];
  for (let j = 0; j < cols; j++) m[j] /= rows;
  return m;
}

function solveRidge(op: string, x: Tensor, y: Tensor, lambda: number, options: LinearFitOptions): LinearModel {
  const fitIntercept = options.fitIntercept ?? true;
  const X = readMatrix(op, 'x', x);
  const Y = readTarget(op, y, X, x.shape);
  const N = X.rows;
  const F = X.cols;
  const K = Y.k;
  const xMean = fitIntercept ? columnMeans(X.data, N, F) : new Float64Array(F);
  const yMean = fitIntercept ? columnMeans(Y.data, N, K) : new Float64Array(K);

  // A = X̃ᵀX̃ + λI (upper triangle accumulated, then mirrored) and B = X̃ᵀỸ, one pass over the rows.
  const A = new Float64Array(F * F);
  const B = new Float64Array(F * K);
  const row = new Float64Array(F);
  for (let i = 0; i < N; i++) {
    for (let f = 0; f < F; f++) row[f] = X.data[i * F + f] - xMean[f];
    for (let f = 0; f < F; f++) {
      const rf = row[f];
      for (let g = f; g < F; g++) A[f * F + g] += rf * row[g];
      for (let k = 0; k < K; k++) B[f * K + k] += rf * (Y.data[i * K + k] - yMean[k]);
    }
  }
  for (let f = 0; f < F; f++) {
    A[f * F + f] += lambda;
    for (let g = 0; g < f; g++) A[f * F + g] = A[g * F + f];
  }

  const L = cholesky(A, F, (pivot, value) =>
    `${op}: the ${F}×${F} matrix XᵀX + λI (λ = ${lambda}${fitIntercept ? ', x centred for the intercept' : ''}) ` +
      `is singular or not positive definite: pivot ${pivot} (feature ${pivot}) is ${value.toPrecision(3)} after elimination, ` +
      `so feature ${pivot} is ${fitIntercept ? 'constant' : 'all zero'} or a linear combination of earlier features` +
      `${N <= F ? ` (only ${N} samples for ${F} features)` : ''}; use a positive lambda (ridge) or remove collinear columns`,
  );
  const theta = choleskySolve(L, B, F, K);

  const bias = new Array<number>(K);
  for (let k = 0; k < K; k++) {
    let b = yMean[k];
    for (let f = 0; f < F; f++) b -= xMean[f] * theta[f * K + k];
    bias[k] = fitIntercept ? b : 0;
  }
  const weight = new Tensor(theta, y.ndim === 1 ? [F] : [F, K]);
  return new LinearModel(weight, y.ndim === 1 ? bias[0] : bias, lambda);
}
