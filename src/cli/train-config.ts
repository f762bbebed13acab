/**
 * The `--config <file.json>` of `backprop train`: a full description of the model, optimizer, training and data
 * split. Every key is optional (defaults below); every mistake is refused with a message that names the key
 * and what was expected: an unknown key (with the closest known one), a wrong type, a value out of range.
 */
import { zeros } from '../tensor/creation.js';
import * as optim from '../optim/index.js';
import type { Tensor } from '../tensor/tensor.js';

/** The activations that a saved model folder (io/model-dir.ts) can describe. */
export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'gelu', 'elu', 'leakyRelu'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop', 'adagrad'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** The learning rate used when the config names an optimizer without one. */
export const DEFAULT_LR: Record<OptimizerName, number> = { adam: 1e-3, adamw: 1e-3, sgd: 1e-2, rmsprop: 1e-3, adagrad: 1e-2 };

export interface TrainConfig {
  model: {
    /** Widths of the hidden layers, input to output; [] is a linear model. */
    hidden: number[];
    activation: ActivationName;
    /** Dropout probability after each hidden activation (0: none). */
    dropout: number;
  };
  /** The optimizer's name, its lr, and any other option of that optimizer (momentum, weightDecay, betas…). */
  optimizer: { name: OptimizerName; lr: number; [option: string]: unknown };
  training: {
    epochs: number;
    batchSize: number;
    /** Early stopping: epochs without a better validation loss before stopping; the best weights are restored. */
    patience: number;
  };
  data: {
    /** Fraction of rows held out for the test metrics (stratified for classification). */
    testSize: number;
    /** Fraction of the training split held out for early stopping. */
    valSize: number;
    /** 'auto': classification for a categorical target or one with at most 10 distinct integers, else regression. */
    task: 'auto' | 'classification' | 'regression';
  };
  /** Seed of the split, the weight init, dropout and the batch order. */
  seed: number;
}

/** The defaults: a two-hidden-layer ReLU MLP trained with Adam and early stopping. */
export function defaultConfig(): TrainConfig {
  return {
    model: { hidden: [64, 32], activation: 'relu', dropout: 0 },
    optimizer: { name: 'adam', lr: 1e-3 },
    training: { epochs: 100, batchSize: 32, patience: 10 },
    data: { testSize: 0.2, valSize: 0.15, task: 'auto' },
    seed: 0,
  };
}

