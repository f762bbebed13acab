import type { Tensor } from '../tensor/tensor.js';

/** What fit() needs of a model: nn.Module has all of it. */
export interface TrainableModel {
  forward(x: Tensor): Tensor;
  parameters(): Iterable<Tensor>;
  train(mode?: boolean): unknown;
  eval(): unknown;
  readonly training: boolean;
  stateDict(): Record<string, Tensor>;
  loadStateDict(stateDict: Record<string, Tensor>, options?: { strict?: boolean }): unknown;
}

/** What fit() needs of an optimizer: every optim.Optimizer has it. */
export interface OptimizerLike {
  step(): void;
  zeroGrad(setToNone?: boolean): void;
  paramGroups: readonly { lr?: unknown }[];
}

/** A batch: inputs and targets. */
export type Batch = readonly [Tensor, Tensor];

/** Training data: a pair of tensors (batched by fit), `{ x, y }`, or any iterable of batches such as a DataLoader. */
export type DataSpec = readonly [Tensor, Tensor] | { x: Tensor; y: Tensor } | Iterable<Batch>;

/** Figures of one epoch or one batch: `loss`, metrics, `valLoss`, `valAccuracy`, `lr`… */
export type Logs = Record<string, number>;

/** Shared between fit() and its callbacks. A callback stops training by setting `stopTraining`. */
export interface TrainingContext {
  model: TrainableModel;
  optimizer: OptimizerLike;
  epochs: number;
  /** Batches per epoch, when known. */
  steps: number | null;
  /** Set to true to end training after the current batch. */
  stopTraining: boolean;
  /** Why training stopped early, for the summary. */
  stopReason?: string;
}
