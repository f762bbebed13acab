/**
 * What the trust commands share: a command spec with one positional argument (the model folder), and loading a
 * saved MNIST model with the data it is evaluated on. The folder's config.json says which split of the `mnist`
 * package the model was trained on (`split: { train, test, seed, val }`); the commands use its test part, and
 * `calibrate` its validation part (the last `val` training rows, held out from training).
 */
import { mnist } from '../../data/mnist.js';
import { type ModelConfig, loadModelDir } from '../../io/model-dir.js';
import type { Sequential } from '../../nn/container.js';
import { narrow } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CommandSpec, type FlagValues, UsageError } from '../command.js';

/** A command that takes one positional argument, stored in flags[positional.name] by main.ts. */
export interface PositionalCommandSpec extends CommandSpec {
  positional: { name: string; description: string };
}

/** The split of the mnist package a model was trained on, as config.json records it. */
export interface MnistSplitSpec {
  train: number;
  test: number;
  seed: number;
  /** The last `val` rows of the training part were held out from training, for validation. */
  val?: number;
}

export const DEFAULT_SPLIT: MnistSplitSpec = { train: 8000, test: 2000, seed: 0, val: 1000 };

export interface LoadedModel {
  dir: string;
  model: Sequential;
  config: ModelConfig;
  split: MnistSplitSpec;
  xTest: Tensor;
  yTest: Tensor;
  /** Held-out validation rows, when the split has them. */
  xVal: Tensor | null;
  yVal: Tensor | null;
}

/** The model folder of a positional command, or a usage error naming the argument. */
export function modelDirFlag(flags: FlagValues, name = 'model-dir'): string {
  const dir = flags[name];
  if (typeof dir !== 'string' || dir === '') throw new UsageError(`missing <${name}>: the folder of a saved model (config.json + model.safetensors)`);
  return dir;
}

/** Loads a saved MNIST classifier and its test (and validation) data; `limit` keeps the first rows of the test part. */
export async function loadMnistModel(who: string, dir: string, limit?: number): Promise<LoadedModel> {
  const { model, config } = await loadModelDir(dir);
  const dataset = config.dataset ?? 'mnist';
  if (dataset !== 'mnist') {
    throw new Error(
      `${who}: ${dir}/config.json says dataset '${String(dataset)}'; ` +
        "the trust commands evaluate MNIST models (train one with 'backprop demo fgsm --out <dir>')",
    );
  }
  const split = { ...DEFAULT_SPLIT, ...(config.split as Partial<MnistSplitSpec> | undefined) };
  const data = await mnist({ train: split.train, test: split.test, seed: split.seed });
  const n = limit === undefined ? split.test : Math.min(limit, split.test);
  const val = split.val ?? 0;
  return {
    dir, model, config, split,
    xTest: narrow(data.xTest, 0, 0, n),
    yTest: narrow(data.yTest, 0, 0, n),
    xVal: val > 0 ? narrow(data.xTrain, 0, split.train - val, val) : null,
    yVal: val > 0 ? narrow(data.yTrain, 0, split.train - val, val) : null,
  };
}

/** The command line as typed, for the report. */
export function commandLine(words: string, dir: string, flags: FlagValues, positional = 'model-dir'): string {
  const opts = Object.entries(flags)
    .filter(([k, v]) => k !== positional && k !== 'help' && v !== undefined && v !== false)
    .map(([k, v]) => (v === true ? `--${k}` : `--${k} ${String(v)}`));
  return ['backprop', words, dir, ...opts].join(' ');
}
