/**
 * Loads the C++ N-API addon (native/*.cc, built by node-gyp into build/Release). Never throws: outside Node, or
 * when the addon is missing or broken, it returns the reason instead, and the js backend is used.
 */

/** The addon's functions (native/addon.cc). Arrays are used in place; sizes are checked there too. */
type FloatArray = Float32Array | Float64Array;

export interface NativeAddon {
  /** out[b] = op(a[b]) · op(b[b]); all Float32Array or all Float64Array. */
  gemm(a: Float32Array | Float64Array, b: Float32Array | Float64Array, out: Float32Array | Float64Array,
    batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
  /**
   * out[r·cols + c] = a[r·ars + c·acs] op b[r·brs + c·bcs]; op 0 add, 1 sub, 2 mul, 3 div (out of a's type),
   * 4 eq, 5 ne, 6 lt, 7 le, 8 gt, 9 ge (out a Uint8Array).
   */
  binary(op: number, a: Float32Array | Float64Array, b: Float32Array | Float64Array, out: Float32Array | Float64Array | Uint8Array,
    rows: number, cols: number, ars: number, acs: number, brs: number, bcs: number): void;
  /** out[i] = x[i] as a typed-array store converts it, into a float array. */
  cast(x: Float32Array | Float64Array | Int32Array | Uint8Array, out: Float32Array | Float64Array): void;
  /** out[i] = op(x[i]) on Float32Array; op 0 relu, 1 exp, 2 tanh, 3 sigmoid. */
  unary(op: number, x: Float32Array, out: Float32Array): void;
  /**
   * out[o·inner + i] = Σ_m x[(o·mid + m)·inner + i], accumulated in float64; x and out may differ in float type
   * (a Float64Array out keeps a partial sum unrounded).
   */
  sum(x: Float32Array | Float64Array, out: Float32Array | Float64Array, outer: number, mid: number, inner: number): void;
  /**
   * Backend.sgdStep with its settings precomputed as the js kernel does: coef = [lr, momentum, weightDecay,
   * keep, take, nesterov ? 1 : 0] (keep = first ? 0 : momentum, take = first ? 1 : 1 − dampening). Arrays of one type.
   */
  sgdStep(p: Float32Array | Float64Array, g: Float32Array | Float64Array, buf: Float32Array | Float64Array | null, coef: Float64Array): void;
  /**
   * Backend.adamStep: coef = [β1, β2, ε, weightDecay (0 for AdamW), lr/(1 − β1ᵗ), √(1 − β2ᵗ), 1 − lr·λ (AdamW; else 1),
   * decoupled ? 1 : 0].
   */
  adamStep(p: Float32Array | Float64Array, g: Float32Array | Float64Array, m: Float32Array | Float64Array,
    v: Float32Array | Float64Array, vmax: Float32Array | Float64Array | null, coef: Float64Array): void;
  /** Backend.logSoftmax. */
  logSoftmax(x: Float32Array | Float64Array, out: Float32Array | Float64Array, rows: number, cols: number): void;
  /** Backend.logSoftmaxBackward. */
  logSoftmaxBackward(y: Float32Array | Float64Array, g: Float32Array | Float64Array, out: Float32Array | Float64Array, rows: number, cols: number): void;
  /** Backend.softmaxCrossEntropy; throws if a target is neither in [0, cols) nor ignoreIndex. */
  softmaxCrossEntropy(x: Float32Array | Float64Array, probs: Float32Array | Float64Array, loss: Float32Array | Float64Array,
    target: Int32Array, rows: number, cols: number, ignoreIndex: number): void;
  /** Backend.softmaxCrossEntropyBackward; the same target check. */
  softmaxCrossEntropyBackward(probs: Float32Array | Float64Array, out: Float32Array | Float64Array, g: Float32Array | Float64Array,
    target: Int32Array, rows: number, cols: number, ignoreIndex: number): void;
  /** Backend.activationBackward; op 0 relu, 1 tanh, 2 sigmoid. */
  activationBackward(op: number, y: Float32Array | Float64Array, g: Float32Array | Float64Array, out: Float32Array | Float64Array): void;
  /** Backend.bceWithLogits. */
  bceWithLogits(x: Float32Array | Float64Array, t: Float32Array | Float64Array, out: Float32Array | Float64Array): void;
  /** Backend.bceWithLogitsBackward (g null: gScalar for every element). */
  bceWithLogitsBackward(x: Float32Array | Float64Array, t: Float32Array | Float64Array, g: Float32Array | Float64Array | null,
    out: Float32Array | Float64Array, gScalar: number): void;
  /**
   * Backend.scatterAdd with out viewed as [outer, midOut, inner] and index/src as [outer, midIdx, inner]; throws if an
   * index is outside [0, midOut) (out untouched then).
   */
  scatterAdd(out: Float32Array | Float64Array, src: Float32Array | Float64Array, index: Int32Array,
    outer: number, midOut: number, midIdx: number, inner: number): void;
  /** Backend.unfold2d; geometry = [N, C, H, W, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow]. */
  unfold2d(x: Float32Array | Float64Array, out: Float32Array | Float64Array, geometry: Int32Array): void;
  /** Backend.fold2d (out zeroed first); the same geometry, of out. */
  fold2d(cols: Float32Array | Float64Array, out: Float32Array | Float64Array, geometry: Int32Array): void;
  /** Backend.conv2d; geometry of x (its window), co output channels in `groups` groups. */
  conv2d(x: FloatArray, w: FloatArray, bias: FloatArray | null, out: FloatArray, geometry: Int32Array, co: number, groups: number): void;
  /** Backend.conv2dBackward; the same geometry; each non-null gradient overwritten. */
  conv2dBackward(
    x: FloatArray, w: FloatArray, g: FloatArray, gx: FloatArray | null, gw: FloatArray | null, gb: FloatArray | null,
    geometry: Int32Array, co: number, groups: number,
  ): void;
  /** Backend.maxPool2d; the same geometry. */
  maxPool2d(x: Float32Array | Float64Array, out: Float32Array | Float64Array, argmax: Int32Array, geometry: Int32Array): void;
  /** Sets the thread count, clamped to [1, cores]; returns the count in effect. */
  setNumThreads(n: number): number;
  getNumThreads(): number;
  /** isa: 'avx2+fma' or 'portable'; cpuAvx2Fma: what the CPU offers; cores this process may use. */
  info(): { isa: 'avx2+fma' | 'portable'; cpuAvx2Fma: boolean; cores: number; threads: number };
  /** Forces the portable C kernels ('portable') or the best the CPU has (anything else); returns the one in use. */
  setIsa(name: 'portable' | 'avx2+fma'): 'portable' | 'avx2+fma';
  /** Single-thread float32 FMA peak in GFLOP/s, measured by a tight loop for about `seconds`. */
  peakGflops(seconds: number): number;
}

/** The addon, or why there is none (a phrase that reads after 'native addon …'). */
export type AddonLoad = { addon: NativeAddon; error?: undefined } | { addon?: undefined; error: string };

/** Where node-gyp puts the addon, relative to this file (src/backend/native/ or dist/backend/native/). */
const ADDON_PATH = '../../../build/Release/backprop_native.node';

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

/** Loads the addon once per call; the caller keeps the result. */
export function loadAddon(): AddonLoad {
  const proc = (globalThis as { process?: NodeProcess }).process;
  if (!proc?.versions?.node) return { error: 'not loaded: not running in Node' };
  // process.getBuiltinModule (Node ≥ 20.16) reaches createRequire without a static 'node:module' import,
  // which would break this file in a browser bundle.
  const mod = proc.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined;
  if (!mod) return { error: `not loaded: Node ${proc.versions.node} has no process.getBuiltinModule (needs 20.16+)` };
  try {
    const addon = mod.createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    if (typeof addon?.gemm !== 'function') return { error: "failed to load: build/Release/backprop_native.node is not Backprop's addon" };
    return { addon };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if ((e as { code?: string }).code === 'MODULE_NOT_FOUND') return { error: 'not built: no build/Release/backprop_native.node' };
    return { error: `failed to load: ${msg.split('\n')[0]}` };
  }
}
