import { backend } from '../backend/index.js';
import type { FloatArray } from '../tensor/dtype.js';
import { type OptionRules, type ParamGroup, type Params, Optimizer, boolean, finiteNumber, newBuffer, nonNegative, withDefaults } from './optimizer.js';

export interface SGDOptions {
  /** Learning rate; required (no default), as in PyTorch. */
  lr: number;
  /** Momentum factor μ (default 0: plain gradient descent). */
  momentum: number;
  /** Dampening τ of the momentum (default 0). */
  dampening: number;
  /** L2 penalty λ added to the gradient as λ·p (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false); needs momentum > 0 and dampening 0. */
  nesterov: boolean;
}

/** SGD's state: the momentum buffer, null until the first step with momentum ≠ 0. */
export type SGDState = { momentumBuffer: FloatArray | null };

const RULES: OptionRules = {
  keys: { lr: nonNegative, momentum: nonNegative, dampening: finiteNumber, weightDecay: nonNegative, nesterov: boolean },
  across: (o) =>
    o.nesterov === true && ((o.momentum as number) <= 0 || o.dampening !== 0)
      ? `nesterov = true needs momentum > 0 and dampening = 0, got momentum = ${o.momentum} and dampening = ${o.dampening}`
      : null,
};

/**
 * One SGD step on one parameter, in place (PyTorch 1.13 `_single_tensor_sgd`). With g the gradient:
 *
 *     d ← g + λ·p
 *     if μ ≠ 0:  b ← d                       (first step: `first` is true)
 *                b ← μ·b + (1 − τ)·d         (later steps)
 *                d ← nesterov ? d + μ·b : b
 *     p ← p − lr·d
 *
 * `buf` is null when μ = 0. Every array is of the same kind; `g` is not modified.
 */
export function sgdUpdate<A extends FloatArray>(p: A, g: A, buf: A | null, first: boolean, o: SGDOptions): void {
  // One fused kernel (native/wasm when available): the update is a memory-bound pass, run once per parameter per step.
  backend().sgdStep(p, g, buf, { lr: o.lr, momentum: o.momentum, dampening: o.dampening, weightDecay: o.weightDecay, nesterov: o.nesterov, first });
}

/**
 * Stochastic gradient descent, optionally with momentum (heavy ball or Nesterov) and weight decay:
 * `new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 })`, or on any tensor `x` with requiresGrad.
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: Params<SGDOptions>, options: Partial<SGDOptions> = {}) {
    const defaults = withDefaults<SGDOptions>('SGD', { lr: undefined as unknown as number, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }, options);
    super('SGD', params, defaults, RULES);
  }

  protected override initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected override update(p: FloatArray, g: FloatArray, s: SGDState, group: ParamGroup<SGDOptions>): void {
    let first = false;
    if (group.momentum !== 0 && s.momentumBuffer === null) {
      s.momentumBuffer = newBuffer(p);
      first = true;
    }
    sgdUpdate(p, g, group.momentum !== 0 ? s.momentumBuffer : null, first, group);
  }
}
