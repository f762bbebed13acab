import { abs, add, mul, sum } from '../ops/index.js';
import { zeros } from '../tensor/creation.js';
import type { Tensor } from '../tensor/tensor.js';

/** λ·Σ w² over the given tensors (Tikhonov / L2). Pass only weights to leave biases unpenalised. */
export function l2Penalty(params: Iterable<Tensor>, lambda: number): Tensor {
  let total: Tensor = zeros([]);
  for (const p of params) total = add(total, sum(mul(p, p)));
  return mul(total, lambda);
}

/** λ·Σ |w| over the given tensors (L1, encourages sparse weights). */
export function l1Penalty(params: Iterable<Tensor>, lambda: number): Tensor {
  let total: Tensor = zeros([]);
  for (const p of params) total = add(total, sum(abs(p)));
  return mul(total, lambda);
}
