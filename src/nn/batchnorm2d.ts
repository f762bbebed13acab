/** BatchNorm2d: batch normalisation of image feature maps, one mean and variance per channel. */
import { batchNorm } from '../ops/index.js';
import { empty, ones, zeros } from '../tensor/creation.js';
import { fmtShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { ones_, zeros_ } from './init.js';
import { Module } from './module.js';
import { Parameter } from './parameter.js';

export interface BatchNorm2dOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** running = (1 − m)·running + m·batch (default 0.1); null keeps a cumulative average instead. */
  momentum?: number | null;
  /** Learn a per-channel scale (weight) and shift (bias) (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true); without them eval mode uses batch statistics. */
  trackRunningStats?: boolean;
  dtype?: 'float32' | 'float64';
}

/**
 * Batch normalisation (Ioffe & Szegedy, 2015) of [N, C, H, W] inputs: statistics per channel over N, H and W.
 * Training mode normalises with the batch's mean and biased variance and updates the buffers running_mean,
 * running_var (unbiased) and num_batches_tracked; eval mode normalises with the running statistics.
 * State-dict keys as PyTorch: weight, bias, running_mean, running_var, num_batches_tracked.
 */
export class BatchNorm2d extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  weight: Parameter | null = null;
  bias: Parameter | null = null;
  runningMean: Tensor | null = null;
  runningVar: Tensor | null = null;
  numBatchesTracked: Tensor | null = null;

  constructor(numFeatures: number, options: BatchNorm2dOptions = {}) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) throw new Error(`BatchNorm2d: numFeatures must be a positive integer, got ${numFeatures}`);
    this.numFeatures = numFeatures;
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    const dtype = options.dtype ?? 'float32';
    if (this.affine) {
      this.weight = new Parameter(empty([numFeatures], dtype));
      this.bias = new Parameter(empty([numFeatures], dtype));
    }
    if (this.trackRunningStats) {
      this.runningMean = zeros([numFeatures], { dtype });
      this.runningVar = ones([numFeatures], { dtype });
      this.numBatchesTracked = zeros([], { dtype: 'int32' });
    }
    this.resetParameters();
  }

  /** running_mean = 0, running_var = 1, num_batches_tracked = 0. */
  resetRunningStats(): void {
    if (this.runningMean) zeros_(this.runningMean);
    if (this.runningVar) ones_(this.runningVar);
    if (this.numBatchesTracked) zeros_(this.numBatchesTracked);
  }

  /** Running statistics reset, weight = 1, bias = 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) ones_(this.weight);
    if (this.bias) zeros_(this.bias);
  }

  override forward(x: Tensor): Tensor {
    if (x.ndim !== 4) throw new Error(`BatchNorm2d: expected a 4-D [N, C, H, W] input, got ${fmtShape(x.shape)}`);
    if (x.shape[1] !== this.numFeatures) {
      throw new Error(`BatchNorm2d: input ${fmtShape(x.shape)} has ${x.shape[1]} channels in dim 1, expected numFeatures ${this.numFeatures}`);
    }
    let factor = this.momentum ?? 0;
    if (this.training && this.numBatchesTracked) {
      this.numBatchesTracked.data()[0] += 1;
      if (this.momentum === null) factor = 1 / this.numBatchesTracked.item(); // cumulative moving average
    }
    // Without running statistics, eval mode falls back to the batch's own (PyTorch's rule).
    const useBatchStats = this.training || this.runningMean === null;
    return batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { training: useBatchStats, momentum: factor, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}