/** Levenshtein distance, to suggest the key that was probably meant. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length];
}

function closest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const dd = distance(key.replace(/_/g, ''), k);
    if (dd < bestD) [best, bestD] = [k, dd];
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : null;
}

const show = (v: unknown): string => (v === undefined ? 'nothing' : typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? JSON.stringify(v) : v === null ? 'null' : typeof v === 'object' ? 'an object' : String(v));

/** Validates a parsed config against the schema; `source` prefixes every message (e.g. the file name). */
export function parseConfig(input: unknown, source = 'config'): TrainConfig {
  const fail = (msg: string): never => {
    throw new Error(`${source}: ${msg}`);
  };
  const object = (v: unknown, path: string, known: readonly string[]): Record<string, unknown> => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${path ? `'${path}'` : 'the config'} must be a JSON object, got ${show(v)}`);
    for (const k of Object.keys(v as object)) {
      if (!known.includes(k)) {
        const hint = closest(k, known);
        fail(`unknown key '${path ? `${path}.` : ''}${k}'${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of ${known.join(', ')}`);
      }
    }
    return v as Record<string, unknown>;
  };
  const integer = (v: unknown, path: string, min: number, fallback: number): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(`'${path}' must be an integer, got ${show(v)}`);
    if ((v as number) < min) fail(`'${path}' must be an integer ≥ ${min}, got ${v}`);
    return v as number;
  };
  const fraction = (v: unknown, path: string, lo: number, hi: number, openHi: boolean, fallback: number): number => {
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`'${path}' must be a number, got ${show(v)}`);
    const n = v as number;
    if (n <= lo || (openHi ? n >= hi : n > hi)) fail(`'${path}' must be in (${lo}, ${hi}${openHi ? ')' : ']'}, got ${n}`);
    return n;
  };
  const oneOf = <T extends string>(v: unknown, path: string, options: readonly T[], fallback: T): T => {
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !options.includes(v as T)) {
      const hint = typeof v === 'string' ? closest(v, options) : null;
      fail(`'${path}' must be one of ${options.map((o) => `"${o}"`).join(', ')}, got ${show(v)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    return v as T;
  };

  const d = defaultConfig();
  const root = object(input, '', ['model', 'optimizer', 'training', 'data', 'seed']);

  const m = object(root.model ?? {}, 'model', ['hidden', 'activation', 'dropout']);
  let hidden = d.model.hidden;
  if (m.hidden !== undefined) {
    if (!Array.isArray(m.hidden) || m.hidden.some((h) => typeof h !== 'number' || !Number.isSafeInteger(h) || h < 1)) {
      fail(`'model.hidden' must be an array of positive integers such as [64, 32] ([] for a linear model), got ${show(m.hidden)}`);
    }
    hidden = [...(m.hidden as number[])];
  }
  const activation = oneOf(m.activation, 'model.activation', ACTIVATIONS, d.model.activation);
  let dropout = d.model.dropout;
  if (m.dropout !== undefined) {
    if (typeof m.dropout !== 'number' || !Number.isFinite(m.dropout)) fail(`'model.dropout' must be a number, got ${show(m.dropout)}`);
    if ((m.dropout as number) < 0 || (m.dropout as number) >= 1) fail(`'model.dropout' must be in [0, 1), got ${m.dropout}`);
    dropout = m.dropout as number;
  }

  const optimizer = parseOptimizer(root.optimizer, fail, show);

  const t = object(root.training ?? {}, 'training', ['epochs', 'batchSize', 'patience']);
  const training = {
    epochs: integer(t.epochs, 'training.epochs', 1, d.training.epochs),
    batchSize: integer(t.batchSize, 'training.batchSize', 1, d.training.batchSize),
    patience: integer(t.patience, 'training.patience', 0, d.training.patience),
  };

  const dd = object(root.data ?? {}, 'data', ['testSize', 'valSize', 'task']);
  const data = {
    testSize: fraction(dd.testSize, 'data.testSize', 0, 1, true, d.data.testSize),
    valSize: fraction(dd.valSize, 'data.valSize', 0, 1, true, d.data.valSize),
    task: oneOf(dd.task, 'data.task', ['auto', 'classification', 'regression'] as const, d.data.task),
  };
  const seed = integer(root.seed, 'seed', 0, d.seed);
  return { model: { hidden, activation, dropout }, optimizer, training, data, seed };
}

/** The optimizer section: a name, an lr > 0, and options that the named optimizer itself accepts. */
function parseOptimizer(v: unknown, fail: (msg: string) => never, show: (v: unknown) => string): TrainConfig['optimizer'] {
  if (v === undefined) return defaultConfig().optimizer;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`'optimizer' must be a JSON object such as { "name": "adam", "lr": 0.001 }, got ${show(v)}`);
  const { name = 'adam', lr, ...rest } = v as Record<string, unknown>;
  if (typeof name !== 'string' || !OPTIMIZERS.includes(name as OptimizerName)) {
    fail(`'optimizer.name' must be one of ${OPTIMIZERS.map((o) => `"${o}"`).join(', ')}, got ${show(name)}`);
  }
  const n = name as OptimizerName;
  const rate = lr === undefined ? DEFAULT_LR[n] : lr;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) fail(`'optimizer.lr' must be a number > 0, got ${show(rate)}`);
  // The optimizer checks its own options: build it once on a dummy tensor and pass its message on with the key.
  try {
    makeOptimizer(n, [zeros([1], { requiresGrad: true })], { lr: rate, ...rest });
  } catch (e) {
    const msg = (e as Error).message;
    const unknown = /unknown option '([^']+)'; expected one of (.*)$/.exec(msg);
    const key = unknown?.[1] ?? /^\w+: (\w+) = /.exec(msg)?.[1];
    const hint = unknown ? closest(unknown[1], unknown[2].split(', ')) : null;
    fail(`${key ? `'optimizer.${key}': ` : "'optimizer': "}${msg}${hint ? ` (did you mean '${hint}'?)` : ''}`);
  }
  return { name: n, lr: rate as number, ...rest };
}

/** Builds the named optimizer over `params` with its options (lr included). */
export function makeOptimizer(name: OptimizerName, params: Iterable<Tensor>, options: Record<string, unknown>): optim.Optimizer {
  switch (name) {
    case 'adam': return new optim.Adam(params, options);
    case 'adamw': return new optim.AdamW(params, options);
    case 'sgd': return new optim.SGD(params, options);
    case 'rmsprop': return new optim.RMSprop(params, options);
    case 'adagrad': return new optim.Adagrad(params, options);
  }
}

/** Reads and validates a config file; a missing file or bad JSON is reported with the path. */
export async function loadConfig(path: string): Promise<TrainConfig> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`config: cannot read '${path}': ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(json, path);
}
