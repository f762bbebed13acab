/**
 * Shape ops: views (reshape and friends share data), copies (permute, expand, cat, slicing) and indexing.
 * Broadcasting is an explicit expand whose backward is a sum (sumTo); the other ops need not care.
 */
import { promoteTypes } from '../tensor/dtype.js';
import { type Shape, broadcastShapes, fmtShape, normalizeDim, shapesEqual, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { sum } from './reduce.js';
import { K, cast, empty, expectTensor, record } from './util.js';

/** Same data, new shape (one entry may be −1, inferred). Shares memory with x. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  expectTensor('reshape', 'input', x);
  const target = inferShape('reshape', x, shape);
  if (shapesEqual(target, x.shape)) return x;
  const out = new Tensor(x._data, target);
  return record(out, 'reshape', [x], (g) => [reshape(g, x.shape)]);
}

function inferShape(op: string, x: Tensor, shape: Shape): number[] {
  if (!Array.isArray(shape)) throw new Error(`${op}: shape must be an array of sizes, got ${typeof shape}`);
  // One pass, no intermediate arrays: reshape runs several times per layer per step.
  const out = shape.slice();
  let negAt = -1;
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d === -1) {
      if (negAt >= 0) throw new Error(`${op}: only one dim can be −1, got ${fmtShape(shape)}`);
      negAt = i;
    } else {
      known *= d;
    }
  }
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d !== -1 && (!Number.isInteger(d) || d < 0)) throw new Error(`${op}: invalid size ${d} in ${fmtShape(shape)}`);
  }
  const n = x.numel();
  if (negAt >= 0) {
    if (known === 0 || n % known !== 0) {
      throw new Error(`${op}: cannot reshape ${fmtShape(x.shape)} (${n} elements) into ${fmtShape(shape)}`);
    }
    out[negAt] = n / known;
    known = n;
  }
  if (known !== n) throw new Error(`${op}: cannot reshape ${fmtShape(x.shape)} (${n} elements) into ${fmtShape(shape)} (${sizeOf(out)} elements)`);
  return out;
}

/** Alias of reshape. */
export const view = reshape;

/** Reorders dims: output dim i is input dim dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  expectTensor('permute', 'input', x);
  if (dims.length !== x.ndim) {
    throw new Error(`permute: got ${dims.length} dims ${fmtShape(dims)} for a tensor with ${x.ndim} dims ${fmtShape(x.shape)}`);
  }
  const d = dims.map((v) => normalizeDim('permute', v, x.ndim));
  if (new Set(d).size !== d.length) throw new Error(`permute: dims ${fmtShape(dims)} repeat a dim; expected a permutation of 0..${x.ndim - 1}`);
  if (d.every((v, i) => v === i)) return x;
  const shape = d.map((v) => x.shape[v]);
  const out = empty(shape, x.dtype);
  K().permute(x._data, x.shape, d, out._data);
  const inverse = new Array<number>(d.length);
  d.forEach((v, i) => (inverse[v] = i));
  return record(out, 'permute', [x], (g) => [permute(g, inverse)]);
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  expectTensor('transpose', 'input', x);
  const a = normalizeDim('transpose', dim0, x.ndim);
  const b = normalizeDim('transpose', dim1, x.ndim);
  const dims = Array.from({ length: x.ndim }, (_, i) => i);
  if (x.ndim === 0) return x;
  [dims[a], dims[b]] = [dims[b], dims[a]];
  return permute(x, dims);
}

/** Broadcasts x to `shape` (−1 keeps a dim; new leading dims allowed; size-1 dims repeat). Backward sums. */
export function expand(x: Tensor, shape: Shape): Tensor {
  expectTensor('expand', 'input', x);
  if (shape.length < x.ndim) {
    throw new Error(`expand: target ${fmtShape(shape)} has fewer dims than the input ${fmtShape(x.shape)}`);
  }
  const lead = shape.length - x.ndim;
  const target = shape.map((d, i) => {
    const own = i >= lead ? x.shape[i - lead] : undefined;
    if (d === -1) {
      if (own === undefined) throw new Error(`expand: −1 is not allowed for the new leading dim ${i} in ${fmtShape(shape)}`);
      return own;
    }
    if (!Number.isInteger(d) || d < 0) throw new Error(`expand: invalid size ${d} in ${fmtShape(shape)}`);
    if (own !== undefined && own !== 1 && own !== d) {
      throw new Error(`expand: cannot expand ${fmtShape(x.shape)} to ${fmtShape(shape)}: dim ${i} has size ${own}, expected 1 or ${d}`);
    }
    return d;
  });
  if (shapesEqual(target, x.shape)) return x;
  const out = empty(target, x.dtype);
  // One value (a reduced gradient going back through sum/mean): a fill, not the general strided copy.
  if (x._data.length === 1) out._data.fill(x._data[0]);
  else K().expand(x._data, x.shape, target, out._data);
  return record(out, 'expand', [x], (g) => [sumTo(g, x.shape)]);
}

/** Alias of expand. */
export const broadcastTo = expand;

/** Broadcasts every tensor to their common shape. */
export function broadcastTensors(...xs: Tensor[]): Tensor[] {
  const shape = xs.reduce<number[]>((s, t) => broadcastShapes('broadcastTensors', s, t.shape), []);
  return xs.map((t) => expand(t, shape));
}

/** Sums g down to `shape`, undoing a broadcast (leading dims and size-1 dims). */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new Error(`sumTo: cannot sum ${fmtShape(g.shape)} down to the larger ${fmtShape(shape)}`);
  const dims: number[] = [];
  let onlyLeading = true;
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead) dims.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) {
      dims.push(i);
      onlyLeading = false;
    } else if (shape[i - lead] !== g.shape[i]) {
      throw new Error(`sumTo: cannot sum ${fmtShape(g.shape)} down to ${fmtShape(shape)}`);
    }
  }
  // Only new leading dims (a bias's gradient): the sum without keepdim already has the target shape.
  if (onlyLeading) return sum(g, dims, false);
  return reshape(sum(g, dims, true), shape);
}

