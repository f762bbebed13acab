/**
 * The native backend: the js backend with the kernels where native code wins replaced by calls into the C++
 * addon: AVX2/FMA GEMM; elementwise arithmetic, comparisons, casts and activations; sums (over any axes);
 * the fused optimizer steps, softmax rows, activation backwards and binary cross-entropy on logits; im2col,
 * col2im, max pooling, and the whole convolution and its backward (conv2d/conv2dBackward: GEMMs and sums, so
 * another rounding order than js, within the tested bounds). Every other kernel, and every call these do not cover (other dtypes, other broadcast
 * patterns, sizes where the ~0.3 µs call costs more than it saves), runs the js kernel. Arithmetic, comparisons
 * and casts are bit-identical to js; exp/tanh/sigmoid agree to an ulp (float64 polynomials, rounded once:
 * identical on a million random inputs); GEMM and sums round differently (another summation order), within the
 * tested bounds. The optimizer steps, activation backwards, unfold2d, fold2d and maxPool2d are bit-identical to
 * js; the softmax and binary cross-entropy kernels use a vector eˣ and log1p (≤ 1e-14 relative) and, for
 * softmax, another summation order.
 */
import { jsBackend } from '../js/index.js';
import type { AdamStep, Arr, Backend, BinaryOp, ReduceOp, SGDStep, Shape, UnaryOp, Window2d } from '../types.js';
import type { NativeAddon } from './addon.js';
import { aroundAxes, binaryView } from '../patterns.js';

export { loadAddon, type AddonLoad, type NativeAddon } from './addon.js';

type FloatArr = Float32Array | Float64Array;

/**
 * Element counts from which the addon beats the js loop (npx tsx bench/gemm.ts --kernels). Below them
 * the js kernel runs. matmul has none: the addon wins from 2×2 on.
 */
export const NATIVE_MIN_ELEMENTS = {
  binary: 256, unary: 64, relu: 256, sum: 128, cast: 256,
  /** Parameter elements per optimizer step (crossovers ≈ 70 and ≈ 40: npx tsx bench/kernels.ts --sizes). */
  sgdStep: 96, adamStep: 48,
  /** rows · cols of the softmax kernels (the addon wins from 2 rows of 10). */
  softmax: 16,
  /** Elements of activationBackward and of the binary cross-entropy kernels (npx tsx bench/kernels.ts --sizes). */
  activationBackward: 96, bce: 16, bceBackward: 32,
  /** Output elements of unfold2d/maxPool2d, of fold2d (the worst geometry, 1-wide rows, crosses at ≈ 128). */
  conv: 128,
  /** Index elements of scatterAdd (max pooling's backward). */
  scatterAdd: 256,
};

/** Ops the addon's binary kernel has: arithmetic (out of the inputs' type), then comparisons (out bool). */
const BINARY_CODE: Partial<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, eq: 4, ne: 5, lt: 6, le: 7, gt: 8, ge: 9,
};
const UNARY_CODE: Partial<Record<UnaryOp, number>> = { relu: 0, exp: 1, tanh: 2, sigmoid: 3 };
const ACTIVATION_CODE = { relu: 0, tanh: 1, sigmoid: 2 } as const;

/** Both float32 or both float64 (the addon never converts). */
function sameFloat(x: Arr, y: Arr): boolean {
  return (x instanceof Float32Array && y instanceof Float32Array) || (x instanceof Float64Array && y instanceof Float64Array);
}

/** Both float32 or both float64, or null (optional arrays) — for the fused kernels' optional buffers. */
function sameFloatOrNull(x: Arr, y: Arr | null): boolean {
  return y === null || sameFloat(x, y);
}

/**
 * Splits a reduction of `axes` over `shape` into runs: size-1 dims dropped, neighbouring dims of the same kind
 * (reduced or kept) merged. Returns [size, reduced] per run, outermost first.
 */
function runsOf(shape: Shape, axes: readonly number[]): [number, boolean][] {
  const runs: [number, boolean][] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const r = axes.includes(d);
    const last = runs[runs.length - 1];
    if (last && last[1] === r) last[0] *= shape[d];
    else runs.push([shape[d], r]);
  }
  return runs;
}

/**
 * Σ over axes that are not consecutive (BatchNorm2d's [0, 2, 3]): the reduced runs one at a time, innermost
 * first, each a consecutive-axes sum into a Float64Array (partial sums stay unrounded), the last into out.
 * Also the axes that become consecutive once size-1 dims are dropped. False when no reduced dim is longer than 1.
 */
