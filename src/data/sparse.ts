/**
 * Compressed sparse rows (CSR), the layout of scipy.sparse.csr_matrix: row i's non-zeros are
 * `values[indptr[i] .. indptr[i+1])` at columns `indices[same range]`, columns ascending within a row.
 * A bag-of-words of 6,000 e-mails × 20,000 terms holds a few hundred thousand non-zeros instead of 120 M floats.
 */
import { select } from '../ops/index.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Dataset, checkIndex } from './dataset.js';

export interface CSRMatrix {
  /** Row pointers, length rows + 1; indptr[0] = 0 and indptr[rows] = the number of non-zeros. */
  indptr: Int32Array;
  /** Column of each stored value. */
  indices: Int32Array;
  /** The stored values. */
  values: Float32Array;
  /** [rows, cols]. */
  shape: [number, number];
}

/** The whole matrix as a float32 tensor [rows, cols]; for large matrices prefer `denseRows` batch by batch. */
export function toDense(m: CSRMatrix): Tensor {
  return denseRows(m, Int32Array.from({ length: m.shape[0] }, (_, i) => i));
}

/** Rows `rows` of the matrix, in that order, as a dense float32 tensor [rows.length, cols] (a mini-batch). */
export function denseRows(m: CSRMatrix, rows: ArrayLike<number>): Tensor {
  const [n, cols] = m.shape;
  const out = new Float32Array(rows.length * cols);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new Error(`denseRows: row ${r} is out of range for a matrix of ${n} rows`);
    const base = k * cols;
    for (let p = m.indptr[r]; p < m.indptr[r + 1]; p++) out[base + m.indices[p]] += m.values[p];
  }
  return new Tensor(out, [rows.length, cols]);
}

/** Builds a CSR matrix from one sorted (column → value) list per row. */
export function csrFromRows(rows: readonly (readonly [Int32Array, Float32Array])[], cols: number): CSRMatrix {
  const indptr = new Int32Array(rows.length + 1);
  rows.forEach(([idx], i) => (indptr[i + 1] = indptr[i] + idx.length));
  const indices = new Int32Array(indptr[rows.length]);
  const values = new Float32Array(indptr[rows.length]);
  rows.forEach(([idx, val], i) => {
    indices.set(idx, indptr[i]);
    values.set(val, indptr[i]);
  });
  return { indptr, indices, values, shape: [rows.length, cols] };
}

/**
 * A Dataset over the rows of a CSR matrix and their targets: sample i is `[dense row i [cols], y[i]]`, so a
 * DataLoader batch is `[x [B, cols], y [B]]` and only one batch is ever dense.
 *
 *     const loader = new DataLoader(new CSRDataset(xTrain, yTrain), { batchSize: 64, shuffle: true });
 */
export class CSRDataset implements Dataset<Tensor[]> {
  readonly matrix: CSRMatrix;
  readonly targets: Tensor;

  constructor(matrix: CSRMatrix, targets: Tensor) {
    if (targets.ndim === 0 || targets.shape[0] !== matrix.shape[0]) {
      throw new Error(`CSRDataset: targets ${fmtShape(targets.shape)} do not have one row per matrix row (${matrix.shape[0]})`);
    }
    this.matrix = matrix;
    this.targets = targets;
  }

  get length(): number {
    return this.matrix.shape[0];
  }

  /** Row i as a dense float32 vector [cols], and its target. */
  get(i: number): Tensor[] {
    checkIndex('CSRDataset.get', i, this.length);
    return [denseRows(this.matrix, [i]).reshape([this.matrix.shape[1]]), select(this.targets, 0, i)];
  }
}
