/**
 * Losses as modules, wrapping the functions of ops/loss.ts with their options fixed at construction. A class
 * weight or posWeight is a buffer, so it is saved in stateDict under PyTorch's keys (`weight`, `pos_weight`).
 */
import {
  type BCEOptions, type BCEWithLogitsOptions, type CrossEntropyOptions, type NLLOptions, type Reduction, type ReductionOptions,
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, l1Loss, mseLoss, nllLoss, smoothL1Loss,
} from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/** Base of the loss modules: holds the reduction ('mean' by default) and checks it early. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(reduction: Reduction = 'mean') {
    super();
    if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
      throw new Error(`${new.target.name}: reduction must be 'mean', 'sum' or 'none', got '${reduction}'`);
    }
    this.reduction = reduction;
  }

  abstract override forward(input: Tensor, target: Tensor): Tensor;
}

/** Mean squared error (x − y)². */
export class MSELoss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super(options.reduction);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error |x − y|. */
export class L1Loss extends Loss {
  constructor(options: ReductionOptions = {}) {
    super(options.reduction);
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Huber loss: quadratic for |x − y| < delta (default 1), linear beyond. */
export class HuberLoss extends Loss {
  readonly delta: number;

  constructor(options: ReductionOptions & { delta?: number } = {}) {
    super(options.reduction);
    this.delta = options.delta ?? 1;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Smooth L1 loss: ½d²/beta for |d| < beta (default 1), |d| − ½beta beyond. */
export class SmoothL1Loss extends Loss {
  readonly beta: number;

  constructor(options: ReductionOptions & { beta?: number } = {}) {
    super(options.reduction);
    this.beta = options.beta ?? 1;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Binary cross-entropy on probabilities; prefer BCEWithLogitsLoss on raw scores. */
export class BCELoss extends Loss {
  weight: Tensor | null;

  constructor(options: BCEOptions = {}) {
    super(options.reduction);
    this.weight = options.weight ?? null;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { reduction: this.reduction, weight: this.weight });
  }
}

/** Binary cross-entropy on logits, stable for any input. */
export class BCEWithLogitsLoss extends Loss {
  weight: Tensor | null;
  posWeight: Tensor | null;

  constructor(options: BCEWithLogitsOptions = {}) {
    super(options.reduction);
    this.weight = options.weight ?? null;
    this.posWeight = options.posWeight ?? null;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, { reduction: this.reduction, weight: this.weight, posWeight: this.posWeight });
  }
}

/** Softmax cross-entropy of logits [N, C, …] against int32 classes [N, …] or class probabilities. */
export class CrossEntropyLoss extends Loss {
  weight: Tensor | null;
  readonly ignoreIndex: number;
  readonly labelSmoothing: number;

  constructor(options: CrossEntropyOptions = {}) {
    super(options.reduction);
    this.weight = options.weight ?? null;
    this.ignoreIndex = options.ignoreIndex ?? -100;
    this.labelSmoothing = options.labelSmoothing ?? 0;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, {
      reduction: this.reduction, weight: this.weight, ignoreIndex: this.ignoreIndex, labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log-likelihood of log-probabilities [N, C, …] (e.g. LogSoftmax's output) at int32 classes [N, …]. */
export class NLLLoss extends Loss {
  weight: Tensor | null;
  readonly ignoreIndex: number;

  constructor(options: NLLOptions = {}) {
    super(options.reduction);
    this.weight = options.weight ?? null;
    this.ignoreIndex = options.ignoreIndex ?? -100;
  }

  override forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, { reduction: this.reduction, weight: this.weight, ignoreIndex: this.ignoreIndex });
  }
}
