import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, tensor, type Tensor } from '../../src/index.js';
import { DecisionTreeClassifier } from '../../src/classic/index.js';

/** n distinct points x ~ N(0, I₂) with labels drawn independently of x (pure noise: only memorising fits it). */
function noiseLabels(n: number, seed: number, classes = 3): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = Float64Array.from({ length: 2 * n }, () => g.nextNormal());
  const y = Int32Array.from({ length: n }, () => g.nextInt(classes));
  return { x: tensor(x, { shape: [n, 2] }), y: tensor(y) };
}

const col = (values: number[]): Tensor => tensor(values.map((v) => [v]));
const labels = (values: number[]): Tensor => tensor(values, { dtype: 'int32' });

test('unlimited depth reaches 100% train accuracy on distinct points, even with random labels', () => {
  const { x, y } = noiseLabels(300, 1);
  const tree = new DecisionTreeClassifier().fit(x, y);
  assert.equal(tree.score(x, y), 1);
  // Every leaf is pure.
  for (const node of tree.nodes) if (node.feature < 0) assert.ok(node.counts.some((c) => c === node.nSamples));
  assert.equal(tree.nLeaves, tree.nodes.filter((nd) => nd.feature < 0).length);
  assert.equal(tree.nodes.length, 2 * tree.nLeaves - 1, 'a binary tree has 2L − 1 nodes');
});

test('a zero-gain first split is still taken (XOR), as CART requires to separate it', () => {
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = labels([0, 1, 1, 0]);
  const tree = new DecisionTreeClassifier().fit(x, y);
  assert.equal(tree.score(x, y), 1);
  assert.equal(tree.depth, 2);
  assert.equal(tree.nLeaves, 4);
});

test('maxDepth and minSamplesLeaf are respected', () => {
  const { x, y } = noiseLabels(200, 2);
  for (const maxDepth of [0, 1, 2, 5]) {
    const tree = new DecisionTreeClassifier({ maxDepth }).fit(x, y);
    assert.equal(tree.depth, maxDepth, `maxDepth ${maxDepth}`); // noise always has an impure node to split
    assert.ok(tree.nLeaves <= 2 ** maxDepth);
  }
  const stump = new DecisionTreeClassifier({ maxDepth: 0 }).fit(x, labels([...y.data()].map((_, i) => (i < 120 ? 2 : 0))));
  assert.deepEqual([...stump.predict(tensor([[0, 0]])).data()], [2], 'a lone root predicts the majority class');
  for (const minSamplesLeaf of [1, 5, 17]) {
    const tree = new DecisionTreeClassifier({ minSamplesLeaf }).fit(x, y);
    const leaves = tree.nodes.filter((nd) => nd.feature < 0);
    assert.ok(leaves.every((nd) => nd.nSamples >= minSamplesLeaf), `minSamplesLeaf ${minSamplesLeaf}`);
    if (minSamplesLeaf > 1) assert.ok(leaves.some((nd) => nd.nSamples < 2 * minSamplesLeaf), 'the limit binds somewhere');
  }
  const tree = new DecisionTreeClassifier({ minSamplesSplit: 40 }).fit(x, y);
  for (const nd of tree.nodes) if (nd.feature >= 0) assert.ok(nd.nSamples >= 40);
});

test('gini and entropy pick their hand-computed best splits (which differ)', () => {
  // x = 1..6, y = [0, 0, 1, 2, 0, 2]. The two best cuts:
  //  t = 2.5: left {0,0} (impurity 0), right {1,2,0,2} counts (1,1,2):
  //           gini 1 − (1+1+4)/16 = 0.625 → cost 4·0.625 = 2.5;  entropy ¼·2+¼·2+½·1 = 1.5 → cost 6
  //  t = 3.5: left {0,0,1}, right {2,0,2}, each counts (2,1):
  //           gini 1 − 5/9 = 4/9 → cost 6·4/9 ≈ 2.667;  entropy H(⅓) ≈ 0.9183 → cost ≈ 5.510
  // so gini cuts at 2.5 and entropy at 3.5 (every other cut is worse for both).
  const x = col([1, 2, 3, 4, 5, 6]);
  const y = labels([0, 0, 1, 2, 0, 2]);
  const gini = new DecisionTreeClassifier({ criterion: 'gini', maxDepth: 1 }).fit(x, y);
  const entropy = new DecisionTreeClassifier({ criterion: 'entropy', maxDepth: 1 }).fit(x, y);
  assert.equal(gini.nodes[0].threshold, 2.5);
  assert.equal(entropy.nodes[0].threshold, 3.5);
  // Root impurity, class counts (3, 1, 2) of 6: gini 1 − (9+1+4)/36, entropy −(½log₂½ + ⅙log₂⅙ + ⅓log₂⅓).
  assert.ok(Math.abs(gini.nodes[0].impurity - (1 - 14 / 36)) < 1e-15);
  assert.ok(Math.abs(entropy.nodes[0].impurity - -(0.5 * Math.log2(0.5) + Math.log2(1 / 6) / 6 + Math.log2(1 / 3) / 3)) < 1e-15);
  // The best feature wins too: feature 1 separates the classes, feature 0 is noise.
  const x2 = tensor([[3, 0], [1, 1], [2, 2], [0, 10], [5, 11], [4, 12]]);
  const t2 = new DecisionTreeClassifier().fit(x2, labels([0, 0, 0, 1, 1, 1]));
  assert.equal(t2.nodes[0].feature, 1);
  assert.equal(t2.nodes[0].threshold, 6);
  assert.deepEqual([...t2.featureImportances.data()], [0, 1]);
});

