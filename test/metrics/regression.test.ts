import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/index.js';
import { meanAbsoluteError, meanSquaredError, r2Score } from '../../src/metrics/index.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('MSE, MAE and R² on one output (scikit-learn doc example)', () => {
  const t = [3, -0.5, 2, 7];
  const p = [2.5, 0, 2, 8];
  close(meanSquaredError(t, p), (0.25 + 0.25 + 0 + 1) / 4);
  close(meanAbsoluteError(t, p), (0.5 + 0.5 + 0 + 1) / 4);
  // ȳ = 2.875, Σ(y − ȳ)² = 29.1875, Σ(y − ŷ)² = 1.5
  close(r2Score(t, p), 1 - 1.5 / 29.1875);
  close(r2Score(tensor(t), tensor([p]).reshape([4, 1])), 1 - 1.5 / 29.1875, 1e-7);
});

test('several outputs are averaged column by column', () => {
  const t = [[0.5, 1], [-1, 1], [7, -6]];
  const p = [[0, 2], [-1, 2], [8, -5]];
  close(meanSquaredError(t, p), (0.25 + 1 + 0 + 1 + 1 + 1) / 6);
  close(meanAbsoluteError(t, p), (0.5 + 1 + 0 + 1 + 1 + 1) / 6);
  const mean0 = (0.5 - 1 + 7) / 3;
  const r0 = 1 - (0.25 + 0 + 1) / ((0.5 - mean0) ** 2 + (-1 - mean0) ** 2 + (7 - mean0) ** 2);
  const mean1 = (1 + 1 - 6) / 3;
  const r1 = 1 - 3 / (2 * (1 - mean1) ** 2 + (-6 - mean1) ** 2);
  close(r2Score(t, p), (r0 + r1) / 2);
  close(r2Score(tensor(t, { dtype: 'float64' }), tensor(p, { dtype: 'float64' })), (r0 + r1) / 2);
});

test('R² of a constant target: 1 when exact, else 0', () => {
  assert.equal(r2Score([2, 2, 2], [2, 2, 2]), 1);
  assert.equal(r2Score([2, 2, 2], [2, 2, 3]), 0);
});

test('shape mismatches are named', () => {
  assert.throws(() => meanSquaredError([1, 2, 3], [1, 2]), /meanSquaredError: yTrue has 3 elements but yPred has 2/);
  assert.throws(() => r2Score([[1, 2], [3, 4]], [1, 2]), /r2Score: yTrue has shape \[2, 2\] but yPred has 2 elements/);
});
