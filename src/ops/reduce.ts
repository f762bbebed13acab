/** Reductions over any set of dims, with keepdim. sum and max are primitives; the rest are composed. */
import type { ReduceOp } from '../backend/types.js';
import { fmtShape, normalizeDims, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, eq, exp, log, mul, sqrt, sub, where } from './elementwise.js';
import { expand, reshape } from './shape.js';
import { K, addFlops, cast, empty, expectTensor, record, toFloat } from './util.js';

/** Which dims to reduce: a dim, a list of dims, or null/undefined for all. */
export type Dims = number | readonly number[] | null | undefined;

// axes are sorted and distinct (normalizeDims), so one walk over shape with a cursor in axes finds them.
function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  const out = new Array<number>(shape.length);
  for (let i = 0, k = 0; i < shape.length; i++) {
    if (k < axes.length && axes[k] === i) {
      out[i] = 1;
      k++;
    } else {
      out[i] = shape[i];
    }
  }
  return out;
}

function finalShape(shape: readonly number[], axes: readonly number[], keepdim: boolean): number[] {
  if (keepdim) return keptShape(shape, axes);
  const out: number[] = [];
  for (let i = 0, k = 0; i < shape.length; i++) {
    if (k < axes.length && axes[k] === i) k++;
    else out.push(shape[i]);
  }
  return out;
}

function kernelReduce(op: ReduceOp, x: Tensor, axes: number[], keepdim: boolean): Tensor {
  const out = empty(finalShape(x.shape, axes, keepdim), x.dtype);
  K().reduce(op, x._data, x.shape, axes, out._data);
  addFlops(x.numel());
  return out;
}

/** Sum over `dim` (all dims when omitted). bool sums count as int32. */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  expectTensor('sum', 'input', x);
  if (x.dtype === 'bool') x = cast(x, 'int32');
  const axes = normalizeDims('sum', dim, x.ndim);
  const out = kernelReduce('sum', x, axes, keepdim);
  return record(out, 'sum', [x], (g) => [expand(reshape(g, keptShape(x.shape, axes)), x.shape)]);
}

/** Mean over `dim` (all dims when omitted). */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  expectTensor('mean', 'input', x);
  x = toFloat(x);
  const axes = normalizeDims('mean', dim, x.ndim);
  let n = 1;
  for (const a of axes) n *= x.shape[a];
  return sumDiv('mean', x, axes, keepdim, n);
}

/**
 * Σx over `axes`, divided by n, as one recorded op (mean, and the 'mean' reduction of the losses): the division
 * runs on the reduced result in place, so the op makes one array instead of three. The values are those of
 * div(sum(x), n) bit for bit (a float32 quotient rounded once from a double is the correctly rounded one), and the
 * backward is sum's with the division moved before the broadcast, as div's backward followed by sum's does it.
 * @internal `axes` sorted and distinct, as normalizeDims returns them; `op` names the recorded op.
 */
export function sumDiv(op: string, x: Tensor, axes: number[], keepdim: boolean, n: number): Tensor {
  const out = kernelReduce('sum', x, axes, keepdim);
  const d = out._data;
  const nd = x.dtype === 'float32' ? Math.fround(n) : n;
  for (let i = 0; i < d.length; i++) d[i] = d[i] / nd;
  addFlops(d.length);
  return record(out, op, [x], (g) => [expand(reshape(div(g, n), keptShape(x.shape, axes)), x.shape)]);
}

function extreme(op: 'max' | 'min', x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  expectTensor(op, 'input', x);
  const axes = normalizeDims(op, dim, x.ndim);
  for (const a of axes) {
    if (x.shape[a] === 0) throw new Error(`${op}: cannot reduce dim ${a} of size 0 (shape ${fmtShape(x.shape)}); the result would be empty`);
  }
  if (x.numel() === 0 && axes.length === x.ndim && x.ndim > 0) {
    throw new Error(`${op}: cannot reduce an empty tensor of shape ${fmtShape(x.shape)}`);
  }
  const out = kernelReduce(op, x, axes, keepdim);
  return record(out, op, [x], (g) => {
    // The gradient goes to the extreme entries, split evenly between ties (PyTorch's amax/amin rule).
    const kept = keptShape(x.shape, axes);
    const hit = cast(eq(x, expand(reshape(out, kept), x.shape)), g.dtype);
    const count = sum(hit, axes, true);
    return [mul(expand(reshape(g, kept), x.shape), div(hit, count))];
  });
}

