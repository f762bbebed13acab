import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, tensor } from '../../src/index.js';
import { LinearModel, NotPositiveDefiniteError, leastSquares, ridge } from '../../src/classic/index.js';

/** [rows, cols] float64 matrix of standard normal draws. */
function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const g = new Generator(seed);
  return Float64Array.from({ length: rows * cols }, () => g.nextNormal());
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `index ${i}: ${actual[i]} vs ${expected[i]} (tol ${tol})`);
  }
}

test('leastSquares recovers θ and b exactly on noiseless y = Xθ + b', () => {
  const N = 50;
  const theta = [1.5, -2, 0.5];
  const X = randomMatrix(N, 3, 1);
  const y = Float64Array.from({ length: N }, (_, i) => 3 + X[3 * i] * 1.5 - 2 * X[3 * i + 1] + 0.5 * X[3 * i + 2]);
  const model = leastSquares(tensor(X, { shape: [N, 3] }), tensor(y));
  assert.ok(model instanceof LinearModel);
  assert.equal(model.weight.dtype, 'float64');
  assert.deepEqual(model.weight.shape, [3]);
  close(model.weight.data(), theta, 1e-12);
  assert.ok(Math.abs((model.bias as number) - 3) < 1e-12);
  const pred = model.predict(tensor(X, { shape: [N, 3] }));
  assert.deepEqual(pred.shape, [N]);
  close(pred.data(), y, 1e-11);
});

test('leastSquares with a [N, K] target fits each column; fitIntercept false gives bias 0', () => {
  const N = 40;
  const X = randomMatrix(N, 2, 2);
  // Column 0: y = 2x₀ − x₁ + 1; column 1: y = −x₀ + 4x₁ − 2.
  const Y = new Float64Array(N * 2);
  for (let i = 0; i < N; i++) {
    Y[2 * i] = 2 * X[2 * i] - X[2 * i + 1] + 1;
    Y[2 * i + 1] = -X[2 * i] + 4 * X[2 * i + 1] - 2;
  }
  const model = leastSquares(tensor(X, { shape: [N, 2] }), tensor(Y, { shape: [N, 2] }));
  assert.deepEqual(model.weight.shape, [2, 2]);
  close(model.weight.data(), [2, -1, -1, 4], 1e-12); // [F, K] row-major
  close(model.bias as number[], [1, -2], 1e-12);
  assert.deepEqual(model.predict(tensor([[1, 1]])).shape, [1, 2]);

  const noB = Float64Array.from({ length: N }, (_, i) => 0.25 * X[2 * i] + 7 * X[2 * i + 1]);
  const m2 = leastSquares(tensor(X, { shape: [N, 2] }), tensor(noB), { fitIntercept: false });
  close(m2.weight.data(), [0.25, 7], 1e-12);
  assert.equal(m2.bias, 0);
});

test('ridge equals the hand-computed closed form (2×2 system)', () => {
  // No intercept: XᵀX = [[2,1],[1,2]], Xᵀy = [4,5]; λ = 1: A = [[3,1],[1,3]], A⁻¹ = [[3,−1],[−1,3]]/8,
  // θ = A⁻¹Xᵀy = [12−5, −4+15]/8 = [7/8, 11/8].
  const X = tensor([[1, 0], [0, 1], [1, 1]]);
  const y = tensor([1, 2, 3]);
  const m = ridge(X, y, 1, { fitIntercept: false });
  close(m.weight.data(), [7 / 8, 11 / 8], 1e-14);
  assert.equal(m.bias, 0);
  assert.equal(m.lambda, 1);
});

test('ridge leaves the intercept unpenalised (hand-computed, centred)', () => {
  // x = [0,1,2,3], y = [1,3,2,5]: x̄ = 1.5, ȳ = 2.75, Σx̃² = 5, Σx̃ỹ = 5.5.
  // λ = 1: θ = 5.5 / (5 + 1) = 11/12, b = ȳ − x̄θ = 2.75 − 1.375 = 1.375.
  const m = ridge(tensor([[0], [1], [2], [3]]), tensor([1, 3, 2, 5]), 1);
  close(m.weight.data(), [11 / 12], 1e-14);
  assert.ok(Math.abs((m.bias as number) - 1.375) < 1e-14);
});

