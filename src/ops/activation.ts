/** Activations composed from primitives (so they get gradients, and gradients of gradients, for free). */
import { type Generator, defaultGenerator } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, erfc, exp, expm1, gt, minimum, mul, neg, sigmoid, softplusPrimitive, sub, where } from './elementwise.js';
import { logsumexp, max, sum } from './reduce.js';
import { normalizeDim } from '../tensor/shape.js';
import { isGradEnabled } from '../autograd/mode.js';
import type { FloatArr } from '../backend/types.js';
import { K, addFlops, empty, expectTensor, record, toFloat } from './util.js';

export { relu, sigmoid, tanh } from './elementwise.js';

/** x for x > 0, slope·x otherwise. */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  expectTensor('leakyRelu', 'input', x);
  return where(gt(x, 0), x, mul(x, negativeSlope));
}

/** x for x > 0, α(eˣ − 1) otherwise. The exp only ever sees x ≤ 0, so large x cannot overflow into NaN gradients. */
export function elu(x: Tensor, alpha = 1): Tensor {
  expectTensor('elu', 'input', x);
  return where(gt(x, 0), x, mul(expm1(minimum(x, 0)), alpha));
}

/**
 * Gaussian error linear unit. 'none': x·Φ(x) = ½x·erfc(−x/√2), exact in the far tails.
 * 'tanh': ½x(1 + tanh(√(2/π)(x + 0.044715x³))), written as x·σ(2u) so that 1 + tanh does not cancel.
 */
export function gelu(x: Tensor, approximate: 'none' | 'tanh' = 'none'): Tensor {
  expectTensor('gelu', 'input', x);
  x = toFloat(x);
  if (approximate === 'tanh') {
    const u = mul(add(x, mul(mul(mul(x, x), x), 0.044715)), 2 * Math.sqrt(2 / Math.PI));
    return mul(x, sigmoid(u));
  }
  if (approximate !== 'none') throw new Error(`gelu: approximate must be 'none' or 'tanh', got '${approximate}'`);
  return mul(mul(x, 0.5), erfc(mul(x, -Math.SQRT1_2)));
}

/** log(1 + e^(βx))/β, and x itself where βx > threshold (PyTorch's rule, for speed and exactness). */
export function softplus(x: Tensor, beta = 1, threshold = 20): Tensor {
  expectTensor('softplus', 'input', x);
  x = toFloat(x);
  const bx = beta === 1 ? x : mul(x, beta);
  const soft = beta === 1 ? softplusPrimitive(bx) : div(softplusPrimitive(bx), beta);
  return where(gt(bx, threshold), x, soft);
}

/** log σ(x) = −softplus(−x), stable for large |x|. */
export function logSigmoid(x: Tensor): Tensor {
  return neg(softplusPrimitive(neg(toFloat(x))));
}

/** x·σ(x) (swish). */
export function silu(x: Tensor): Tensor {
  return mul(x, sigmoid(x));
}

/** e^(x − max) / Σ e^(x − max) along `dim`: the shift keeps exp from overflowing. */
export function softmax(x: Tensor, dim = -1): Tensor {
  expectTensor('softmax', 'input', x);
  x = toFloat(x);
  const d = normalizeDim('softmax', dim, x.ndim);
  if (x.numel() === 0) return x;
  const e = exp(sub(x, max(x.detach(), d, true)));
  return div(e, sum(e, d, true));
}

/**
 * x − logsumexp(x) along `dim`: never takes the log of an underflowed softmax. Along the last dim it is one fused
 * kernel each way; its backward, g − softmax·Σg, is composed from ops when a graph of the gradient is wanted.
 */
export function logSoftmax(x: Tensor, dim = -1): Tensor {
  expectTensor('logSoftmax', 'input', x);
  x = toFloat(x);
  const d = normalizeDim('logSoftmax', dim, x.ndim);
  if (x.numel() === 0) return x;
  if (d !== x.ndim - 1) return sub(x, logsumexp(x, d, true));
  const cols = x.shape[d];
  const rows = x.numel() / cols;
  const y = empty(x.shape, x.dtype);
  K().logSoftmax(x._data as FloatArr, rows, cols, y._data as FloatArr);
  addFlops(4 * x.numel());
  return record(y, 'logSoftmax', [x], (g) => {
    if (isGradEnabled()) return [sub(g, mul(exp(y), sum(g, d, true)))];
    const gx = empty(x.shape, x.dtype);
    K().logSoftmaxBackward(y._data as FloatArr, g._data as FloatArr, rows, cols, gx._data as FloatArr);
    addFlops(3 * x.numel());
    return [gx];
  });
}

/**
 * Inverted dropout: in training, zeroes each element with probability p and scales the rest by 1/(1−p), so
 * nothing changes at test time (`training: false` returns x).
 */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  expectTensor('dropout', 'input', x);
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const mask = empty(x.shape, toFloat(x).dtype);
  const m = mask._data;
  const scale = 1 / (1 - p);
  for (let i = 0; i < m.length; i++) m[i] = generator.nextFloat() >= p ? scale : 0;
  return mul(x, mask);
}
