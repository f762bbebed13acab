/** Losses, composed from primitives in their numerically stable forms. Class dim is 1, as in PyTorch. */
import { isFloat } from '../tensor/dtype.js';
import { fmtShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { abs, add, div, lt, log, maximum, mul, ne, neg, sigmoid, softplusPrimitive, sub, where } from './elementwise.js';
import { mean, sum, sumDiv } from './reduce.js';
import { expand, gather, indexSelect, reshape, squeeze, unsqueeze } from './shape.js';
import { isGradEnabled } from '../autograd/mode.js';
import type { FloatArr } from '../backend/types.js';
import { K, addFlops, cast, empty, expectTensor, lift, record } from './util.js';
import { logSoftmax, softmax } from './activation.js';

export type Reduction = 'mean' | 'sum' | 'none';

function checkReduction(op: string, r: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw new Error(`${op}: reduction must be 'mean', 'sum' or 'none', got '${r}'`);
  return r;
}

function reduce(op: string, loss: Tensor, reduction: Reduction = 'mean'): Tensor {
  switch (checkReduction(op, reduction)) {
    case 'mean': return mean(loss);
    case 'sum': return sum(loss);
    case 'none': return loss;
  }
}

function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  expectTensor(op, 'input', input);
  expectTensor(op, 'target', target);
  if (!shapesEqual(input.shape, target.shape)) {
    throw new Error(
      `${op}: input ${fmtShape(input.shape)} and target ${fmtShape(target.shape)} must have the same shape ` +
        '(broadcasting them is almost always a bug: reshape one of them)',
    );
  }
}

function floatTarget(op: string, input: Tensor, target: Tensor): Tensor {
  if (!isFloat(target.dtype)) {
    throw new Error(`${op}: target must be a float tensor like the input, got dtype ${target.dtype}`);
  }
  return cast(target, input.dtype);
}

export interface ReductionOptions {
  reduction?: Reduction;
}

/** Mean squared error (x − y)². The target gets a gradient too. */
export function mseLoss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkSameShape('mseLoss', input, target);
  const d = sub(input, floatTarget('mseLoss', input, target));
  return reduce('mseLoss', mul(d, d), options.reduction);
}

/** Mean absolute error |x − y|. */
export function l1Loss(input: Tensor, target: Tensor, options: ReductionOptions = {}): Tensor {
  checkSameShape('l1Loss', input, target);
  return reduce('l1Loss', abs(sub(input, floatTarget('l1Loss', input, target))), options.reduction);
}

/** Huber: ½d² for |d| < δ, δ(|d| − ½δ) beyond (quadratic near 0, linear in the tails). */
export function huberLoss(input: Tensor, target: Tensor, options: ReductionOptions & { delta?: number } = {}): Tensor {
  checkSameShape('huberLoss', input, target);
  const delta = options.delta ?? 1;
  if (!(delta > 0)) throw new Error(`huberLoss: delta must be positive, got ${delta}`);
  const d = sub(input, floatTarget('huberLoss', input, target));
  const a = abs(d);
  const loss = where(lt(a, delta), mul(mul(d, d), 0.5), mul(sub(a, 0.5 * delta), delta));
  return reduce('huberLoss', loss, options.reduction);
}

/** Smooth L1: ½d²/β for |d| < β, |d| − ½β beyond; β = 0 is the L1 loss. */
export function smoothL1Loss(input: Tensor, target: Tensor, options: ReductionOptions & { beta?: number } = {}): Tensor {
  checkSameShape('smoothL1Loss', input, target);
  const beta = options.beta ?? 1;
  if (!(beta >= 0)) throw new Error(`smoothL1Loss: beta must be non-negative, got ${beta}`);
  const d = sub(input, floatTarget('smoothL1Loss', input, target));
  const a = abs(d);
  if (beta === 0) return reduce('smoothL1Loss', a, options.reduction);
  const loss = where(lt(a, beta), div(mul(mul(d, d), 0.5), beta), sub(a, 0.5 * beta));
  return reduce('smoothL1Loss', loss, options.reduction);
}

export interface BCEOptions extends ReductionOptions {
  /** Per-element weight, broadcast against the input. */
  weight?: Tensor | null;
}

