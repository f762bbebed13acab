/**
 * A saved model as a folder: `config.json` (the architecture as a list of layers, plus free-form facts such as
 * the dataset and input shape) and `model.safetensors` (the weights under PyTorch's stateDict keys: `0.weight`…).
 * The architecture is a Sequential of the layers below; each entry names the class and its constructor sizes:
 *
 *     { "format": "backprop-model", "version": 1, "inputShape": [1, 28, 28], "classes": 10,
 *       "layers": [{ "type": "Flatten" }, { "type": "Linear", "inFeatures": 784, "outFeatures": 10 }] }
 *
 * Supported layer types: Linear, Conv2d, MaxPool2d, AvgPool2d, Flatten, Dropout, BatchNorm1d, BatchNorm2d,
 * ReLU, Tanh, Sigmoid, LeakyReLU, GELU, Softmax, LogSoftmax, Identity.
 */
import { ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh } from '../nn/activation.js';
import { BatchNorm2d } from '../nn/batchnorm2d.js';
import { Sequential } from '../nn/container.js';
import { Conv2d } from '../nn/conv.js';
import { Dropout } from '../nn/dropout.js';
import { Flatten } from '../nn/flatten.js';
import { Identity, Linear } from '../nn/linear.js';
import type { Module } from '../nn/module.js';
import { BatchNorm1d } from '../nn/normalization.js';
import { AvgPool2d, MaxPool2d } from '../nn/pooling.js';
import { loadSafetensors, saveSafetensors, writeFileAtomic } from './files.js';

type Pair = number | [number, number];

/** One layer of the architecture: its class name and constructor settings. */
export type LayerSpec =
  | { type: 'Linear'; inFeatures: number; outFeatures: number; bias?: boolean }
  | { type: 'Conv2d'; inChannels: number; outChannels: number; kernelSize: Pair; stride?: Pair; padding?: Pair | 'same' | 'valid'; bias?: boolean }
  | { type: 'MaxPool2d' | 'AvgPool2d'; kernelSize: Pair; stride?: Pair; padding?: Pair }
  | { type: 'BatchNorm1d' | 'BatchNorm2d'; numFeatures: number }
  | { type: 'Dropout'; p: number }
  | { type: 'Flatten'; startDim?: number; endDim?: number }
  | { type: 'LeakyReLU'; negativeSlope?: number }
  | { type: 'ELU'; alpha?: number }
  | { type: 'Softmax' | 'LogSoftmax'; dim?: number }
  | { type: 'ReLU' | 'Tanh' | 'Sigmoid' | 'GELU' | 'Identity' };

/** What config.json holds. */
export interface ModelConfig {
  format: 'backprop-model';
  version: 1;
  layers: LayerSpec[];
  /** The shape of one input without the batch dim, e.g. [1, 28, 28] or [784]. */
  inputShape?: number[];
  /** Number of output classes, for classifiers. */
  classes?: number;
  /** The dataset the model was trained on, e.g. 'mnist' (the CLI's trust commands evaluate on it). */
  dataset?: string;
  /** Anything else worth keeping: training settings, figures, the seed… */
  [key: string]: unknown;
}

const CONFIG = 'config.json';

/** The layer types buildModel knows. */
export const LAYER_TYPES = [
  'Linear', 'Conv2d', 'MaxPool2d', 'AvgPool2d', 'BatchNorm1d', 'BatchNorm2d', 'Dropout', 'Flatten',
  'ReLU', 'Tanh', 'Sigmoid', 'LeakyReLU', 'ELU', 'GELU', 'Softmax', 'LogSoftmax', 'Identity',
] as const;
const WEIGHTS = 'model.safetensors';

function need(spec: Record<string, unknown>, key: string, i: number): number {
  const v = spec[key];
  if (!Number.isInteger(v) || (v as number) < 0) {
    throw new Error(`buildModel: layer ${i} (${String(spec.type)}) needs an integer '${key}', got ${JSON.stringify(v)}`);
  }
  return v as number;
}

/** Builds the Sequential that a list of layer specs describes (fresh weights, PyTorch's default init). */
export function buildModel(layers: readonly LayerSpec[]): Sequential {
  if (!Array.isArray(layers) || layers.length === 0) throw new Error('buildModel: layers must be a non-empty array of layer specs');
  return new Sequential(
    ...layers.map((spec, i): Module => {
      const s = spec as Record<string, unknown> & LayerSpec;
      switch (spec.type) {
        case 'Linear': return new Linear(need(s, 'inFeatures', i), need(s, 'outFeatures', i), { bias: spec.bias ?? true });
        case 'Conv2d':
          return new Conv2d(need(s, 'inChannels', i), need(s, 'outChannels', i), spec.kernelSize, {
            stride: spec.stride, padding: spec.padding, bias: spec.bias ?? true,
          });
        case 'MaxPool2d': return new MaxPool2d(spec.kernelSize, { stride: spec.stride, padding: spec.padding });
        case 'AvgPool2d': return new AvgPool2d(spec.kernelSize, { stride: spec.stride, padding: spec.padding });
        case 'BatchNorm1d': return new BatchNorm1d(need(s, 'numFeatures', i));
        case 'BatchNorm2d': return new BatchNorm2d(need(s, 'numFeatures', i));
        case 'Dropout': return new Dropout(spec.p);
        case 'Flatten': return new Flatten(spec.startDim, spec.endDim);
        case 'LeakyReLU': return new LeakyReLU(spec.negativeSlope);
        case 'ELU': return new ELU(spec.alpha);
        case 'Softmax': return new Softmax(spec.dim);
        case 'LogSoftmax': return new LogSoftmax(spec.dim);
        case 'ReLU': return new ReLU();
        case 'Tanh': return new Tanh();
        case 'Sigmoid': return new Sigmoid();
        case 'GELU': return new GELU();
        case 'Identity': return new Identity();
      }
      const type = JSON.stringify((spec as { type?: unknown }).type);
      throw new Error(`buildModel: layer ${i} has unknown type ${type}; expected one of ${LAYER_TYPES.join(', ')}`);
    }),
  );
}

