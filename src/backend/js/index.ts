import type { Backend } from '../types.js';
import { conv2d, conv2dBackward, fold2d, maxPool2d, unfold2d } from './conv.js';
import { binary, cast, clamp, expand, unary, where } from './elementwise.js';
import { cat, gather, indexAdd, indexSelect, permute, scatterAdd, slice, sliceAssign } from './layout.js';
import { activationBackward, adamStep, bceWithLogits, bceWithLogitsBackward, logSoftmax, logSoftmaxBackward, sgdStep, softmaxCrossEntropy, softmaxCrossEntropyBackward } from './fused.js';
import { matmul } from './matmul.js';
import { argReduce, reduce } from './reduce.js';

/** The reference backend: plain TypeScript, always available, the truth every other backend is tested against. */
export const jsBackend: Backend = {
  name: 'js',
  unary,
  binary,
  where,
  clamp,
  cast,
  reduce,
  argReduce,
  matmul,
  permute,
  expand,
  slice,
  sliceAssign,
  cat,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
  unfold2d,
  fold2d,
  conv2d,
  conv2dBackward,
  maxPool2d,
  sgdStep,
  adamStep,
  logSoftmax,
  logSoftmaxBackward,
  softmaxCrossEntropy,
  softmaxCrossEntropyBackward,
  activationBackward,
  bceWithLogits,
  bceWithLogitsBackward,
};