test('predictProba rows sum to 1 and hold the leaf class frequencies', () => {
  const { x, y } = noiseLabels(200, 3, 4);
  const tree = new DecisionTreeClassifier({ maxDepth: 3 }).fit(x, y);
  const p = tree.predictProba(x);
  assert.deepEqual(p.shape, [200, 4]);
  const d = p.data();
  for (let i = 0; i < 200; i++) {
    const s = d[4 * i] + d[4 * i + 1] + d[4 * i + 2] + d[4 * i + 3];
    assert.ok(Math.abs(s - 1) < 1e-6, `row ${i} sums to ${s}`);
  }
  // Separable 1-D case: one cut at 3.5, pure leaves, probabilities [1, 0] and [0, 1].
  const small = new DecisionTreeClassifier({ maxDepth: 1 }).fit(col([1, 2, 3, 4, 5]), labels([0, 0, 0, 1, 1]));
  assert.equal(small.nodes[0].threshold, 3.5);
  const q = small.predictProba(col([0, 10])).data();
  assert.deepEqual([...q], [1, 0, 0, 1]);
  // y = [0,0,1,0,1] at x = 1..5: the best cut is 2.5 (cost 0 + 3·4/9 = 4/3, vs 1.5 at 4.5), leaving the right
  // leaf {1,0,1} with probabilities [1/3, 2/3].
  const imp = new DecisionTreeClassifier({ maxDepth: 1 }).fit(col([1, 2, 3, 4, 5]), labels([0, 0, 1, 0, 1]));
  const r = imp.predictProba(col([10])).data();
  assert.ok(Math.abs(r[0] - 1 / 3) < 1e-7 && Math.abs(r[1] - 2 / 3) < 1e-7, `got ${[...r]}`);
});

/**
 * A hand-made tree. Root (7 samples, 5 of class 0: gini 20/49) is best cut on feature 0 at 3.5 (cost n_L·i_L + n_R·i_R
 * = 4·0 + 3·4/9 = 4/3; feature 1 at 0.5 costs 4·½ + 0 = 2, feature 0 at 5.5 costs 6·10/36 ≈ 1.67). Its right child
 * {(4,0):1, (5,1):0, (6,0):1} is cut on feature 1 at 0.5 into pure leaves (feature 0 would cost 1).
 */
const handX = tensor([[1, 0], [2, 1], [3, 0], [4, 0], [5, 1], [6, 0], [0, 1]]);
const handY = labels([0, 0, 0, 1, 0, 1, 0]);

test('featureImportances: normalised impurity decrease, computed by hand', () => {
  const tree = new DecisionTreeClassifier().fit(handX, handY);
  assert.equal(tree.nodes[0].feature, 0);
  assert.equal(tree.nodes[0].threshold, 3.5);
  assert.equal(tree.depth, 2);
  assert.equal(tree.nLeaves, 3);
  // Decreases: root 7·20/49 − 4/3 = 32/21 (feature 0); right child 3·4/9 − 0 = 28/21 (feature 1) → [8/15, 7/15].
  const fi = tree.featureImportances.data();
  assert.ok(Math.abs(fi[0] - 8 / 15) < 1e-7 && Math.abs(fi[1] - 7 / 15) < 1e-7, `got ${[...fi]}`);
  const stump = new DecisionTreeClassifier({ maxDepth: 0 }).fit(handX, handY);
  assert.deepEqual([...stump.featureImportances.data()], [0, 0], 'a tree that never split has no importances');
});