test('ridge tends to least squares as λ → 0 and shrinks θ as λ grows', () => {
  const N = 30;
  const X = randomMatrix(N, 4, 3);
  const g = new Generator(4);
  const y = Float64Array.from({ length: N }, (_, i) => X[4 * i] - 2 * X[4 * i + 1] + 3 * X[4 * i + 3] + 0.3 * g.nextNormal());
  const xt = tensor(X, { shape: [N, 4] });
  const yt = tensor(y);
  const ls = leastSquares(xt, yt);
  close(ridge(xt, yt, 1e-9).weight.data(), ls.weight.data(), 1e-8);
  close(ridge(xt, yt, 0).weight.data(), ls.weight.data(), 1e-14);
  const norm = (m: LinearModel): number => Math.hypot(...m.weight.data());
  let prev = norm(ls);
  for (const lambda of [0.1, 1, 10, 100, 1e4, 1e8]) {
    const n = norm(ridge(xt, yt, lambda));
    assert.ok(n < prev, `‖θ‖ at λ=${lambda} is ${n}, not below ${prev}`);
    prev = n;
  }
  assert.ok(prev < 1e-5, `‖θ‖ at λ=1e8 should be near 0, got ${prev}`);
});

test('a duplicated column makes λ = 0 singular, with a message naming function, size and pivot', () => {
  const X = randomMatrix(20, 2, 5);
  const dup = new Float64Array(60);
  for (let i = 0; i < 20; i++) dup.set([X[2 * i], X[2 * i + 1], X[2 * i + 1]], 3 * i);
  const xt = tensor(dup, { shape: [20, 3] });
  const y = tensor(Float64Array.from({ length: 20 }, (_, i) => X[2 * i] + X[2 * i + 1]));
  assert.throws(() => leastSquares(xt, y), /^NotPositiveDefiniteError: leastSquares: the 3×3 matrix .* pivot 2 .*positive lambda.*collinear/);
  assert.throws(() => ridge(xt, y, 0), /^NotPositiveDefiniteError: ridge: the 3×3 matrix .*pivot 2/);
  assert.throws(() => leastSquares(xt, y), (e: unknown) => e instanceof NotPositiveDefiniteError && e instanceof Error && e.pivot === 2);
  // A constant column is singular once x is centred for the intercept.
  const withConst = tensor([[1, 5], [2, 5], [3, 5]]);
  assert.throws(() => leastSquares(withConst, tensor([1, 2, 3])), /pivot 1 .*constant/);
  // A positive λ makes the system definite; the duplicated columns then share the weight equally.
  const m = ridge(xt, y, 0.5);
  const w = m.weight.data();
  assert.ok(Math.abs(w[1] - w[2]) < 1e-12, `duplicated columns got ${w[1]} and ${w[2]}`);
});

test('shape, value and argument errors name the function and the shapes', () => {
  assert.throws(() => leastSquares(tensor([1, 2, 3]), tensor([1, 2, 3])), /leastSquares: x must be 2-D \[N, F\], got shape \[3\]/);
  assert.throws(() => leastSquares(tensor([[1], [2]]), tensor([1, 2, 3])), /leastSquares: y \[3\] does not match x \[2,1\]/);
  assert.throws(() => ridge(tensor([[1], [2]]), tensor([1, 2]), -1), /ridge: lambda must be a finite number ≥ 0, got -1/);
  assert.throws(() => leastSquares(tensor([[1], [NaN]]), tensor([1, 2])), /non-finite value NaN at row 1, column 0/);
  const m = leastSquares(tensor([[0], [1], [2]]), tensor([1, 3, 5]));
  assert.throws(() => m.predict(tensor([[1, 2]])), /LinearModel.predict: x \[1,2\] has 2 features but the model was fitted on 1/);
  close(m.predict(tensor([[10]])).data(), [21], 1e-12);
});
