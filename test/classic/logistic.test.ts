import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, tensor, type Tensor } from '../../src/index.js';
import { LogisticRegression } from '../../src/classic/index.js';

/** The course's unit circle: x ~ N(0, I), y = [x₁² + x₂² > 1]; also φ(x) = (x₁², x₂²). */
function unitCircle(n: number, seed: number): { x: Tensor; phi: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = new Float32Array(2 * n);
  const phi = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = g.nextNormal();
    const b = g.nextNormal();
    x.set([a, b], 2 * i);
    phi.set([a * a, b * b], 2 * i);
    y[i] = a * a + b * b > 1 ? 1 : 0;
  }
  return { x: tensor(x, { shape: [n, 2] }), phi: tensor(phi, { shape: [n, 2] }), y: tensor(y) };
}

/** Linearly separable: y = [x₁ + 2x₂ > 0.3], x ~ N(0, I). */
function separable(n: number, seed: number): { x: Tensor; y: Tensor } {
  const g = new Generator(seed);
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x[2 * i] = g.nextNormal();
    x[2 * i + 1] = g.nextNormal();
    y[i] = x[2 * i] + 2 * x[2 * i + 1] > 0.3 ? 1 : 0;
  }
  return { x: tensor(x, { shape: [n, 2] }), y: tensor(y) };
}

test('binary fit equals gradient descent written out by hand (float64, closed-form gradient)', () => {
  // Reference: w ← w − lr·(Xᵀ(σ(Xw + b) − y)/N + λw), b ← b − lr·mean(σ(Xw + b) − y).
  const { x, y } = separable(40, 11);
  const X = Float64Array.from(x.data());
  const Y = y.data();
  const lr = 0.3;
  const wd = 0.01;
  const epochs = 50;
  let w = [0, 0];
  let b = 0;
  for (let e = 0; e < epochs; e++) {
    const gw = [0, 0];
    let gb = 0;
    for (let i = 0; i < 40; i++) {
      const p = 1 / (1 + Math.exp(-(X[2 * i] * w[0] + X[2 * i + 1] * w[1] + b)));
      gw[0] += ((p - Y[i]) * X[2 * i]) / 40;
      gw[1] += ((p - Y[i]) * X[2 * i + 1]) / 40;
      gb += (p - Y[i]) / 40;
    }
    w = [w[0] - lr * (gw[0] + wd * w[0]), w[1] - lr * (gw[1] + wd * w[1])];
    b -= lr * gb;
  }
  const model = new LogisticRegression({ lr, epochs, weightDecay: wd, dtype: 'float64' }).fit(x, y);
  assert.deepEqual(model.coef.shape, [1, 2]);
  assert.deepEqual(model.intercept.shape, [1]);
  const coef = model.coef.data();
  assert.ok(Math.abs(coef[0] - w[0]) < 1e-12 && Math.abs(coef[1] - w[1]) < 1e-12, `coef ${coef} vs ${w}`);
  assert.ok(Math.abs(model.intercept.item() - b) < 1e-12);
  assert.equal(model.lossHistory.length, epochs);
  assert.ok(Math.abs(model.lossHistory[0] - Math.log(2)) < 1e-12, 'at zero weights the loss is ln 2');
});

test('reaches ≥ 95% on linearly separable 2-D data with the defaults', () => {
  const train = separable(300, 1);
  const testSet = separable(1000, 2);
  const model = new LogisticRegression().fit(train.x, train.y);
  assert.ok(model.score(train.x, train.y) >= 0.95);
  const acc = model.score(testSet.x, testSet.y);
  assert.ok(acc >= 0.95, `test accuracy ${acc}`);
  // The loss decreases monotonically for this step size.
  const h = model.lossHistory;
  for (let i = 1; i < h.length; i++) assert.ok(h[i] <= h[i - 1] + 1e-7, `loss went up at epoch ${i}: ${h[i - 1]} → ${h[i]}`);
});

