/**
 * The training loop, kept plain (STYLE.md habit 10): epochs, batches, awaited callbacks, no hidden state.
 * A browser caller gets a yield to the event loop at a steady interval so the page stays responsive.
 */
import { noGrad } from '../autograd/mode.js';
import {
  add, argmax, binaryCrossEntropy, binaryCrossEntropyWithLogits, cat, crossEntropy, eq, flopCount, gt, indexSelect, mseLoss, narrow, reshape,
} from '../ops/index.js';
import { randperm } from '../tensor/creation.js';
import type { GeneratorState } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import type { Callback } from './callbacks.js';
import { ProgressBar } from './progress.js';
import {
  type CheckpointOptions, type LoadedCheckpoint, type RunPosition, checkCheckpointOptions, checkDataGenerators, checkpointInfo, loadCheckpoint, runGenerators,
  describeCheckpoint, jsonDifferences, sameJson, saveCheckpoint,
} from './resume.js';
import type { Batch, DataSpec, Logs, OptimizerLike, TrainableModel, TrainingContext } from './types.js';

/** A loss: a name, a function (pred, target) → scalar, or a module with forward(pred, target). */
export type LossSpec = 'mse' | 'bce' | 'bceWithLogits' | 'crossEntropy' | ((pred: Tensor, target: Tensor) => Tensor) | { forward(pred: Tensor, target: Tensor): Tensor };

/** A metric averaged over batches (weighted by batch size): 'accuracy', or a named function. */
export type MetricSpec = 'accuracy' | { name: string; fn: (pred: Tensor, target: Tensor) => number };

export interface FitOptions {
  /** Training data: [x, y] tensors (batched here), { x, y }, or an iterable of batches such as a DataLoader. */
  data: DataSpec;
  /** Held-out data evaluated after every epoch (logs get valLoss, valAccuracy…). */
  valData?: DataSpec;
  /** Or: hold out this fraction of the training tensors (the last rows, before shuffling, as Keras does). */
  valSplit?: number;
  loss: LossSpec;
  optimizer: OptimizerLike;
  /** Default 10. */
  epochs?: number;
  /** Default 32 (for tensor data). */
  batchSize?: number;
  /** Reshuffle tensor data every epoch with the global seeded generator (default true). */
  shuffle?: boolean;
  metrics?: MetricSpec[];
  callbacks?: Callback[];
  /** Added to the loss of every batch, e.g. an L1/L2 penalty on the weights. */
  regularizer?: (model: TrainableModel) => Tensor;
  /** Decision threshold of 'accuracy' for a single output: default 0 for logits ('bceWithLogits'), else 0.5. */
  threshold?: number;
  /** Start counting at this epoch (ignored when `resume` is given: the checkpoint says where to go on). */
  initialEpoch?: number;
  /**
   * Write checkpoints (model, optimizer, callbacks, generators, position, History) into a folder, every
   * `everySteps` steps and/or every `everyEpochs` epochs (default: every epoch), plus one before the first step
   * and one when training ends. Node only. See train/resume.ts.
   */
  checkpoint?: CheckpointOptions;
  /**
   * Continue the run saved in this checkpoint folder (`true`: checkpoint.dir), ending with the same weights as a
   * run never stopped. Build the model, optimizer and callbacks as the first run did, and pass the same data.
   * Throws when the folder holds no valid checkpoint: a run never restarts from scratch silently.
   */
  resume?: string | true;
  /** Yield to the event loop at least this often, in ms (default 50; 0 never yields). */
  yieldEveryMs?: number;
  /** Show a terminal ProgressBar (default: when stdout is a terminal and no ProgressBar is given). */
  verbose?: boolean;
  /**
   * Adversarial training: in every batch, the first round(ratio·n) rows (default ratio 0.5) are replaced by
   * `attack(model, x, y)` before the forward pass, e.g. `(m, x, y) => trust.fgsm(m, x, y, { eps: 0.1 })`.
   * The attack runs in training mode; the logged loss and accuracy are those of the mixed batch.
   */
  adversarial?: AdversarialOptions;
}

