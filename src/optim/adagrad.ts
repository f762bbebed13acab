import type { FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { type OptionRules, type ParamGroup, type Params, Optimizer, newBuffer, nonNegative, withDefaults } from './optimizer.js';

export interface AdagradOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Learning-rate decay: the step t uses lr/(1 + (t − 1)·lrDecay) (default 0). */
  lrDecay: number;
  /** L2 penalty λ added to the gradient as λ·p (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients (default 0). */
  initialAccumulatorValue: number;
  /** Added to the denominator, outside the square root (default 1e-10). */
  eps: number;
}

/** Adagrad's state: the step count and the running sum S of squared gradients. */
export type AdagradState = { step: number; sum: FloatArray };

const RULES: OptionRules = {
  keys: { lr: nonNegative, lrDecay: nonNegative, weightDecay: nonNegative, initialAccumulatorValue: nonNegative, eps: nonNegative },
};

/**
 * One Adagrad step on one parameter, in place (PyTorch 1.13 `_single_tensor_adagrad`). t is the step number,
 * counted from 1; g the gradient:
 *
 *     g ← g + λ·p
 *     clr ← lr / (1 + (t − 1)·lrDecay)
 *     S ← S + g²
 *     p ← p − clr·g / (√S + ε)
 *
 * Every array is of the same kind; `g` is not modified.
 */
export function adagradUpdate<A extends FloatArray>(p: A, g: A, sum: A, t: number, o: AdagradOptions): void {
  const { eps, weightDecay: wd } = o;
  const clr = o.lr / (1 + (t - 1) * o.lrDecay);
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i] + wd * p[i];
    sum[i] += gi * gi;
    p[i] -= (clr * gi) / (Math.sqrt(sum[i]) + eps);
  }
}

/**
 * Adagrad, "Adaptive Subgradient Methods for Online Learning and Stochastic Optimization" (Duchi et al., 2011).
 * Defaults: lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10.
 */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: Params<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    const defaults: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 };
    super('Adagrad', params, withDefaults('Adagrad', defaults, options), RULES);
  }

  protected override initState(p: Tensor, group: ParamGroup<AdagradOptions>): AdagradState {
    return { step: 0, sum: newBuffer(p.data() as FloatArray, group.initialAccumulatorValue) };
  }

  protected override update(p: FloatArray, g: FloatArray, s: AdagradState, group: ParamGroup<AdagradOptions>): void {
    s.step += 1;
    adagradUpdate(p, g, s.sum, s.step, group);
  }
}
