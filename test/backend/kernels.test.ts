/**
 * The shared kernel suite: every kernel of the Backend interface, on every available backend, against naive
 * reference implementations written here from the kernel's definition (so the js backend is checked too),
 * and every non-js backend also against the js kernel. Random inputs from a seeded generator: odd sizes,
 * tails, size-0 and size-1 dims, transposed operands, broadcasting, float32 and float64.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listBackends, nativeAddon } from '../../src/backend/index.js';
import { jsBackend } from '../../src/backend/js/index.js';
import { NATIVE_MIN_ELEMENTS } from '../../src/backend/native/index.js';
import type { Arr, Backend, BinaryOp, ReduceOp, Shape, UnaryOp } from '../../src/backend/types.js';
import { Generator } from '../../src/index.js';
import { backendNamed, forEachBackendVariant, variantTest } from './variants.js';

// ---- helpers: shapes, indices, random data ----

const size = (s: Shape): number => s.reduce((a, d) => a * d, 1);

/** Row-major multi-index of flat position i. */
function unravel(i: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

function ravel(idx: readonly number[], shape: Shape): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * shape[d] + idx[d];
  return o;
}

/** Flat position in an operand of `shape` broadcast (right-aligned, size-1 dims repeated) to an output index. */
function bcast(outIdx: readonly number[], shape: Shape): number {
  const off = outIdx.length - shape.length;
  return ravel(shape.map((d, i) => (d === 1 ? 0 : outIdx[off + i])), shape);
}

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
const FLOATS: [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];

function randn(g: Generator, n: number, Type: Ctor, scale = 1): Float32Array | Float64Array {
  const a = new Type(n);
  for (let i = 0; i < n; i++) {
    // Box–Muller from the seeded uniform generator.
    const u = 1 - g.nextFloat();
    a[i] = scale * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * g.nextFloat());
  }
  return a;
}

function randint(g: Generator, n: number, hi: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.min(hi - 1, Math.floor(g.nextFloat() * hi));
  return a;
}

const same = (x: number, y: number): boolean => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));

/** Bit-for-bit equality (NaN equals NaN, 0 differs from −0). */
function assertExact(got: Arr, want: Arr, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!same(got[i], want[i])) assert.fail(`${what}: [${i}] = ${got[i]}, expected ${want[i]}`);
  }
}

/** |got − want| ≤ tol(i) everywhere; NaN and ±Infinity must match exactly. */
function assertClose(got: Arr, want: Arr, tol: (i: number) => number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const gv = got[i];
    if (!Number.isFinite(w) || !Number.isFinite(gv)) {
      if (!same(gv, w)) assert.fail(`${what}: [${i}] = ${gv}, expected ${w}`);
    } else if (!(Math.abs(gv - w) <= tol(i))) {
      assert.fail(`${what}: [${i}] = ${gv}, expected ${w} (difference ${Math.abs(gv - w)} > ${tol(i)})`);
    }
  }
}

const EPS32 = 2 ** -23;
const EPS64 = 2 ** -52;
const epsOf = (a: Arr): number => (a instanceof Float64Array ? EPS64 : EPS32);

// ---- naive references, straight from each kernel's definition in types.ts ----

function erfSeries(x: number): number {
  // erf x = 2/√π Σ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n+1)), exact enough for |x| ≤ 3 in float64.
  let term = x;
  let s = x;
  for (let n = 1; n < 120; n++) {
    term *= (-x * x) / n;
    s += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * s;
}

const UNARY_REF: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x, exp: Math.exp, log: Math.log, sqrt: Math.sqrt, rsqrt: (x) => 1 / Math.sqrt(x), abs: Math.abs,
  sign: Math.sign, sigmoid: (x) => 1 / (1 + Math.exp(-x)), tanh: Math.tanh, relu: (x) => (x < 0 ? 0 : x),
  sin: Math.sin, cos: Math.cos, erf: erfSeries, erfc: (x) => 1 - erfSeries(x), log1p: Math.log1p, expm1: Math.expm1,
  square: (x) => x * x, reciprocal: (x) => 1 / x, softplus: (x) => (x > 30 ? x + Math.exp(-x) : Math.log1p(Math.exp(x))),
  floor: Math.floor, ceil: Math.ceil,
  round: (x) => (Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x)),
  not: (x) => (x === 0 ? 1 : 0), isnan: (x) => (Number.isNaN(x) ? 1 : 0),
};

