/**
 * The kernel interface. A backend takes typed arrays and shapes and writes typed arrays: it knows nothing
 * of Tensor, autograd or dtype promotion (the ops layer decides those and allocates `out`).
 * Shapes are row-major and contiguous; every `out` has the right length when a kernel is called.
 */
export type Arr = Float32Array | Float64Array | Int32Array | Uint8Array;
export type Shape = readonly number[];

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
  /** out = op(a, b) with NumPy broadcasting of aShape and bShape to outShape. */
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
}
