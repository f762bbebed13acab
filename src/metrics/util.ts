/** Input handling shared by the metrics: tensors or plain arrays in, float64 arrays out. */
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** A 1-D sequence of numbers: a Tensor ([N] or [N, 1]), a number/boolean array, or a typed array. */
export type Vector = Tensor | ArrayLike<number> | readonly boolean[];

/** A 2-D table of numbers: a Tensor [N, K] or nested arrays; 1-D inputs count as one column. */
export type Matrix = Tensor | readonly (readonly number[])[] | ArrayLike<number>;

function describe(x: unknown): string {
  if (x instanceof Tensor) return `a tensor of shape ${fmtShape(x.shape)}`;
  if (x === null) return 'null';
  return Array.isArray(x) ? `an array of length ${x.length}` : typeof x;
}

/** The values of a 1-D input as float64; NaN and infinities are refused (they make every metric meaningless). */
export function toVector(op: string, name: string, x: Vector): Float64Array {
  let out: Float64Array;
  if (x instanceof Tensor) {
    if (x.ndim > 2 || (x.ndim === 2 && x.shape[1] !== 1)) {
      throw new Error(
        `${op}: ${name} has shape ${fmtShape(x.shape)}; expected a 1-D tensor [N] (for class scores, take argmax(1) or one column first)`,
      );
    }
    out = Float64Array.from(x.data());
  } else if (x !== null && typeof x === 'object' && typeof (x as ArrayLike<unknown>).length === 'number') {
    const arr = x as ArrayLike<unknown>;
    out = new Float64Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const v = arr[i];
      if (typeof v === 'number') out[i] = v;
      else if (typeof v === 'boolean') out[i] = v ? 1 : 0;
      else throw new Error(`${op}: ${name}[${i}] is ${Array.isArray(v) ? 'an array' : JSON.stringify(v)}; expected a flat array of numbers`);
    }
  } else {
    throw new Error(`${op}: ${name} must be a Tensor or an array of numbers, got ${describe(x)}`);
  }
  return checkFinite(op, name, out);
}

function checkFinite(op: string, name: string, a: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) throw new Error(`${op}: ${name} element ${i} is ${a[i]}; expected finite numbers`);
  }
  return a;
}

/** yTrue and a second input of the same length, as float64; names both lengths when they differ. */
export function pair(op: string, yTrue: Vector, other: Vector, otherName = 'yPred'): [Float64Array, Float64Array] {
  const a = toVector(op, 'yTrue', yTrue);
  const b = toVector(op, otherName, other);
  if (a.length !== b.length) throw new Error(`${op}: yTrue has ${a.length} elements but ${otherName} has ${b.length}`);
  if (a.length === 0) throw new Error(`${op}: yTrue and ${otherName} are empty`);
  return [a, b];
}

/** A 2-D input as float64 rows × cols; 1-D inputs are one column. */
export function toMatrix(op: string, name: string, x: Matrix): { data: Float64Array; rows: number; cols: number } {
  if (x instanceof Tensor) {
    if (x.ndim > 2) throw new Error(`${op}: ${name} has shape ${fmtShape(x.shape)}; expected [N] or [N, K]`);
    const data = checkFinite(op, name, Float64Array.from(x.data()));
    return { data, rows: x.ndim === 0 ? 1 : x.shape[0], cols: x.ndim === 2 ? x.shape[1] : 1 };
  }
  if (Array.isArray(x) && x.length > 0 && Array.isArray(x[0])) {
    const rows = x as readonly (readonly number[])[];
    const cols = rows[0].length;
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== cols) {
        throw new Error(`${op}: ${name}[${i}] has ${Array.isArray(r) ? r.length : 'no'} entries, expected ${cols} like ${name}[0]`);
      }
    });
    return { data: toVector(op, name, rows.flat()), rows: rows.length, cols };
  }
  const data = toVector(op, name, x as Vector);
  return { data, rows: data.length, cols: 1 };
}

/** The distinct values, ascending. */
export function uniqueSorted(...arrays: Float64Array[]): number[] {
  const set = new Set<number>();
  for (const a of arrays) for (const v of a) set.add(v);
  return [...set].sort((p, q) => p - q);
}
