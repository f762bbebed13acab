/**
 * Convolution and pooling over NCHW images. Two primitives carry the gradients: unfold (im2col: every sliding
 * window laid out as a column) and fold (col2im: the columns summed back into the image), each the other's
 * adjoint, so each one's backward is the other. conv2d is unfold then a batched matmul with the weight, and
 * convTranspose2d (its exact adjoint) a matmul then fold: both run at matmul's speed on every backend and get
 * gradients of gradients for free. avgPool2d sums unfolded windows; adaptiveAvgPool2d is a product with
 * averaging matrices (its bins are separable); maxPool2d is a primitive kernel that also returns each window's
 * argmax, and its backward scatters the gradient there.
 */
import type { FloatArr, Window2d } from '../backend/types.js';
import { isGradEnabled } from '../autograd/mode.js';
import { type DType, isFloat, promoteTypes } from '../tensor/dtype.js';
import { type Shape, fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { add, div } from './elementwise.js';
import { matmul } from './linalg.js';
import { sum } from './reduce.js';
import { expand, reshape, scatterAdd, squeeze, transpose, unsqueeze } from './shape.js';
import { K, addFlops, cast, empty, expectTensor, record, toFloat } from './util.js';

/** A 2-D size: one number for both spatial dims, or an [h, w] pair. */
export type Size2 = number | readonly [number, number];

export interface Conv2dOptions {
  /** Step between windows (default 1). */
  stride?: Size2;
  /** Zeros added on each side (default 0); 'valid' is 0, 'same' keeps H×W (stride 1 only; any odd extra goes bottom/right). */
  padding?: Size2 | 'valid' | 'same';
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Channel groups: group g maps input channels [g·C/groups, (g+1)·C/groups) to its share of the outputs (default 1). */
  groups?: number;
}

export interface ConvTranspose2dOptions {
  stride?: Size2;
  /** The padding of the conv2d this op is the adjoint of: removed from each side of the output (default 0). */
  padding?: Size2;
  /** Extra rows/columns added at the bottom/right of the output, to pick one of the sizes a strided conv maps from (default 0). */
  outputPadding?: Size2;
  dilation?: Size2;
  groups?: number;
}

export interface MaxPool2dOptions {
  /** Window size; may be given here instead of as the second argument. */
  kernelSize?: Size2;
  /** Step between windows (default: kernelSize). */
  stride?: Size2 | null;
  /** −∞ added on each side (default 0; at most half the dilated kernel). */
  padding?: Size2;
  dilation?: Size2;
  /** Round the output size up instead of down: a last, partial window is kept if it starts inside the input or left padding. */
  ceilMode?: boolean;
}

export interface AvgPool2dOptions {
  kernelSize?: Size2;
  stride?: Size2 | null;
  /** Zeros added on each side (default 0; at most half the kernel). */
  padding?: Size2;
  ceilMode?: boolean;
  /** Divide by the window's area including padding (default true) or by the number of input elements it covers. */
  countIncludePad?: boolean;
  /** Divide every window's sum by this number instead. */
  divisorOverride?: number | null;
}

export interface UnfoldOptions {
  stride?: Size2;
  padding?: Size2;
  dilation?: Size2;
}

// ---- the primitives: unfold and fold, each the other's adjoint ----

/** x [N,C,H,W] → [N, C·kh·kw, oh·ow]: the windows of `win` as columns (PyTorch's unfold layout). */
function unfoldWindows(x: Tensor, win: Window2d): Tensor {
  const out = empty([x.shape[0], x.shape[1] * win.kh * win.kw, win.oh * win.ow], x.dtype);
  K().unfold2d(x._data, x.shape, win, out._data);
  return record(out, 'unfold', [x], (g) => [foldWindows(g, x.shape, win)]);
}

/** cols [N, C·kh·kw, oh·ow] → [N,C,H,W] (`shape`): each column added back where its window reads. */
function foldWindows(cols: Tensor, shape: Shape, win: Window2d): Tensor {
  const out = empty(shape, cols.dtype);
  K().fold2d(cols._data, shape, win, out._data);
  return record(out, 'fold', [cols], (g) => [unfoldWindows(g, win)]);
}

// ---- argument checks ----

function pair(op: string, name: string, v: Size2 | undefined, fallback: number, min: number): [number, number] {
  const p = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min)) {
    const what = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new Error(`${op}: ${name} must be ${what} or an [h, w] pair of them, got ${JSON.stringify(v)}`);
  }
  return [p[0], p[1]];
}

