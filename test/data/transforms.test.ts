import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, manualSeed, rand, tensor, zeros } from '../../src/index.js';
import {
  DataLoader, TensorDataset, compose, gaussianNoise, normalize, randomCrop, randomRotation, randomShift, rotate, translate,
} from '../../src/data/index.js';
import type { Tensor } from '../../src/index.js';

/** A [1, n, n] image that is 0 except for pixel (r, c). */
const lit = (n: number, r: number, c: number): Tensor => {
  const x = zeros([1, n, n]);
  x.data()[r * n + c] = 1;
  return x;
};
const litPixels = (x: Tensor): [number, number][] => {
  const [h, w] = x.shape.slice(-2);
  const out: [number, number][] = [];
  x.data().forEach((v, p) => {
    if (v !== 0) out.push([Math.floor((p % (h * w)) / w), p % w]);
  });
  return out;
};

test('normalize: per channel (x − mean) / std, shape kept', () => {
  const x = tensor([[[0, 1], [2, 3]], [[4, 5], [6, 7]]]); // [2, 2, 2]
  const y = normalize([1, 4], [2, 0.5])(x);
  assert.deepEqual(y.shape, [2, 2, 2]);
  assert.deepEqual(y.toArray(), [[[-0.5, 0], [0.5, 1]], [[0, 2], [4, 6]]]);
  assert.deepEqual(normalize(1, 2)(x).toArray(), [[[-0.5, 0], [0.5, 1]], [[1.5, 2], [2.5, 3]]]);
  assert.throws(() => normalize([1, 2, 3], 1)(x), /normalize: mean has 3 values for an image of 2 channels; expected 1 or 2/);
  assert.throws(() => normalize(0, 0), /normalize: std must be positive, got 0/);
  assert.throws(() => normalize(0, 1)(zeros([2, 1, 3, 3])), /normalize: image has shape \[2,1,3,3\]; expected \[C,H,W\] or \[H,W\]/);
});

test('translate / randomShift: a single lit pixel moves by exactly the shift; draws stay within ±k', () => {
  const x = lit(9, 4, 4);
  assert.deepEqual(litPixels(translate(x, 2, -3)), [[1, 6]]); // 2 right, 3 up
  assert.deepEqual(litPixels(translate(x, -4, 4)), [[8, 0]]);
  assert.deepEqual(litPixels(translate(x, 5, 0)), []); // moved out: zero fill
  const k = 2;
  const seen = new Set<string>();
  const gen = new Generator(11);
  const shift = randomShift(k, { generator: gen });
  for (let t = 0; t < 200; t++) {
    const y = shift(x);
    assert.deepEqual(y.shape, [1, 9, 9]);
    const [[r, c]] = litPixels(y);
    assert.ok(Math.abs(r - 4) <= k && Math.abs(c - 4) <= k, `moved to (${r}, ${c})`);
    seen.add(`${r - 4},${c - 4}`);
  }
  assert.equal(seen.size, (2 * k + 1) ** 2); // every shift in [−2, 2]² occurs
  // a TensorDataset sample [image, label]: the image is shifted, the label kept
  const [img, label] = randomShift(1)([x, tensor(3, { dtype: 'int32' })]);
  assert.deepEqual([img.shape, label.item()], [[1, 9, 9], 3]);
});

test('randomCrop: padded crop of the requested size, a shifted window of the image', () => {
  const x = rand([3, 8, 8], { generator: new Generator(1) });
  const crop = randomCrop(8, 2, { generator: new Generator(5) });
  for (let t = 0; t < 20; t++) {
    const y = crop(x);
    assert.deepEqual(y.shape, [3, 8, 8]);
    // with size = image size, a crop of the padded image is a translation by (dx, dy) ∈ [−2, 2]²
    const match = [-2, -1, 0, 1, 2].flatMap((dx) => [-2, -1, 0, 1, 2].map((dy) => [dx, dy]))
      .filter(([dx, dy]) => translate(x, dx, dy).toArray().toString() === y.toArray().toString());
    assert.equal(match.length, 1);
  }
  assert.deepEqual(randomCrop([3, 5])(x).shape, [3, 3, 5]);
  assert.throws(() => randomCrop(13, 2)(x), /randomCrop: crop 13×13 is larger than the padded image 12×12/);
});

