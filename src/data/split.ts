/** Splitting data: random subsets of a Dataset, and scikit-learn's train_test_split on tensors. */
import { indexSelect } from '../ops/index.js';
import { randperm, tensor } from '../tensor/creation.js';
import { Generator, defaultGenerator } from '../tensor/random.js';
import { fmtShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type Dataset, Subset } from './dataset.js';

/**
 * Splits a dataset into non-overlapping random Subsets (PyTorch's random_split). `lengths` are either sizes
 * summing to `dataset.length`, or fractions summing to 1: each part gets ⌊n·f⌋ samples and the remainder is
 * dealt one by one to the parts in order, as PyTorch does.
 */
export function randomSplit<T>(dataset: Dataset<T>, lengths: readonly number[], options: { generator?: Generator } = {}): Subset<T>[] {
  const n = dataset.length;
  if (lengths.length === 0) throw new Error('randomSplit: lengths is empty');
  if (lengths.some((l) => !Number.isFinite(l) || l < 0)) {
    throw new Error(`randomSplit: lengths must be non-negative numbers, got [${lengths.join(', ')}]`);
  }
  const total = lengths.reduce((a, b) => a + b, 0);
  let sizes: number[];
  if (Math.abs(total - 1) < 1e-9) {
    sizes = lengths.map((f) => Math.floor(n * f));
    const remainder = n - sizes.reduce((a, b) => a + b, 0);
    for (let k = 0; k < remainder; k++) sizes[k % sizes.length] += 1;
  } else {
    if (lengths.some((l) => !Number.isInteger(l)) || total !== n) {
      throw new Error(
        `randomSplit: lengths [${lengths.join(', ')}] sum to ${total}, but the dataset has ${n} samples; ` +
          'give integer sizes summing to the length, or fractions summing to 1',
      );
    }
    sizes = [...lengths];
  }
  const perm = randperm(n, { generator: options.generator ?? defaultGenerator }).data() as Int32Array;
  let offset = 0;
  return sizes.map((size) => {
    const part = new Subset(dataset, perm.subarray(offset, offset + size));
    offset += size;
    return part;
  });
}

export interface TrainTestSplitOptions {
  /** Fraction of samples in the test part (0 < f < 1), or a count (integer ≥ 1). Default 0.2. */
  testSize?: number;
  /** Shuffle before splitting (default true). Without it, the test part is the last rows. */
  shuffle?: boolean;
  /** Keep each class's proportion of y in both parts (default false; needs shuffle). */
  stratify?: boolean;
  /** Seed for a private generator; without it the global one is used. */
  seed?: number;
}

export interface TrainTestSplit {
  xTrain: Tensor;
  xTest: Tensor;
  yTrain: Tensor;
  yTest: Tensor;
}

/**
 * Splits rows of `x` and `y` into train and test parts (scikit-learn's train_test_split). A fractional testSize
 * gives ⌈n·testSize⌉ test rows. With `stratify`, the test count is shared among the classes of y in proportion
 * to their sizes (largest remainders get the leftover rows), so each class keeps its share in both parts.
 */
export function trainTestSplit(x: Tensor, y: Tensor, options: TrainTestSplitOptions = {}): TrainTestSplit {
  const { testSize = 0.2, shuffle = true, stratify = false, seed } = options;
  for (const [name, t] of [['x', x], ['y', y]] as const) {
    if (!(t instanceof Tensor) || t.ndim === 0) throw new Error(`trainTestSplit: ${name} must be a tensor with a first dim of samples`);
  }
  const n = x.shape[0];
  if (y.shape[0] !== n) {
    throw new Error(`trainTestSplit: x ${fmtShape(x.shape)} and y ${fmtShape(y.shape)} differ in their number of rows`);
  }
  let nTest: number;
  if (testSize > 0 && testSize < 1) nTest = Math.ceil(n * testSize);
  else if (Number.isInteger(testSize) && testSize >= 1) nTest = testSize;
  else throw new Error(`trainTestSplit: testSize must be a fraction in (0, 1) or a positive integer count, got ${testSize}`);
  if (nTest >= n) {
    throw new Error(`trainTestSplit: testSize ${testSize} leaves no training rows out of ${n} (test part would have ${nTest})`);
  }
  if (stratify && !shuffle) throw new Error('trainTestSplit: stratify needs shuffle: true (as in scikit-learn)');
  const gen = seed === undefined ? defaultGenerator : new Generator(seed);

  let trainIdx: Int32Array;
  let testIdx: Int32Array;
  if (!shuffle) {
    trainIdx = Int32Array.from({ length: n - nTest }, (_, i) => i);
    testIdx = Int32Array.from({ length: nTest }, (_, i) => n - nTest + i);
  } else if (!stratify) {
    const perm = randperm(n, { generator: gen }).data() as Int32Array;
    testIdx = perm.slice(0, nTest);
    trainIdx = perm.slice(nTest);
  } else {
    [trainIdx, testIdx] = stratifiedIndices(y, nTest, gen);
  }
  const pick = (t: Tensor, idx: Int32Array): Tensor => indexSelect(t, 0, tensor(idx, { dtype: 'int32' }));
  return { xTrain: pick(x, trainIdx), xTest: pick(x, testIdx), yTrain: pick(y, trainIdx), yTest: pick(y, testIdx) };
}

/** Train and test row indices with each class of y (by value) split in proportion; both parts shuffled. */
function stratifiedIndices(y: Tensor, nTest: number, gen: Generator): [Int32Array, Int32Array] {
  if (y.ndim !== 1) throw new Error(`trainTestSplit: stratify needs 1-D class labels y, got shape ${fmtShape(y.shape)}`);
  const n = y.shape[0];
  const byClass = new Map<number, number[]>();
  const yd = y.data();
  for (let i = 0; i < n; i++) {
    const rows = byClass.get(yd[i]);
    if (rows) rows.push(i);
    else byClass.set(yd[i], [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  for (const c of classes) {
    if (byClass.get(c)!.length < 2) throw new Error(`trainTestSplit: class ${c} has only 1 sample; stratify needs at least 2 per class`);
  }
  // Largest-remainder apportionment of nTest over the classes (ties go to the larger class, then the lower label).
  const quotas = classes.map((c) => (nTest * byClass.get(c)!.length) / n);
  const counts = quotas.map(Math.floor);
  const order = classes.map((_, k) => k).sort((a, b) => quotas[b] - counts[b] - (quotas[a] - counts[a]) || quotas[b] - quotas[a] || a - b);
  for (let k = 0, left = nTest - counts.reduce((a, b) => a + b, 0); left > 0; k++, left--) counts[order[k]] += 1;

  const train: number[] = [];
  const test: number[] = [];
  classes.forEach((c, k) => {
    const rows = byClass.get(c)!;
    const perm = randperm(rows.length, { generator: gen }).data();
    for (let j = 0; j < rows.length; j++) (j < counts[k] ? test : train).push(rows[perm[j]]);
  });
  const shuffled = (rows: number[]): Int32Array => {
    const perm = randperm(rows.length, { generator: gen }).data();
    return Int32Array.from(perm, (j) => rows[j]);
  };
  return [shuffled(train), shuffled(test)];
}
