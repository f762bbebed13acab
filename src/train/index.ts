export { fit, evaluate, predict, History, formatFlops, type FitOptions, type AdversarialOptions, type EvaluateOptions, type LossSpec, type MetricSpec } from './fit.js';
export { Callback, EarlyStopping, TerminateOnNaN, LRScheduler, ReduceLROnPlateau, LambdaCallback, type EarlyStoppingOptions, type Mode } from './callbacks.js';
export { ModelCheckpoint, CSVLogger, type ModelCheckpointOptions } from './checkpoint.js';
export { ProgressBar } from './progress.js';
export { l1Penalty, l2Penalty } from './regularizers.js';
export type { TrainableModel, OptimizerLike, Batch, DataSpec, Logs, TrainingContext } from './types.js';
export {
  loadCheckpoint, checkpointInfo, describeCheckpoint, LoadedCheckpoint, type CheckpointOptions, type CheckpointInfo, type StatefulCallback, type HistoryData,
} from './resume.js';