test('unit circle: raw (x₁, x₂) underfits near chance, φ(x) = (x₁², x₂²) from 30 samples separates', () => {
  const testSet = unitCircle(2000, 100);
  const big = unitCircle(500, 7);
  const raw = new LogisticRegression().fit(big.x, big.y);
  const rawAcc = raw.score(testSet.x, testSet.y);
  assert.ok(rawAcc <= 0.7, `raw features should underfit, got ${rawAcc}`);
  // Every class-probability of the raw model sits near the base rate P(‖x‖² > 1) = e^(−1/2) ≈ 0.61.
  const proba = raw.predictProba(testSet.x).data();
  for (let i = 1; i < proba.length; i += 2) assert.ok(Math.abs(proba[i] - 0.6) < 0.15, `p = ${proba[i]}`);

  // φ-features trained on 30 samples, over five independent training draws (not one lucky seed).
  let total = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const train = unitCircle(30, seed);
    const acc = new LogisticRegression().fit(train.phi, train.y).score(testSet.phi, testSet.y);
    assert.ok(acc >= 0.93, `seed ${seed}: φ test accuracy ${acc}`);
    total += acc;
  }
  assert.ok(total / 5 >= 0.95, `mean φ test accuracy ${total / 5}`);
});

test('three classes use softmax; predictProba rows sum to 1; labels are returned as given', () => {
  const g = new Generator(3);
  const centres = [[0, 3], [-3, -2], [3, -2]];
  const labels = [5, -1, 10]; // arbitrary integers, not 0..C−1
  const n = 150;
  const x = new Float32Array(2 * n);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x[2 * i] = centres[c][0] + g.nextNormal();
    x[2 * i + 1] = centres[c][1] + g.nextNormal();
    y[i] = labels[c];
  }
  const xt = tensor(x, { shape: [n, 2] });
  const yt = tensor(y);
  const model = new LogisticRegression().fit(xt, yt);
  assert.deepEqual(model.classes, [-1, 5, 10]);
  assert.deepEqual(model.coef.shape, [3, 2]);
  assert.ok(model.score(xt, yt) >= 0.95);
  const pred = model.predict(xt);
  assert.equal(pred.dtype, 'int32');
  assert.ok([...pred.data()].every((v) => labels.includes(v)));
  const p = model.predictProba(xt);
  assert.deepEqual(p.shape, [n, 3]);
  for (let i = 0; i < n; i++) {
    const s = p.data()[3 * i] + p.data()[3 * i + 1] + p.data()[3 * i + 2];
    assert.ok(Math.abs(s - 1) < 1e-6, `row ${i} sums to ${s}`);
  }
  // multiClass 'multinomial' on two classes gives two logits whose softmax matches the sigmoid of the 'auto' model.
  const two = separable(100, 4);
  const auto = new LogisticRegression({ dtype: 'float64', epochs: 200 }).fit(two.x, two.y);
  const multi = new LogisticRegression({ dtype: 'float64', epochs: 200, multiClass: 'multinomial' }).fit(two.x, two.y);
  assert.deepEqual(multi.coef.shape, [2, 2]);
  assert.equal(multi.score(two.x, two.y), auto.score(two.x, two.y));
});

test('errors: unfitted model, single class, shape mismatch, non-integer labels, bad options', () => {
  const m = new LogisticRegression();
  assert.throws(() => m.predict(tensor([[1, 2]])), /LogisticRegression.predict: the model is not fitted yet/);
  assert.throws(() => m.fit(tensor([[1], [2]]), tensor([1, 1], { dtype: 'int32' })), /single class \(1\)/);
  assert.throws(() => m.fit(tensor([[1], [2]]), tensor([0, 1, 1], { dtype: 'int32' })), /y \[3\] does not match x \[2,1\]/);
  assert.throws(() => m.fit(tensor([[1], [2]]), tensor([0, 0.5])), /integer class labels, found 0.5 at index 1/);
  assert.throws(() => new LogisticRegression({ lr: -1 }), /lr must be a finite number > 0, got -1/);
  const fitted = new LogisticRegression({ epochs: 5 }).fit(tensor([[1], [2]]), tensor([0, 1], { dtype: 'int32' }));
  assert.throws(() => fitted.predict(tensor([[1, 2]])), /x \[1,2\] has 2 features but the model was fitted on 1/);
});
