/** Linear (affine) layers. */
import { linear } from '../ops/index.js';
import { empty } from '../tensor/creation.js';
import { fmtShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { defaultLayerInit_ } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

/** Returns its input unchanged: a placeholder, e.g. to remove a layer from a model without changing its code. */
export class Identity extends Module {
  override forward(x: Tensor): Tensor {
    return x;
  }
}

export interface LinearOptions {
  /** Add a learned bias (default true). */
  bias?: boolean;
  /** Parameter dtype (default float32; float64 for gradient checks). */
  dtype?: 'float32' | 'float64';
}

/** y = x·Wᵀ + b, with weight [outFeatures, inFeatures] and bias [outFeatures] (PyTorch's layout). */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Parameter;
  bias: Parameter | null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    for (const [name, n] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`Linear: ${name} must be a non-negative integer, got ${n}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = options.dtype ?? 'float32';
    this.weight = new Parameter(empty([outFeatures, inFeatures], dtype));
    this.bias = (options.bias ?? true) ? new Parameter(empty([outFeatures], dtype)) : null;
    this.resetParameters();
  }

  /**
   * PyTorch's default init: W ~ kaiming_uniform(a = √5), which is U(−1/√fanIn, 1/√fanIn), and b ~ U(−1/√fanIn, 1/√fanIn).
   */
  resetParameters(): void {
    defaultLayerInit_(this.weight, this.bias);
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== this.inFeatures) {
      throw new Error(`Linear: input ${fmtShape(x.shape)} does not end in inFeatures ${this.inFeatures}`);
    }
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
