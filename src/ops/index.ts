/** Every op, for the folders above ops/ (nn, optim, data, …). Importing it also installs the Tensor methods. */
import './methods.js';

export * from './elementwise.js';
export * from './reduce.js';
export * from './shape.js';
export * from './linalg.js';
export * from './activation.js';
export * from './loss.js';
export * from './norm.js';
export * from './conv.js';
export { cast, lift, expectTensor, flopCount, type TensorLike } from './util.js';
