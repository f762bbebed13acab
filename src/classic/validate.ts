/** Input checks shared by the classical models: every error names the caller and the shapes it was given. */
import { fmtShape } from '../tensor/shape.js';
import { expectTensor } from '../ops/index.js';

/** A 2-D feature matrix [N, F] as float64 rows, checked for finite values. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

export { expectTensor };

/**
 * Reads a [N, F] feature tensor into float64. `cols`, when given, is the F the model was fitted on.
 * Rejects empty data and non-finite values (a NaN would silently poison a solve or a sort).
 */
export function readMatrix(op: string, name: string, x: unknown, cols?: number): Matrix {
  const t = expectTensor(op, name, x);
  if (t.ndim !== 2) throw new Error(`${op}: ${name} must be 2-D [N, F], got shape ${fmtShape(t.shape)}`);
  const [rows, c] = t.shape;
  if (rows === 0) throw new Error(`${op}: ${name} ${fmtShape(t.shape)} has no rows; expected at least one sample`);
  if (c === 0) throw new Error(`${op}: ${name} ${fmtShape(t.shape)} has no columns; expected at least one feature`);
  if (cols !== undefined && c !== cols) {
    throw new Error(`${op}: ${name} ${fmtShape(t.shape)} has ${c} features but the model was fitted on ${cols}`);
  }
  const data = Float64Array.from(t._data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new Error(`${op}: ${name} has a non-finite value ${data[i]} at row ${Math.floor(i / c)}, column ${i % c}`);
    }
  }
  return { data, rows, cols: c };
}

/**
 * Class labels [N] (int32, or any dtype holding integers), mapped to indices 0..C−1 in sorted label order.
 * Returns the sorted distinct labels (`classes`) and each sample's index into them.
 */
export function readLabels(op: string, y: unknown, n: number, xShape: readonly number[]): { classes: number[]; index: Int32Array } {
  const t = expectTensor(op, 'y', y);
  if (t.ndim !== 1 || t.shape[0] !== n) {
    throw new Error(`${op}: y ${fmtShape(t.shape)} does not match x ${fmtShape(xShape)}; expected y of shape [${n}]`);
  }
  const d = t._data;
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(d[i])) {
      throw new Error(`${op}: y must hold integer class labels, found ${d[i]} at index ${i} (dtype ${t.dtype})`);
    }
  }
  const classes = [...new Set(d)].sort((a, b) => a - b);
  const pos = new Map(classes.map((c, i) => [c, i]));
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = pos.get(d[i])!;
  return { classes, index };
}
