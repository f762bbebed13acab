/** BatchNorm2d: batch normalisation of image feature maps, one mean and variance per channel. */
import { fmtShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { BatchNorm1d, type BatchNorm1dOptions } from './normalization.js';

export type BatchNorm2dOptions = BatchNorm1dOptions;

/**
 * Batch normalisation (Ioffe & Szegedy, 2015) of [N, C, H, W] inputs: statistics per channel over N, H and W.
 * Training mode normalises with the batch's mean and biased variance and updates the buffers running_mean,
 * running_var (unbiased) and num_batches_tracked; eval mode normalises with the running statistics.
 * State-dict keys as PyTorch: weight, bias, running_mean, running_var, num_batches_tracked. Everything but the
 * input's rank is BatchNorm1d's (the batchNorm op handles any [N, C, …]).
 */
export class BatchNorm2d extends BatchNorm1d {
  protected override checkInput(x: Tensor): void {
    if (x.ndim !== 4) throw new Error(`BatchNorm2d: expected a 4-D [N, C, H, W] input, got ${fmtShape(x.shape)}`);
  }
}