function checkGroups(op: string, groups: number | undefined): number {
  const g = groups ?? 1;
  if (!Number.isInteger(g) || g < 1) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  return g;
}

/** The common float dtype of the operands (float32 for int inputs). */
function floatType(...ts: Tensor[]): DType {
  const d = ts.map((t) => t.dtype).reduce(promoteTypes);
  return isFloat(d) ? d : 'float32';
}

/** Runs `fn` on x as [N,C,H,W]; an unbatched [C,H,W] input gets a batch of one, removed again (as PyTorch). */
function batched(op: string, x: Tensor, fn: (x4: Tensor) => Tensor): Tensor {
  expectTensor(op, 'input', x);
  if (x.ndim === 4) return fn(x);
  if (x.ndim === 3) return squeeze(fn(unsqueeze(x, 0)), 0);
  throw new Error(`${op}: input must be 4-D [N, C, H, W] or 3-D [C, H, W], got ${fmtShape(x.shape)}`);
}

function checkBias(op: string, bias: Tensor | null | undefined, channels: number, why: string): void {
  if (bias === null || bias === undefined) return;
  if (!(bias instanceof Tensor)) {
    throw new Error(`${op}: bias must be a Tensor or null, got ${typeof bias} (options go in the 4th argument: ${op}(x, w, null, { … }))`);
  }
  if (bias.ndim !== 1 || bias.shape[0] !== channels) throw new Error(`${op}: bias must have shape [${channels}] (${why}), got ${fmtShape(bias.shape)}`);
}

function checkOutput(op: string, x: Tensor, oh: number, ow: number, pad: [number, number], kernel: [number, number]): void {
  if (oh > 0 && ow > 0) return;
  throw new Error(
    `${op}: output size [${oh},${ow}] is not positive: input ${fmtShape(x.shape)} with padding [${pad}] ` +
      `is smaller than the ${kernel.join('×')} (dilated) kernel`,
  );
}

// ---- convolution ----

/** One output size of a convolution: ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1. */
const convSize = (n: number, k: number, s: number, p: number, d: number): number => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;

