/** nn: Module and the layers, losses, init functions and summary built on it. */
export { Module, type ForwardHook, type LoadStateDictOptions, type LoadStateDictResult } from './module.js';
export { Parameter } from './parameter.js';
export { Identity, Linear, type LinearOptions } from './linear.js';
export { Flatten } from './flatten.js';
export { ModuleList, Sequential } from './container.js';
export { Sigmoid, Tanh, ReLU, LeakyReLU, ELU, GELU, Softplus, Softmax, LogSoftmax } from './activation.js';
export { Dropout } from './dropout.js';
export { BatchNorm1d, LayerNorm, type BatchNorm1dOptions, type LayerNormOptions } from './normalization.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { MSELoss, L1Loss, HuberLoss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss } from './loss.js';
export { Conv2d, ConvTranspose2d, type Conv2dLayerOptions, type ConvTranspose2dLayerOptions } from './conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d } from './pooling.js';
export { BatchNorm2d, type BatchNorm2dOptions } from './batchnorm2d.js';
export { summary, type SummaryOptions } from './summary.js';
export * as init from './init.js';
export type { Nonlinearity, KaimingOptions } from './init.js';
