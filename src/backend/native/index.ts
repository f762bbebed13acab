/**
 * The native backend: the js backend with the kernels where native code wins replaced by calls into the C++
 * addon: AVX2/FMA GEMM; elementwise arithmetic, comparisons, casts and activations; sums over consecutive
 * axes. Every other kernel, and every call these do not cover (other dtypes, other broadcast patterns, sizes
 * where the ~0.3 µs call costs more than it saves), runs the js kernel. Arithmetic, comparisons and casts are
 * bit-identical to js; exp/tanh/sigmoid agree to an ulp (float64 polynomials, rounded once: identical on a
 * million random inputs); GEMM and sums round differently (another summation order), within the tested bounds.
 */
import { jsBackend } from '../js/index.js';
import type { Arr, Backend, BinaryOp, ReduceOp, Shape, UnaryOp } from '../types.js';
import type { NativeAddon } from './addon.js';
import { aroundAxes, layoutOf, strides } from '../patterns.js';

export { loadAddon, type AddonLoad, type NativeAddon } from './addon.js';

type FloatArr = Float32Array | Float64Array;

/**
 * Element counts from which the addon beats the js loop (npx tsx bench/gemm.ts --kernels). Below them
 * the js kernel runs. matmul has none: the addon wins from 2×2 on.
 */
export const NATIVE_MIN_ELEMENTS = { binary: 256, unary: 64, relu: 256, sum: 128, cast: 256 };

/** Ops the addon's binary kernel has: arithmetic (out of the inputs' type), then comparisons (out bool). */
const BINARY_CODE: Partial<Record<BinaryOp, number>> = {
  add: 0, sub: 1, mul: 2, div: 3, eq: 4, ne: 5, lt: 6, le: 7, gt: 8, ge: 9,
};
const UNARY_CODE: Partial<Record<UnaryOp, number>> = { relu: 0, exp: 1, tanh: 2, sigmoid: 3 };

/** Both float32 or both float64 (the addon never converts). */
function sameFloat(x: Arr, y: Arr): boolean {
  return (x instanceof Float32Array && y instanceof Float32Array) || (x instanceof Float64Array && y instanceof Float64Array);
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
        const la = layoutOf(a.length, aShape, outShape, n);
        const lb = layoutOf(b.length, bShape, outShape, n);
        if (la && lb) {
          // The rows × cols view: a tiled operand fixes cols, a repeated one fixes rows.
          const tiled = la.kind === 'tile' ? la : lb.kind === 'tile' ? lb : null;
          const repeated = la.kind === 'repeat' ? la : lb.kind === 'repeat' ? lb : null;
          const cols = tiled ? tiled.len : repeated ? n / repeated.len : n;
          const rows = n / cols;
          const sa = strides(la, rows, cols);
          const sb = strides(lb, rows, cols);
          if (sa && sb) {
            addon.binary(code!, a as FloatArr, b as FloatArr, out as FloatArr | Uint8Array, rows, cols, sa[0], sa[1], sb[0], sb[1]);
            return;
          }
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
      }
      jsBackend.reduce(op, x, shape, axes, out);
    },
  };
}