test('exportText prints like scikit-learn export_text', () => {
  const tree = new DecisionTreeClassifier().fit(handX, handY);
  const expected = [
    '|--- feature_0 <= 3.50',
    '|   |--- class: 0',
    '|--- feature_0 >  3.50',
    '|   |--- feature_1 <= 0.50',
    '|   |   |--- class: 1',
    '|   |--- feature_1 >  0.50',
    '|   |   |--- class: 0',
    '',
  ].join('\n');
  assert.equal(tree.exportText(), expected);
  assert.equal(tree.toString(), expected);
  assert.equal(
    tree.exportText({ showWeights: true, maxDepth: 0, featureNames: ['a', 'b'], decimals: 1 }),
    ['|--- a <= 3.5', '|   |--- weights: [4.0, 0.0] class: 0', '|--- a >  3.5', '|   |--- truncated branch of depth 2', ''].join('\n'),
  );
  assert.equal(tree.exportText({ spacing: 1, classNames: ['ham', 'spam'] }).split('\n')[4], '| | |- class: spam');
});

test('labels keep their values; maxFeatures draws are seeded and deterministic', () => {
  const tree = new DecisionTreeClassifier().fit(col([0, 1, 2, 3]), labels([-7, -7, 42, 42]));
  assert.deepEqual(tree.classes, [-7, 42]);
  assert.deepEqual([...tree.predict(col([-5, 0.4, 1.6, 9])).data()], [-7, -7, 42, 42]);
  assert.equal(tree.nodes[0].threshold, 1.5);

  const { x, y } = noiseLabels(300, 5);
  const a = new DecisionTreeClassifier({ maxFeatures: 1, seed: 3 }).fit(x, y).exportText({ maxDepth: 100 });
  const b = new DecisionTreeClassifier({ maxFeatures: 1, seed: 3 }).fit(x, y).exportText({ maxDepth: 100 });
  const c = new DecisionTreeClassifier({ maxFeatures: 1, seed: 4 }).fit(x, y).exportText({ maxDepth: 100 });
  assert.equal(a, b);
  assert.notEqual(a, c);
});

test('fits 1,000 × 2 points (the circle) and generalises better than chance', () => {
  const g = new Generator(8);
  const make = (n: number): { x: Tensor; y: Tensor } => {
    const x = Float32Array.from({ length: 2 * n }, () => g.nextNormal());
    const y = Int32Array.from({ length: n }, (_, i) => (x[2 * i] ** 2 + x[2 * i + 1] ** 2 > 1 ? 1 : 0));
    return { x: tensor(x, { shape: [n, 2] }), y: tensor(y) };
  };
  const train = make(1000);
  const testSet = make(1000);
  const tree = new DecisionTreeClassifier().fit(train.x, train.y);
  assert.equal(tree.score(train.x, train.y), 1, 'an unlimited tree memorises the training set');
  assert.ok(tree.score(testSet.x, testSet.y) > 0.85);
});

test('input validation names the method and the shapes', () => {
  const t = new DecisionTreeClassifier();
  assert.throws(() => t.predict(col([1])), /DecisionTreeClassifier.predict: the tree is not fitted yet/);
  assert.throws(() => t.fit(tensor([[1, 2], [3, 4]]), labels([0, 1, 1])), /DecisionTreeClassifier.fit: y \[3\] does not match x \[2,2\]; expected y of shape \[2\]/);
  assert.throws(() => t.fit(tensor([[1], [2]]), tensor([0, 1.5])), /y must hold integer class labels, found 1.5 at index 1/);
  assert.throws(() => t.fit(tensor([], { shape: [0, 2] }), labels([])), /x \[0,2\] has no rows/);
  assert.throws(() => t.fit(tensor([1, 2]), labels([0, 1])), /x must be 2-D \[N, F\], got shape \[2\]/);
  assert.throws(() => new DecisionTreeClassifier({ criterion: 'log' as 'gini' }), /criterion must be 'gini' or 'entropy', got 'log'/);
  assert.throws(() => new DecisionTreeClassifier({ minSamplesLeaf: 0 }), /minSamplesLeaf must be an integer ≥ 1, got 0/);
  assert.throws(() => new DecisionTreeClassifier({ maxFeatures: 3 }).fit(tensor([[1, 2]]), labels([0])), /maxFeatures 3 exceeds the 2 features/);
  const fitted = new DecisionTreeClassifier().fit(tensor([[1, 2], [3, 4]]), labels([0, 1]));
  assert.throws(() => fitted.predict(col([1])), /x \[1,1\] has 1 features but the model was fitted on 2/);
  assert.throws(() => fitted.exportText({ featureNames: ['a'] }), /featureNames has 1 names but the tree has 2 features/);
});
