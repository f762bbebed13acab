/** Every callback under one name (`callbacks.LRScheduler` differs from `optim.LRScheduler`: it steps one). */
export { Callback, EarlyStopping, TerminateOnNaN, LRScheduler, ReduceLROnPlateau, LambdaCallback } from './callbacks.js';
export { ModelCheckpoint, CSVLogger } from './checkpoint.js';
export { ProgressBar } from './progress.js';