test('rotate: 90° counter-clockwise maps (r, c) to (n−1−c, r); small angles keep mass near the centre', () => {
  const n = 7;
  const x = rand([2, n, n], { generator: new Generator(3) });
  const y = rotate(x, 90);
  const xs = x.toArray() as number[][][];
  const ys = y.toArray() as number[][][];
  for (let ch = 0; ch < 2; ch++) {
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) assert.ok(Math.abs(ys[ch][n - 1 - c][r] - xs[ch][r][c]) < 1e-6);
  }
  assert.deepEqual(litPixels(rotate(lit(5, 0, 4), 90)), [[0, 0]]); // top-right corner → top-left
  assert.deepEqual(litPixels(rotate(lit(5, 1, 2), -90)), [[2, 3]]);
  // bilinear at 45°: the centre pixel stays, total mass of a centred blob is preserved approximately
  const centre = rotate(lit(5, 2, 2), 45).toArray() as number[][][];
  assert.ok(Math.abs(centre[0][2][2] - 1) < 1e-12);
  const rotated = Array.from(rotate(lit(9, 4, 6), 30).data());
  const mass = rotated.reduce((a, v) => a + v, 0);
  assert.ok(Math.abs(mass - 1) < 0.2, `mass ${mass}`);
  // the pixel 2 to the right of the centre lands near (4 − 2 sin 30°, 4 + 2 cos 30°) = (3, 5.73) in (row, col)
  let wr = 0;
  let wc = 0;
  rotated.forEach((v, p) => {
    wr += v * Math.floor(p / 9);
    wc += v * (p % 9);
  });
  assert.ok(Math.abs(wr / mass - 3) < 0.1 && Math.abs(wc / mass - (4 + 2 * Math.cos(Math.PI / 6))) < 0.1, `centroid ${wr / mass}, ${wc / mass}`);
  // bilinear interpolation reproduces a linear ramp exactly: inside the image, out(r, c) = f(rotated-back point)
  const m = 9;
  const f = (row: number, col: number): number => 0.1 + 0.05 * col + 0.02 * row;
  const ramp = tensor(Array.from({ length: m }, (_, r) => Array.from({ length: m }, (_, c) => f(r, c))), { dtype: 'float64' });
  const out = rotate(ramp, 30).toArray() as number[][];
  const [cos, sin, ctr] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6), (m - 1) / 2];
  let checked = 0;
  for (let r = 0; r < m; r++) {
    for (let c = 0; c < m; c++) {
      const cs = ctr + (c - ctr) * cos - (r - ctr) * sin; // counter-clockwise on screen: the source is R(θ)·(p − centre)
      const rs = ctr + (c - ctr) * sin + (r - ctr) * cos;
      if (cs < 0 || rs < 0 || cs > m - 1 || rs > m - 1) continue;
      assert.ok(Math.abs(out[r][c] - f(rs, cs)) < 1e-12, `(${r}, ${c}): ${out[r][c]} vs ${f(rs, cs)}`);
      checked++;
    }
  }
  assert.ok(checked > 40, `${checked} interior pixels`);
});

test('randomRotation, gaussianNoise, compose: seeded, shapes kept, clamp', () => {
  const x = rand([1, 6, 6], { generator: new Generator(2) });
  const r1 = randomRotation(30, { generator: new Generator(9) })(x);
  const r2 = randomRotation(30, { generator: new Generator(9) })(x);
  const r3 = randomRotation(30, { generator: new Generator(10) })(x);
  assert.deepEqual(r1.shape, [1, 6, 6]);
  assert.deepEqual(r1.toArray(), r2.toArray());
  assert.notDeepEqual(r1.toArray(), r3.toArray());

  const big = zeros([1, 100, 100]).add(0.5);
  const noisy = Array.from(gaussianNoise(0.1, { generator: new Generator(4) })(big).data());
  const mean = noisy.reduce((a, v) => a + v, 0) / noisy.length;
  const sd = Math.sqrt(noisy.reduce((a, v) => a + (v - mean) ** 2, 0) / noisy.length);
  assert.ok(Math.abs(mean - 0.5) < 0.005 && Math.abs(sd - 0.1) < 0.005, `mean ${mean}, sd ${sd}`);
  const clamped = Array.from(gaussianNoise(2, { clamp: true, generator: new Generator(4) })(big).data());
  assert.ok(clamped.every((v) => v >= 0 && v <= 1) && clamped.some((v) => v === 0) && clamped.some((v) => v === 1));

  // the global generator drives transforms without an explicit one
  const pipeline = compose(randomShift(1), randomRotation(10), gaussianNoise(0.05), normalize(0.5, 0.25));
  manualSeed(42);
  const a = pipeline(x);
  manualSeed(42);
  const b = pipeline(x);
  assert.deepEqual(a.toArray(), b.toArray());
  assert.deepEqual(a.shape, [1, 6, 6]);
  // compose applies left to right: normalize then shift ≠ shift then normalize at the zero-filled border
  const n1 = compose(normalize(0.5, 1), (t: Tensor) => translate(t, 1, 0))(x).toArray() as number[][][];
  assert.equal(n1[0][0][0], 0);

  // as a DataLoader transform on [image, label] samples
  manualSeed(0);
  const ds = new TensorDataset(rand([10, 1, 6, 6]), tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { dtype: 'int32' }));
  const loader = new DataLoader(ds, { batchSize: 4, transform: compose(randomShift(1), normalize(0.5, 0.5)) });
  const [xb, yb] = [...loader][0];
  assert.deepEqual([xb.shape, Array.from(yb.data())], [[4, 1, 6, 6], [0, 1, 2, 3]]);
});