/**
 * 2-D convolution (cross-correlation, as PyTorch): x [N, C, H, W] (or [C, H, W]), weight [Cout, C/groups, kh, kw],
 * bias [Cout]; gives [N, Cout, Hout, Wout] with Hout = ⌊(H + 2p − d(kh−1) − 1)/s⌋ + 1.
 * One fused kernel each way (im2col into a per-sample scratch buffer, then a GEMM per group); a graph of the
 * gradient, when wanted, is composed from unfold, fold and matmul.
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return batched('conv2d', input, (x) => {
    expectTensor('conv2d', 'weight', weight);
    if (weight.ndim !== 4) throw new Error(`conv2d: weight must be 4-D [outChannels, inChannels/groups, kh, kw], got ${fmtShape(weight.shape)}`);
    const [N, C] = x.shape;
    const [Co, Cg, kh, kw] = weight.shape;
    if (kh === 0 || kw === 0) throw new Error(`conv2d: weight ${fmtShape(weight.shape)} has an empty kernel`);
    const groups = checkGroups('conv2d', options.groups);
    if (Co % groups !== 0) throw new Error(`conv2d: groups ${groups} does not divide the ${Co} output channels of weight ${fmtShape(weight.shape)}`);
    if (C % groups !== 0) throw new Error(`conv2d: groups ${groups} does not divide the ${C} channels of input ${fmtShape(x.shape)}`);
    if (C !== Cg * groups) {
      throw new Error(`conv2d: input ${fmtShape(x.shape)} has ${C} channels but weight ${fmtShape(weight.shape)} expects ${Cg}·groups = ${Cg * groups}`);
    }
    checkBias('conv2d', bias, Co, `one per output channel of weight ${fmtShape(weight.shape)}`);
    const win = convWindow(x, kh, kw, options);
    const dtype = floatType(x, weight);
    const xd = cast(x, dtype);
    const wd = cast(weight, dtype);
    const bd = bias ? cast(bias, dtype) : null;
    // One kernel: each sample's columns are unfolded into a scratch buffer and multiplied there, so neither the
    // [N, C·kh·kw, L] column tensor nor a copy of the weight per sample is made.
    const out = empty([N, Co, win.oh, win.ow], dtype);
    K().conv2d(xd._data as FloatArr, xd.shape, wd._data as FloatArr, wd.shape, bd ? (bd._data as FloatArr) : null, win, groups, out._data as FloatArr);
    const flops = 2 * N * Co * Cg * kh * kw * win.oh * win.ow;
    addFlops(flops);
    return record(out, 'conv2d', bd ? [xd, wd, bd] : [xd, wd], (g) => {
      // A graph of the gradient is wanted: the same gradients composed from differentiable ops.
      if (isGradEnabled()) return conv2dGrads(xd, wd, bd, g, win, groups);
      const gx = xd._requiresGrad ? empty(xd.shape, dtype) : null;
      const gw = wd._requiresGrad ? empty(wd.shape, dtype) : null;
      const gb = bd?._requiresGrad ? empty(bd.shape, dtype) : null;
      K().conv2dBackward(
        xd._data as FloatArr, xd.shape, wd._data as FloatArr, wd.shape, win, groups, g._data as FloatArr,
        gx ? (gx._data as FloatArr) : null, gw ? (gw._data as FloatArr) : null, gb ? (gb._data as FloatArr) : null,
      );
      addFlops(((gx ? 1 : 0) + (gw ? 1 : 0)) * flops);
      return [gx, gw, gb];
    });
  });
}

/**
 * conv2d's gradients as ops (so they are differentiable again), from the im2col form y[n]_g = w_g · cols[n]_g:
 * gx = fold(w_gᵀ · g[n]_g), gw = Σ_n g[n]_g · cols[n]_gᵀ, gb = Σ_{n, h, w} g.
 */
function conv2dGrads(x: Tensor, w: Tensor, b: Tensor | null, g: Tensor, win: Window2d, groups: number): (Tensor | null)[] {
  const [N, C] = x.shape;
  const [Co, Cg, kh, kw] = w.shape;
  const taps = Cg * kh * kw;
  const L = win.oh * win.ow;
  const gg = reshape(g, [N, groups, Co / groups, L]);
  const wg = reshape(w, [groups, Co / groups, taps]);
  // [groups, taps, Cout/groups] @ [N, groups, Cout/groups, L] → [N, groups, taps, L]: the columns' gradient.
  const gx = x._requiresGrad ? foldWindows(reshape(matmul(transpose(wg, 1, 2), gg), [N, C * kh * kw, L]), x.shape, win) : null;
  let gw: Tensor | null = null;
  if (w._requiresGrad) {
    const cols = reshape(unfoldWindows(x, win), [N, groups, taps, L]);
    gw = reshape(sum(matmul(gg, transpose(cols, 2, 3)), 0), w.shape);
  }
  const gb = b?._requiresGrad ? sum(g, [0, 2, 3]) : null;
  return [gx, gw, gb];
}

/**
 * out [N, C, H, W] + bias [C] per channel, as [N, C·H·W] + the bias repeated H·W times ([C·H·W]): a row operand
 * tiled down the rows, which the accelerated backends add in one pass (a [C, 1, 1] operand broadcasts in the
 * middle of the shape, which they leave to the js kernel's index walk). The backward sums over N, then H·W.
 */
