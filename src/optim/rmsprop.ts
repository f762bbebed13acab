import type { FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { type OptionRules, type ParamGroup, type Params, Optimizer, boolean, newBuffer, nonNegative, unitClosed, withDefaults } from './optimizer.js';

export interface RMSpropOptions {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant α of the running mean of g² (default 0.99). */
  alpha: number;
  /** Added to the denominator, outside the square root (default 1e-8). */
  eps: number;
  /** L2 penalty λ added to the gradient as λ·p (default 0). */
  weightDecay: number;
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Normalise by the estimated variance of g instead of its second moment (default false). */
  centered: boolean;
}

/** RMSprop's state: step count, running mean of g², and the momentum buffer / running mean of g when used. */
export type RMSpropState = { step: number; squareAvg: FloatArray; momentumBuffer: FloatArray | null; gradAvg: FloatArray | null };

const RULES: OptionRules = {
  keys: { lr: nonNegative, alpha: unitClosed, eps: nonNegative, weightDecay: nonNegative, momentum: nonNegative, centered: boolean },
};

/**
 * One RMSprop step on one parameter, in place (PyTorch 1.13 `_single_tensor_rmsprop`). With g the gradient:
 *
 *     g ← g + λ·p
 *     s ← α·s + (1 − α)·g²
 *     centered:  a ← α·a + (1 − α)·g;   avg ← √(s − a²) + ε
 *     else:      avg ← √s + ε
 *     μ > 0:     b ← μ·b + g/avg;  p ← p − lr·b
 *     else:      p ← p − lr·g/avg
 *
 * `gradAvg` (a) is null unless centered, `buf` (b) null unless μ > 0. Every array is of the same kind.
 */
export function rmspropUpdate<A extends FloatArray>(p: A, g: A, sq: A, gradAvg: A | null, buf: A | null, o: RMSpropOptions): void {
  const { lr, alpha, eps, weightDecay: wd, momentum: mu } = o;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i] + wd * p[i];
    sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;
    let avg: number;
    if (gradAvg !== null) {
      gradAvg[i] = alpha * gradAvg[i] + (1 - alpha) * gi;
      avg = Math.sqrt(sq[i] - gradAvg[i] * gradAvg[i]) + eps;
    } else {
      avg = Math.sqrt(sq[i]) + eps;
    }
    if (buf !== null) {
      buf[i] = mu * buf[i] + gi / avg;
      p[i] -= lr * buf[i];
    } else {
      p[i] -= (lr * gi) / avg;
    }
  }
}

/**
 * RMSprop (Hinton, Lecture 6e of "Neural Networks for Machine Learning"): divides the gradient by a running
 * root mean square. Defaults: lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false.
 */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    const defaults: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false };
    super('RMSprop', params, withDefaults('RMSprop', defaults, options), RULES);
  }

  protected override initState(p: Tensor, group: ParamGroup<RMSpropOptions>): RMSpropState {
    const d = p.data() as FloatArray;
    return {
      step: 0,
      squareAvg: newBuffer(d),
      momentumBuffer: group.momentum > 0 ? newBuffer(d) : null,
      gradAvg: group.centered ? newBuffer(d) : null,
    };
  }

  protected override update(p: FloatArray, g: FloatArray, s: RMSpropState, group: ParamGroup<RMSpropOptions>): void {
    s.step += 1;
    if (group.momentum > 0 && s.momentumBuffer === null) s.momentumBuffer = newBuffer(p);
    if (group.centered && s.gradAvg === null) s.gradAvg = newBuffer(p);
    rmspropUpdate(p, g, s.squareAvg, group.centered ? s.gradAvg : null, group.momentum > 0 ? s.momentumBuffer : null, group);
  }
}