/** Removes size-1 dims: all of them (dim null), or `dim` only when its size is 1. */
export function squeeze(x: Tensor, dim: number | null = null): Tensor {
  expectTensor('squeeze', 'input', x);
  if (dim === null) return reshape(x, x.shape.filter((d) => d !== 1));
  const d = normalizeDim('squeeze', dim, x.ndim);
  if (x.ndim === 0 || x.shape[d] !== 1) return x;
  return reshape(x, x.shape.filter((_, i) => i !== d));
}

/** Inserts a size-1 dim at `dim` (negative counts from the end of the result). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  expectTensor('unsqueeze', 'input', x);
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return reshape(x, shape);
}

/** Merges dims startDim..endDim (inclusive) into one. A 0-d input gives shape [1]. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  expectTensor('flatten', 'input', x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim);
  const e = normalizeDim('flatten', endDim, x.ndim);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmtShape(x.shape)}`);
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return reshape(x, shape);
}

/** Joins tensors along an existing dim; all other sizes must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new Error('cat: expected a non-empty array of tensors');
  tensors.forEach((t, i) => expectTensor('cat', `tensors[${i}]`, t));
  const first = tensors[0];
  const d = normalizeDim('cat', dim, first.ndim);
  if (first.ndim === 0) throw new Error('cat: zero-dim tensors cannot be concatenated; use stack');
  const dtype = tensors.map((t) => t.dtype).reduce(promoteTypes);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, j) => j !== d && s !== first.shape[j])) {
      throw new Error(
        `cat: tensors[${i}] has shape ${fmtShape(t.shape)}, expected ${fmtShape(first.shape.map((s, j) => (j === d ? -1 : s)))} ` +
          `(every size but dim ${d} must match tensors[0] ${fmtShape(first.shape)})`,
      );
    }
  });
  const xs = tensors.map((t) => cast(t, dtype));
  const shape = [...first.shape];
  shape[d] = xs.reduce((acc, t) => acc + t.shape[d], 0);
  const out = empty(shape, dtype);
  K().cat(xs.map((t) => t._data), xs.map((t) => t.shape), d, out._data);
  return record(out, 'cat', xs, (g) => {
    let start = 0;
    return xs.map((t) => {
      const piece = narrow(g, d, start, t.shape[d]);
      start += t.shape[d];
      return piece;
    });
  });
}

/** Joins same-shaped tensors along a new dim inserted at `dim`. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new Error('stack: expected a non-empty array of tensors');
  tensors.forEach((t, i) => {
    expectTensor('stack', `tensors[${i}]`, t);
    if (!shapesEqual(t.shape, tensors[0].shape)) {
      throw new Error(`stack: tensors[${i}] has shape ${fmtShape(t.shape)}, expected ${fmtShape(tensors[0].shape)} like tensors[0]`);
    }
  });
  const d = normalizeDim('stack', dim, tensors[0].ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/**
 * Python's `x[start:end:step]` along `dim`: null = open end, negatives count from the end, out-of-range
 * ends are clamped. step must be positive.
 */
