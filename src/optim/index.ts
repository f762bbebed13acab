/** Optimizers, learning-rate schedulers and gradient clipping. */
export {
  Optimizer, withDefaults, newBuffer, nonNegative, finiteNumber, unitOpen, unitClosed, boolean, betaPair,
  type BaseOptions, type ParamGroup, type ParamGroupInput, type Params, type StateValue, type ParamState,
  type SavedBuffer, type OptimizerStateDict, type Rule, type OptionRules,
} from './optimizer.js';
export { SGD, sgdUpdate, type SGDOptions, type SGDState } from './sgd.js';
export { Adam, AdamW, adamUpdate, type AdamOptions, type AdamState } from './adam.js';
export { RMSprop, rmspropUpdate, type RMSpropOptions, type RMSpropState } from './rmsprop.js';
export { Adagrad, adagradUpdate, type AdagradOptions, type AdagradState } from './adagrad.js';
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions } from './clip.js';
export {
  LRScheduler, StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LambdaLR,
  type AnyOptimizer, type SchedulerStateDict, type LrLambda,
} from './lr_scheduler.js';
export { OneCycleLR, type OneCycleLROptions } from './one_cycle_lr.js';
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions, type PlateauStateDict } from './reduce_lr_on_plateau.js';