const pair = (p: readonly [number, number] | number): Pair => (typeof p === 'number' ? p : p[0] === p[1] ? p[0] : [p[0], p[1]]);

/** The layer specs of a Sequential built from the supported layers (the inverse of buildModel). */
export function describeModel(model: Sequential): LayerSpec[] {
  return [...model].map((m, i): LayerSpec => {
    if (m instanceof Linear) return { type: 'Linear', inFeatures: m.inFeatures, outFeatures: m.outFeatures, bias: m.bias !== null };
    if (m instanceof Conv2d) {
      if (m.groups !== 1 || m.dilation.some((d) => d !== 1)) {
        throw new Error(`describeModel: layer ${i} is a Conv2d with groups or dilation, which config.json does not describe`);
      }
      return {
        type: 'Conv2d', inChannels: m.inChannels, outChannels: m.outChannels, kernelSize: pair(m.kernelSize), stride: pair(m.stride),
        padding: typeof m.padding === 'string' ? m.padding : pair(m.padding), bias: m.bias !== null,
      };
    }
    if (m instanceof MaxPool2d || m instanceof AvgPool2d) {
      const type = m instanceof MaxPool2d ? 'MaxPool2d' : 'AvgPool2d';
      return { type, kernelSize: pair(m.kernelSize as Pair), stride: pair(m.stride as Pair), padding: pair(m.padding as Pair) };
    }
    // BatchNorm2d extends BatchNorm1d: test the subclass first.
    if (m instanceof BatchNorm2d) return { type: 'BatchNorm2d', numFeatures: m.numFeatures };
    if (m instanceof BatchNorm1d) return { type: 'BatchNorm1d', numFeatures: m.numFeatures };
    if (m instanceof Dropout) return { type: 'Dropout', p: m.p };
    if (m instanceof Flatten) return { type: 'Flatten', startDim: m.startDim, endDim: m.endDim };
    if (m instanceof LeakyReLU) return { type: 'LeakyReLU', negativeSlope: m.negativeSlope };
    if (m instanceof ELU) return { type: 'ELU', alpha: m.alpha };
    if (m instanceof Softmax || m instanceof LogSoftmax) return { type: m instanceof Softmax ? 'Softmax' : 'LogSoftmax', dim: m.dim };
    for (const [C, type] of [[ReLU, 'ReLU'], [Tanh, 'Tanh'], [Sigmoid, 'Sigmoid'], [GELU, 'GELU'], [Identity, 'Identity']] as const) {
      if (m instanceof C) return { type };
    }
    throw new Error(
      `describeModel: layer ${i} is a ${m.constructor.name}, which config.json cannot describe; ` +
        'use the supported layers or save the weights with saveSafetensors',
    );
  });
}

/**
 * Saves a Sequential into `dir` (created if needed): config.json with its layers and `info` (e.g. { dataset:
 * 'mnist', inputShape: [1, 28, 28], classes: 10 }), and model.safetensors with its stateDict. Both atomically.
 */
export async function saveModelDir(dir: string, model: Sequential, info: Record<string, unknown> = {}): Promise<ModelConfig> {
  const { join } = await import('node:path');
  const config: ModelConfig = { ...info, format: 'backprop-model', version: 1, layers: describeModel(model) };
  await saveSafetensors(join(dir, WEIGHTS), model.stateDict(), { format: 'pt' });
  await writeFileAtomic(join(dir, CONFIG), `${JSON.stringify(config, null, 2)}\n`);
  return config;
}

/** Loads a folder written by saveModelDir: the model (in eval mode) with its weights, and the config. */
export async function loadModelDir(dir: string): Promise<{ model: Sequential; config: ModelConfig }> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  let text: string;
  try {
    text = await fs.readFile(join(dir, CONFIG), 'utf8');
  } catch (err) {
    throw new Error(
      `loadModelDir: cannot read ${join(dir, CONFIG)} (${(err as Error).message}); ` +
        'expected a folder written by saveModelDir or `backprop train --out`',
    );
  }
  let config: ModelConfig;
  try {
    config = JSON.parse(text) as ModelConfig;
  } catch (err) {
    throw new Error(`loadModelDir: ${join(dir, CONFIG)} is not valid JSON (${(err as Error).message})`);
  }
  if (config.format !== 'backprop-model' || !Array.isArray(config.layers)) {
    throw new Error(`loadModelDir: ${join(dir, CONFIG)} is not a backprop model config (expected "format": "backprop-model" and a "layers" array)`);
  }
  const model = buildModel(config.layers);
  const { tensors } = await loadSafetensors(join(dir, WEIGHTS));
  model.loadStateDict(tensors);
  model.eval();
  return { model, config };
}