function sumRuns(addon: NativeAddon, x: FloatArr, shape: Shape, axes: readonly number[], out: FloatArr): boolean {
  const runs = runsOf(shape, axes);
  const reducedRuns = runs.filter((r) => r[1]).length;
  if (reducedRuns === 0) return false;
  let cur: FloatArr = x;
  for (let left = reducedRuns; left > 0; left--) {
    let k = runs.length - 1;
    while (!runs[k][1]) k--;
    let outer = 1;
    let inner = 1;
    for (let i = 0; i < k; i++) outer *= runs[i][0];
    for (let i = k + 1; i < runs.length; i++) inner *= runs[i][0];
    const dst = left === 1 ? out : new Float64Array(outer * inner);
    addon.sum(cur, dst, outer, runs[k][0], inner);
    cur = dst;
    // The run is gone: its kept neighbours become one run.
    if (k > 0 && k + 1 < runs.length) runs.splice(k - 1, 3, [runs[k - 1][0] * runs[k + 1][0], false]);
    else runs.splice(k, 1);
  }
  return true;
}

/** Scratch for the fused kernels' settings and the conv geometry (one call at a time: the addon is synchronous). */
const sgdCoef = new Float64Array(6);
const adamCoef = new Float64Array(8);
const geometry = new Int32Array(14);

function setGeometry(shape: Shape, w: Window2d): Int32Array {
  geometry[0] = shape[0]; geometry[1] = shape[1]; geometry[2] = shape[2]; geometry[3] = shape[3];
  geometry[4] = w.kh; geometry[5] = w.kw; geometry[6] = w.sh; geometry[7] = w.sw; geometry[8] = w.ph;
  geometry[9] = w.pw; geometry[10] = w.dh; geometry[11] = w.dw; geometry[12] = w.oh; geometry[13] = w.ow;
  return geometry;
}

