/**
 * Callbacks: small classes with hooks that fit() awaits at fixed points (Keras's design). A callback stops
 * training by setting `ctx.stopTraining`.
 */
import { clone } from '../ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Logs, TrainingContext } from './types.js';

export abstract class Callback {
  /** Set by fit() before onTrainBegin. */
  ctx!: TrainingContext;
  setContext(ctx: TrainingContext): void {
    this.ctx = ctx;
  }
  onTrainBegin(_logs: Logs): void | Promise<void> {}
  onTrainEnd(_logs: Logs): void | Promise<void> {}
  onEpochBegin(_epoch: number): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs: Logs): void | Promise<void> {}
  onBatchBegin(_batch: number): void | Promise<void> {}
  onBatchEnd(_batch: number, _logs: Logs): void | Promise<void> {}
}

export type Mode = 'min' | 'max' | 'auto';

/** 'auto' watches accuracy-like figures upwards and everything else (losses, errors) downwards. */
export function resolveMode(mode: Mode, monitor: string): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  return /acc|auc|f1|precision|recall|r2/i.test(monitor) ? 'max' : 'min';
}

/** Reads the monitored figure, with an error that lists what is there when it is not. */
export function monitored(who: string, monitor: string, logs: Logs): number {
  const v = logs[monitor];
  if (v === undefined) {
    const hint = monitor.startsWith('val') ? '; pass valData or valSplit to fit(), or monitor a training figure' : '';
    throw new Error(`${who}: monitored figure '${monitor}' is not in the logs (available: ${Object.keys(logs).join(', ')})${hint}`);
  }
  return v;
}

export interface EarlyStoppingOptions {
  /** The figure to watch (default 'valLoss'). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  mode?: Mode;
  /** Stop unless the figure beats this value. */
  baseline?: number;
  /** Put back the weights of the best epoch when training ends (default false). */
  restoreBestWeights?: boolean;
}

/** Stops training when the monitored figure has stopped improving for `patience` epochs. */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly baseline?: number;
  readonly restoreBestWeights: boolean;
  best = NaN;
  bestEpoch = -1;
  /** The epoch at which training was stopped, or -1. */
  stoppedEpoch = -1;
  private wait = 0;
  private bestWeights: Record<string, Tensor> | null = null;

  constructor(options: EarlyStoppingOptions = {}) {
    super();
    this.monitor = options.monitor ?? 'valLoss';
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.patience = options.patience ?? 0;
    if (!Number.isInteger(this.patience) || this.patience < 0) throw new Error(`EarlyStopping: patience must be a non-negative integer, got ${options.patience}`);
    this.mode = resolveMode(options.mode ?? 'auto', this.monitor);
    this.baseline = options.baseline;
    this.restoreBestWeights = options.restoreBestWeights ?? false;
  }

  private improved(v: number, ref: number): boolean {
    return this.mode === 'min' ? v < ref - this.minDelta : v > ref + this.minDelta;
  }

  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.best = this.baseline ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.bestEpoch = -1;
    this.bestWeights = null;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const v = monitored('EarlyStopping', this.monitor, logs);
    if (this.restoreBestWeights && this.bestWeights === null) this.snapshot();
    if (this.improved(v, this.best)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.snapshot();
      return;
    }
    this.wait++;
    if (this.wait >= this.patience) {
      this.stoppedEpoch = epoch;
      this.ctx.stopTraining = true;
      this.ctx.stopReason = `early stopping: ${this.monitor} did not improve for ${this.wait} epoch(s) (best ${this.best.toPrecision(4)} at epoch ${this.bestEpoch + 1})`;
    }
  }

  override onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights && this.bestEpoch >= 0) this.ctx.model.loadStateDict(this.bestWeights);
  }

  private snapshot(): void {
    this.bestWeights = Object.fromEntries(Object.entries(this.ctx.model.stateDict()).map(([k, t]) => [k, clone(t.detach())]));
  }
}

/** Stops training as soon as a batch's loss is NaN or infinite, so a diverged run wastes no more time. */
export class TerminateOnNaN extends Callback {
  override onBatchEnd(batch: number, logs: Logs): void {
    if (!Number.isFinite(logs.loss)) {
      this.ctx.stopTraining = true;
      this.ctx.stopReason = `loss became ${logs.loss} at batch ${batch + 1}; lower the learning rate or check the data`;
    }
  }
}

/** Anything with step(): every optim scheduler. */
export interface SchedulerLike {
  step(): void;
}

/** Steps a learning-rate scheduler after every epoch (or every batch with `perBatch: true`, e.g. OneCycleLR). */
export class LRScheduler extends Callback {
  constructor(readonly scheduler: SchedulerLike, readonly options: { perBatch?: boolean } = {}) {
    super();
  }
  override onBatchEnd(): void {
    if (this.options.perBatch) this.scheduler.step();
  }
  override onEpochEnd(): void {
    if (!this.options.perBatch) this.scheduler.step();
  }
}

/** optim.ReduceLROnPlateau, or anything whose step() takes the monitored figure. */
export interface PlateauSchedulerLike {
  step(metric: number): void;
}

/** Feeds the monitored figure (default 'valLoss') to a ReduceLROnPlateau scheduler after every epoch. */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  constructor(readonly scheduler: PlateauSchedulerLike, options: { monitor?: string } = {}) {
    super();
    this.monitor = options.monitor ?? 'valLoss';
  }
  override onEpochEnd(_epoch: number, logs: Logs): void {
    this.scheduler.step(monitored('ReduceLROnPlateau', this.monitor, logs));
  }
}

/** Calls your functions at the hooks you name: `new LambdaCallback({ onEpochEnd: (e, logs) => … })`. */
export class LambdaCallback extends Callback {
  constructor(hooks: Partial<Pick<Callback, 'onTrainBegin' | 'onTrainEnd' | 'onEpochBegin' | 'onEpochEnd' | 'onBatchBegin' | 'onBatchEnd'>>) {
    super();
    Object.assign(this, hooks);
  }
}
