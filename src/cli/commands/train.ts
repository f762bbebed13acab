/**
 * `backprop train --csv <file> --target <column>`: a sensible default model on any CSV.
 *
 * The recipe: read and type the columns (src/data's CSV reader, which names the row and column of a bad cell);
 * one-hot encode categorical features, leaving out identifier-like ones; split 80/20 (stratified for
 * classification), then hold out part of the training split for early stopping; standardise the numeric
 * features (and a regression target) with statistics of the fitting rows only; train an MLP with early
 * stopping that restores the best weights; report the test metrics.
 */
import { basename, join, resolve } from 'node:path';
import { add, argmax, div, mul, reshape, softmax, sub } from '../../ops/index.js';
import { manualSeed } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import * as nn from '../../nn/index.js';
import { CSVTable, StandardScaler, readCSV, trainTestSplit } from '../../data/index.js';
import {
  accuracy, confusionMatrix, f1Score, meanAbsoluteError, meanSquaredError, precisionRecallFscoreSupport, r2Score, rocAuc,
} from '../../metrics/index.js';
import { type Callback, EarlyStopping, LambdaCallback, TerminateOnNaN, checkpointInfo, describeCheckpoint, fit, formatFlops, predict } from '../../train/index.js';
import { saveModelDir } from '../../io/model-dir.js';
import {
  type CommandSpec, type PrintOptions, JSON_FLAG, UsageError, intFlag, num, pct, printJson, printTable, printer, stringFlag,
} from '../command.js';
import { type ActivationName, type TrainConfig, defaultConfig, loadConfig, makeOptimizer, parseConfig } from '../train-config.js';
import { packageVersion } from './info.js';

export interface TrainOptions extends PrintOptions {
  /** Path of the CSV file (first line: column names). */
  csv: string;
  /** The column to predict. */
  target: string;
  /** A config file path, or the config as an object (validated the same way); defaults for what it leaves out. */
  config?: string | Record<string, unknown>;
  /** Overrides training.epochs of the config. */
  epochs?: number;
  /** Overrides seed of the config. */
  seed?: number;
  /** Overrides data.task of the config. */
  task?: 'auto' | 'classification' | 'regression';
  /** Leave out rows with a missing value instead of refusing the file. */
  dropMissing?: boolean;
  /** Folder to save the model in: model.safetensors and config.json. */
  out?: string;
  /** Print a line of figures every few epochs (default true; a terminal gets a progress bar instead). */
  progress?: boolean;
  /** Write resumable checkpoints into this folder (train/resume.ts). */
  checkpoint?: string;
  /** Checkpoint every this many optimizer steps (default: after every epoch). */
  checkpointEvery?: number;
  /** Continue the run checkpointed in this folder (and keep checkpointing there); same arguments required. */
  resume?: string;
}

