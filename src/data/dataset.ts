/** Datasets: anything with a length and an indexed `get`, as in torch.utils.data. */
import { select } from '../ops/index.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** A finite, indexable collection of samples (PyTorch's map-style Dataset). */
export interface Dataset<T> {
  /** Number of samples. */
  readonly length: number;
  /** The i-th sample, 0 ≤ i < length. */
  get(i: number): T;
}

/** Throws unless i is an integer in [0, length). */
export function checkIndex(op: string, i: number, length: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= length) {
    throw new Error(`${op}: index ${i} is out of range for a dataset of length ${length} (expected 0..${length - 1})`);
  }
}

/**
 * Wraps tensors that share their first dim (e.g. features [N, F] and labels [N]); sample i is the list of
 * their i-th rows, `[x[i], y[i]]`.
 */
export class TensorDataset implements Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    if (tensors.length === 0) throw new Error('TensorDataset: expected at least one tensor');
    tensors.forEach((t, k) => {
      if (!(t instanceof Tensor)) throw new Error(`TensorDataset: argument ${k} is not a Tensor`);
      if (t.ndim === 0) throw new Error(`TensorDataset: tensor ${k} is 0-d; every tensor needs a first dim of samples`);
      if (t.shape[0] !== tensors[0].shape[0]) {
        throw new Error(
          `TensorDataset: tensors must share their first dim: tensor 0 has shape ${fmtShape(tensors[0].shape)}, ` +
            `tensor ${k} has shape ${fmtShape(t.shape)}`,
        );
      }
    });
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  /** The i-th row of every tensor. */
  get(i: number): Tensor[] {
    checkIndex('TensorDataset.get', i, this.length);
    return this.tensors.map((t) => select(t, 0, i));
  }
}

/** The samples of `dataset` at `indices`, in that order (PyTorch's Subset). */
export class Subset<T> implements Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: Int32Array;

  constructor(dataset: Dataset<T>, indices: ArrayLike<number>) {
    const idx = Int32Array.from(indices as ArrayLike<number>);
    for (let k = 0; k < indices.length; k++) {
      if (idx[k] !== indices[k]) throw new Error(`Subset: index ${indices[k]} at position ${k} is not an integer`);
      checkIndex('Subset', idx[k], dataset.length);
    }
    this.dataset = dataset;
    this.indices = idx;
  }

  get length(): number {
    return this.indices.length;
  }

  get(i: number): T {
    checkIndex('Subset.get', i, this.length);
    return this.dataset.get(this.indices[i]);
  }
}

/**
 * When `dataset` is a TensorDataset, possibly behind Subsets, returns it with `indices` mapped to its rows;
 * otherwise null. Lets the DataLoader gather a whole batch with one indexSelect per tensor.
 */
export function resolveTensorRows(dataset: Dataset<unknown>, indices: Int32Array): { base: TensorDataset; rows: Int32Array } | null {
  let rows = indices;
  let d: Dataset<unknown> = dataset;
  // A subclass that overrides get() (e.g. to augment) must go through get(), so compare the methods themselves.
  while (d instanceof Subset && d.get === Subset.prototype.get) {
    const map = d.indices;
    rows = rows.map((r) => map[r]);
    d = d.dataset;
  }
  return d instanceof TensorDataset && d.get === TensorDataset.prototype.get ? { base: d, rows } : null;
}
