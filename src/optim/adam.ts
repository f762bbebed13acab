import { backend } from '../backend/index.js';
import type { FloatArray } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { type OptionRules, type ParamGroup, type Params, Optimizer, betaPair, boolean, newBuffer, nonNegative, withDefaults } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates (β1, β2) of the first and second moment estimates (default [0.9, 0.999]). */
  betas: [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps: number;
  /** Weight decay λ: an L2 penalty for Adam (default 0), decoupled for AdamW (default 1e-2). */
  weightDecay: number;
  /** Use the maximum of past second moments, from "On the Convergence of Adam and Beyond" (default false). */
  amsgrad: boolean;
}

/** Adam's state: the step count t and the moment estimates m, v (and max v̂ with amsgrad). */
export type AdamState = { step: number; expAvg: FloatArray; expAvgSq: FloatArray; maxExpAvgSq: FloatArray | null };

const RULES: OptionRules = { keys: { lr: nonNegative, betas: betaPair, eps: nonNegative, weightDecay: nonNegative, amsgrad: boolean } };

/**
 * One Adam (or AdamW) step on one parameter, in place (PyTorch 1.13 `_single_tensor_adam` / `_adamw`).
 * t is the step number, counted from 1; g the gradient:
 *
 *     AdamW (decoupled):  p ← p·(1 − lr·λ)         Adam (L2):  g ← g + λ·p
 *     m ← β1·m + (1 − β1)·g
 *     v ← β2·v + (1 − β2)·g²
 *     v̂ ← amsgrad ? (vmax ← max(vmax, v)) : v
 *     p ← p − lr/(1 − β1ᵗ) · m / (√v̂ / √(1 − β2ᵗ) + ε)
 *
 * `vmax` is null without amsgrad. Every array is of the same kind; `g` is not modified.
 */
export function adamUpdate<A extends FloatArray>(p: A, g: A, m: A, v: A, vmax: A | null, t: number, o: AdamOptions, decoupled: boolean): void {
  backend().adamStep(p, g, m, v, vmax, {
    lr: o.lr, beta1: o.betas[0], beta2: o.betas[1], eps: o.eps, weightDecay: o.weightDecay, step: t, decoupled,
  });
}

const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false };

/** Adam and AdamW share everything but how weight decay is applied. */
abstract class AdamFamily extends Optimizer<AdamOptions, AdamState> {
  /** Decay the weights directly (AdamW) instead of adding λ·p to the gradient (Adam). */
  private readonly decoupled: boolean;

  protected constructor(name: string, params: Params<AdamOptions>, options: Partial<AdamOptions>, defaults: AdamOptions, decoupled: boolean) {
    super(name, params, withDefaults(name, defaults, options), RULES);
    this.decoupled = decoupled;
  }

  protected override initState(p: Tensor, group: ParamGroup<AdamOptions>): AdamState {
    const d = p.data() as FloatArray;
    return { step: 0, expAvg: newBuffer(d), expAvgSq: newBuffer(d), maxExpAvgSq: group.amsgrad ? newBuffer(d) : null };
  }

  protected override update(p: FloatArray, g: FloatArray, s: AdamState, group: ParamGroup<AdamOptions>): void {
    s.step += 1;
    if (group.amsgrad && s.maxExpAvgSq === null) s.maxExpAvgSq = newBuffer(p);
    adamUpdate(p, g, s.expAvg, s.expAvgSq, group.amsgrad ? s.maxExpAvgSq : null, s.step, group, this.decoupled);
  }
}

/**
 * Adam, "Adam: A Method for Stochastic Optimization" (Kingma & Ba, 2015), with weight decay as an L2 penalty.
 * Defaults: lr 1e-3, betas [0.9, 0.999], eps 1e-8, weightDecay 0, amsgrad false.
 */
export class Adam extends AdamFamily {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('Adam', params, options, ADAM_DEFAULTS, false);
  }
}

/**
 * AdamW, "Decoupled Weight Decay Regularization" (Loshchilov & Hutter, 2019): Adam whose weight decay shrinks
 * the weights, p ← p·(1 − lr·λ), instead of entering the moments. Defaults as Adam but weightDecay 1e-2.
 */
export class AdamW extends AdamFamily {
  constructor(params: Params<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super('AdamW', params, options, { ...ADAM_DEFAULTS, weightDecay: 1e-2 }, true);
  }
}