/**
 * Binary cross-entropy on probabilities: −w(t·ln p + (1−t)·ln(1−p)), each log clamped at −100 as PyTorch does.
 * Prefer binaryCrossEntropyWithLogits: it is stable where p rounds to 0 or 1.
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, options: BCEOptions = {}): Tensor {
  checkSameShape('binaryCrossEntropy', input, target);
  const t = floatTarget('binaryCrossEntropy', input, target);
  const p = input._data;
  for (let i = 0; i < p.length; i++) {
    if (!(p[i] >= 0 && p[i] <= 1)) {
      throw new Error(`binaryCrossEntropy: input must hold probabilities in [0, 1], found ${p[i]} at flat index ${i} (use binaryCrossEntropyWithLogits on raw scores)`);
    }
  }
  const logP = maximum(log(input), -100);
  const log1mP = maximum(log(sub(1, input)), -100);
  let loss = neg(add(mul(t, logP), mul(sub(1, t), log1mP)));
  if (options.weight) loss = mul(loss, options.weight);
  return reduce('binaryCrossEntropy', loss, options.reduction);
}

export interface BCEWithLogitsOptions extends BCEOptions {
  /** Weight of positive examples, broadcast over the last dim (one per class). */
  posWeight?: Tensor | null;
}

/**
 * BCE on logits as one fused kernel each way, reduced ('sum', 'mean') inside the same recorded op so that its
 * backward is one kernel call with the single incoming value, where separate ops would first broadcast it to x's
 * shape (the values, forward and backward, are those of the separate ops bit for bit). The backward, g·(σ(x) − t)
 * for x and −g·x for t (the loss is linear in t), is composed from ops when a graph of the gradient is wanted.
 */
function fusedBCEWithLogits(x: Tensor, t: Tensor, reduction: Reduction): Tensor {
  const elems = empty(x.shape, x.dtype);
  K().bceWithLogits(x._data as FloatArr, t._data as FloatArr, elems._data as FloatArr);
  const n = elems.numel();
  addFlops(5 * n);
  const all = allDims(x.ndim);
  // elems is not recorded, so neither is its reduction: the op below records both.
  const out = reduction === 'none' ? elems : reduction === 'mean' ? sumDiv('mean', elems, all, false, n) : sum(elems, all);
  return record(out, 'binaryCrossEntropyWithLogits', [x, t], (g) => {
    // The gradient of each element's loss: g itself, or its single value (÷ n for the mean) for every element.
    const ge = (): Tensor =>
      reduction === 'none' ? g : cast(expand(reshape(reduction === 'mean' ? div(g, n) : g, x.shape.map(() => 1)), x.shape), x.dtype);
    const gt = t._requiresGrad ? neg(mul(ge(), x)) : null;
    if (isGradEnabled()) return [x._requiresGrad ? mul(ge(), sub(sigmoid(x), t)) : null, gt];
    if (!x._requiresGrad) return [null, gt];
    const gx = empty(x.shape, x.dtype);
    if (reduction === 'none') {
      const gd = (g.dtype === x.dtype ? g : cast(g, x.dtype))._data as FloatArr;
      K().bceWithLogitsBackward(x._data as FloatArr, t._data as FloatArr, gd, 0, gx._data as FloatArr);
    } else {
      // div(g, n) in g's dtype, as the composed path computes it, then read as the kernel's single value.
      const g0 = reduction === 'mean' ? divValue(g, n) : g._data[0];
      K().bceWithLogitsBackward(x._data as FloatArr, t._data as FloatArr, null, x.dtype === 'float32' ? Math.fround(g0) : g0, gx._data as FloatArr);
    }
    addFlops(4 * n);
    return [gx, gt];
  });
}

/**
 * The value of div(g, n) for a one-element float g, without the op: the quotient in g's precision (a float32
 * quotient rounded once from the double one is the correctly rounded float32 quotient, as the kernel gives).
 */
function divValue(g: Tensor, n: number): number {
  return g.dtype === 'float32' ? Math.fround(g._data[0] / Math.fround(n)) : g._data[0] / n;
}

function allDims(ndim: number): number[] {
  const dims = new Array<number>(ndim);
  for (let i = 0; i < ndim; i++) dims[i] = i;
  return dims;
}

/**
 * Binary cross-entropy on logits, stable for any x: (1−t)·x + (1 + (pw−1)·t)·softplus(−x).
 * Equals BCE(sigmoid(x), t) without ever forming sigmoid(x).
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, options: BCEWithLogitsOptions = {}): Tensor {
  checkSameShape('binaryCrossEntropyWithLogits', input, target);
  const t = floatTarget('binaryCrossEntropyWithLogits', input, target);
  if (!options.posWeight && !options.weight && isFloat(input.dtype) && t.dtype === input.dtype) {
    return fusedBCEWithLogits(input, t, checkReduction('binaryCrossEntropyWithLogits', options.reduction ?? 'mean'));
  }
  const sp = softplusPrimitive(neg(input));
  const scale = options.posWeight ? add(mul(sub(options.posWeight, 1), t), 1) : null;
  let loss = add(mul(sub(1, t), input), scale ? mul(scale, sp) : sp);
  if (options.weight) loss = mul(loss, options.weight);
  return reduce('binaryCrossEntropyWithLogits', loss, options.reduction);
}

export interface NLLOptions extends ReductionOptions {
  /** Per-class weight [C]; the 'mean' reduction divides by the summed weights of the counted rows. */
  weight?: Tensor | null;
  /** Target value whose rows are skipped (no loss, no gradient, not counted in the mean). Default −100. */
  ignoreIndex?: number;
}

