/** Normalisation layers' functions and embedding lookup. */
import { noGrad } from '../autograd/mode.js';
import { fmtShape, shapesEqual, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add, div, eq, mul, sqrt, sub, where } from './elementwise.js';
import { mean } from './reduce.js';
import { indexSelect, reshape } from './shape.js';
import { expectTensor, toFloat } from './util.js';

/**
 * Normalises over the trailing `normalizedShape` dims with the biased variance, then scales and shifts:
 * y = (x − μ)/√(σ² + ε)·w + b.
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  expectTensor('layerNorm', 'input', x);
  const k = normalizedShape.length;
  if (k === 0 || k > x.ndim || !shapesEqual(x.shape.slice(x.ndim - k), normalizedShape)) {
    throw new Error(`layerNorm: input ${fmtShape(x.shape)} does not end in normalizedShape ${fmtShape(normalizedShape)}`);
  }
  for (const [name, p] of [['weight', weight], ['bias', bias]] as const) {
    if (p && !shapesEqual(p.shape, normalizedShape)) {
      throw new Error(`layerNorm: ${name} must have shape ${fmtShape(normalizedShape)}, got ${fmtShape(p.shape)}`);
    }
  }
  x = toFloat(x);
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const mu = mean(x, dims, true);
  const d = sub(x, mu);
  const v = mean(mul(d, d), dims, true);
  let y = div(d, sqrt(add(v, eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

export interface BatchNormOptions {
  /** Use the batch's statistics and update the running ones (true), or use the running ones (false). */
  training?: boolean;
  /** Running-average factor: running = (1 − m)·running + m·batch. Default 0.1. */
  momentum?: number;
  eps?: number;
}

/**
 * Batch normalisation over every dim but 1 (channels), for [N,C], [N,C,L] or [N,C,H,W]. In training, normalises
 * with the batch's biased variance and updates `runningMean`/`runningVar` in place (unbiased variance), as PyTorch.
 */
export function batchNorm(
  x: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  weight?: Tensor | null,
  bias?: Tensor | null,
  options: BatchNormOptions = {},
): Tensor {
  expectTensor('batchNorm', 'input', x);
  const training = options.training ?? true;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  if (x.ndim < 2) throw new Error(`batchNorm: input must be [N, C, …] with at least 2 dims, got ${fmtShape(x.shape)}`);
  const C = x.shape[1];
  for (const [name, p] of [['runningMean', runningMean], ['runningVar', runningVar], ['weight', weight], ['bias', bias]] as const) {
    if (p && (p.ndim !== 1 || p.shape[0] !== C)) {
      throw new Error(`batchNorm: ${name} must have shape [${C}] (one per channel of input ${fmtShape(x.shape)}), got ${fmtShape(p.shape)}`);
    }
  }
  x = toFloat(x);
  const statShape = x.shape.map((d, i) => (i === 1 ? d : 1));
  const dims = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const n = sizeOf(dims.map((i) => x.shape[i]));
  let mu: Tensor;
  let v: Tensor;
  if (training) {
    if (n === 0) return x; // empty batch: nothing to normalise, running stats unchanged (PyTorch's convention)
    if (n === 1) throw new Error(`batchNorm: expected more than 1 value per channel when training, got input ${fmtShape(x.shape)}`);
    mu = mean(x, dims, true);
    const d = sub(x, mu);
    v = mean(mul(d, d), dims, true);
    noGrad(() => {
      if (runningMean) runningMean.copy_(add(mul(runningMean, 1 - momentum), mul(reshape(mu, [C]), momentum)));
      if (runningVar) runningVar.copy_(add(mul(runningVar, 1 - momentum), mul(reshape(v, [C]), (momentum * n) / (n - 1))));
    });
  } else {
    if (!runningMean || !runningVar) throw new Error('batchNorm: eval mode (training: false) needs runningMean and runningVar');
    mu = reshape(runningMean, statShape);
    v = reshape(runningVar, statShape);
  }
  let y = div(sub(x, mu), sqrt(add(v, eps)));
  if (weight) y = mul(y, reshape(weight, statShape));
  if (bias) y = add(y, reshape(bias, statShape));
  return y;
}

/** Rows of `weight` [num, dim] at int32 `indices` of any shape S, giving S + [dim]. Row `paddingIdx` gets no gradient. */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx: number | null = null): Tensor {
  expectTensor('embedding', 'indices', indices);
  expectTensor('embedding', 'weight', weight);
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be 2-D [numEmbeddings, dim], got ${fmtShape(weight.shape)}`);
  const flat = reshape(indices, [indices.numel()]);
  const shape = [...indices.shape, weight.shape[1]];
  const rows = reshape(indexSelect(weight, 0, flat), shape);
  if (paddingIdx === null || paddingIdx === undefined) return rows;
  const pad = paddingIdx < 0 ? paddingIdx + weight.shape[0] : paddingIdx;
  const frozen = reshape(indexSelect(weight.detach(), 0, flat), shape);
  return where(reshape(eq(indices, pad), [...indices.shape, 1]), frozen, rows);
}