export interface ClassMetrics {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationMetrics {
  accuracy: number;
  macroF1: number;
  perClass: ClassMetrics[];
  /** Area under the ROC curve of P(classes[1]); binary tasks only, null when the test split holds one class. */
  rocAuc: number | null;
  /** confusion[i][j]: test rows of class i predicted as class j, in the order of `classes`. */
  confusion: number[][];
}

export interface RegressionMetrics {
  mse: number;
  mae: number;
  r2: number;
}

export interface TrainResult {
  task: 'classification' | 'regression';
  target: string;
  rows: number;
  /** Names of the model's input columns (one-hot columns as 'column_category'). */
  features: string[];
  /** Categorical columns left out because they look like identifiers or free text (too many categories). */
  droppedColumns: string[];
  /** The class names in label order; [] for regression. */
  classes: string[];
  trainRows: number;
  valRows: number;
  testRows: number;
  stratified: boolean;
  /** A one-line description of the model, e.g. 'MLP 12-64-32-3 (relu)'. */
  model: string;
  parameters: number;
  epochsRun: number;
  /** 1-based epoch whose weights were kept (the best validation loss); null when no epoch had a finite one. */
  bestEpoch: number | null;
  stopReason: string | null;
  flops: number;
  wallTimeMs: number;
  config: TrainConfig;
  metrics: ClassificationMetrics | RegressionMetrics;
  /** Where the model was saved, when `out` was given. */
  saved: { weights: string; config: string } | null;
}

/** A numeric target with at most this many distinct integer values is taken as class labels. */
const MAX_INTEGER_CLASSES = 10;

function activation(name: ActivationName): nn.Module {
  switch (name) {
    case 'relu': return new nn.ReLU();
    case 'tanh': return new nn.Tanh();
    case 'sigmoid': return new nn.Sigmoid();
    case 'gelu': return new nn.GELU();
    case 'elu': return new nn.ELU();
    case 'leakyRelu': return new nn.LeakyReLU();
  }
}

/** Linear → activation (→ dropout) per hidden width, then a Linear to the outputs. */
export function buildMlp(inputs: number, outputs: number, m: TrainConfig['model']): nn.Sequential {
  const layers: nn.Module[] = [];
  let width = inputs;
  for (const h of m.hidden) {
    layers.push(new nn.Linear(width, h), activation(m.activation));
    if (m.dropout > 0) layers.push(new nn.Dropout(m.dropout));
    width = h;
  }
  layers.push(new nn.Linear(width, outputs));
  return new nn.Sequential(...layers);
}

/**
 * A categorical column with more categories than this is left out: one-hot would give a column per row
 * (an identifier, a name, free text) and nothing to generalise from.
 */
const maxCategories = (rows: number): number => Math.min(100, Math.max(10, Math.floor(rows / 2)));

/** The table without the given columns. */
function withoutColumns(table: CSVTable, drop: readonly string[]): CSVTable {
  if (drop.length === 0) return table;
  const columns = table.columns.filter((c) => !drop.includes(c));
  const types = Object.fromEntries(columns.map((c) => [c, table.types[c]]));
  const values = new Map(columns.map((c) => [c, table.column(c)]));
  return new CSVTable(columns, types, values, table.lines, table.droppedLines, table.target);
}

function decideTask(table: CSVTable, target: string, requested: TrainConfig['data']['task']): { task: 'classification' | 'regression'; why: string } {
  if (requested !== 'auto') return { task: requested, why: 'as requested' };
  if (table.types[target] === 'categorical') return { task: 'classification', why: 'categorical target' };
  const values = table.column(target) as number[];
  const distinct = new Set(values).size;
  if (distinct <= MAX_INTEGER_CLASSES && values.every(Number.isInteger)) {
    return { task: 'classification', why: `numeric target with ${distinct} distinct integer values` };
  }
  return { task: 'regression', why: `numeric target with ${distinct} distinct values` };
}

/** Rows per label of an int32 label tensor. */
function classCounts(y: Tensor, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const v of y.data()) counts[v]++;
  return counts;
}

type Split = { xTrain: Tensor; xTest: Tensor; yTrain: Tensor; yTest: Tensor };

/** trainTestSplit, stratified when every class has at least two rows (else a plain random split and a note). */
function split(x: Tensor, y: Tensor, part: 'test' | 'validation', size: number, seed: number, numClasses: number | null, notes: string[]): Split & { stratified: boolean } {
  const n = x.shape[0];
  const nHeld = Math.ceil(n * size);
  if (nHeld >= n) {
    throw new Error(`train: ${n} rows are too few to hold out a ${part} part of ${size}; add rows or lower data.${part === 'test' ? 'testSize' : 'valSize'}`);
  }
  let stratified = numClasses !== null;
  if (numClasses !== null) {
    const single = classCounts(y, numClasses).filter((c) => c === 1).length;
    if (single > 0) {
      stratified = false;
      notes.push(`the ${part} split is not stratified: ${single} class${single === 1 ? ' has' : 'es have'} a single row`);
    }
  }
  return { ...trainTestSplit(x, y, { testSize: size, stratify: stratified, seed }), stratified };
}

/** Prints a line of figures on the first epoch, every tenth of the run, and the last epoch that ran. */
function progressLines(log: (line: string) => void, epochs: number): Callback {
  const every = Math.max(1, Math.round(epochs / 10));
  const fmt = (v: number): string => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4));
  let pending: string | null = null;
  return new LambdaCallback({
    onEpochEnd: (epoch, logs) => {
      const { lr: _lr, ...figures } = logs;
      const line = `epoch ${epoch + 1}/${epochs} · ${Object.entries(figures).map(([k, v]) => `${k} ${fmt(v)}`).join(' · ')}`;
      if (epoch === 0 || (epoch + 1) % every === 0) {
        log(line);
        pending = null;
      } else {
        pending = line;
      }
    },
    onTrainEnd: () => {
      if (pending !== null) log(pending);
    },
  });
}