function addChannelBias(out: Tensor, bias: Tensor): Tensor {
  const [N, C, H, W] = out.shape;
  const L = H * W;
  const tiled = reshape(expand(reshape(bias, [C, 1]), [C, L]), [C * L]);
  return reshape(add(reshape(out, [N, C * L]), tiled), out.shape);
}

/** conv2d's window: stride, dilation and padding checked; 'same' puts the odd padding past the grid's end (bottom/right, as PyTorch). */
function convWindow(x: Tensor, kh: number, kw: number, options: Conv2dOptions): Window2d {
  const [H, W] = [x.shape[2], x.shape[3]];
  const [sh, sw] = pair('conv2d', 'stride', options.stride, 1, 1);
  const [dh, dw] = pair('conv2d', 'dilation', options.dilation, 1, 1);
  let win: Window2d;
  if (options.padding === 'same') {
    if (sh !== 1 || sw !== 1) throw new Error(`conv2d: padding 'same' needs stride 1, got stride [${sh},${sw}]`);
    win = { kh, kw, sh, sw, ph: Math.floor((dh * (kh - 1)) / 2), pw: Math.floor((dw * (kw - 1)) / 2), dh, dw, oh: H, ow: W };
  } else {
    const [ph, pw] = pair('conv2d', 'padding', options.padding === 'valid' ? 0 : options.padding, 0, 0);
    win = { kh, kw, sh, sw, ph, pw, dh, dw, oh: convSize(H, kh, sh, ph, dh), ow: convSize(W, kw, sw, pw, dw) };
  }
  checkOutput('conv2d', x, win.oh, win.ow, [win.ph, win.pw], [dh * (kh - 1) + 1, dw * (kw - 1) + 1]);
  return win;
}

/**
 * Transposed convolution, the exact adjoint (gradient with respect to the input) of conv2d with the same weight:
 * x [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw] (note the order), bias [Cout]; gives [N, Cout, Hout, Wout]
 * with Hout = (H − 1)s − 2p + d(kh − 1) + outputPadding + 1. Computed as a batched matmul then fold.
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  return batched('convTranspose2d', input, (x) => {
    const { groups, outShape, win } = transposedGeometry(x, weight, bias, options);
    const [N, C, H, W] = x.shape;
    const [Co, kh, kw] = [outShape[1], weight.shape[2], weight.shape[3]];
    const taps = (Co / groups) * kh * kw;
    const dtype = floatType(x, weight);
    // [groups, taps, Cin/groups] @ [N, groups, Cin/groups, H·W] → [N, groups, taps, H·W]: the columns of a conv2d's input.
    const wt = transpose(reshape(cast(weight, dtype), [groups, C / groups, taps]), 1, 2);
    const cols = matmul(wt, reshape(cast(x, dtype), [N, groups, C / groups, H * W]));
    const out = foldWindows(reshape(cols, [N, Co * kh * kw, H * W]), outShape, win);
    return bias ? addChannelBias(out, cast(bias, dtype)) : out;
  });
}

/** convTranspose2d's checks; the output shape and the window grid (the input's H×W) of the conv2d it is the adjoint of. */
function transposedGeometry(
  x: Tensor, weight: Tensor, bias: Tensor | null | undefined, options: ConvTranspose2dOptions,
): { groups: number; outShape: number[]; win: Window2d } {
  const op = 'convTranspose2d';
  expectTensor(op, 'weight', weight);
  if (weight.ndim !== 4) throw new Error(`${op}: weight must be 4-D [inChannels, outChannels/groups, kh, kw], got ${fmtShape(weight.shape)}`);
  const [N, C, H, W] = x.shape;
  const [Ci, Cog, kh, kw] = weight.shape;
  if (kh === 0 || kw === 0) throw new Error(`${op}: weight ${fmtShape(weight.shape)} has an empty kernel`);
  const groups = checkGroups(op, options.groups);
  if (C !== Ci) {
    throw new Error(`${op}: input ${fmtShape(x.shape)} has ${C} channels but weight ${fmtShape(weight.shape)} expects ${Ci} (weight is [inChannels, outChannels/groups, kh, kw])`);
  }
  if (C % groups !== 0) throw new Error(`${op}: groups ${groups} does not divide the ${C} channels of input ${fmtShape(x.shape)}`);
  checkBias(op, bias, Cog * groups, `outChannels/groups ${Cog} · groups ${groups}`);
  const [sh, sw] = pair(op, 'stride', options.stride, 1, 1);
  const [ph, pw] = pair(op, 'padding', options.padding, 0, 0);
  const [dh, dw] = pair(op, 'dilation', options.dilation, 1, 1);
  const [oph, opw] = pair(op, 'outputPadding', options.outputPadding, 0, 0);
  if ((oph >= sh && oph >= dh) || (opw >= sw && opw >= dw)) {
    throw new Error(`${op}: outputPadding [${oph},${opw}] must be smaller than stride [${sh},${sw}] or dilation [${dh},${dw}] in each dim`);
  }
  const Ho = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1;
  const Wo = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1;
  if (Ho <= 0 || Wo <= 0) {
    throw new Error(`${op}: output size [${Ho},${Wo}] is not positive for input ${fmtShape(x.shape)}, kernel [${kh},${kw}] and padding [${ph},${pw}]`);
  }
  // The grid is the input's H×W; with outputPadding ≥ stride it covers fewer rows than a conv of Ho would make.
  return { groups, outShape: [N, Cog * groups, Ho, Wo], win: { kh, kw, sh, sw, ph, pw, dh, dw, oh: H, ow: W } };
}