export interface CrossEntropyOptions extends NLLOptions {
  /** Mixes the target with the uniform distribution: (1−ε)·target + ε/C. */
  labelSmoothing?: number;
}

/** Moves an unbatched [C] input with a 0-d target to a batch of one. */
function batchify(op: string, input: Tensor, target: Tensor): [Tensor, Tensor, boolean] {
  expectTensor(op, 'input', input);
  expectTensor(op, 'target', target);
  if (input.ndim === 0) throw new Error(`${op}: input must have a class dim, got a 0-d tensor`);
  if (input.ndim === 1) return [unsqueeze(input, 0), unsqueeze(target, 0), true];
  return [input, target, false];
}

function classWeight(op: string, weight: Tensor | null | undefined, C: number, input: Tensor): Tensor | null {
  if (!weight) return null;
  if (weight.ndim !== 1 || weight.shape[0] !== C) {
    throw new Error(`${op}: weight must have shape [${C}] (one per class), got ${fmtShape(weight.shape)}`);
  }
  return cast(weight, input.dtype);
}

/** Class-index targets must be int32 and each in [0, C) or the ignore index. */
function checkClassTargets(op: string, target: Tensor, C: number, ignoreIndex: number): void {
  if (target.dtype !== 'int32') {
    throw new Error(`${op}: class-index target must be int32, got dtype ${target.dtype} (for probabilities pass a float target shaped like the input)`);
  }
  const td = target._data;
  for (let i = 0; i < td.length; i++) {
    if (td[i] !== ignoreIndex && (td[i] < 0 || td[i] >= C)) {
      throw new Error(`${op}: target ${td[i]} is out of range for ${C} classes (expected 0..${C - 1}, or ignoreIndex ${ignoreIndex})`);
    }
  }
}

/**
 * Per-row softmax cross-entropy of logits x [N, C] at int32 classes t [N] as one fused kernel each way (the
 * common case: no class weights, no label smoothing). Returns the per-row losses (0 on ignored rows) for
 * reduction 'none', else their sum or their mean over the counted rows (0/0 = NaN when none is counted, as
 * PyTorch gives), reduced inside the same recorded op: its backward then makes the per-row gradient directly
 * (the values are those of reducing the per-row losses with separate ops, bit for bit). The backward is
 * composed from ops when a graph of the gradient is wanted.
 */
function fusedCrossEntropy(x: Tensor, t: Tensor, ignoreIndex: number, reduction: Reduction): Tensor {
  const [N, C] = x.shape;
  checkClassTargets('crossEntropy', t, C, ignoreIndex);
  const td = t._data as Int32Array;
  let count = 0;
  for (let i = 0; i < N; i++) if (td[i] !== ignoreIndex) count++;
  const loss = empty([N], x.dtype);
  const probs = empty([N, C], x.dtype);
  K().softmaxCrossEntropy(x._data as FloatArr, N, C, td, ignoreIndex, loss._data as FloatArr, probs._data as FloatArr);
  addFlops(4 * N * C);
  // loss is not recorded yet, so neither is its reduction: the op below records both.
  const out = reduction === 'none' ? loss : reduction === 'sum' ? sum(loss) : sumDiv('mean', loss, [0], false, count);
  return record(out, 'crossEntropy', [x], (g) => {
    // The gradient of each row's loss: g itself, or its single value (÷ count for the mean) for every row.
    const rowGrad = (): Tensor => (reduction === 'none' ? g : expand(reshape(reduction === 'mean' ? div(g, count) : g, [1]), [N]));
    if (isGradEnabled()) {
      // d/dx of −log softmax(x)[t] is softmax(x) − onehot(t), per row, times g; zero on ignored rows.
      const onehot = empty([N, C], x.dtype).fill_(0);
      const mask = empty([N, 1], x.dtype);
      for (let i = 0; i < N; i++) {
        const ok = td[i] !== ignoreIndex;
        mask._data[i] = ok ? 1 : 0;
        if (ok) onehot._data[i * C + td[i]] = 1;
      }
      return [mul(mul(unsqueeze(cast(rowGrad(), x.dtype), 1), mask), sub(softmax(x, 1), onehot))];
    }
    let gRows: Tensor;
    if (reduction === 'none') gRows = g.dtype === x.dtype ? g : cast(g, x.dtype);
    else {
      // One value for every row, rounded to x's dtype as the broadcast-then-cast of the separate ops would be.
      const g0 = reduction === 'mean' ? divValue(g, count) : g._data[0];
      gRows = empty([N], x.dtype);
      gRows._data.fill(g0);
    }
    const gx = empty([N, C], x.dtype);
    K().softmaxCrossEntropyBackward(probs._data as FloatArr, td, ignoreIndex, gRows._data as FloatArr, N, C, gx._data as FloatArr);
    addFlops(2 * N * C);
    return [gx];
  });
}

