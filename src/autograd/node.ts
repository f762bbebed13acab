import type { Tensor } from '../tensor/tensor.js';

/**
 * How a tensor was computed: the op's name, its tensor inputs, and the vector–Jacobian product that maps the
 * gradient of the output to one gradient per input (null where an input needs none). `backward` is written
 * with differentiable ops, so running it while recording gives gradients of gradients. It becomes null when the
 * graph is released after a backward pass without `retainGraph`.
 */
export interface GradFn {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  backward: ((g: Tensor) => readonly (Tensor | null | undefined)[]) | null;
}