/** See FitOptions.adversarial. */
export interface AdversarialOptions {
  /** Returns adversarial versions of the inputs x (same shape) for targets y. */
  attack: (model: TrainableModel, x: Tensor, y: Tensor) => Tensor;
  /** Fraction of each batch replaced by adversarial examples, in [0, 1] (default 0.5). */
  ratio?: number;
}

/** The batch with its first round(ratio·n) inputs replaced by adversarial ones (Goodfellow et al., 2015; Kurakin et al., 2017). */
function mixAdversarial(model: TrainableModel, x: Tensor, y: Tensor, adv: AdversarialOptions): Tensor {
  const n = x.shape[0];
  const k = Math.round((adv.ratio ?? 0.5) * n);
  if (k === 0) return x;
  const xAdv = adv.attack(model, k === n ? x : narrow(x, 0, 0, k), k === n ? y : narrow(y, 0, 0, k)).detach();
  const want = [k, ...x.shape.slice(1)];
  if (xAdv.shape.length !== want.length || xAdv.shape.some((d, i) => d !== want[i])) {
    throw new Error(`fit: adversarial.attack returned ${fmtShape(xAdv.shape)} for inputs ${fmtShape(want)}; expected the same shape`);
  }
  return k === n ? xAdv : cat([xAdv, narrow(x, 0, k, n - k)], 0);
}

/** What fit() returns: the figures of every epoch, and the cost of the run. */
export class History {
  /** 0-based indices of the epochs that ran. */
  readonly epochs: number[] = [];
  /** Every figure per epoch: history.loss[i], history.valAccuracy[i]… */
  readonly history: Record<string, number[]> = {};
  /** Floating-point operations of the whole run, forward and backward. */
  flops = 0;
  /** Wall-clock time of the whole run in ms. */
  wallTimeMs = 0;
  /** Why training ended before the last epoch, if it did. */
  stopReason?: string;

  /** Records one epoch. @internal */
  push(epoch: number, logs: Logs): void {
    this.epochs.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }

  /** The last epoch's value of a figure. */
  last(name: string): number {
    const h = this.history[name];
    if (!h?.length) throw new Error(`History.last: no figure '${name}' (available: ${Object.keys(this.history).join(', ')})`);
    return h[h.length - 1];
  }

  /** One line: epochs, time and compute, e.g. `10 epochs in 1.23 s, 4.56 GFLOP`. */
  summary(): string {
    return `${this.epochs.length} epoch${this.epochs.length === 1 ? '' : 's'} in ${(this.wallTimeMs / 1000).toFixed(2)} s, ${formatFlops(this.flops)}` +
      (this.stopReason ? ` (${this.stopReason})` : '');
  }
}

/** 1.2 GFLOP, 340 MFLOP… */
export function formatFlops(n: number): string {
  const units: [number, string][] = [[1e15, 'PFLOP'], [1e12, 'TFLOP'], [1e9, 'GFLOP'], [1e6, 'MFLOP'], [1e3, 'kFLOP']];
  for (const [s, u] of units) if (n >= s) return `${(n / s).toPrecision(3)} ${u}`;
  return `${n} FLOP`;
}

function resolveLoss(spec: LossSpec): (pred: Tensor, target: Tensor) => Tensor {
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'object' && spec && typeof spec.forward === 'function') return (p, t) => spec.forward(p, t);
  switch (spec) {
    case 'mse': return (p, t) => mseLoss(p, t.shape.length === p.shape.length ? t : reshape(t, p.shape));
    case 'bce': return (p, t) => binaryCrossEntropy(p, reshape(t, p.shape).float());
    case 'bceWithLogits': return (p, t) => binaryCrossEntropyWithLogits(p, reshape(t, p.shape).float());
    case 'crossEntropy': return (p, t) => crossEntropy(p, t);
  }
  throw new Error(`fit: unknown loss ${JSON.stringify(spec)}; expected 'mse', 'bce', 'bceWithLogits', 'crossEntropy', a function or a module`);
}

function defaultThreshold(spec: LossSpec): number {
  const name = typeof spec === 'string' ? spec : typeof spec === 'function' ? spec.name : spec.constructor?.name ?? '';
  return /logits/i.test(name) ? 0 : 0.5;
}

