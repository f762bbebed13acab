import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arange, manualSeed, tensor } from '../../src/index.js';
import { MinMaxScaler, PolynomialFeatures, StandardScaler, oneHot, squares, trainTestSplit } from '../../src/data/index.js';

const closeAll = (a: number[], b: number[], tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tol, `[${a}] vs [${b}] at ${i}`));
};
const flat = (t: { data(): ArrayLike<number> }): number[] => Array.from(t.data());
const count = (t: { data(): ArrayLike<number> }, c: number): number => flat(t).filter((v) => v === c).length;

test('trainTestSplit: sizes, disjoint rows kept with their labels, seeded', () => {
  const x = arange(50).reshape([25, 2]); // row i = [2i, 2i+1]
  const y = arange(25, undefined, 1, { dtype: 'int32' });
  const { xTrain, xTest, yTrain, yTest } = trainTestSplit(x, y, { seed: 3 });
  assert.deepEqual([xTrain.shape, xTest.shape, yTrain.shape, yTest.shape], [[20, 2], [5, 2], [20], [5]]);
  assert.deepEqual(flat(xTrain.index(':', 0)), flat(yTrain).map((i) => 2 * i));
  assert.deepEqual([...flat(yTrain), ...flat(yTest)].sort((a, b) => a - b), [...Array(25).keys()]);
  assert.deepEqual(flat(trainTestSplit(x, y, { seed: 3 }).yTest), flat(yTest));
  manualSeed(5);
  const g1 = flat(trainTestSplit(x, y).yTest);
  manualSeed(5);
  assert.deepEqual(flat(trainTestSplit(x, y).yTest), g1);
  // no shuffle: the test part is the last rows; an integer testSize is a count
  assert.deepEqual(flat(trainTestSplit(x, y, { shuffle: false, testSize: 3 }).yTest), [22, 23, 24]);
  assert.throws(() => trainTestSplit(x, arange(24)), /trainTestSplit: x \[25,2\] and y \[24\] differ in their number of rows/);
  assert.throws(() => trainTestSplit(x, y, { testSize: 1.5 }), /testSize must be a fraction/);
});

test('stratified split keeps each class proportion in both parts', () => {
  // 80 of class 0, 20 of class 1; testSize 0.25 → 25 test rows: 20 and 5.
  const y = tensor(Array.from({ length: 100 }, (_, i) => (i % 5 === 0 ? 1 : 0)), { dtype: 'int32' });
  const x = arange(100).reshape([100, 1]);
  for (const seed of [0, 1, 2]) {
    const s = trainTestSplit(x, y, { testSize: 0.25, stratify: true, seed });
    assert.deepEqual([count(s.yTest, 0), count(s.yTest, 1)], [20, 5]);
    assert.deepEqual([count(s.yTrain, 0), count(s.yTrain, 1)], [60, 15]);
    assert.deepEqual(flat(s.xTest).map((i) => (i % 5 === 0 ? 1 : 0)), flat(s.yTest));
  }
  // classes 7, 7, 6 with 6 test rows: quotas 2.1, 2.1, 1.8 → 2, 2, 2 (the leftover row goes to the largest remainder)
  const y3 = tensor([...Array(7).fill(0), ...Array(7).fill(1), ...Array(6).fill(2)], { dtype: 'int32' });
  const s3 = trainTestSplit(arange(20).reshape([20, 1]), y3, { testSize: 0.3, stratify: true, seed: 9 });
  assert.deepEqual([0, 1, 2].map((c) => count(s3.yTest, c)), [2, 2, 2]);
  assert.throws(() => trainTestSplit(x, y, { stratify: true, shuffle: false }), /stratify needs shuffle/);
});

test('StandardScaler: population std from train, applied to test; constant column gets scale 1', () => {
  const xTrain = tensor([[1, 10], [3, 10], [5, 10]]);
  const xTest = tensor([[7, 12], [3, 10]]);
  const sc = new StandardScaler().fit(xTrain);
  closeAll(sc.mean!, [3, 10]);
  closeAll(sc.var!, [8 / 3, 0]);
  closeAll(sc.scale!, [Math.sqrt(8 / 3), 1]);
  const sd = Math.sqrt(8 / 3);
  closeAll(flat(sc.transform(xTest)), [4 / sd, 2, 0, 0]);
  closeAll(flat(sc.fitTransform(xTrain)), [-2 / sd, 0, 0, 0, 2 / sd, 0]);
  closeAll(flat(sc.inverseTransform(sc.transform(xTest))), flat(xTest), 1e-5);
  // gradients flow through transform: d/dx sum((x − μ)/σ) = 1/σ
  const xg = tensor([[2, 11]], { requiresGrad: true });
  sc.transform(xg).sum().backward();
  closeAll(flat(xg.grad!), [1 / sd, 1]);
});

