/** Dropout as a module: on in training mode, the identity in eval mode. */
import { dropout } from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * Inverted dropout (Srivastava et al., 2014): in training, zeroes each element with probability p and scales the
 * rest by 1/(1 − p), so eval mode needs no rescaling and returns its input.
 */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: p must be in [0, 1], got ${p}`);
  }

  override forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }

  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