/**
 * PyTorch's F.unfold (im2col): x [N, C, H, W] → [N, C·kh·kw, L], one column per sliding window, L = Hout·Wout.
 * Row c·kh·kw + i·kw + j holds kernel tap (i, j) of channel c; padding reads as 0.
 */
export function unfold(input: Tensor, kernelSize: Size2, options: UnfoldOptions = {}): Tensor {
  expectTensor('unfold', 'input', input);
  if (input.ndim !== 4) throw new Error(`unfold: input must be 4-D [N, C, H, W], got ${fmtShape(input.shape)}`);
  const win = slidingWindow('unfold', input.shape[2], input.shape[3], kernelSize, options);
  checkOutput('unfold', input, win.oh, win.ow, [win.ph, win.pw], [win.dh * (win.kh - 1) + 1, win.dw * (win.kw - 1) + 1]);
  return unfoldWindows(toFloat(input), win);
}

/**
 * PyTorch's F.fold (col2im), unfold's adjoint: cols [N, C·kh·kw, L] → [N, C, H, W] with H×W = outputSize, each
 * column's entries added at the positions its window covers. L must be the number of windows that fit.
 */
export function fold(input: Tensor, outputSize: Size2, kernelSize: Size2, options: UnfoldOptions = {}): Tensor {
  expectTensor('fold', 'input', input);
  if (input.ndim !== 3) throw new Error(`fold: input must be 3-D [N, C·kh·kw, L], got ${fmtShape(input.shape)}`);
  const [H, W] = pair('fold', 'outputSize', outputSize, 0, 1);
  const win = slidingWindow('fold', H, W, kernelSize, options);
  const [N, CK, L] = input.shape;
  if (CK % (win.kh * win.kw) !== 0) {
    throw new Error(`fold: input ${fmtShape(input.shape)} dim 1 (${CK}) is not a multiple of the kernel's ${win.kh}·${win.kw} taps`);
  }
  if (L !== win.oh * win.ow) {
    throw new Error(`fold: input ${fmtShape(input.shape)} has ${L} columns but ${win.oh}×${win.ow} = ${win.oh * win.ow} windows fit in outputSize [${H},${W}]`);
  }
  return foldWindows(toFloat(input), [N, CK / (win.kh * win.kw), H, W], win);
}