export function slice(x: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor {
  expectTensor('slice', 'input', x);
  if (x.ndim === 0) throw new Error('slice: cannot slice a 0-d tensor');
  const d = normalizeDim('slice', dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  const n = x.shape[d];
  const clampIdx = (v: number): number => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  const s = start === null ? 0 : clampIdx(start);
  const e = end === null ? n : clampIdx(end);
  const len = Math.max(0, Math.ceil((e - s) / step));
  if (s === 0 && step === 1 && len === n) return x;
  const shape = [...x.shape];
  shape[d] = len;
  const out = empty(shape, x.dtype);
  K().slice(x._data, x.shape, d, s, step, out._data, shape);
  return record(out, 'slice', [x], (g) => [sliceBackward(g, x.shape, d, s, step)]);
}

/** The adjoint of slice: g placed into zeros of `shape`. Its own backward is the slice again. */
function sliceBackward(g: Tensor, shape: Shape, dim: number, start: number, step: number): Tensor {
  const out = empty(shape, g.dtype);
  K().sliceAssign(out._data, shape, dim, start, step, g._data, g.shape);
  return record(out, 'sliceBackward', [g], (gg) => [slice(gg, dim, start, start + step * (g.shape[dim] - 1) + 1, step)]);
}

/** `length` entries of `dim` from `start` (negative start counts from the end). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  expectTensor('narrow', 'input', x);
  const d = normalizeDim('narrow', dim, x.ndim);
  const n = x.shape[d];
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > n) {
    throw new Error(`narrow: start ${start} and length ${length} are out of range for dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  return slice(x, d, s, s + length);
}

/** The sub-tensor at position `index` of `dim`, with that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  expectTensor('select', 'input', x);
  const d = normalizeDim('select', dim, x.ndim);
  const n = x.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new Error(`select: index ${index} is out of range for dim ${dim} of size ${n} (shape ${fmtShape(x.shape)})`);
  }
  return squeeze(narrow(x, d, index < 0 ? index + n : index, 1), d);
}

function checkIndexTensor(op: string, index: Tensor, size: number, dim: number): Int32Array {
  expectTensor(op, 'index', index);
  if (index.dtype !== 'int32') throw new Error(`${op}: index must be an int32 tensor, got dtype ${index.dtype}`);
  const idx = index._data as Int32Array;
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0 || idx[i] >= size) {
      throw new Error(`${op}: index ${idx[i]} is out of range for dim ${dim} of size ${size} (expected 0..${size - 1})`);
    }
  }
  return idx;
}

/** Rows (or slices along `dim`) picked by a 1-D int32 index; repeated indices accumulate gradient. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  expectTensor('indexSelect', 'input', x);
  const d = normalizeDim('indexSelect', dim, x.ndim);
  if (index?.ndim > 1) throw new Error(`indexSelect: index must be 0-d or 1-D, got shape ${fmtShape(index.shape)}`);
  const idx = checkIndexTensor('indexSelect', index, x.ndim === 0 ? 1 : x.shape[d], d);
  const shape = x.ndim === 0 ? [] : [...x.shape];
  if (x.ndim > 0) shape[d] = idx.length;
  const out = empty(shape, x.dtype);
  K().indexSelect(x._data, x.ndim === 0 ? [1] : x.shape, d, idx, out._data);
  return record(out, 'indexSelect', [x], (g) => [indexAddInto(x.shape, d, index, g)]);
}

/** zeros(shape) with src added at `index` along dim: indexSelect's adjoint. */
function indexAddInto(shape: Shape, dim: number, index: Tensor, src: Tensor): Tensor {
  const out = empty(shape, src.dtype);
  K().indexAdd(out._data, shape.length === 0 ? [1] : shape, dim, index._data as Int32Array, src._data);
  return record(out, 'indexAdd', [src], (gg) => [indexSelect(gg, dim, index)]);
}

/** out[i][j] = x[index[i][j]][j] for dim 0, and so on: picks along `dim` with an index of the same ndim. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  expectTensor('gather', 'input', x);
  expectTensor('gather', 'index', index);
  const d = normalizeDim('gather', dim, x.ndim);
  if (index.ndim !== x.ndim) {
    throw new Error(`gather: index must have as many dims as the input, got ${fmtShape(index.shape)} for input ${fmtShape(x.shape)}`);
  }
  index.shape.forEach((s, i) => {
    if (i !== d && s > x.shape[i]) {
      throw new Error(`gather: index ${fmtShape(index.shape)} is larger than the input ${fmtShape(x.shape)} in dim ${i}`);
    }
  });
  const idx = checkIndexTensor('gather', index, x.shape[d], d);
  const out = empty(index.shape, x.dtype);
  K().gather(x._data, x.shape, d, idx, index.shape, out._data);
  return record(out, 'gather', [x], (g) => [scatterAddInto(x.shape, d, index, g)]);
}

/** zeros(shape) with src scatter-added at `index` along dim: gather's adjoint. */
function scatterAddInto(shape: Shape, dim: number, index: Tensor, src: Tensor): Tensor {
  const out = empty(shape, src.dtype);
  K().scatterAdd(out._data, shape, dim, index._data as Int32Array, index.shape, src._data);
  return record(out, 'scatterAdd', [src], (gg) => [gather(gg, dim, index)]);
}

/** Out-of-place scatter-add: x with src added at `index` along `dim` (src has index's shape). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  expectTensor('scatterAdd', 'input', x);
  const d = normalizeDim('scatterAdd', dim, x.ndim);
  if (!shapesEqual(index.shape, src.shape)) {
    throw new Error(`scatterAdd: src ${fmtShape(src.shape)} must have index's shape ${fmtShape(index.shape)}`);
  }
  checkIndexTensor('scatterAdd', index, x.shape[d], d);
  const added = scatterAddInto(x.shape, d, index, cast(src, x.dtype));
  return x.add(added);
}

/** A copy that owns its data; gradient passes through unchanged. */
export function clone(x: Tensor): Tensor {
  expectTensor('clone', 'input', x);
  const out = new Tensor(x._data.slice(), x.shape);
  return record(out, 'clone', [x], (g) => [g]);
}

/** One entry of an index expression: a position, a slice string ('1:3', ':', '::2', '-1:'), '...', null (new axis) or an int32 index tensor. */
export type IndexSpec = number | string | null | Tensor;

/**
 * NumPy-style basic indexing: `x.index(0, '1:3')`, `x.index('...', -1)`, `x.index(null, ':')`.
 * Every piece is a differentiable op (select, slice, unsqueeze, indexSelect).
 */
export function index(x: Tensor, ...specs: IndexSpec[]): Tensor {
  expectTensor('index', 'input', x);
  const ellipses = specs.filter((s) => s === '...').length;
  if (ellipses > 1) throw new Error('index: only one ellipsis (...) is allowed');
  const consuming = specs.filter((s) => s !== null && s !== '...').length;
  if (consuming > x.ndim) {
    throw new Error(`index: too many indices (${consuming}) for a tensor with ${x.ndim} dims ${fmtShape(x.shape)}`);
  }
  const expanded: IndexSpec[] = [];
  for (const s of specs) {
    if (s === '...') for (let i = 0; i < x.ndim - consuming; i++) expanded.push(':');
    else expanded.push(s);
  }
  let out = x;
  let dim = 0;
  for (const s of expanded) {
    if (s === null) {
      out = unsqueeze(out, dim);
      dim++;
    } else if (typeof s === 'number') {
      out = select(out, dim, s);
    } else if (s instanceof Tensor) {
      out = indexSelect(out, dim, s);
      dim++;
    } else if (typeof s === 'string') {
      const m = /^\s*(-?\d+)?\s*:\s*(-?\d+)?\s*(?::\s*(-?\d+)?\s*)?$/.exec(s);
      if (!m) {
        if (/^\s*-?\d+\s*$/.test(s)) {
          out = select(out, dim, Number(s));
          continue;
        }
        throw new Error(`index: cannot parse '${s}'; expected a number, 'start:end:step', '...' or null`);
      }
      const [, a, b, c] = m;
      out = slice(out, dim, a === undefined ? null : Number(a), b === undefined ? null : Number(b), c === undefined ? 1 : Number(c));
      dim++;
    } else {
      throw new Error(`index: unsupported index ${String(s)}; expected a number, a slice string, '...', null or an int32 tensor`);
    }
  }
  return out;
}