/** The config of a run: the file or object given, then the command-line overrides. */
async function resolveConfig(options: TrainOptions): Promise<TrainConfig> {
  const config = options.config === undefined ? defaultConfig()
    : typeof options.config === 'string' ? await loadConfig(options.config)
    : parseConfig(options.config);
  const resolved = {
    ...config,
    seed: options.seed ?? config.seed,
    training: { ...config.training, epochs: options.epochs ?? config.training.epochs },
    data: { ...config.data, task: options.task ?? config.data.task },
  };
  if (!Number.isSafeInteger(resolved.seed) || resolved.seed < 0) throw new Error(`train: seed must be a non-negative integer, got ${resolved.seed}`);
  if (!Number.isSafeInteger(resolved.training.epochs) || resolved.training.epochs < 1) {
    throw new Error(`train: epochs must be a positive integer, got ${resolved.training.epochs}`);
  }
  return resolved;
}

/** Reads the CSV, finds the target, and leaves out identifier-like categorical columns. */
async function loadTable(options: TrainOptions, notes: string[]): Promise<{ table: CSVTable; target: string; droppedColumns: string[] }> {
  let table: CSVTable;
  try {
    table = await readCSV(options.csv, { missing: options.dropMissing ? 'drop' : 'error' });
  } catch (e) {
    const msg = (e as Error).message;
    // The reader's hint names its API option; a command-line user needs the flag.
    throw new Error(/missing value/.test(msg) ? `${msg} (on the command line: --drop-missing)` : msg);
  }
  const target = table.resolve('train --target', options.target);
  const dropped = table.droppedLines;
  if (dropped.length > 0) notes.push(`${dropped.length} rows with missing values left out (lines ${dropped.slice(0, 5).join(', ')}${dropped.length > 5 ? ', …' : ''})`);
  if (table.length < 10) throw new Error(`train: ${options.csv} has ${table.length} data rows; at least 10 are needed to train and test a model`);
  const limit = maxCategories(table.length);
  const categories = (c: string): number => new Set<string | number>(table.column(c)).size;
  const droppedColumns = table.columns.filter((c) => c !== target && table.types[c] === 'categorical' && categories(c) > limit);
  for (const c of droppedColumns) notes.push(`column '${c}' left out: ${categories(c)} categories in ${table.length} rows looks like an identifier or free text`);
  table = withoutColumns(table, droppedColumns);
  if (table.columns.length < 2) throw new Error(`train: no feature columns left besides the target '${target}'`);
  return { table, target, droppedColumns };
}

/** Tensors ready for training: split, numeric features standardised with the fitting rows' statistics. */
interface Prepared {
  task: 'classification' | 'regression';
  why: string;
  featureNames: string[];
  categories: Record<string, string[]>;
  classes: string[];
  fit: [Tensor, Tensor];
  val: [Tensor, Tensor];
  /** Test inputs (scaled) and targets (in the file's units). */
  test: [Tensor, Tensor];
  stratified: boolean;
  scaler: StandardScaler;
  /** A regression target is trained as (y − mean) / std. */
  yScale: { mean: number; std: number } | null;
}

function prepare(table: CSVTable, target: string, config: TrainConfig, notes: string[]): Prepared {
  const { task, why } = decideTask(table, target, config.data.task);
  const tt = table.toTensors({ target, task });
  const classes = tt.classes.map(String);
  if (task === 'classification' && classes.length < 2) throw new Error(`train: the target '${target}' has a single class (${classes[0]}); classification needs at least two`);
  const numClasses = task === 'classification' ? classes.length : null;
  const outer = split(tt.x, tt.y, 'test', config.data.testSize, config.seed, numClasses, notes);
  const inner = split(outer.xTrain, outer.yTrain, 'validation', config.data.valSize, config.seed + 1, numClasses, notes);

  // One-hot columns stay 0/1: their statistics are replaced by the identity.
  const scaler = new StandardScaler().fit(inner.xTrain);
  tt.featureNames.forEach((name, j) => {
    if (table.types[name] !== 'numeric') {
      scaler.mean![j] = 0;
      scaler.scale![j] = 1;
    }
  });
  let yScale: Prepared['yScale'] = null;
  if (task === 'regression') {
    const ys = new StandardScaler().fit(reshape(inner.yTrain, [-1, 1]));
    yScale = { mean: ys.mean![0], std: ys.scale![0] };
  }
  const y = (t: Tensor): Tensor => (yScale ? div(sub(t, yScale.mean), yScale.std) : t);
  return {
    task, why, featureNames: tt.featureNames, categories: tt.categories, classes,
    fit: [scaler.transform(inner.xTrain), y(inner.yTrain)],
    val: [scaler.transform(inner.xTest), y(inner.yTest)],
    test: [scaler.transform(outer.xTest), outer.yTest],
    stratified: outer.stratified, scaler, yScale,
  };
}