function slidingWindow(op: string, H: number, W: number, kernelSize: Size2, o: UnfoldOptions): Window2d {
  const [kh, kw] = pair(op, 'kernelSize', kernelSize, 1, 1);
  const [sh, sw] = pair(op, 'stride', o.stride, 1, 1);
  const [ph, pw] = pair(op, 'padding', o.padding, 0, 0);
  const [dh, dw] = pair(op, 'dilation', o.dilation, 1, 1);
  return { kh, kw, sh, sw, ph, pw, dh, dw, oh: convSize(H, kh, sh, ph, dh), ow: convSize(W, kw, sw, pw, dw) };
}

// ---- pooling ----

/** PyTorch's pooling output size: floor (or ceil) of (n + 2p − d(k−1) − 1)/s + 1, minus a last window starting past n + p. */
function poolSize(n: number, k: number, s: number, p: number, d: number, ceil: boolean): number {
  let o = Math.floor((n + 2 * p - d * (k - 1) - 1 + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= n + p) o--;
  return o;
}

/** The window of a pooling op, checked as PyTorch checks it. `kernelSize` may come in the options instead. */
function poolWindow(
  op: string, x: Tensor, kernelSize: Size2 | undefined,
  o: { stride?: Size2 | null; padding?: Size2; dilation?: Size2; ceilMode?: boolean },
): Window2d {
  if (kernelSize === undefined) throw new Error(`${op}: kernelSize is required (as the second argument or in the options)`);
  const [kh, kw] = pair(op, 'kernelSize', kernelSize, 1, 1);
  const [sh, sw] = pair(op, 'stride', o.stride ?? [kh, kw], 1, 1);
  const [ph, pw] = pair(op, 'padding', o.padding, 0, 0);
  const [dh, dw] = pair(op, 'dilation', o.dilation, 1, 1);
  const [eh, ew] = [dh * (kh - 1) + 1, dw * (kw - 1) + 1];
  if (ph > Math.floor(eh / 2) || pw > Math.floor(ew / 2)) {
    throw new Error(`${op}: padding [${ph},${pw}] must be at most half the ${eh}×${ew} (dilated) kernel`);
  }
  const [H, W] = [x.shape[2], x.shape[3]];
  const ceil = o.ceilMode ?? false;
  const win = { kh, kw, sh, sw, ph, pw, dh, dw, oh: poolSize(H, kh, sh, ph, dh, ceil), ow: poolSize(W, kw, sw, pw, dw, ceil) };
  checkOutput(op, x, win.oh, win.ow, [ph, pw], [eh, ew]);
  return win;
}

/** `f(x, k, options)` or `f(x, { kernelSize, … })`. */
function splitArgs<T extends { kernelSize?: Size2 }>(kernelOrOptions: Size2 | T, options: T): [Size2 | undefined, T] {
  if (typeof kernelOrOptions === 'number' || Array.isArray(kernelOrOptions)) return [kernelOrOptions as Size2, options];
  const o = (kernelOrOptions ?? {}) as T;
  return [o.kernelSize, o];
}

/**
 * Max over each kh×kw window of x [N, C, H, W] (or [C, H, W]); padding counts as −∞. The gradient goes to each
 * window's maximum (the first one on ties) and accumulates where windows overlap.
 * `maxPool2d(x, 2)` or `maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 })`.
 */
export function maxPool2d(input: Tensor, kernelSize: Size2 | MaxPool2dOptions, options: MaxPool2dOptions = {}): Tensor {
  const [k, o] = splitArgs(kernelSize, options);
  return batched('maxPool2d', input, (x) => {
    const win = poolWindow('maxPool2d', x, k, o);
    x = toFloat(x);
    const [N, C, H, W] = x.shape;
    const out = empty([N, C, win.oh, win.ow], x.dtype);
    const argmax = new Int32Array(out.numel());
    K().maxPool2d(x._data, x.shape, win, out._data, argmax);
    if (argmax.includes(-1)) {
      throw new Error(`maxPool2d: a window covers only padding (input ${fmtShape(x.shape)}, kernel [${win.kh},${win.kw}], dilation [${win.dh},${win.dw}], padding [${win.ph},${win.pw}]); its max would be −∞`);
    }
    const index = new Tensor(argmax, [N, C, win.oh * win.ow]);
    return record(out, 'maxPool2d', [x], (g) => {
      const flat = scatterAdd(empty([N, C, H * W], g.dtype), 2, index, reshape(g, index.shape));
      return [reshape(flat, x.shape)];
    });
  });
}

/**
 * Mean over each kh×kw window of x [N, C, H, W] (or [C, H, W]). The divisor is the window's area clipped to the
 * padded input (countIncludePad, the default) or the number of input elements it covers, or divisorOverride.
 */
export function avgPool2d(input: Tensor, kernelSize: Size2 | AvgPool2dOptions, options: AvgPool2dOptions = {}): Tensor {
  const [k, o] = splitArgs(kernelSize, options);
  return batched('avgPool2d', input, (x) => {
    const win = poolWindow('avgPool2d', x, k, { ...o, dilation: 1 });
    const d = o.divisorOverride;
    if (d !== undefined && d !== null && !(Number.isFinite(d) && d !== 0)) {
      throw new Error(`avgPool2d: divisorOverride must be a non-zero number, got ${d}`);
    }
    x = toFloat(x);
    const [N, C, H, W] = x.shape;
    const sums = sum(unfoldWindows(reshape(x, [N * C, 1, H, W]), win), 1); // [N·C, oh·ow]
    const divisor = empty([win.oh * win.ow], x.dtype);
    const dv = divisor._data;
    for (let oy = 0; oy < win.oh; oy++) {
      const [rows, realRows] = windowExtent(oy * win.sh - win.ph, win.kh, H, win.ph);
      for (let ox = 0; ox < win.ow; ox++) {
        const [cols, realCols] = windowExtent(ox * win.sw - win.pw, win.kw, W, win.pw);
        dv[oy * win.ow + ox] = d ?? ((o.countIncludePad ?? true) ? rows * cols : realRows * realCols);
      }
    }
    return reshape(div(sums, divisor), [N, C, win.oh, win.ow]);
  });
}

/** A window starting at `start` of length k along an axis of size n padded by p: [its length within the padded axis, within the input]. */
function windowExtent(start: number, k: number, n: number, p: number): [number, number] {
  const end = Math.min(start + k, n + p);
  return [end - start, Math.min(end, n) - Math.max(start, 0)];
}

/**
 * Averages x [N, C, H, W] (or [C, H, W]) into an outputSize grid of bins: bin i of o along an axis of size n covers
 * [⌊i·n/o⌋, ⌈(i+1)·n/o⌉). An entry of outputSize may be null to keep that dim's size.
 * The bins are separable, so the result is A_h · x · A_wᵀ with averaging matrices A.
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly [number | null, number | null]): Tensor {
  return batched('adaptiveAvgPool2d', input, (x) => {
    const [, , H, W] = x.shape;
    if (H === 0 || W === 0) throw new Error(`adaptiveAvgPool2d: input ${fmtShape(x.shape)} has an empty spatial dim; expected H, W > 0`);
    const sizes = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
    const [oh, ow] = pair('adaptiveAvgPool2d', 'outputSize', [sizes?.[0] ?? H, sizes?.[1] ?? W] as [number, number], 1, 1);
    x = toFloat(x);
    const rowsT = transpose(binMatrix(W, ow, x.dtype), 0, 1); // [W, ow]
    return matmul(matmul(binMatrix(H, oh, x.dtype), x), rowsT);
  });
}

/** [o, n] matrix whose row i averages bin i = [⌊i·n/o⌋, ⌈(i+1)·n/o⌉). */
function binMatrix(n: number, o: number, dtype: DType): Tensor {
  const m = empty([o, n], dtype);
  const d = m._data;
  for (let i = 0; i < o; i++) {
    const s = Math.floor((i * n) / o);
    const e = Math.ceil(((i + 1) * n) / o);
    for (let j = s; j < e; j++) d[i * n + j] = 1 / (e - s);
  }
  return m;
}