test('scaler errors: not fitted, wrong number of columns, not 2-D', () => {
  assert.throws(() => new StandardScaler().transform(tensor([[1, 2]])), /StandardScaler.transform: the scaler is not fitted yet; call fit\(xTrain\) first/);
  const sc = new StandardScaler().fit(tensor([[1, 2], [3, 4]]));
  assert.throws(() => sc.transform(tensor([[1, 2, 3]])), /StandardScaler.transform: x has shape \[1,3\] with 3 columns, but the scaler was fitted on 2 columns/);
  assert.throws(() => new MinMaxScaler().fit(tensor([1, 2])), /MinMaxScaler.fit: x must be 2-D \[samples, features\], got shape \[2\]/);
  assert.throws(() => new MinMaxScaler([1, 0]), /featureRange must be \[lo, hi\] with finite lo < hi/);
});

test('MinMaxScaler maps the train range to featureRange', () => {
  const sc = new MinMaxScaler([-1, 1]).fit(tensor([[0, 5], [10, 5]]));
  // column 0: −1 + 2(x − 0)/10; column 1 is constant (range taken as 1): −1 + 2(x − 5)
  closeAll(flat(sc.transform(tensor([[5, 5], [20, 7]]))), [0, -1, 3, 3]);
  closeAll(flat(sc.inverseTransform(tensor([[0, -1]]))), [5, 5]);
});

test('toJSON / fromJSON restore a fitted scaler', () => {
  const xTrain = tensor([[1, -2], [4, 0], [7, 8]]);
  const xTest = tensor([[2, 3]]);
  for (const sc of [new StandardScaler().fit(xTrain), new MinMaxScaler([0, 2]).fit(xTrain)]) {
    const json = JSON.parse(JSON.stringify(sc));
    const back = sc instanceof StandardScaler ? StandardScaler.fromJSON(json) : MinMaxScaler.fromJSON(json);
    closeAll(flat(back.transform(xTest)), flat(sc.transform(xTest)), 0);
  }
  assert.throws(() => StandardScaler.fromJSON({} as never), /StandardScaler.fromJSON: expected/);
  assert.throws(() => new MinMaxScaler().toJSON(), /not fitted/);
});

test('oneHot', () => {
  const h = oneHot(tensor([0, 2, 1], { dtype: 'int32' }), 4);
  assert.equal(h.dtype, 'float32');
  assert.deepEqual(h.toArray(), [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]);
  assert.deepEqual(oneHot(tensor([1, 0], { dtype: 'int32' })).shape, [2, 2]);
  assert.throws(() => oneHot(tensor([0, 3], { dtype: 'int32' }), 3), /oneHot: label 3 at position 1 is out of range for numClasses 3 \(expected 0..2\)/);
  assert.throws(() => oneHot(tensor([-1], { dtype: 'int32' })), /oneHot: label -1 at position 0 is not a class index/);
});

test('PolynomialFeatures degree 2 on two features: values and names in scikit-learn order', () => {
  const x = tensor([[2, 3], [-1, 4]]);
  const pf = new PolynomialFeatures({ degree: 2 });
  assert.deepEqual(pf.fitTransform(x).toArray(), [[2, 3, 4, 6, 9], [-1, 4, 1, -4, 16]]);
  assert.deepEqual(pf.featureNames(), ['x0', 'x1', 'x0^2', 'x0 x1', 'x1^2']);
  assert.deepEqual(pf.featureNames(['a', 'b']), ['a', 'b', 'a^2', 'a b', 'b^2']);
  const biased = new PolynomialFeatures({ degree: 2, includeBias: true });
  assert.deepEqual((biased.transform(x).toArray() as number[][])[0], [1, 2, 3, 4, 6, 9]);
  assert.deepEqual(biased.featureNames(), ['1', 'x0', 'x1', 'x0^2', 'x0 x1', 'x1^2']);
  const inter = new PolynomialFeatures({ interactionOnly: true });
  assert.deepEqual((inter.transform(x).toArray() as number[][])[0], [2, 3, 6]);
  assert.deepEqual(new PolynomialFeatures({ degree: 3 }).fit(x).featureNames(),
    ['x0', 'x1', 'x0^2', 'x0 x1', 'x1^2', 'x0^3', 'x0^2 x1', 'x0 x1^2', 'x1^3']);
  // differentiable: d/dx0 of (x0 + x1 + x0² + x0x1 + x1²) = 1 + 2x0 + x1
  const xg = tensor([[2, 3]], { requiresGrad: true });
  pf.transform(xg).sum().backward();
  assert.deepEqual(xg.grad!.toArray(), [[1 + 4 + 3, 1 + 2 + 6]]);
});

test('squares is the course feature map φ(x) = (x₁², x₂²)', () => {
  assert.deepEqual(squares.transform(tensor([[1, -2], [0.5, 3]])).toArray(), [[1, 4], [0.25, 9]]);
  assert.deepEqual(squares.featureNames(['x1', 'x2']), ['x1^2', 'x2^2']);
});