/**
 * The reference rounds a float64 value once; a kernel may be an ulp or two away (2 eps relative), and in
 * absolute terms where the function crosses zero (sin, log near 1, …) or our erf series loses digits (1e-11).
 */
function unaryTolerance(op: UnaryOp, x: Arr, want: Arr): (i: number) => number {
  const eps = epsOf(want);
  const rel = op === 'erf' || op === 'erfc' ? Math.max(eps, 1e-12) * 8 : eps * 2;
  const nearZero = ['erfc', 'expm1', 'log1p', 'tanh', 'sin', 'cos', 'log', 'softplus'].includes(op);
  const denormal = want instanceof Float32Array ? 2 ** -149 : 0;
  return (i) => rel * Math.abs(want[i]) + (nearZero ? 4 * rel * Math.max(1, Math.abs(x[i])) : 0) + denormal;
}

const BINARY_REF: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b, sub: (a, b) => a - b, mul: (a, b) => a * b, div: (a, b) => a / b, pow: Math.pow,
  maximum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
  minimum: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
  eq: (a, b) => +(a === b), ne: (a, b) => +(a !== b), lt: (a, b) => +(a < b), le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b), ge: (a, b) => +(a >= b), and: (a, b) => +(a !== 0 && b !== 0), or: (a, b) => +(a !== 0 || b !== 0),
};

function refBinary(op: BinaryOp, a: Arr, as: Shape, b: Arr, bs: Shape, out: Arr, os: Shape): void {
  for (let i = 0; i < out.length; i++) {
    const idx = unravel(i, os);
    out[i] = BINARY_REF[op](a[bcast(idx, as)], b[bcast(idx, bs)]);
  }
}

function refMatmul(a: Arr, b: Arr, out: Arr, batch: number, m: number, k: number, n: number, tA: boolean, tB: boolean): Float64Array {
  // Returns Σ|a||b| per element too, the scale of the rounding error bound.
  const mag = new Float64Array(out.length);
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let s1 = 0;
        for (let q = 0; q < k; q++) {
          const av = tA ? a[p * m * k + q * m + i] : a[p * m * k + i * k + q];
          const bv = tB ? b[p * k * n + j * k + q] : b[p * k * n + q * n + j];
          s += av * bv;
          s1 += Math.abs(av * bv);
        }
        out[p * m * n + i * n + j] = s;
        mag[p * m * n + i * n + j] = s1;
      }
    }
  }
  return mag;
}

function refReduce(op: ReduceOp, x: Arr, shape: Shape, axes: readonly number[], out: Arr): void {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const init = { sum: 0, prod: 1, max: -Infinity, min: Infinity }[op];
  const acc = new Float64Array(out.length).fill(init);
  for (let i = 0; i < x.length; i++) {
    const o = bcast(unravel(i, shape), kept);
    const v = x[i];
    if (op === 'sum') acc[o] += v;
    else if (op === 'prod') acc[o] *= v;
    else if (Number.isNaN(v) || Number.isNaN(acc[o])) acc[o] = NaN;
    else acc[o] = op === 'max' ? Math.max(acc[o], v) : Math.min(acc[o], v);
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i];
}

// ---- the backends under test ----


const NAMES = listBackends();
const addon = nativeAddon();
const COVERED = new Set([
  'name', 'unary', 'binary', 'where', 'clamp', 'cast', 'reduce', 'argReduce', 'matmul', 'permute', 'expand',
  'slice', 'sliceAssign', 'cat', 'indexSelect', 'indexAdd', 'gather', 'scatterAdd',
  // fused-kernels.test.ts:
  'sgdStep', 'adamStep', 'logSoftmax', 'logSoftmaxBackward', 'softmaxCrossEntropy', 'softmaxCrossEntropyBackward',
  // conv-kernels.test.ts:
  'unfold2d', 'fold2d', 'maxPool2d', 'conv2d', 'conv2dBackward',
  'activationBackward', 'bceWithLogits', 'bceWithLogitsBackward',
]);

test(`backends under test: ${NAMES.join(', ')}${NAMES.includes('native') ? '' : ' — native addon NOT BUILT, its kernels are not tested (build it: node-gyp rebuild)'}`, () => {
  assert.ok(NAMES.includes('js'));
  for (const name of NAMES) assert.equal(backendNamed(name).name, name);
});

