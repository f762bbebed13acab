/**
 * Backprop's public API. Everything a user imports comes from here; the rest of src/ is internal and may move.
 */
import './ops/methods.js';

// Tensors
export { Tensor, type NestedArray, type BackwardOptions } from './tensor/tensor.js';
export type { DType, TypedArray } from './tensor/dtype.js';
export type { Shape } from './tensor/shape.js';
export {
  tensor, scalar, zeros, ones, full, zerosLike, onesLike, fullLike, arange, linspace, eye,
  rand, randn, randint, randLike, randnLike, randintLike, randperm,
  type TensorOptions, type RandomOptions,
} from './tensor/creation.js';
export { Generator, manualSeed, getRngState, setRngState, defaultGenerator, type GeneratorState } from './tensor/random.js';

// Autograd
export { grad, type GradOptions } from './autograd/engine.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/mode.js';
export { gradcheck, gradgradcheck, type GradcheckOptions } from './autograd/gradcheck.js';
export type { GradFn } from './autograd/node.js';

// Ops
export {
  add, sub, mul, div, pow, neg, exp, log, log1p, expm1, sqrt, rsqrt, square, reciprocal, abs, sign,
  sin, cos, erf, erfc, floor, ceil, round, maximum, minimum, clamp, where,
  eq, ne, lt, le, gt, ge, logicalAnd, logicalOr, logicalNot, isnan,
} from './ops/elementwise.js';
export { sum, mean, max, min, amax, amin, argmax, argmin, variance, variance as var_, std, logsumexp, prod, type Dims, type VarOptions } from './ops/reduce.js';
export {
  reshape, view, permute, transpose, expand, broadcastTo, broadcastTensors, squeeze, unsqueeze, flatten,
  cat, stack, narrow, slice, select, index, indexSelect, gather, scatterAdd, clone, type IndexSpec,
} from './ops/shape.js';
export { matmul, linear } from './ops/linalg.js';
export {
  conv2d, convTranspose2d, maxPool2d, avgPool2d, adaptiveAvgPool2d, unfold, fold,
  type Size2, type Conv2dOptions, type ConvTranspose2dOptions, type MaxPool2dOptions, type AvgPool2dOptions, type UnfoldOptions,
} from './ops/conv.js';
export { relu, sigmoid, tanh, leakyRelu, elu, gelu, softplus, logSigmoid, silu, softmax, logSoftmax, dropout } from './ops/activation.js';
export {
  mseLoss, l1Loss, huberLoss, smoothL1Loss, binaryCrossEntropy, binaryCrossEntropyWithLogits, nllLoss, crossEntropy,
  type Reduction, type ReductionOptions, type BCEOptions, type BCEWithLogitsOptions, type NLLOptions, type CrossEntropyOptions,
} from './ops/loss.js';
export { layerNorm, batchNorm, embedding, type BatchNormOptions } from './ops/norm.js';
export { cast, flopCount } from './ops/util.js';

// Layers, optimizers, data, training, metrics, classic baselines, files
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as metrics from './metrics/index.js';
export * as classic from './classic/index.js';
export * as trust from './trust/index.js';
export * as report from './report/index.js';

export {
  fit, evaluate, predict, History, formatFlops, Callback, EarlyStopping, TerminateOnNaN, ModelCheckpoint, CSVLogger, ProgressBar,
  LambdaCallback, l1Penalty, l2Penalty,
  type FitOptions, type EvaluateOptions, type LossSpec, type MetricSpec, type EarlyStoppingOptions, type ModelCheckpointOptions,
  type TrainableModel, type OptimizerLike, type DataSpec, type Logs, type AdversarialOptions,
} from './train/index.js';
export * as callbacks from './train/callbacks-all.js';
export { serializeSafetensors, parseSafetensors, type Safetensors } from './io/safetensors.js';
export { saveSafetensors, loadSafetensors, writeFileAtomic } from './io/files.js';
export { saveModelDir, loadModelDir, buildModel, describeModel, type ModelConfig, type LayerSpec } from './io/model-dir.js';

// Backends
export { backend, setBackend, listBackends, backendInfo, setNumThreads, getNumThreads, type BackendInfo } from './backend/index.js';
