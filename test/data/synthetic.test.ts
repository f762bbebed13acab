import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/index.js';
import { makeCircle, makeGaussians, makeMoons, makeSpiral, makeXor } from '../../src/data/index.js';

const points = (x: { data(): ArrayLike<number> }): [number, number][] => {
  const d = x.data();
  return Array.from({ length: d.length / 2 }, (_, i) => [d[2 * i], d[2 * i + 1]]);
};
const labels = (y: { data(): ArrayLike<number> }): number[] => Array.from(y.data());

test('makeCircle: y = (x₁² + x₂² > 1) without noise; about e^(−1/2) outside', () => {
  const { x, y } = makeCircle({ n: 2000, seed: 1 });
  assert.deepEqual([x.shape, x.dtype, y.shape, y.dtype], [[2000, 2], 'float32', [2000], 'int32']);
  const ys = labels(y);
  points(x).forEach(([a, b], i) => assert.equal(ys[i], a * a + b * b > 1 ? 1 : 0, `row ${i}`));
  const outside = ys.reduce((s, v) => s + v, 0) / 2000;
  assert.ok(Math.abs(outside - Math.exp(-0.5)) < 0.04, `fraction outside ${outside}`);
});

test('seeds fix the draw; without a seed the global generator is used', () => {
  assert.deepEqual(makeCircle({ n: 20, seed: 4 }).x.toArray(), makeCircle({ n: 20, seed: 4 }).x.toArray());
  assert.notDeepEqual(makeCircle({ n: 20, seed: 4 }).x.toArray(), makeCircle({ n: 20, seed: 5 }).x.toArray());
  manualSeed(8);
  const a = makeMoons({ n: 20 }).x.toArray();
  manualSeed(8);
  assert.deepEqual(makeMoons({ n: 20 }).x.toArray(), a);
  assert.throws(() => makeXor({ n: 0 }), /makeXor: n must be a positive integer, got 0/);
});

test('noise perturbs x after labelling; flip = 1 inverts every label', () => {
  const clean = makeCircle({ n: 500, seed: 2 });
  const noisy = makeCircle({ n: 500, seed: 2, noise: 0.1 });
  assert.deepEqual(labels(noisy.y), labels(clean.y));
  const c = clean.x.data();
  const d = noisy.x.data();
  let meanAbs = 0;
  for (let i = 0; i < c.length; i++) meanAbs += Math.abs(d[i] - c[i]) / c.length;
  assert.ok(Math.abs(meanAbs - 0.1 * Math.sqrt(2 / Math.PI)) < 0.01, `mean |noise| ${meanAbs}`); // E|N(0, σ²)| = σ√(2/π)
  const flipped = makeCircle({ n: 500, seed: 2, flip: 1 });
  assert.deepEqual(labels(flipped.y), labels(clean.y).map((v) => 1 - v));
});

test('makeXor: y = 1 exactly when the coordinates have opposite signs', () => {
  const { x, y } = makeXor({ n: 1000, seed: 3 });
  const ys = labels(y);
  points(x).forEach(([a, b], i) => {
    assert.ok(Math.abs(a) <= 1 && Math.abs(b) <= 1);
    assert.equal(ys[i], a * b < 0 ? 1 : 0);
  });
  assert.ok(Math.abs(ys.reduce((s, v) => s + v, 0) / 1000 - 0.5) < 0.06);
});

test('makeGaussians: balanced classes around their centers', () => {
  const { x, y } = makeGaussians({ n: 2001, seed: 5 });
  const ys = labels(y);
  assert.deepEqual([ys.filter((v) => v === 0).length, ys.filter((v) => v === 1).length], [1001, 1000]);
  const centers = [[-1, -1], [1, 1]];
  for (const k of [0, 1]) {
    const pts = points(x).filter((_, i) => ys[i] === k);
    const mean = [0, 1].map((j) => pts.reduce((s, p) => s + p[j], 0) / pts.length);
    const sd = Math.sqrt(pts.reduce((s, p) => s + (p[0] - mean[0]) ** 2, 0) / pts.length);
    mean.forEach((m, j) => assert.ok(Math.abs(m - centers[k][j]) < 0.1, `class ${k} mean ${mean}`));
    assert.ok(Math.abs(sd - 0.5) < 0.05, `class ${k} std ${sd}`);
  }
  const three = makeGaussians({ n: 9, seed: 1, centers: [[0, 0], [5, 5], [-5, 5]] });
  assert.deepEqual(labels(three.y).sort(), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
});

// Circular distance between two angles.
const angleGap = (a: number, b: number): number => {
  const d = (((a - b) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI);
  return Math.min(d, 2 * Math.PI - d);
};

test('makeSpiral: each point lies on its class arm θ = 2π·1.75·r + 2πk/K', () => {
  for (const classes of [2, 3]) {
    const { x, y } = makeSpiral({ n: 300, seed: 6, classes });
    const ys = labels(y);
    assert.deepEqual([...new Set(ys)].sort(), [...Array(classes).keys()]);
    points(x).forEach(([a, b], i) => {
      const r = Math.hypot(a, b);
      assert.ok(r < 1);
      const expected = 2 * Math.PI * 1.75 * r + (2 * Math.PI * ys[i]) / classes;
      assert.ok(r < 1e-6 || angleGap(Math.atan2(b, a), expected) < 1e-4, `row ${i}: r ${r}`);
    });
  }
});

test('makeMoons: class 0 on the unit upper arc, class 1 on the shifted lower arc', () => {
  const { x, y } = makeMoons({ n: 400, seed: 7 });
  const ys = labels(y);
  assert.equal(ys.filter((v) => v === 1).length, 200);
  points(x).forEach(([a, b], i) => {
    if (ys[i] === 0) {
      assert.ok(Math.abs(a * a + b * b - 1) < 1e-5 && b >= 0, `row ${i}`);
    } else {
      assert.ok(Math.abs((a - 1) ** 2 + (b - 0.5) ** 2 - 1) < 1e-5 && b <= 0.5, `row ${i}`);
    }
  });
});