/** Correct predictions in a batch: argmax for several outputs, a threshold for one. */
function correct(pred: Tensor, target: Tensor, threshold: number): number {
  return noGrad(() => {
    const multi = pred.ndim >= 2 && pred.shape[1] > 1;
    let hit: Tensor;
    if (multi) {
      const labels = target.ndim === pred.ndim ? argmax(target, 1) : target;
      hit = eq(argmax(pred, 1), labels.int());
    } else {
      hit = eq(gt(reshape(pred, [-1]), threshold), gt(reshape(target, [-1]), 0.5));
    }
    let n = 0;
    for (const v of hit.data()) n += v;
    return n;
  });
}

function asPair(data: DataSpec): [Tensor, Tensor] | null {
  if (Array.isArray(data) && data.length === 2 && data[0] instanceof Tensor && data[1] instanceof Tensor) return [data[0], data[1]];
  const d = data as { x?: unknown; y?: unknown };
  if (d && d.x instanceof Tensor && d.y instanceof Tensor) return [d.x, d.y];
  return null;
}

function checkPair(who: string, [x, y]: [Tensor, Tensor]): void {
  if (x.ndim === 0 || y.ndim === 0 || x.shape[0] !== y.shape[0]) {
    throw new Error(`${who}: inputs ${fmtShape(x.shape)} and targets ${fmtShape(y.shape)} must have the same number of rows (dim 0)`);
  }
}

/** Batches of a tensor pair, optionally in a fresh random order (global seeded generator). */
function* tensorBatches([x, y]: [Tensor, Tensor], batchSize: number, shuffle: boolean): Generator<Batch> {
  const n = x.shape[0];
  const order = shuffle ? randperm(n) : null;
  for (let s = 0; s < n; s += batchSize) {
    const len = Math.min(batchSize, n - s);
    if (order) {
      const idx = narrow(order, 0, s, len);
      yield [indexSelect(x, 0, idx), indexSelect(y, 0, idx)];
    } else {
      yield [narrow(x, 0, s, len), narrow(y, 0, s, len)];
    }
  }
}

function batchesOf(who: string, data: DataSpec, batchSize: number, shuffle: boolean): { iter: () => Iterable<Batch>; steps: number | null } {
  const pair = asPair(data);
  if (pair) {
    checkPair(who, pair);
    return { iter: () => tensorBatches(pair, batchSize, shuffle), steps: Math.ceil(pair[0].shape[0] / batchSize) };
  }
  if (data && typeof (data as Iterable<Batch>)[Symbol.iterator] === 'function') {
    const len = (data as { length?: unknown }).length;
    return { iter: () => data as Iterable<Batch>, steps: typeof len === 'number' ? len : null };
  }
  throw new Error(`${who}: data must be [x, y] tensors, { x, y }, or an iterable of [x, y] batches (such as a DataLoader)`);
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export interface EvaluateOptions {
  loss?: LossSpec;
  metrics?: MetricSpec[];
  batchSize?: number;
  threshold?: number;
}

/** Loss and metrics of `model` on `data`, in eval mode without recording; restores the previous mode. */
export function evaluate(model: TrainableModel, data: DataSpec, options: EvaluateOptions = {}): Logs {
  const { iter } = batchesOf('evaluate', data, options.batchSize ?? 256, false);
  const lossFn = options.loss ? resolveLoss(options.loss) : null;
  const threshold = options.threshold ?? (options.loss ? defaultThreshold(options.loss) : 0.5);
  const wasTraining = model.training;
  model.eval();
  const sums: Logs = {};
  let count = 0;
  try {
    noGrad(() => {
      for (const [x, y] of iter()) {
        const pred = model.forward(x);
        const n = x.shape[0];
        count += n;
        if (lossFn) sums.loss = (sums.loss ?? 0) + lossFn(pred, y).item() * n;
        for (const m of options.metrics ?? []) {
          if (m === 'accuracy') sums.accuracy = (sums.accuracy ?? 0) + correct(pred, y, threshold);
          else sums[m.name] = (sums[m.name] ?? 0) + m.fn(pred, y) * n;
        }
      }
    });
  } finally {
    model.train(wasTraining);
  }
  if (count === 0) throw new Error('evaluate: the data has no rows');
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count]));
}

