import { type DType, type TypedArray, allocArray, assertDType, dtypeOfArray, isFloat } from './dtype.js';
import { type Generator, defaultGenerator } from './random.js';
import { type Shape, checkShape, fmtShape, sizeOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

export interface TensorOptions {
  /** Element type; default float32 (bool for nested booleans, the array's own type for a typed array). */
  dtype?: DType;
  /** Make this a leaf that backward() computes a gradient for. */
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  /** The generator to draw from; default the global one seeded by manualSeed(). */
  generator?: Generator;
}

function finish(t: Tensor, opts: TensorOptions | undefined): Tensor {
  if (opts?.requiresGrad) t.requiresGrad_(true);
  return t;
}

function dtypeOf(op: string, opts: TensorOptions | undefined, fallback: DType = 'float32'): DType {
  const d = opts?.dtype ?? fallback;
  assertDType(op, d);
  return d;
}

/** Creates a tensor of the given shape and dtype filled with zeros (no autograd). @internal */
export function empty(shape: Shape, dtype: DType = 'float32'): Tensor {
  return new Tensor(allocArray(dtype, sizeOf(shape)), shape);
}

/**
 * A tensor from a number, nested arrays of numbers (or booleans), or a typed array (with `shape`, or 1-D).
 * Nested arrays must be rectangular. `tensor([[1, 2], [3, 4]])` is a float32 2×2 matrix.
 */
export function tensor(data: NestedArray | TypedArray | readonly NestedArray[], opts?: TensorOptions & { shape?: Shape }): Tensor {
  if (ArrayBuffer.isView(data)) {
    const arr = data as TypedArray;
    const dtype = opts?.dtype ?? dtypeOfArray(arr);
    assertDType('tensor', dtype);
    const shape = opts?.shape ?? [arr.length];
    checkShape('tensor', shape);
    if (sizeOf(shape) !== arr.length) {
      throw new Error(`tensor: typed array has ${arr.length} elements but shape ${fmtShape(shape)} needs ${sizeOf(shape)}`);
    }
    const out = allocArray(dtype, arr.length);
    out.set(arr);
    return finish(new Tensor(out, shape), opts);
  }
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const isBool = typeof probe === 'boolean';
  const dtype = dtypeOf('tensor', opts, isBool ? 'bool' : 'float32');
  const out = allocArray(dtype, sizeOf(shape));
  let p = 0;
  const walk = (x: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof x === 'number') out[p++] = x;
      else if (typeof x === 'boolean') out[p++] = x ? 1 : 0;
      else throw new Error(`tensor: element at ${path || 'top'} is ${JSON.stringify(x)}; expected a number or boolean`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[dim]) {
      throw new Error(
        `tensor: ragged nested array: element at ${path || 'top'} has ${Array.isArray(x) ? `length ${x.length}` : 'no length'}, ` +
          `expected an array of length ${shape[dim]} (inferred shape ${fmtShape(shape)})`,
      );
    }
    for (let i = 0; i < x.length; i++) walk(x[i], dim + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  if (opts?.shape) {
    if (sizeOf(opts.shape) !== out.length) throw new Error(`tensor: data has ${out.length} elements but shape ${fmtShape(opts.shape)} needs ${sizeOf(opts.shape)}`);
    return finish(new Tensor(out, opts.shape), opts);
  }
  return finish(new Tensor(out, shape), opts);
}

/** A scalar (0-d) tensor. */
export function scalar(value: number, opts?: TensorOptions): Tensor {
  return tensor(value, opts);
}

/** A tensor filled with `value`. */
export function full(shape: Shape, value: number, opts?: TensorOptions): Tensor {
  checkShape('full', shape);
  const t = empty(shape, dtypeOf('full', opts));
  t._data.fill(value);
  return finish(t, opts);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, opts?: TensorOptions): Tensor {
  return full(shape, 0, opts);
}

/** A tensor of ones. */
export function ones(shape: Shape, opts?: TensorOptions): Tensor {
  return full(shape, 1, opts);
}

const likeOpts = (t: Tensor, opts?: TensorOptions): TensorOptions => ({ dtype: t.dtype, ...opts });

export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  return zeros(t.shape, likeOpts(t, opts));
}
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  return ones(t.shape, likeOpts(t, opts));
}
export function fullLike(t: Tensor, value: number, opts?: TensorOptions): Tensor {
  return full(t.shape, value, likeOpts(t, opts));
}

