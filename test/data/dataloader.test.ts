import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, Tensor, arange, manualSeed, tensor } from '../../src/index.js';
import { DataLoader, Subset, TensorDataset, defaultCollate, randomSplit } from '../../src/data/index.js';

// Row i of x is [i, 10·i]; y[i] = i, so every batch can be checked against its labels.
const n = 10;
const x = tensor(Array.from({ length: n }, (_, i) => [i, 10 * i]));
const y = arange(n, undefined, 1, { dtype: 'int32' });
const ds = new TensorDataset(x, y);

const labelsOf = (loader: Iterable<Tensor[]>): number[][] => [...loader].map(([, yb]) => [...yb.data()]);

test('TensorDataset rows and shape checks', () => {
  assert.equal(ds.length, 10);
  const [xi, yi] = ds.get(3);
  assert.deepEqual(xi.toArray(), [3, 30]);
  assert.deepEqual(yi.shape, []);
  assert.equal(yi.item(), 3);
  assert.throws(() => ds.get(10), /TensorDataset.get: index 10 is out of range for a dataset of length 10/);
  assert.throws(() => new TensorDataset(x, arange(9)), /TensorDataset: tensors must share their first dim: tensor 0 has shape \[10,2\], tensor 1 has shape \[9\]/);
});

test('batches in order, last batch smaller, dropLast drops it, length counts batches', () => {
  const loader = new DataLoader(ds, { batchSize: 4 });
  assert.equal(loader.length, 3);
  const batches = [...loader];
  assert.deepEqual(batches.map(([xb]) => xb.shape), [[4, 2], [4, 2], [2, 2]]);
  assert.deepEqual(batches[1][0].toArray(), [[4, 40], [5, 50], [6, 60], [7, 70]]);
  assert.equal(batches[2][1].dtype, 'int32');
  assert.deepEqual(labelsOf(loader), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);

  const dropping = new DataLoader(ds, { batchSize: 4, dropLast: true });
  assert.equal(dropping.length, 2);
  assert.deepEqual(labelsOf(dropping), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.equal(new DataLoader(ds, { batchSize: 5, dropLast: true }).length, 2);
  assert.equal(new DataLoader(ds).length, 10);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /DataLoader: batchSize must be a positive integer, got 0/);
});

test('shuffle: each epoch a permutation, fixed by manualSeed, fresh each epoch', () => {
  const loader = new DataLoader(ds, { batchSize: 3, shuffle: true });
  manualSeed(42);
  const epoch1 = labelsOf(loader).flat();
  const epoch2 = labelsOf(loader).flat();
  manualSeed(42);
  const again1 = labelsOf(loader).flat();
  const again2 = labelsOf(loader).flat();
  assert.deepEqual(again1, epoch1);
  assert.deepEqual(again2, epoch2);
  assert.notDeepEqual(epoch1, epoch2);
  assert.notDeepEqual(epoch1, [...Array(n).keys()]);
  for (const order of [epoch1, epoch2]) assert.deepEqual([...order].sort((a, b) => a - b), [...Array(n).keys()]);
  // rows stay paired with their labels
  for (const [xb, yb] of loader) assert.deepEqual([...xb.data()].filter((_, k) => k % 2 === 0), [...yb.data()]);
});

test('shuffle with its own generator ignores the global seed', () => {
  const order = (seed: number, globalSeed: number): number[] => {
    manualSeed(globalSeed);
    return labelsOf(new DataLoader(ds, { batchSize: 4, shuffle: true, generator: new Generator(seed) })).flat();
  };
  assert.deepEqual(order(7, 1), order(7, 2));
  assert.notDeepEqual(order(7, 1), order(8, 1));
});

test('the indexSelect fast path gives the same batches as per-sample collation', () => {
  const sub = new Subset(ds, [9, 2, 5, 0, 7]);
  const fast = [...new DataLoader(sub, { batchSize: 2 })];
  const slow = [...new DataLoader(sub, { batchSize: 2, transform: (s) => s })];
  assert.equal(fast.length, 3);
  fast.forEach((b, k) => b.forEach((t, j) => {
    assert.deepEqual(t.shape, slow[k][j].shape);
    assert.deepEqual(t.toArray(), slow[k][j].toArray());
  }));
  assert.deepEqual(fast[0][0].toArray(), [[9, 90], [2, 20]]);
});

test('transform is applied per sample before collate; a custom collate is used as given', () => {
  const doubled = new DataLoader(ds, { batchSize: 5, transform: ([xi, yi]) => [xi.mul(2), yi] });
  assert.deepEqual(([...doubled][0][0].toArray() as number[][])[1], [2, 20]);
  const sums = new DataLoader(ds, { batchSize: 5, collate: (samples) => samples.reduce((acc, [, yi]) => acc + yi.item(), 0) });
  assert.deepEqual([...sums], [0 + 1 + 2 + 3 + 4, 5 + 6 + 7 + 8 + 9]);
});

test('defaultCollate stacks tensors, numbers, tuples and objects', () => {
  const batch = defaultCollate([{ a: tensor([1, 2]), b: 3 }, { a: tensor([3, 4]), b: 5 }]);
  assert.deepEqual(batch.a.toArray(), [[1, 2], [3, 4]]);
  assert.equal(batch.b.dtype, 'int32');
  assert.deepEqual(defaultCollate([0.5, 1]).dtype, 'float32');
  const plain = { length: 3, get: (i: number): [number, string] => [i * 1.5, `s${i}`] };
  const [nums, strs] = [...new DataLoader(plain, { batchSize: 3 })][0];
  assert.deepEqual(nums.toArray(), [0, 1.5, 3]);
  assert.deepEqual(strs, ['s0', 's1', 's2']);
});

test('randomSplit: fractions and sizes, disjoint and covering, seeded', () => {
  const [a, b] = randomSplit(ds, [0.7, 0.3], { generator: new Generator(1) });
  assert.deepEqual([a.length, b.length], [7, 3]);
  const all = [...a.indices, ...b.indices].sort((p, q) => p - q);
  assert.deepEqual(all, [...Array(n).keys()]);
  const [c] = randomSplit(ds, [0.7, 0.3], { generator: new Generator(1) });
  assert.deepEqual([...c.indices], [...a.indices]);
  // remainder dealt to the first parts: 5·0.5 → 2 + 2, one left → [3, 2]
  const five = new Subset(ds, [0, 1, 2, 3, 4]);
  assert.deepEqual(randomSplit(five, [0.5, 0.5]).map((s) => s.length), [3, 2]);
  assert.deepEqual(randomSplit(ds, [2, 8]).map((s) => s.length), [2, 8]);
  assert.throws(() => randomSplit(ds, [3, 3]), /randomSplit: lengths \[3, 3\] sum to 6, but the dataset has 10 samples/);
  // a Subset's samples are the dataset's rows
  const [part] = randomSplit(ds, [4, 6]);
  assert.equal(part.get(0)[1].item(), part.indices[0]);
});

test('a TensorDataset subclass that overrides get() is not bypassed by the fast path', () => {
  class Negated extends TensorDataset {
    override get(i: number): Tensor[] {
      return super.get(i).map((t) => t.neg());
    }
  }
  const [xb, yb] = [...new DataLoader(new Negated(x, y), { batchSize: 2 })][1];
  assert.deepEqual(xb.toArray(), [[-2, -20], [-3, -30]]);
  assert.deepEqual(yb.toArray(), [-2, -3]);
});