/** Trains the default (or configured) model on a CSV file; prints progress and test metrics, returns them. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const log = printer(options);
  const notes: string[] = [];
  const config = await resolveConfig(options);
  manualSeed(config.seed);
  const { table, target, droppedColumns } = await loadTable(options, notes);
  const data = prepare(table, target, config, notes);
  const { task, classes } = data;

  const features = data.featureNames.length;
  const outputs = task === 'classification' ? classes.length : 1;
  const model = buildMlp(features, outputs, config.model);
  const modelName = config.model.hidden.length === 0 ? `linear ${features}-${outputs}`
    : `MLP ${[features, ...config.model.hidden, outputs].join('-')} (${config.model.activation}${config.model.dropout > 0 ? `, dropout ${config.model.dropout}` : ''})`;
  const { name: optName, ...optOptions } = config.optimizer;
  const optimizer = makeOptimizer(optName, model.parameters(), optOptions);

  log(`${options.csv}: ${table.length} rows, target '${target}': ${task} (${data.why})${task === 'classification' ? `, ${classes.length} classes: ${classes.join(', ')}` : ''}.`);
  log(`${features} input features from ${table.columns.length - 1} columns; split ${data.fit[0].shape[0]} train / ${data.val[0].shape[0]} validation / ${data.test[0].shape[0]} test rows${data.stratified ? ' (stratified)' : ''}.`);
  log(`${modelName}, ${model.numParameters()} parameters; ${optName} lr ${config.optimizer.lr}, up to ${config.training.epochs} epochs of batch ${config.training.batchSize}, early stopping with patience ${config.training.patience}; seed ${config.seed}.`);
  for (const note of notes) log(`note: ${note}`);
  log();

  // The arguments that decide the run: a resumed run must have the same ones (fit compares them).
  const checkpointDir = options.checkpoint ?? options.resume;
  const meta = { command: 'train', csv: resolve(options.csv), target: options.target, dropMissing: options.dropMissing === true, config };
  if (options.resume) {
    const info = await checkpointInfo(options.resume);
    log(`resuming the run checkpointed in ${options.resume}${info ? ` (${describeCheckpoint(info)})` : ''}.`);
  }
  const there = options.checkpoint && !options.resume ? await checkpointInfo(options.checkpoint) : null;
  if (there) {
    throw new Error(
      `train: ${options.checkpoint} already holds a checkpoint (${describeCheckpoint(there)}); continue it with --resume ${options.checkpoint}, or remove the folder to start over`,
    );
  }
  const early = new EarlyStopping({ monitor: 'valLoss', patience: config.training.patience, restoreBestWeights: true });
  const terminal = options.log === undefined && !!process.stdout.isTTY;
  const callbacks: Callback[] = [new TerminateOnNaN(), early];
  if (!terminal && options.progress !== false) callbacks.push(progressLines(log, config.training.epochs));
  const history = await fit(model, {
    data: data.fit, valData: data.val, loss: task === 'classification' ? 'crossEntropy' : 'mse', metrics: task === 'classification' ? ['accuracy'] : [],
    optimizer, epochs: config.training.epochs, batchSize: config.training.batchSize, callbacks, verbose: terminal && options.progress !== false,
    checkpoint: checkpointDir ? { dir: checkpointDir, everySteps: options.checkpointEvery, meta } : undefined, resume: options.resume,
  });
  log(`trained: ${history.summary()}; ` + (early.bestEpoch >= 0
    ? `kept the weights of epoch ${early.bestEpoch + 1} (validation loss ${num(early.best, 4)}).`
    : 'the validation loss never had a finite value, so the last weights are kept.'));
  log();

  const [xTest, yTest] = data.test;
  const out = predict(model, xTest);
  let metrics: ClassificationMetrics | RegressionMetrics;
  if (task === 'classification') {
    metrics = classificationMetrics(yTest, out, classes);
    printClassification(log, metrics, classes);
  } else {
    const { mean, std } = data.yScale!;
    const pred = add(mul(reshape(out, [-1]), std), mean);
    metrics = { mse: meanSquaredError(yTest, pred), mae: meanAbsoluteError(yTest, pred), r2: r2Score(yTest, pred) };
    log(`test metrics (${yTest.shape[0]} rows, in the target's units):`);
    printTable(log, ['metric', 'value'], [['MSE', num(metrics.mse)], ['MAE', num(metrics.mae)], ['R²', num(metrics.r2, 4)]]);
  }

  const result: TrainResult = {
    task, target, rows: table.length, features: data.featureNames, droppedColumns, classes,
    trainRows: data.fit[0].shape[0], valRows: data.val[0].shape[0], testRows: xTest.shape[0], stratified: data.stratified,
    model: modelName, parameters: model.numParameters(), epochsRun: history.epochs.length, bestEpoch: early.bestEpoch >= 0 ? early.bestEpoch + 1 : null,
    stopReason: history.stopReason ?? null, flops: history.flops, wallTimeMs: history.wallTimeMs, config, metrics, saved: null,
  };
  if (options.out) {
    result.saved = await save(options.out, model, result, options.csv, { categories: data.categories, scaler: data.scaler.toJSON(), targetScale: data.yScale });
    log();
    log(`saved ${result.saved.weights} and ${result.saved.config}`);
  }
  log();
  log(`compute: ${formatFlops(result.flops)} in ${(result.wallTimeMs / 1000).toFixed(2)} s of training.`);
  printJson(options, result);
  return result;
}

function classificationMetrics(yTest: Tensor, logits: Tensor, classes: string[]): ClassificationMetrics {
  const pred = argmax(logits, 1);
  const labels = classes.map((_, k) => k);
  const per = precisionRecallFscoreSupport(yTest, pred, { labels });
  let auc: number | null = null;
  if (classes.length === 2) {
    const present = new Set(yTest.data());
    if (present.size === 2) auc = rocAuc(yTest, Array.from(softmax(logits, 1).data()).filter((_, i) => i % 2 === 1));
  }
  return {
    accuracy: accuracy(yTest, pred),
    macroF1: f1Score(yTest, pred, { average: 'macro' }),
    perClass: classes.map((c, k) => ({ class: c, precision: per.precision[k], recall: per.recall[k], f1: per.f1[k], support: per.support[k] })),
    rocAuc: auc,
    confusion: confusionMatrix(yTest, pred, classes.length),
  };
}

function printClassification(log: (line?: string) => void, m: ClassificationMetrics, classes: string[]): void {
  const total = m.confusion.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  log(`test metrics (${total} rows): accuracy ${pct(m.accuracy)}, macro F1 ${m.macroF1.toFixed(3)}` +
    (classes.length === 2 ? `, ROC AUC ${m.rocAuc === null ? 'n/a (one class in the test split)' : m.rocAuc.toFixed(3)} (positive class '${classes[1]}')` : '') + '.');
  log();
  printTable(log, ['class', 'precision', 'recall', 'F1', 'support'],
    m.perClass.map((c) => [c.class, c.precision.toFixed(3), c.recall.toFixed(3), c.f1.toFixed(3), c.support]));
  log();
  log('confusion matrix (rows: true class, columns: predicted class):');
  printTable(log, ['true \\ predicted', ...classes], m.confusion.map((row, i) => [classes[i], ...row]));
}

/**
 * Saves the model as a model folder (io/model-dir.ts: model.safetensors with PyTorch's parameter names, and
 * config.json with the layers), adding what is needed to prepare new rows the same way and the run's figures.
 */
