/**
 * The kernel interface. A backend takes typed arrays and shapes and writes typed arrays: it knows nothing
 * of Tensor, autograd or dtype promotion (the ops layer decides those and allocates `out`).
 * Shapes are row-major and contiguous; every `out` has the right length when a kernel is called.
 */
export type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;
export type Shape = readonly number[];
export type FloatArr = Float32Array | Float64Array;

/** One SGD step's settings (PyTorch 1.13 `_single_tensor_sgd`); `first`: the momentum buffer's first step. */
export interface SGDStep {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  first: boolean;
}

/** One Adam/AdamW step's settings; `step` counts from 1; `decoupled`: AdamW's weight decay. */
export interface AdamStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
  decoupled: boolean;
}

export type UnaryOp =
  | 'neg' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'abs' | 'sign' | 'sigmoid' | 'tanh' | 'relu'
  | 'sin' | 'cos' | 'erf' | 'erfc' | 'log1p' | 'expm1' | 'square' | 'reciprocal'
  | 'softplus' | 'floor' | 'ceil' | 'round' | 'not' | 'isnan';

export type BinaryOp =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum'
  | 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'and' | 'or';

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';

/**
 * A 2-D sliding window over the last two dims of an [N, C, H, W] tensor: kernel kh×kw, stride sh×sw, dilation
 * dh×dw, and an oh×ow grid of windows whose first one starts at (−ph, −pw). Window (oy, ox) reads row
 * oy·sh − ph + ki·dh and column ox·sw − pw + kj·dw; positions outside the H×W input are padding.
 */
export interface Window2d {
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  dh: number; dw: number;
  oh: number; ow: number;
}

