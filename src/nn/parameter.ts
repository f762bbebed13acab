/** Parameter: the mark that tells a Module "this tensor is learned". */
import { Tensor } from '../tensor/tensor.js';

/**
 * A tensor that a Module reports in `parameters()` (a plain Tensor field is a buffer instead), as `nn.Parameter`.
 * `new Parameter(t)` shares `t`'s data (no copy) but starts outside any graph, as a leaf that requires grad
 * unless `requiresGrad` is false. Every op accepts it like any other Tensor.
 */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new Error(`Parameter: expected a Tensor, got ${data === null ? 'null' : typeof data}`);
    super(data.data(), data.shape);
    if (requiresGrad) this.requiresGrad_(true);
  }

  /** Prints like PyTorch: `Parameter containing:` above the tensor. */
  override toString(): string {
    return `Parameter containing:\n${super.toString()}`;
  }
}