/** The native backend over a loaded addon: `{ ...jsBackend, name: 'native', …overrides }`. */
export function createNativeBackend(addon: NativeAddon): Backend {
  return {
    ...jsBackend,
    name: 'native',

    matmul(a: Arr, b: Arr, out: Arr, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
      if (sameFloat(a, b) && sameFloat(a, out)) {
        addon.gemm(a as FloatArr, b as FloatArr, out as FloatArr, batch, m, k, n, transA, transB);
      } else {
        jsBackend.matmul(a, b, out, batch, m, k, n, transA, transB);
      }
    },

    binary(op: BinaryOp, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void {
      const code = BINARY_CODE[op];
      const n = out.length;
      const outOk = code !== undefined && (code < 4 ? sameFloat(a, out) : out instanceof Uint8Array);
      if (outOk && n >= NATIVE_MIN_ELEMENTS.binary && sameFloat(a, b)) {
        const v = binaryView(a.length, aShape, b.length, bShape, outShape, n);
        if (v) {
          addon.binary(code!, a as FloatArr, b as FloatArr, out as FloatArr | Uint8Array, v.rows, v.cols, v.sa[0], v.sa[1], v.sb[0], v.sb[1]);
          return;
        }
      }
      jsBackend.binary(op, a, aShape, b, bShape, out, outShape);
    },

    unary(op: UnaryOp, x: Arr, out: Arr): void {
      const code = UNARY_CODE[op];
      const min = op === 'relu' ? NATIVE_MIN_ELEMENTS.relu : NATIVE_MIN_ELEMENTS.unary;
      if (code !== undefined && x.length >= min && x instanceof Float32Array && out instanceof Float32Array) {
        addon.unary(code, x, out);
      } else {
        jsBackend.unary(op, x, out);
      }
    },

    cast(x: Arr, out: Arr): void {
      // To float types only: to int32 and bool the js kernel's Math.trunc / x ≠ 0 semantics stay in one place.
      if (x.length >= NATIVE_MIN_ELEMENTS.cast && (out instanceof Float32Array || out instanceof Float64Array)) {
        addon.cast(x, out);
      } else {
        jsBackend.cast(x, out);
      }
    },

    reduce(op: ReduceOp, x: Arr, shape: Shape, axes: readonly number[], out: Arr): void {
      if (op === 'sum' && x.length >= NATIVE_MIN_ELEMENTS.sum && sameFloat(x, out)) {
        const split = aroundAxes(shape, axes);
        if (split) {
          addon.sum(x as FloatArr, out as FloatArr, split[0], split[1], split[2]);
          return;
        }
        if (sumRuns(addon, x as FloatArr, shape, axes, out as FloatArr)) return;
      }
      jsBackend.reduce(op, x, shape, axes, out);
    },

    sgdStep(p: FloatArr, g: FloatArr, buf: FloatArr | null, o: SGDStep): void {
      if (p.length < NATIVE_MIN_ELEMENTS.sgdStep || !sameFloat(p, g) || !sameFloatOrNull(p, buf)) {
        jsBackend.sgdStep(p, g, buf, o);
        return;
      }
      // The js kernel's constants, so both compute the same thing.
      sgdCoef[0] = o.lr;
      sgdCoef[1] = o.momentum;
      sgdCoef[2] = o.weightDecay;
      sgdCoef[3] = o.first ? 0 : o.momentum;
      sgdCoef[4] = o.first ? 1 : 1 - o.dampening;
      sgdCoef[5] = o.nesterov ? 1 : 0;
      addon.sgdStep(p, g, buf, sgdCoef);
    },

    adamStep(p: FloatArr, g: FloatArr, m: FloatArr, v: FloatArr, vmax: FloatArr | null, o: AdamStep): void {
      if (p.length < NATIVE_MIN_ELEMENTS.adamStep || !sameFloat(p, g) || !sameFloat(p, m) || !sameFloat(p, v) || !sameFloatOrNull(p, vmax)) {
        jsBackend.adamStep(p, g, m, v, vmax, o);
        return;
      }
      adamCoef[0] = o.beta1;
      adamCoef[1] = o.beta2;
      adamCoef[2] = o.eps;
      adamCoef[3] = o.decoupled ? 0 : o.weightDecay;
      adamCoef[4] = o.lr / (1 - o.beta1 ** o.step);
      adamCoef[5] = Math.sqrt(1 - o.beta2 ** o.step);
      adamCoef[6] = o.decoupled ? 1 - o.lr * o.weightDecay : 1;
      adamCoef[7] = o.decoupled ? 1 : 0;
      addon.adamStep(p, g, m, v, vmax, adamCoef);
    },

    logSoftmax(x: FloatArr, rows: number, cols: number, out: FloatArr): void {
      if (rows * cols >= NATIVE_MIN_ELEMENTS.softmax && sameFloat(x, out)) addon.logSoftmax(x, out, rows, cols);
      else jsBackend.logSoftmax(x, rows, cols, out);
    },

    logSoftmaxBackward(y: FloatArr, g: FloatArr, rows: number, cols: number, out: FloatArr): void {
      if (rows * cols >= NATIVE_MIN_ELEMENTS.softmax && sameFloat(y, g) && sameFloat(y, out)) addon.logSoftmaxBackward(y, g, out, rows, cols);
      else jsBackend.logSoftmaxBackward(y, g, rows, cols, out);
    },

    softmaxCrossEntropy(x: FloatArr, rows: number, cols: number, target: Int32Array, ignoreIndex: number, loss: FloatArr, probs: FloatArr): void {
      if (rows * cols >= NATIVE_MIN_ELEMENTS.softmax && sameFloat(x, probs) && sameFloat(x, loss)) {
        addon.softmaxCrossEntropy(x, probs, loss, target, rows, cols, ignoreIndex);
      } else {
        jsBackend.softmaxCrossEntropy(x, rows, cols, target, ignoreIndex, loss, probs);
      }
    },

    softmaxCrossEntropyBackward(probs: FloatArr, target: Int32Array, ignoreIndex: number, g: FloatArr, rows: number, cols: number, out: FloatArr): void {
      if (rows * cols >= NATIVE_MIN_ELEMENTS.softmax && sameFloat(probs, g) && sameFloat(probs, out)) {
        addon.softmaxCrossEntropyBackward(probs, out, g, target, rows, cols, ignoreIndex);
      } else {
        jsBackend.softmaxCrossEntropyBackward(probs, target, ignoreIndex, g, rows, cols, out);
      }
    },

    activationBackward(op: 'relu' | 'tanh' | 'sigmoid', y: FloatArr, g: FloatArr, out: FloatArr): void {
      if (y.length >= NATIVE_MIN_ELEMENTS.activationBackward && sameFloat(y, g) && sameFloat(y, out)) addon.activationBackward(ACTIVATION_CODE[op], y, g, out);
      else jsBackend.activationBackward(op, y, g, out);
    },

    bceWithLogits(x: FloatArr, t: FloatArr, out: FloatArr): void {
      if (x.length >= NATIVE_MIN_ELEMENTS.bce && sameFloat(x, t) && sameFloat(x, out)) addon.bceWithLogits(x, t, out);
      else jsBackend.bceWithLogits(x, t, out);
    },

    bceWithLogitsBackward(x: FloatArr, t: FloatArr, g: FloatArr | null, gScalar: number, out: FloatArr): void {
      if (x.length >= NATIVE_MIN_ELEMENTS.bceBackward && sameFloat(x, t) && sameFloat(x, out) && sameFloatOrNull(x, g)) {
        addon.bceWithLogitsBackward(x, t, g, out, gScalar);
      } else {
        jsBackend.bceWithLogitsBackward(x, t, g, gScalar, out);
      }
    },

    scatterAdd(out: Arr, outShape: Shape, dim: number, index: Int32Array, indexShape: Shape, src: Arr): void {
      // The [outer, mid, inner] case: index has out's shape except along dim (max pooling's backward).
      if (index.length >= NATIVE_MIN_ELEMENTS.scatterAdd && sameFloat(out, src) && indexShape.length === outShape.length &&
        indexShape.every((d, i) => i === dim || d === outShape[i])) {
        let outer = 1;
        let inner = 1;
        for (let i = 0; i < dim; i++) outer *= outShape[i];
        for (let i = dim + 1; i < outShape.length; i++) inner *= outShape[i];
        addon.scatterAdd(out as FloatArr, src as FloatArr, index, outer, outShape[dim], indexShape[dim], inner);
      } else {
        jsBackend.scatterAdd(out, outShape, dim, index, indexShape, src);
      }
    },

    unfold2d(x: Arr, shape: Shape, win: Window2d, out: Arr): void {
      if (out.length >= NATIVE_MIN_ELEMENTS.conv && sameFloat(x, out)) addon.unfold2d(x as FloatArr, out as FloatArr, setGeometry(shape, win));
      else jsBackend.unfold2d(x, shape, win, out);
    },

    fold2d(cols: Arr, outShape: Shape, win: Window2d, out: Arr): void {
      if (out.length >= NATIVE_MIN_ELEMENTS.conv && sameFloat(cols, out)) addon.fold2d(cols as FloatArr, out as FloatArr, setGeometry(outShape, win));
      else jsBackend.fold2d(cols, outShape, win, out);
    },

    conv2d(x: FloatArr, xShape: Shape, w: FloatArr, wShape: Shape, bias: FloatArr | null, win: Window2d, groups: number, out: FloatArr): void {
      if (sameFloat(x, w) && sameFloat(x, out) && sameFloatOrNull(x, bias)) {
        addon.conv2d(x, w, bias, out, setGeometry(xShape, win), wShape[0], groups);
      } else {
        jsBackend.conv2d(x, xShape, w, wShape, bias, win, groups, out);
      }
    },

    conv2dBackward(
      x: FloatArr, xShape: Shape, w: FloatArr, wShape: Shape, win: Window2d, groups: number, g: FloatArr,
      gx: FloatArr | null, gw: FloatArr | null, gb: FloatArr | null,
    ): void {
      if (sameFloat(x, w) && sameFloat(x, g) && sameFloatOrNull(x, gx) && sameFloatOrNull(x, gw) && sameFloatOrNull(x, gb)) {
        addon.conv2dBackward(x, w, g, gx, gw, gb, setGeometry(xShape, win), wShape[0], groups);
      } else {
        jsBackend.conv2dBackward(x, xShape, w, wShape, win, groups, g, gx, gw, gb);
      }
    },

    maxPool2d(x: Arr, shape: Shape, win: Window2d, out: Arr, argmax: Int32Array): void {
      if (out.length >= NATIVE_MIN_ELEMENTS.conv && sameFloat(x, out)) addon.maxPool2d(x as FloatArr, out as FloatArr, argmax, setGeometry(shape, win));
      else jsBackend.maxPool2d(x, shape, win, out, argmax);
    },
  };
}