/**
 * Values from `start` (inclusive) to `end` (exclusive) by `step`: `arange(5)`, `arange(1, 4)`, `arange(0, 1, 0.25)`.
 * float32 by default; pass `dtype: 'int32'` for indices.
 */
export function arange(start: number, end?: number, step = 1, opts?: TensorOptions): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a finite non-zero number, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error(`arange: start and end must be finite, got ${start} and ${end}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const t = empty([n], dtypeOf('arange', opts));
  for (let i = 0; i < n; i++) t._data[i] = start + i * step;
  return finish(t, opts);
}

/** `steps` evenly spaced values from `start` to `end`, both included. */
export function linspace(start: number, end: number, steps: number, opts?: TensorOptions): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const t = empty([steps], dtypeOf('linspace', opts));
  const d = steps > 1 ? (end - start) / (steps - 1) : 0;
  for (let i = 0; i < steps; i++) t._data[i] = i === steps - 1 && steps > 1 ? end : start + i * d;
  return finish(t, opts);
}

/** The n×m identity matrix (m defaults to n). */
export function eye(n: number, m = n, opts?: TensorOptions): Tensor {
  checkShape('eye', [n, m]);
  const t = empty([n, m], dtypeOf('eye', opts));
  for (let i = 0; i < Math.min(n, m); i++) t._data[i * m + i] = 1;
  return finish(t, opts);
}

function randomFloat(op: string, shape: Shape, opts: RandomOptions | undefined, draw: (g: Generator, f64: boolean) => number): Tensor {
  checkShape(op, shape);
  const dtype = dtypeOf(op, opts);
  if (!isFloat(dtype)) throw new Error(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const g = opts?.generator ?? defaultGenerator;
  const t = empty(shape, dtype);
  const f64 = dtype === 'float64';
  const d = t._data;
  for (let i = 0; i < d.length; i++) d[i] = draw(g, f64);
  return finish(t, opts);
}

/** Uniform draws in [0, 1). */
export function rand(shape: Shape, opts?: RandomOptions): Tensor {
  return randomFloat('rand', shape, opts, (g, f64) => (f64 ? g.nextDouble() : g.nextFloat()));
}

/** Standard normal draws. */
export function randn(shape: Shape, opts?: RandomOptions): Tensor {
  return randomFloat('randn', shape, opts, (g) => g.nextNormal());
}

/** Uniform integers in [low, high): int32 by default. */
export function randint(low: number, high: number, shape: Shape, opts?: RandomOptions): Tensor {
  checkShape('randint', shape);
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new Error(`randint: need integers low < high, got low=${low}, high=${high}`);
  }
  const g = opts?.generator ?? defaultGenerator;
  const t = empty(shape, dtypeOf('randint', opts, 'int32'));
  const d = t._data;
  for (let i = 0; i < d.length; i++) d[i] = low + g.nextInt(high - low);
  return finish(t, opts);
}

export function randLike(t: Tensor, opts?: RandomOptions): Tensor {
  return rand(t.shape, { dtype: t.dtype, ...opts });
}
export function randnLike(t: Tensor, opts?: RandomOptions): Tensor {
  return randn(t.shape, { dtype: t.dtype, ...opts });
}
export function randintLike(t: Tensor, low: number, high: number, opts?: RandomOptions): Tensor {
  return randint(low, high, t.shape, opts);
}

/** A random permutation of 0..n-1 (int32), Fisher–Yates with the given generator. */
export function randperm(n: number, opts?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randperm: n must be a non-negative integer, got ${n}`);
  const g = opts?.generator ?? defaultGenerator;
  const t = empty([n], 'int32');
  const d = t._data;
  for (let i = 0; i < n; i++) d[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.nextInt(i + 1);
    const tmp = d[i];
    d[i] = d[j];
    d[j] = tmp;
  }
  return t;
}
