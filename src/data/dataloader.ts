/** DataLoader: batches of a Dataset, optionally shuffled each epoch, as in torch.utils.data.DataLoader. */
import { indexSelect, stack } from '../ops/index.js';
import { randperm, tensor } from '../tensor/creation.js';
import { type Generator, defaultGenerator } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { type Dataset, resolveTensorRows } from './dataset.js';

/**
 * The type the default collate makes of a list of samples of type T: tensors are stacked, numbers and booleans
 * become 1-D tensors, arrays and objects are collated position by position / key by key, anything else
 * (strings) is kept as a list.
 */
export type Collated<T> = T extends Tensor
  ? Tensor
  : T extends number | boolean
    ? Tensor
    : T extends string
      ? T[]
      : T extends readonly unknown[]
        ? { [K in keyof T]: Collated<T[K]> }
        : T extends object
          ? { [K in keyof T]: Collated<T[K]> }
          : T[];

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Draw a fresh random order every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Turns a list of samples into a batch (default: `defaultCollate`). */
  collate?: (samples: T[]) => B;
  /** The generator for shuffling (default: the global one, so `manualSeed(n)` fixes the order). */
  generator?: Generator;
  /** Applied to each sample before collation, e.g. a random augmentation. */
  transform?: (sample: T) => T;
}

/**
 * Stacks a list of samples into a batch (PyTorch's default_collate): Tensors → `stack` along a new dim 0;
 * numbers → a 1-D tensor (int32 when every value is an integer, like PyTorch's int64 labels, else float32);
 * booleans → bool; arrays and plain objects → collated element-wise; other values → the list itself.
 */
export function defaultCollate<T>(samples: T[]): Collated<T> {
  if (samples.length === 0) throw new Error('defaultCollate: cannot collate an empty list of samples');
  const first = samples[0] as unknown;
  let out: unknown;
  if (first instanceof Tensor) {
    out = stack(samples as unknown as Tensor[], 0);
  } else if (typeof first === 'number') {
    const xs = samples as unknown as number[];
    out = tensor(xs, { dtype: xs.every(Number.isInteger) ? 'int32' : 'float32' });
  } else if (typeof first === 'boolean') {
    out = tensor(samples as unknown as boolean[], { dtype: 'bool' });
  } else if (Array.isArray(first)) {
    const n = first.length;
    samples.forEach((s, k) => {
      if (!Array.isArray(s) || s.length !== n) {
        throw new Error(`defaultCollate: sample ${k} has ${Array.isArray(s) ? s.length : 'no'} elements, expected ${n} like sample 0`);
      }
    });
    out = Array.from({ length: n }, (_, j) => defaultCollate(samples.map((s) => (s as unknown[])[j])));
  } else if (first !== null && typeof first === 'object' && Object.getPrototypeOf(first) === Object.prototype) {
    const obj: Record<string, unknown> = {};
    for (const key of Object.keys(first)) obj[key] = defaultCollate(samples.map((s) => (s as Record<string, unknown>)[key]));
    out = obj;
  } else {
    out = samples.slice();
  }
  return out as Collated<T>;
}

/**
 * Iterates over a dataset in batches: `for (const [x, y] of new DataLoader(ds, { batchSize: 32, shuffle: true }))`.
 * Each `for … of` is one epoch. For a TensorDataset (or Subsets of one) with the default collate and no
 * transform, a batch is gathered with one `indexSelect` per tensor instead of row by row.
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  private readonly collate: ((samples: T[]) => B) | null;
  private readonly generator: Generator | null;
  private readonly transform: ((sample: T) => T) | null;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    if (dataset === null || typeof dataset !== 'object' || typeof dataset.get !== 'function' || !Number.isInteger(dataset.length)) {
      throw new Error('DataLoader: dataset must have an integer length and a get(i) method');
    }
    const { batchSize = 1, shuffle = false, dropLast = false } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new Error(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.collate = options.collate ?? null;
    this.generator = options.generator ?? null;
    this.transform = options.transform ?? null;
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch of batches; a shuffled loader draws its permutation when the epoch starts. */
  *[Symbol.iterator](): Iterator<B> {
    const n = this.dataset.length;
    const order = this.shuffle
      ? (randperm(n, { generator: this.generator ?? defaultGenerator }).data() as Int32Array)
      : Int32Array.from({ length: n }, (_, i) => i);
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      yield this.batch(order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize)));
    }
  }

  private batch(indices: Int32Array): B {
    if (this.collate === null && this.transform === null) {
      const fast = resolveTensorRows(this.dataset, indices);
      if (fast) {
        const rows = tensor(fast.rows, { dtype: 'int32' });
        return fast.base.tensors.map((t) => indexSelect(t, 0, rows)) as unknown as B;
      }
    }
    const samples = Array.from(indices, (i) => {
      const s = this.dataset.get(i);
      return this.transform ? this.transform(s) : s;
    });
    return this.collate ? this.collate(samples) : (defaultCollate(samples) as unknown as B);
  }
}