/** The model's outputs for `x`, in batches, in eval mode without recording. */
export function predict(model: TrainableModel, x: Tensor, options: { batchSize?: number } = {}): Tensor {
  const bs = options.batchSize ?? 256;
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const outs: Tensor[] = [];
      for (let s = 0; s < x.shape[0]; s += bs) outs.push(model.forward(narrow(x, 0, s, Math.min(bs, x.shape[0] - s))));
      if (outs.length === 0) throw new Error(`predict: input ${fmtShape(x.shape)} has no rows`);
      return outs.length === 1 ? outs[0] : cat(outs, 0);
    });
  } finally {
    model.train(wasTraining);
  }
}

/**
 * Trains `model` with mini-batch gradient descent: for every batch, forward, loss (+ regulariser), zeroGrad,
 * backward, optimizer step; after every epoch, validation and the callbacks (which may stop training).
 * Returns the History, with the run's FLOPs and wall time.
 */
export async function fit(model: TrainableModel, options: FitOptions): Promise<History> {
  const epochs = options.epochs ?? 10;
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(epochs) || epochs < 0) throw new Error(`fit: epochs must be a non-negative integer, got ${options.epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`fit: batchSize must be a positive integer, got ${options.batchSize}`);
  if (!options.optimizer || typeof options.optimizer.step !== 'function') throw new Error('fit: optimizer is required (e.g. new optim.SGD(model.parameters(), { lr: 0.1 }))');
  const lossFn = resolveLoss(options.loss);
  const threshold = options.threshold ?? defaultThreshold(options.loss);
  const metrics = options.metrics ?? [];
  const adv = options.adversarial;
  if (adv && (typeof adv.attack !== 'function' || !((adv.ratio ?? 0.5) >= 0 && (adv.ratio ?? 0.5) <= 1))) {
    throw new Error(`fit: adversarial needs an attack function and a ratio in [0, 1], got ratio ${adv.ratio}`);
  }

  let data = options.data;
  let valData = options.valData;
  if (options.valSplit !== undefined) {
    const pair = asPair(data);
    if (!pair) throw new Error('fit: valSplit needs tensor data ([x, y] or { x, y }); pass valData for other data');
    if (!(options.valSplit > 0 && options.valSplit < 1)) throw new Error(`fit: valSplit must be in (0, 1), got ${options.valSplit}`);
    checkPair('fit', pair);
    const n = pair[0].shape[0];
    const nVal = Math.max(1, Math.round(n * options.valSplit));
    data = [narrow(pair[0], 0, 0, n - nVal), narrow(pair[1], 0, 0, n - nVal)];
    valData = [narrow(pair[0], 0, n - nVal, nVal), narrow(pair[1], 0, n - nVal, nVal)];
  }
  const train = batchesOf('fit', data, batchSize, options.shuffle ?? true);
  if (valData) batchesOf('fit (valData)', valData, batchSize, false);

  const callbacks = [...(options.callbacks ?? [])];
  const wantBar = options.verbose ?? (typeof process !== 'undefined' && !!process.stdout?.isTTY);
  if (wantBar && !callbacks.some((c) => c instanceof ProgressBar)) callbacks.push(new ProgressBar());
  const ctx: TrainingContext = { model, optimizer: options.optimizer, epochs, steps: train.steps, stopTraining: false };
  for (const cb of callbacks) cb.setContext(ctx);

  const ckpt = options.checkpoint;
  const generators = runGenerators(ckpt);
  if (ckpt || options.resume !== undefined) checkDataGenerators(data, generators);
  const loaded = await openCheckpoints(options);
  const history = new History();
  let pos: RunPosition = {
    epoch: options.initialEpoch ?? 0, stepInEpoch: 0, globalStep: 0, epochSums: {}, epochCount: 0, epochRng: null, lastLogs: {},
    stopTraining: false, completed: false, batchSize, steps: train.steps,
  };
  if (loaded) {
    pos = loaded.position;
    if (pos.stepInEpoch > 0 && (pos.batchSize !== batchSize || pos.steps !== train.steps)) {
      throw new Error(
        `fit: the checkpoint in ${loaded.info.dir} stopped inside epoch ${pos.epoch + 1} of batches of ${pos.batchSize} (${pos.steps ?? '?'} per epoch); ` +
          `this run has batches of ${batchSize} (${train.steps ?? '?'} per epoch); pass the same data and batchSize`,
      );
    }
    loaded.restoreTraining('fit', model, options.optimizer);
    const h = loaded.history;
    history.epochs.push(...h.epochs);
    for (const [k, v] of Object.entries(h.history)) history.history[k] = [...v];
    history.flops = h.flops;
    history.wallTimeMs = h.wallTimeMs;
  }
  const flops0 = flopCount() - history.flops;
  const t0 = performance.now() - history.wallTimeMs;
  const save = async (p: RunPosition): Promise<void> => {
    if (!ckpt) return;
    history.flops = flopCount() - flops0;
    history.wallTimeMs = performance.now() - t0;
    await saveCheckpoint(ckpt.dir, { model, optimizer: options.optimizer, callbacks, generators, history, position: p, meta: ckpt.meta });
  };
  const everyEpochs = ckpt ? (ckpt.everyEpochs ?? (ckpt.everySteps ? 0 : 1)) : 0;
  const yieldEvery = options.yieldEveryMs ?? 50;
  let lastYield = performance.now();
  let last: Logs = pos.lastLogs;
  let globalStep = pos.globalStep;
  for (const cb of callbacks) await cb.onTrainBegin({});
  if (loaded) {
    // After onTrainBegin, which resets callbacks such as EarlyStopping.
    loaded.restoreCallbacks('fit', callbacks);
    loaded.restoreGenerators('fit', generators);
    ctx.stopTraining = pos.stopTraining;
    ctx.stopReason = pos.stopReason;
  } else {
    await save(pos);
  }
  let midEpoch = pos.stepInEpoch > 0;
  for (let epoch = pos.epoch; epoch < epochs && (!ctx.stopTraining || midEpoch); epoch++) {
    model.train();
    for (const cb of callbacks) await cb.onEpochBegin(epoch);
    let sums: Logs = {};
    let count = 0;
    let batch = 0;
    if (midEpoch) {
      loaded!.restoreGenerators('fit', generators, pos.epochRng!);
      sums = { ...pos.epochSums };
      count = pos.epochCount;
    }
    const epochRng: GeneratorState[] = generators.map((g) => g.getState());
    const it = train.iter()[Symbol.iterator]();
    // Resuming inside an epoch: its order (and augmentations) are redrawn from the epoch's start, the batches
    // already trained are skipped, and the random stream goes on from where the checkpoint left it.
    const skipEpochBatches = midEpoch && ctx.stopTraining;
    if (midEpoch) {
      for (; batch < pos.stepInEpoch; batch++) {
        if (it.next().done) {
          throw new Error(`fit: the checkpoint is at batch ${pos.stepInEpoch} of epoch ${epoch + 1}, but the data gives ${batch} batches per epoch; pass the same data`);
        }
      }
      loaded!.restoreGenerators('fit', generators);
      midEpoch = false;
    }
    for (let next = skipEpochBatches ? null : it.next(); next && !next.done; next = it.next()) {
      const [xb, y] = next.value;
      for (const cb of callbacks) await cb.onBatchBegin(batch);
      const x = adv ? mixAdversarial(model, xb, y, adv) : xb;
      const pred = model.forward(x);
      let loss = lossFn(pred, y);
      if (options.regularizer) loss = add(loss, options.regularizer(model));
      options.optimizer.zeroGrad();
      loss.backward();
      options.optimizer.step();
      const n = x.shape[0];
      const logs: Logs = { loss: loss.item() };
      for (const m of metrics) {
        if (m === 'accuracy') logs.accuracy = correct(pred, y, threshold) / n;
        else logs[m.name] = noGrad(() => m.fn(pred.detach(), y));
      }
      for (const [k, v] of Object.entries(logs)) sums[k] = (sums[k] ?? 0) + v * n;
      count += n;
      for (const cb of callbacks) await cb.onBatchEnd(batch, { ...logs, size: n });
      batch++;
      globalStep++;
      if (ckpt?.everySteps && globalStep % ckpt.everySteps === 0) {
        await save({
          epoch, stepInEpoch: batch, globalStep, epochSums: sums, epochCount: count, epochRng, lastLogs: last,
          stopTraining: ctx.stopTraining, stopReason: ctx.stopReason, completed: false, batchSize, steps: train.steps,
        });
      }
      if (yieldEvery > 0 && performance.now() - lastYield >= yieldEvery) {
        await tick();
        lastYield = performance.now();
      }
      if (ctx.stopTraining) break;
    }
    if (count === 0) throw new Error('fit: the training data produced no batches');
    const logs: Logs = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count]));
    if (valData) {
      const v = evaluate(model, valData, { loss: options.loss, metrics, batchSize: Math.max(batchSize, 256), threshold });
      for (const [k, val] of Object.entries(v)) logs[`val${k[0].toUpperCase()}${k.slice(1)}`] = val;
    }
    const lr = options.optimizer.paramGroups[0]?.lr;
    if (typeof lr === 'number') logs.lr = lr;
    history.push(epoch, logs);
    last = logs;
    for (const cb of callbacks) await cb.onEpochEnd(epoch, logs);
    const ended = epoch + 1 >= epochs || ctx.stopTraining;
    if (ended || (everyEpochs > 0 && (epoch + 1) % everyEpochs === 0)) {
      await save({
        epoch: epoch + 1, stepInEpoch: 0, globalStep, epochSums: {}, epochCount: 0, epochRng: null, lastLogs: last,
        stopTraining: ctx.stopTraining, stopReason: ctx.stopReason, completed: ended, batchSize, steps: train.steps,
      });
    }
  }
  history.flops = flopCount() - flops0;
  history.wallTimeMs = performance.now() - t0;
  history.stopReason = ctx.stopReason;
  for (const cb of callbacks) await cb.onTrainEnd(last);
  return history;
}

/** A folder path without './' in front and '/' at the end, to tell whether two options name the same folder. */
const samePath = (a: string, b: string): boolean => {
  const norm = (p: string): string => p.replace(/[\\/]+$/, '').replace(/^\.[\\/]/, '');
  return norm(a) === norm(b);
};

/**
 * Checks the checkpoint and resume options; returns the checkpoint to resume from, or null for a fresh run.
 * A fresh run refuses a folder that already holds a checkpoint (unless checkpoint.overwrite), so that neither run
 * is lost by mistake; resuming refuses a checkpoint written with a different checkpoint.meta.
 */
async function openCheckpoints(options: FitOptions): Promise<LoadedCheckpoint | null> {
  const ckpt = options.checkpoint;
  if (ckpt) checkCheckpointOptions(ckpt);
  if (options.resume === true && !ckpt) throw new Error('fit: resume: true resumes from checkpoint.dir, but no checkpoint option was given');
  const dir = options.resume === true ? ckpt!.dir : options.resume;
  if (dir !== undefined && (typeof dir !== 'string' || dir === '')) throw new Error(`fit: resume must be a checkpoint folder or true, got ${JSON.stringify(options.resume)}`);
  const loaded = dir === undefined ? null : await loadCheckpoint(dir);
  if (ckpt && !ckpt.overwrite && (dir === undefined || !samePath(dir, ckpt.dir))) {
    const there = await checkpointInfo(ckpt.dir);
    if (there) {
      throw new Error(
        `fit: ${ckpt.dir} already holds a checkpoint (${describeCheckpoint(there)}); ` +
          'pass resume to continue that run, or checkpoint.overwrite: true (or another folder) to start over',
      );
    }
  }
  if (loaded && ckpt?.meta !== undefined && !sameJson(loaded.info.meta, ckpt.meta)) {
    throw new Error(`fit: the checkpoint in ${dir} was written by a different run (checkpoint.meta differs: ${jsonDifferences(loaded.info.meta, ckpt.meta).join('; ')})`);
  }
  return loaded;
}