export interface Backend {
  readonly name: string;
  /** out[i] = op(x[i]) */
  unary(op: UnaryOp, x: Arr, out: Arr): void;
  /**
   * out = op(a, b) with NumPy broadcasting of aShape and bShape to outShape. `out` may be the same array as a full-size
   * `a` (linear adds its bias in place): each element is read before it is written.
   */
  binary(op: BinaryOp, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void;
  /** out = cond ? a : b, all three broadcast to outShape. */
  where(cond: Arr, cShape: Shape, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void;
  /** out[i] = min(max(x[i], lo), hi); lo/hi may be ±Infinity. */
  clamp(x: Arr, lo: number, hi: number, out: Arr): void;
  /** Converts element types (to bool: x ≠ 0; float to int: truncation). */
  cast(x: Arr, out: Arr): void;
  /** Reduces `axes` (sorted) of x; out has the keepdim shape's size. Accumulates in float64. */
  reduce(op: ReduceOp, x: Arr, shape: Shape, axes: readonly number[], out: Arr): void;
  /** Index of the max / min along `axis` (first one on ties). */
  argReduce(op: 'argmax' | 'argmin', x: Arr, shape: Shape, axis: number, out: Int32Array): void;
  /**
   * Batched matrix product: for each of `batch` matrices, out[b] (m×n) = op(A[b]) (m×k) · op(B[b]) (k×n),
   * where A[b] is stored m×k (k×m when transA) and B[b] is k×n (n×k when transB).
   */
  matmul(a: Arr, b: Arr, out: Arr, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
  /** out = x permuted: out dim i is x dim dims[i]. */
  permute(x: Arr, shape: Shape, dims: readonly number[], out: Arr): void;
  /** Copies x broadcast to outShape (x's shape right-aligned, size-1 dims repeated). */
  expand(x: Arr, shape: Shape, outShape: Shape, out: Arr): void;
  /** out = x[..., start : start + step·len : step, ...] along `dim` (len = out's size on dim). */
  slice(x: Arr, shape: Shape, dim: number, start: number, step: number, out: Arr, outShape: Shape): void;
  /** The adjoint of slice: writes src into out (of outShape) at those positions; other entries are untouched. */
  sliceAssign(out: Arr, outShape: Shape, dim: number, start: number, step: number, src: Arr, srcShape: Shape): void;
  /** Concatenates along `dim`. */
  cat(xs: readonly Arr[], shapes: readonly Shape[], dim: number, out: Arr): void;
  /** out = x.index_select(dim, index). */
  indexSelect(x: Arr, shape: Shape, dim: number, index: Int32Array, out: Arr): void;
  /** out.index_add_(dim, index, src): out[…, index[i], …] += src[…, i, …]. */
  indexAdd(out: Arr, outShape: Shape, dim: number, index: Int32Array, src: Arr): void;
  /** out = x.gather(dim, index); index has the same ndim as x and may be smaller in other dims. */
  gather(x: Arr, shape: Shape, dim: number, index: Int32Array, indexShape: Shape, out: Arr): void;
  /** out.scatter_add_(dim, index, src); src has index's shape. */
  scatterAdd(out: Arr, outShape: Shape, dim: number, index: Int32Array, indexShape: Shape, src: Arr): void;
  /**
   * im2col: x [N,C,H,W] → out [N, C·kh·kw, oh·ow], row c·kh·kw + ki·kw + kj holding kernel tap (ki, kj) of channel c
   * for every window; padding reads as 0.
   */
  unfold2d(x: Arr, shape: Shape, win: Window2d, out: Arr): void;
  /** col2im, the adjoint of unfold2d: out [N,C,H,W] (outShape) = the sum of every cols entry that reads that position. */
  fold2d(cols: Arr, outShape: Shape, win: Window2d, out: Arr): void;
  /**
   * Max of each window of x [N,C,H,W] into out [N,C,oh,ow] (padding never wins); argmax gets the winner's index
   * h·W + w within its H×W plane (the first one on ties; a NaN wins).
   */
  maxPool2d(x: Arr, shape: Shape, win: Window2d, out: Arr, argmax: Int32Array): void;
  /**
   * 2-D convolution (cross-correlation) without materialising the im2col columns: x [N, C, H, W] (xShape),
   * w [Co, C/groups, kh, kw] (wShape), bias [Co] or null, out [N, Co, oh, ow] = for each sample n and group g,
   * w_g [Co/groups, taps] · unfold2d(x)[n, g·taps … (g+1)·taps − 1, :] (+ bias per row), taps = C/groups·kh·kw.
   * x, w, bias and out are all of one float kind.
   */
  conv2d(x: FloatArr, xShape: Shape, w: FloatArr, wShape: Shape, bias: FloatArr | null, win: Window2d, groups: number, out: FloatArr): void;
  /**
   * conv2d's backward from the output gradient g [N, Co, oh, ow], each wanted gradient into its non-null array
   * (overwritten): gx [N, C, H, W] = fold2d of w_gᵀ · g[n]_g; gw [Co, C/groups, kh, kw] = Σ_n g[n]_g · cols[n]_gᵀ;
   * gb [Co] = Σ over n and the oh·ow positions of g.
   */
  conv2dBackward(
    x: FloatArr, xShape: Shape, w: FloatArr, wShape: Shape, win: Window2d, groups: number, g: FloatArr,
    gx: FloatArr | null, gw: FloatArr | null, gb: FloatArr | null,
  ): void;

  // ---- fused hot paths: one pass where the composite ops would take several. All arrays of one kind. ----

  /**
   * SGD in place on parameter p with gradient g (not modified), d = g + λ·p:
   * without a buffer p ← p − lr·d; with one, b ← d (first step) or μ·b + (1 − τ)·d, then
   * p ← p − lr·(nesterov ? d + μ·b : b).
   */
  sgdStep(p: FloatArr, g: FloatArr, buf: FloatArr | null, o: SGDStep): void;
  /**
   * Adam/AdamW in place: AdamW p ← p·(1 − lr·λ), Adam g ← g + λ·p; m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
   * v̂ = vmax ← max(vmax, v) with amsgrad (vmax given) else v; p ← p − lr/(1 − β1ᵗ)·m / (√v̂ / √(1 − β2ᵗ) + ε).
   */
  adamStep(p: FloatArr, g: FloatArr, m: FloatArr, v: FloatArr, vmax: FloatArr | null, o: AdamStep): void;
  /** Row-wise log-softmax of x viewed as rows × cols: out[r,c] = x[r,c] − max_r − log Σ_c e^(x[r,c] − max_r). */
  logSoftmax(x: FloatArr, rows: number, cols: number, out: FloatArr): void;
  /** Its backward from the output y and the incoming gradient g: out[r,c] = g[r,c] − e^y[r,c] · Σ_c g[r,c]. */
  logSoftmaxBackward(y: FloatArr, g: FloatArr, rows: number, cols: number, out: FloatArr): void;
  /**
   * Softmax cross-entropy of logits x (rows × cols) at class indices `target` (one per row): loss[r] =
   * logΣe^x[r,·] − x[r, target[r]], and probs = softmax(x) row-wise. Rows whose target is `ignoreIndex` get
   * loss 0 (their probs are still written). Targets are checked by the caller.
   */
  softmaxCrossEntropy(x: FloatArr, rows: number, cols: number, target: Int32Array, ignoreIndex: number, loss: FloatArr, probs: FloatArr): void;
  /**
   * The backward of an activation from its output y: out = g·[y > 0] (relu), g·(1 − y²) (tanh), g·y·(1 − y)
   * (sigmoid).
   */
  activationBackward(op: 'relu' | 'tanh' | 'sigmoid', y: FloatArr, g: FloatArr, out: FloatArr): void;
  /**
   * Binary cross-entropy on logits, elementwise and stable for any x: out = max(x, 0) − x·t + log(1 + e^−|x|).
   * t has x's shape.
   */
  bceWithLogits(x: FloatArr, t: FloatArr, out: FloatArr): void;
  /** Its backward: out = g·(σ(x) − t), with g a single value (`gScalar`) when g is null. */
  bceWithLogitsBackward(x: FloatArr, t: FloatArr, g: FloatArr | null, gScalar: number, out: FloatArr): void;
  /** Its backward: out[r,c] = g[r]·(probs[r,c] − [c = target[r]]); rows with target = ignoreIndex get 0. */
  softmaxCrossEntropyBackward(probs: FloatArr, target: Int32Array, ignoreIndex: number, g: FloatArr, rows: number, cols: number, out: FloatArr): void;
}