/** Largest value over `dim` (all dims when omitted); values only — see argmax for positions. */
export const max = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme('max', x, dim, keepdim);
/** Smallest value over `dim` (all dims when omitted). */
export const min = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme('min', x, dim, keepdim);
/** Alias of max (PyTorch's amax). */
export const amax = max;
export const amin = min;

function argExtreme(op: 'argmax' | 'argmin', x: Tensor, dim: number | null, keepdim: boolean): Tensor {
  expectTensor(op, 'input', x);
  if (dim === null || dim === undefined) {
    const flat = reshape(x, [-1]);
    return argExtreme(op, flat, 0, false);
  }
  const [axis] = normalizeDims(op, dim, x.ndim);
  if (x.ndim > 0 && x.shape[axis] === 0) throw new Error(`${op}: cannot reduce dim ${dim} of size 0 (shape ${fmtShape(x.shape)})`);
  const shape = x.ndim === 0 ? [] : finalShape(x.shape, [axis], keepdim);
  const out = empty(shape, 'int32');
  K().argReduce(op, x._data, x.ndim === 0 ? [1] : x.shape, axis ?? 0, out._data as Int32Array);
  return out;
}

/** Position of the largest value along `dim` (over the flattened tensor when dim is null), int32. */
export const argmax = (x: Tensor, dim: number | null = null, keepdim = false): Tensor => argExtreme('argmax', x, dim, keepdim);
/** Position of the smallest value along `dim`, int32. */
export const argmin = (x: Tensor, dim: number | null = null, keepdim = false): Tensor => argExtreme('argmin', x, dim, keepdim);

export interface VarOptions {
  /** Subtract this from the count in the divisor: 1 = unbiased (default), 0 = biased (population). */
  correction?: number;
  keepdim?: boolean;
}

/** Variance over `dim`, two-pass (mean first, then squared deviations), so a large offset does not cancel. */
export function variance(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  expectTensor('var', 'input', x);
  x = toFloat(x);
  const axes = normalizeDims('var', dim, x.ndim);
  const n = sizeOf(axes.map((a) => x.shape[a]));
  const correction = options.correction ?? 1;
  const d = sub(x, mean(x, axes, true));
  return div(sum(mul(d, d), axes, options.keepdim ?? false), Math.max(n - correction, 0));
}

/** Standard deviation: sqrt of variance. */
export function std(x: Tensor, dim?: Dims, options: VarOptions = {}): Tensor {
  return sqrt(variance(x, dim, options));
}

/** log Σ exp(x) over `dim`, shifted by the max so that large values do not overflow. */
export function logsumexp(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  expectTensor('logsumexp', 'input', x);
  x = toFloat(x);
  const axes = normalizeDims('logsumexp', dim, x.ndim);
  // The shift is a constant (detached); a non-finite max (all −inf) is replaced by 0 as PyTorch does.
  const m = max(x.detach(), axes, true);
  const md = m._data;
  for (let i = 0; i < md.length; i++) if (!Number.isFinite(md[i])) md[i] = 0;
  const s = log(sum(exp(sub(x, m)), axes, true));
  const out = add(s, m);
  return keepdim ? out : reshape(out, finalShape(x.shape, axes, false));
}

/** Product over `dim` (all dims when omitted). Its gradient Π/xᵢ is exact where the input has no zeros (0 where xᵢ = 0). */
export function prod(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  expectTensor('prod', 'input', x);
  const axes = normalizeDims('prod', dim, x.ndim);
  const out = kernelReduce('prod', x, axes, keepdim);
  return record(out, 'prod', [x], (g) => {
    // d/dx_i Π x = Π / x_i where x_i ≠ 0; exact for inputs without zeros.
    const kept = keptShape(x.shape, axes);
    const p = expand(reshape(out, kept), x.shape);
    const gx = expand(reshape(g, kept), x.shape);
    return [where(eq(x, 0), 0, mul(gx, div(p, x)))];
  });
}