/**
 * The negative log-likelihood part shared by nllLoss and crossEntropy, for int targets: returns per-row loss
 * −w[t]·lp[n, t] (0 on ignored rows) and the per-row weights w[t]·[t ≠ ignore].
 */
function pickTargets(op: string, lp: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): [Tensor, Tensor, Tensor] {
  const C = lp.shape[1];
  const expected = [lp.shape[0], ...lp.shape.slice(2)];
  if (!shapesEqual(target.shape, expected)) {
    throw new Error(`${op}: target shape ${fmtShape(target.shape)} does not match input ${fmtShape(lp.shape)}; expected ${fmtShape(expected)} (class dim 1 removed)`);
  }
  checkClassTargets(op, target, C, ignoreIndex);
  const mask = ne(target, ignoreIndex);
  const safe = where(mask, target, lift(0, 'int32'));
  const picked = squeeze(gather(lp, 1, unsqueeze(safe, 1)), 1);
  const m = cast(mask, lp.dtype);
  const w = weight ? mul(reshape(indexSelect(weight, 0, reshape(safe, [-1])), target.shape), m) : m;
  return [neg(mul(picked, w)), w, m];
}

/** Negative log-likelihood of log-probabilities `input` [N, C, …] at int32 class `target` [N, …]. */
export function nllLoss(input: Tensor, target: Tensor, options: NLLOptions = {}): Tensor {
  const [lp, t, unbatched] = batchify('nllLoss', input, target);
  const reduction = checkReduction('nllLoss', options.reduction ?? 'mean');
  const weight = classWeight('nllLoss', options.weight, lp.shape[1], lp);
  const [loss, w] = pickTargets('nllLoss', lp, t, weight, options.ignoreIndex ?? -100);
  if (reduction === 'none') return unbatched ? squeeze(loss, 0) : loss;
  if (reduction === 'sum') return sum(loss);
  return div(sum(loss), sum(w));
}

/**
 * Softmax cross-entropy of logits `input` [N, C, …] against int32 class indices [N, …] or class probabilities
 * (float, same shape as input). Computed from logSoftmax, so logits of any size are safe.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const [x, t, unbatched] = batchify('crossEntropy', input, target);
  const reduction = checkReduction('crossEntropy', options.reduction ?? 'mean');
  const eps = options.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const C = x.shape[1];
  const ignoreIndex = options.ignoreIndex ?? -100;
  if (x.ndim === 2 && isFloat(x.dtype) && !isFloat(t.dtype) && !options.weight && eps === 0 && t.ndim === 1 && t.shape[0] === x.shape[0]) {
    const out = fusedCrossEntropy(x, t, ignoreIndex, reduction);
    return reduction === 'none' && unbatched ? squeeze(out, 0) : out;
  }
  const lp = logSoftmax(x, 1);
  const weight = classWeight('crossEntropy', options.weight, C, lp);
  const wShape = [1, C, ...x.shape.slice(2).map(() => 1)];
  const wc = weight ? reshape(weight, wShape) : null;
  let loss: Tensor;
  let denom: Tensor | number;
  if (isFloat(t.dtype)) {
    if (!shapesEqual(t.shape, x.shape)) {
      throw new Error(`crossEntropy: probability target ${fmtShape(t.shape)} must have the input's shape ${fmtShape(x.shape)}`);
    }
    const tp = eps > 0 ? add(mul(cast(t, lp.dtype), 1 - eps), eps / C) : cast(t, lp.dtype);
    const terms = mul(tp, lp);
    loss = neg(sum(wc ? mul(terms, wc) : terms, 1));
    denom = loss.numel();
  } else {
    const [nll, w, m] = pickTargets('crossEntropy', lp, t, weight, ignoreIndex);
    loss = nll;
    if (eps > 0) {
      const smooth = mul(neg(sum(wc ? mul(lp, wc) : lp, 1)), m);
      loss = add(mul(nll, 1 - eps), mul(smooth, eps / C));
    }
    denom = sum(w);
  }
  if (reduction === 'none') return unbatched ? squeeze(loss, 0) : loss;
  if (reduction === 'sum') return sum(loss);
  return div(sum(loss), denom);
}
