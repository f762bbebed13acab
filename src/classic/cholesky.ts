/**
 * Cholesky factorisation A = L·Lᵀ of a symmetric positive-definite matrix and the solve of A·X = B by two
 * triangular substitutions (no inverse is ever formed). Float64, row-major, plain loops: the matrices here are
 * F×F with F the number of features, so clarity beats blocking.
 */

/** Thrown when A is not (numerically) positive definite; `pivot` is the 0-based column where it failed. */
export class NotPositiveDefiniteError extends Error {
  constructor(message: string, readonly pivot: number, readonly pivotValue: number) {
    super(message);
    this.name = 'NotPositiveDefiniteError';
  }
}

/**
 * Lower-triangular L with A = L·Lᵀ (Cholesky–Banachiewicz, row by row):
 *   L[j][j] = √(A[j][j] − Σₖ<ⱼ L[j][k]²),   L[i][j] = (A[i][j] − Σₖ<ⱼ L[i][k]·L[j][k]) / L[j][j]  (i > j).
 * A pivot d = A[j][j] − Σ L[j][k]² at or below n·ε·A[j][j] counts as zero: rounding alone leaves a residue of
 * that size when column j is an exact combination of earlier ones, so such a d means "singular", not "tiny".
 * `describe(j, d)` builds the error message for a failed pivot.
 */
export function cholesky(a: Float64Array, n: number, describe: (pivot: number, value: number) => string): Float64Array {
  const l = new Float64Array(n * n);
  const rel = Math.max(n, 10) * Number.EPSILON;
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > rel * Math.abs(a[j * n + j]))) throw new NotPositiveDefiniteError(describe(j, d), j, d);
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/**
 * Solves (L·Lᵀ)·X = B for X [n, m] given the factor L: forward substitution L·Z = B, then back substitution
 * Lᵀ·X = Z. B is [n, m] row-major and is not modified.
 */
export function choleskySolve(l: Float64Array, b: Float64Array, n: number, m: number): Float64Array {
  const x = Float64Array.from(b);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = x[i * m + c];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k * m + c];
      x[i * m + c] = s / l[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i * m + c];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k * m + c];
      x[i * m + c] = s / l[i * n + i];
    }
  }
  return x;
}