test('kernels this suite does not cover yet are listed, and no backend overrides them', (t) => {
  const uncovered = Object.keys(jsBackend).filter((k) => !COVERED.has(k));
  if (uncovered.length) t.diagnostic(`not in the shared suite yet: ${uncovered.join(', ')}`);
  for (const name of NAMES) {
    const b = backendNamed(name) as unknown as Record<string, unknown>;
    for (const k of uncovered) assert.equal(b[k], (jsBackend as unknown as Record<string, unknown>)[k], `${name}.${k} overrides a kernel no test checks`);
  }
});

/**
 * The suite, for one backend. `variant` names a setting it runs under (thread count, forced portable code);
 * `apply` switches to it for the duration of each test.
 */
function kernelSuite(name: string, variant: string, apply: () => () => void): void {
  const B = backendNamed(name);
  const isJs = name === 'js';
  const it = variantTest(name, variant, apply);

  // Sizes around the native thresholds, the SIMD widths (8, 16) and the tile sizes (6, 16), and 0 and 1.
  const LENGTHS = [0, 1, 7, 17, 63, 64, 255, 256, 1001, 4099, 70001];

  it('unary: every op, float32 and float64, special values, tails', () => {
    const g = new Generator(1);
    const specials = [0, -0, NaN, Infinity, -Infinity, 1e-30, -1e-30, 0.001, -0.003, 0.5, -0.5, 1.5, 2.5, -2.5, 20, -20, 88, 89, -100, -104, 700, -750];
    for (const [dt, T] of FLOATS) {
      for (const n of LENGTHS) {
        const x = randn(g, n, T, 4);
        for (let i = 0; i < Math.min(n, specials.length); i++) x[(i * 7919) % n] = specials[i];
        for (const op of Object.keys(UNARY_REF) as UnaryOp[]) {
          const isBool = op === 'not' || op === 'isnan';
          const mk = (): Arr => (isBool ? new Uint8Array(n) : new T(n));
          const want = mk();
          const src = op === 'erf' || op === 'erfc' ? x.map((v) => (Number.isFinite(v) ? Math.max(-3, Math.min(3, v)) : v)) : x;
          for (let i = 0; i < n; i++) want[i] = UNARY_REF[op](src[i]);
          const got = mk();
          B.unary(op, src, got);
          const what = `unary ${op} ${dt} n=${n}`;
          if (isBool) {
            assertExact(got, want, what);
            continue;
          }
          assertClose(got, want, unaryTolerance(op, src, want), what);
          if (!isJs) {
            const ref = mk();
            jsBackend.unary(op, src, ref);
            if (op === 'relu' || T === Float64Array) assertExact(got, ref, `${what} vs js`);
            else assertClose(got, ref, (i) => EPS32 * Math.abs(ref[i]) + 2 ** -149, `${what} vs js`);
          }
        }
      }
    }
  });

  it('binary: every op, same shape, scalars, broadcast rows/columns/middle dims, float32 and float64', () => {
    const g = new Generator(2);
    const cases: [Shape, Shape][] = [
      [[0], [0]], [[1], [1]], [[7], [7]], [[1001], [1001]], [[300, 7], [300, 7]], [[4099], []], [[], [4099]],
      [[64, 256], [256]], [[256], [64, 256]], [[64, 10], [64, 1]], [[64, 1], [64, 10]], [[3, 1, 5], [1, 4, 5]],
      [[2, 3, 300], [3, 300]], [[2, 3, 300], [2, 3, 1]], [[2, 1, 300], [2, 5, 300]], [[5, 0, 3], [3]],
      [[1, 1], [50, 40]], [[50, 40], [1, 40]], [[50, 40], [50, 1]], [[40], [50, 1]], [[6, 1, 1], [6, 20, 30]],
    ];
    for (const [dt, T] of FLOATS) {
      for (const [as, bs] of cases) {
        const os = broadcast(as, bs);
        const a = randn(g, size(as), T);
        const b = randn(g, size(bs), T);
        if (b.length > 2) b[1] = 0; // division by zero, ±0 and NaN go through the same path
        if (a.length > 3) a[2] = NaN;
        for (const op of Object.keys(BINARY_REF) as BinaryOp[]) {
          const cmp = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'and', 'or'].includes(op);
          const mk = (): Arr => (cmp ? new Uint8Array(size(os)) : new T(size(os)));
          const want = mk();
          refBinary(op, a, as, b, bs, want, os);
          const got = mk();
          B.binary(op, a, as, b, bs, got, os);
          // One IEEE operation per element: bit-identical on every backend (pow: the platform's pow).
          assertExact(got, want, `binary ${op} ${dt} [${as}] op [${bs}]`);
        }
      }
    }
  });

  it('where and clamp: broadcasting, ±Infinity bounds, NaN', () => {
    const g = new Generator(3);
    for (const [dt, T] of FLOATS) {
      for (const [cs, as, bs] of [[[5, 7], [7], [5, 1]], [[0, 3], [3], []], [[300], [300], [1]], [[1], [2, 3], [3]]] as Shape[][]) {
        const os = broadcast(broadcast(cs, as), bs);
        const c = new Uint8Array(size(cs)).map(() => (g.nextFloat() < 0.5 ? 1 : 0));
        const a = randn(g, size(as), T);
        const b = randn(g, size(bs), T);
        const want = new T(size(os));
        for (let i = 0; i < want.length; i++) {
          const idx = unravel(i, os);
          want[i] = c[bcast(idx, cs)] ? a[bcast(idx, as)] : b[bcast(idx, bs)];
        }
        const got = new T(size(os));
        B.where(c, cs, a, as, b, bs, got, os);
        assertExact(got, want, `where ${dt} [${cs}] [${as}] [${bs}]`);
      }
      for (const n of [0, 1, 1001]) {
        const x = randn(g, n, T);
        if (n > 1) x[0] = NaN;
        for (const [lo, hi] of [[-0.5, 0.5], [-Infinity, 0], [0, Infinity]]) {
          const got = new T(n);
          B.clamp(x, lo, hi, got);
          assertExact(got, x.map((v) => (v < lo ? lo : v > hi ? hi : v)), `clamp ${dt} n=${n} [${lo}, ${hi}]`);
        }
      }
    }
  });

  it('cast: float ↔ float, int32 and bool to float, to int32 (truncation), to bool (x ≠ 0)', () => {
    const g = new Generator(4);
    const x = randn(g, 1001, Float64Array, 10);
    x[0] = -0.7;
    x[1] = 0;
    x[2] = 2.9;
    const to32 = new Float32Array(1001);
    B.cast(x, to32);
    assertExact(to32, Float32Array.from(x), 'cast float64 → float32');
    const back = new Float64Array(1001);
    B.cast(to32, back);
    assertExact(back, Float64Array.from(to32), 'cast float32 → float64');
    const ints = new Int32Array(1001);
    B.cast(x, ints);
    assertExact(ints, Int32Array.from(x, Math.trunc), 'cast float64 → int32');
    const bools = new Uint8Array(1001);
    B.cast(ints, bools);
    assertExact(bools, Uint8Array.from(ints, (v) => +(v !== 0)), 'cast int32 → bool');
    for (const [src, what] of [[ints, 'int32'], [bools, 'bool'], [x, 'float64']] as const) {
      for (const T of [Float32Array, Float64Array]) {
        const got = new T(src.length);
        B.cast(src, got);
        assertExact(got, T.from(src), `cast ${what} → ${T.name}`);
      }
    }
    const big = Int32Array.from({ length: 1001 }, (_, i) => (i * 2654435761) | 0); // int32 values float32 must round
    const big32 = new Float32Array(1001);
    B.cast(big, big32);
    assertExact(big32, Float32Array.from(big), 'cast int32 → float32, rounded to nearest even');
  });

  it('reduce: sum/prod/max/min over every axis set, size-0 and size-1 dims, float32 and float64', () => {
    const g = new Generator(5);
    const shapes: Shape[] = [[0], [1], [7], [4099], [64, 10], [3, 1, 5], [2, 0, 3], [129, 33], [5, 300], [2, 3, 4, 5], [1, 70001]];
    for (const [dt, T] of FLOATS) {
      for (const shape of shapes) {
        const x = randn(g, size(shape), T);
        const axesSets = subsets(shape.length);
        for (const axes of axesSets) {
          const outSize = size(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
          for (const op of ['sum', 'prod', 'max', 'min'] as ReduceOp[]) {
            if (op !== 'sum' && size(shape) > 5000) continue; // prod/max/min are js-only; the big shapes are for sum
            const want = new T(outSize);
            refReduce(op, x, shape, axes, want);
            const got = new T(outSize);
            B.reduce(op, x, shape, axes, got);
            const what = `reduce ${op} ${dt} [${shape}] axes [${axes}]`;
            if (op !== 'sum') {
              assertClose(got, want, (i) => 4 * epsOf(got) * Math.abs(want[i]), what);
              continue;
            }
            // float64 accumulation in any order: ≤ n·2⁻⁵² Σ|x| apart, then one rounding to the output type.
            const n = size(shape) / Math.max(outSize, 1);
            const absSum = new T(outSize);
            refReduce('sum', x.map(Math.abs), shape, axes, absSum);
            assertClose(got, want, (i) => epsOf(got) * Math.abs(want[i]) + n * EPS64 * absSum[i] * 2, what);
          }
        }
      }
    }
  });

  it('argReduce: argmax/argmin along each axis, first index on ties', () => {
    const g = new Generator(6);
    for (const shape of [[1], [7], [64, 10], [3, 1, 5], [4, 6, 3]] as Shape[]) {
      const x = randn(g, size(shape), Float32Array).map((v) => Math.round(v * 2)); // ties
      for (let axis = 0; axis < shape.length; axis++) {
        for (const op of ['argmax', 'argmin'] as const) {
          const outShape = shape.map((d, i) => (i === axis ? 1 : d));
          const want = new Int32Array(size(outShape));
          for (let o = 0; o < want.length; o++) {
            const idx = unravel(o, outShape);
            let best = 0;
            for (let j = 1; j < shape[axis]; j++) {
              const v = x[ravel(idx.map((v2, d) => (d === axis ? j : v2)), shape)];
              const bv = x[ravel(idx.map((v2, d) => (d === axis ? best : v2)), shape)];
              if (op === 'argmax' ? v > bv : v < bv) best = j;
            }
            want[o] = best;
          }
          const got = new Int32Array(want.length);
          B.argReduce(op, x, shape, axis, got);
          assertExact(got, want, `${op} [${shape}] axis ${axis}`);
        }
      }
    }
  });

  it('matmul: batched, transposed operands, odd sizes and tails, size-0 and size-1 dims, float32 and float64', () => {
    const g = new Generator(7);
    // [batch, m, k, n]: edges of the 6×16 tile, k blocks (256), the MLP's shapes, and products big enough for
    // threads (≥ 2^20 flops) split by rows (131×70×129), by columns (97×260×83) and by batch (8 × 30×60×50).
    const dims: number[][] = [
      [1, 1, 1, 1], [1, 0, 5, 3], [1, 4, 0, 3], [1, 3, 5, 0], [0, 3, 3, 3], [2, 1, 7, 1], [3, 5, 1, 9], [1, 6, 16, 16],
      [1, 7, 17, 33], [2, 13, 300, 37], [1, 64, 784, 10], [1, 100, 513, 17], [1, 131, 70, 129], [4, 24, 40, 48],
      [1, 97, 260, 83], [8, 30, 60, 50],
    ];
    for (const [dt, T] of FLOATS) {
      for (const [batch, m, k, n] of dims) {
        for (const tA of [false, true]) {
          for (const tB of [false, true]) {
            const a = randn(g, batch * m * k, T);
            const b = randn(g, batch * k * n, T);
            const want = new T(batch * m * n);
            const mag = refMatmul(a, b, want, batch, m, k, n, tA, tB);
            const got = new T(batch * m * n).fill(NaN); // every element must be written, also when k = 0
            B.matmul(a, b, got, batch, m, k, n, tA, tB);
            // A k-term dot product is within (k + 1)·u·Σ|a||b| of exact (u = eps/2) in any order; the float64
            // reference is too, so twice that apart at most.
            const u = epsOf(got) / 2;
            assertClose(got, want, (i) => 2 * (k + 1) * u * mag[i], `matmul ${dt} b=${batch} ${m}×${k}×${n} ${tA ? 'T' : 'N'}${tB ? 'T' : 'N'}`);
          }
        }
      }
    }
  });

  it('layout kernels: permute, expand, slice, sliceAssign, cat', () => {
    const g = new Generator(8);
    for (const [dt, T] of FLOATS) {
      for (const [shape, dims] of [[[2, 3, 4], [2, 0, 1]], [[5, 1, 7], [1, 2, 0]], [[0, 3], [1, 0]], [[33, 17], [1, 0]], [[6], [0]]] as [Shape, number[]][]) {
        const x = randn(g, size(shape), T);
        const outShape = dims.map((d) => shape[d]);
        const want = new T(size(outShape));
        for (let i = 0; i < want.length; i++) {
          const oi = unravel(i, outShape);
          const xi = new Array<number>(shape.length);
          dims.forEach((d, j) => (xi[d] = oi[j]));
          want[i] = x[ravel(xi, shape)];
        }
        const got = new T(want.length);
        B.permute(x, shape, dims, got);
        assertExact(got, want, `permute ${dt} [${shape}] → [${dims}]`);
      }
      for (const [shape, outShape] of [[[3, 1], [3, 4]], [[4], [2, 3, 4]], [[1], [0, 5]], [[2, 1, 3], [2, 5, 3]], [[], [3]]] as Shape[][]) {
        const x = randn(g, size(shape), T);
        const want = new T(size(outShape));
        for (let i = 0; i < want.length; i++) want[i] = x[bcast(unravel(i, outShape), shape)];
        const got = new T(want.length);
        B.expand(x, shape, outShape, got);
        assertExact(got, want, `expand ${dt} [${shape}] → [${outShape}]`);
      }
      for (const [shape, dim, start, step, len] of [[[10, 3], 0, 1, 3, 3], [[4, 9], 1, 0, 2, 5], [[2, 5, 3], 1, 4, 1, 1], [[5], 0, 2, 1, 0]] as [Shape, number, number, number, number][]) {
        const x = randn(g, size(shape), T);
        const outShape = shape.map((d, i) => (i === dim ? len : d));
        const want = new T(size(outShape));
        for (let i = 0; i < want.length; i++) {
          const idx = unravel(i, outShape);
          idx[dim] = start + step * idx[dim];
          want[i] = x[ravel(idx, shape)];
        }
        const got = new T(want.length);
        B.slice(x, shape, dim, start, step, got, outShape);
        assertExact(got, want, `slice ${dt} [${shape}] dim ${dim} ${start}:${step}×${len}`);
        // sliceAssign is its adjoint: writes `want` back at the same places, leaves the rest alone.
        const base = randn(g, size(shape), T);
        const expected = T.from(base);
        for (let i = 0; i < want.length; i++) {
          const idx = unravel(i, outShape);
          idx[dim] = start + step * idx[dim];
          expected[ravel(idx, shape)] = want[i];
        }
        B.sliceAssign(base, shape, dim, start, step, want, outShape);
        assertExact(base, expected, `sliceAssign ${dt} [${shape}] dim ${dim}`);
      }
      for (const [shapes, dim] of [[[[2, 3], [2, 1], [2, 0], [2, 4]], 1], [[[1, 5], [3, 5]], 0], [[[7]], 0], [[[2, 3, 1], [2, 3, 2]], 2]] as [Shape[], number][]) {
        const xs = shapes.map((s) => randn(g, size(s), T));
        const outShape = shapes[0].map((d, i) => (i === dim ? shapes.reduce((s, sh) => s + sh[dim], 0) : d));
        const want = new T(size(outShape));
        for (let i = 0; i < want.length; i++) {
          const idx = unravel(i, outShape);
          let j = 0;
          while (idx[dim] >= shapes[j][dim]) idx[dim] -= shapes[j++][dim];
          want[i] = xs[j][ravel(idx, shapes[j])];
        }
        const got = new T(want.length);
        B.cat(xs, shapes, dim, got);
        assertExact(got, want, `cat ${dt} dim ${dim}`);
      }
    }
  });

  it('index kernels: indexSelect, indexAdd, gather, scatterAdd (repeated indices accumulate)', () => {
    const g = new Generator(9);
    for (const [dt, T] of FLOATS) {
      for (const [shape, dim, count] of [[[5, 3], 0, 7], [[4, 6], 1, 3], [[3, 4, 2], 1, 0], [[9], 0, 9]] as [Shape, number, number][]) {
        const x = randn(g, size(shape), T);
        const index = randint(g, count, shape[dim]);
        const outShape = shape.map((d, i) => (i === dim ? count : d));
        const want = new T(size(outShape));
        for (let i = 0; i < want.length; i++) {
          const idx = unravel(i, outShape);
          idx[dim] = index[idx[dim]];
          want[i] = x[ravel(idx, shape)];
        }
        const got = new T(want.length);
        B.indexSelect(x, shape, dim, index, got);
        assertExact(got, want, `indexSelect ${dt} [${shape}] dim ${dim}`);
        // indexAdd: out[…, index[i], …] += src[…, i, …], in index order.
        const out = randn(g, size(shape), T);
        const expected = T.from(out);
        const src = randn(g, size(outShape), T);
        for (let i = 0; i < src.length; i++) {
          const idx = unravel(i, outShape);
          idx[dim] = index[idx[dim]];
          expected[ravel(idx, shape)] += src[i];
        }
        B.indexAdd(out, shape, dim, index, src);
        assertExact(out, expected, `indexAdd ${dt} [${shape}] dim ${dim}`);
      }
      for (const [shape, dim, indexShape] of [[[4, 5], 1, [4, 3]], [[4, 5], 0, [2, 5]], [[3, 2, 4], 2, [3, 2, 6]], [[6], 0, [0]]] as [Shape, number, Shape][]) {
        const x = randn(g, size(shape), T);
        const index = randint(g, size(indexShape), shape[dim]);
        const want = new T(size(indexShape));
        for (let i = 0; i < want.length; i++) {
          const idx = unravel(i, indexShape);
          idx[dim] = index[i];
          want[i] = x[ravel(idx, shape)];
        }
        const got = new T(want.length);
        B.gather(x, shape, dim, index, indexShape, got);
        assertExact(got, want, `gather ${dt} [${shape}] dim ${dim}`);
        const out = randn(g, size(shape), T);
        const expected = T.from(out);
        const src = randn(g, size(indexShape), T);
        for (let i = 0; i < src.length; i++) {
          const idx = unravel(i, indexShape);
          idx[dim] = index[i];
          expected[ravel(idx, shape)] += src[i];
        }
        B.scatterAdd(out, shape, dim, index, indexShape, src);
        assertExact(out, expected, `scatterAdd ${dt} [${shape}] dim ${dim}`);
      }
    }
  });

  if (!isJs) {
    it('the accelerated kernels agree with the js kernels above their size thresholds', () => {
      const g = new Generator(10);
      const n = 4 * Math.max(...Object.values(NATIVE_MIN_ELEMENTS)) + 3;
      const x = randn(g, n, Float32Array, 3);
      const y = randn(g, n, Float32Array, 3);
      for (const op of ['add', 'sub', 'mul', 'div'] as BinaryOp[]) {
        const got = new Float32Array(n);
        const want = new Float32Array(n);
        B.binary(op, x, [n], y, [n], got, [n]);
        jsBackend.binary(op, x, [n], y, [n], want, [n]);
        assertExact(got, want, `binary ${op} vs js`);
      }
      const a = randn(g, 64 * 37, Float64Array);
      const b = randn(g, 37 * 29, Float64Array);
      const got = new Float64Array(64 * 29);
      const want = new Float64Array(64 * 29);
      B.matmul(a, b, got, 1, 64, 37, 29, false, false);
      jsBackend.matmul(a, b, want, 1, 64, 37, 29, false, false);
      assertClose(got, want, (i) => 64 * EPS64 * (1 + Math.abs(want[i])), 'dgemm vs js');
    });
  }
}

function broadcast(a: Shape, b: Shape): number[] {
  const nd = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < nd; i++) {
    const da = a[a.length - nd + i] ?? 1;
    const db = b[b.length - nd + i] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Every sorted subset of [0, nd), the empty one included. */
function subsets(nd: number): number[][] {
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << nd; mask++) out.push([...Array(nd).keys()].filter((i) => mask & (1 << i)));
  return out;
}

// ---- run it on every backend, and the native one under each of its settings ----

describe('shared kernel suite', () => {
  forEachBackendVariant(kernelSuite);
  if (!addon) test('native: NOT BUILT, so only js ran (build it: npm run build:native)', () => assert.ok(!NAMES.includes('native')));
});