async function save(dir: string, model: nn.Sequential, r: TrainResult, csv: string, prep: Record<string, unknown>): Promise<{ weights: string; config: string }> {
  await saveModelDir(dir, model, {
    backprop: packageVersion(), dataset: basename(csv), task: r.task, target: r.target, inputShape: [r.features.length],
    ...(r.task === 'classification' ? { classes: r.classes.length, classNames: r.classes } : {}),
    features: r.features, droppedColumns: r.droppedColumns, ...prep, settings: r.config, metrics: r.metrics,
  });
  return { weights: join(dir, 'model.safetensors'), config: join(dir, 'config.json') };
}

export const trainCommand: CommandSpec = {
  name: 'train',
  summary: 'train a default MLP on a CSV file and report test metrics',
  usage: 'train --csv <file> --target <column> [--config <file.json>] [--epochs <n>] [--seed <n>] [--task <t>] [--drop-missing] [--out <dir>] [--checkpoint <dir> [--checkpoint-every <steps>]] [--resume <dir>] [--json]',
  details: [
    'Categorical columns are one-hot encoded, numeric ones standardised with training statistics only. Classification',
    '(categorical target, or at most 10 distinct integers) uses a stratified split and cross-entropy; otherwise regression',
    'with MSE. Early stopping watches the loss on a validation part of the training split and keeps the best weights.',
    '',
    'A config file sets any of (defaults shown):',
    '  { "model": { "hidden": [64, 32], "activation": "relu", "dropout": 0 },',
    '    "optimizer": { "name": "adam", "lr": 0.001, …other options of that optimizer },',
    '    "training": { "epochs": 100, "batchSize": 32, "patience": 10 },',
    '    "data": { "testSize": 0.2, "valSize": 0.15, "task": "auto" },',
    '    "seed": 0 }',
    'activation: relu, tanh, sigmoid, gelu, elu, leakyRelu; optimizer: adam, adamw, sgd, rmsprop, adagrad.',
  ].join('\n'),
  flags: {
    csv: { type: 'string', value: '<file>', description: 'the CSV file; the first line names the columns' },
    target: { type: 'string', value: '<column>', description: 'the column to predict' },
    config: { type: 'string', value: '<file.json>', description: 'model, optimizer, training and data settings (see below)' },
    epochs: { type: 'string', value: '<n>', description: 'maximum epochs (overrides the config)' },
    seed: { type: 'string', value: '<n>', description: 'seed of the split, init and batch order (overrides the config)' },
    task: { type: 'string', value: '<t>', description: 'auto (default), classification or regression' },
    'drop-missing': { type: 'boolean', description: 'leave out rows with missing values instead of stopping' },
    out: { type: 'string', value: '<dir>', description: 'save the model folder there (model.safetensors + config.json)' },
    checkpoint: { type: 'string', value: '<dir>', description: 'write resumable checkpoints there (every epoch, or see --checkpoint-every)' },
    'checkpoint-every': { type: 'string', value: '<steps>', description: 'checkpoint every this many optimizer steps' },
    resume: { type: 'string', value: '<dir>', description: 'continue the run checkpointed there (after a crash or kill), with the same arguments' },
    json: JSON_FLAG,
  },
  run: (f) => {
    const csv = stringFlag(f, 'csv');
    const target = stringFlag(f, 'target');
    if (!csv) throw new UsageError('train needs --csv <file>');
    if (!target) throw new UsageError('train needs --target <column>');
    if (f['checkpoint-every'] !== undefined && f.checkpoint === undefined && f.resume === undefined) {
      throw new UsageError('--checkpoint-every needs --checkpoint <dir> (or --resume <dir>)');
    }
    const task = stringFlag(f, 'task');
    if (task !== undefined && !['auto', 'classification', 'regression'].includes(task)) {
      throw new UsageError(`--task must be auto, classification or regression, got '${task}'`);
    }
    return train({
      csv, target, config: stringFlag(f, 'config'), out: stringFlag(f, 'out'), task: task as TrainOptions['task'],
      epochs: f.epochs === undefined ? undefined : intFlag(f, 'epochs', 0, 1),
      seed: f.seed === undefined ? undefined : intFlag(f, 'seed', 0, 0),
      dropMissing: f['drop-missing'] === true, json: f.json === true,
      checkpoint: stringFlag(f, 'checkpoint'), resume: stringFlag(f, 'resume'),
      checkpointEvery: f['checkpoint-every'] === undefined ? undefined : intFlag(f, 'checkpoint-every', 0, 1),
    });
  },
};
