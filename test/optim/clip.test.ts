import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Tensor, tensor } from '../../src/index.js';
import { clipGradNorm_, clipGradValue_ } from '../../src/optim/index.js';

function withGrads(...grads: (number[] | null)[]): Tensor[] {
  return grads.map((g) => {
    const p = tensor(Float64Array.from(g ?? [0]), { requiresGrad: true });
    p.grad = g === null ? null : tensor(Float64Array.from(g));
    return p;
  });
}
const gradOf = (p: Tensor): number[] => Array.from(p.grad!.data());

test('clipGradNorm_: the 2-norm over all gradients together is scaled to maxNorm', () => {
  const ps = withGrads([3], [0, 4], null);
  const total = clipGradNorm_(ps, 1);
  assert.equal(total, 5);
  const c = 1 / (5 + 1e-6);
  assert.deepEqual(gradOf(ps[0]), [3 * c]);
  assert.deepEqual(gradOf(ps[1]), [0, 4 * c]);
  assert.equal(ps[2].grad, null);
});

test('clipGradNorm_: below maxNorm the gradients are untouched, and the norm is still returned', () => {
  const ps = withGrads([3, 4]);
  assert.equal(clipGradNorm_(ps, 10), 5);
  assert.deepEqual(gradOf(ps[0]), [3, 4]);
  assert.equal(clipGradNorm_(withGrads(null), 1), 0);
});

test('clipGradNorm_: 1-norm, Infinity norm and p = 3', () => {
  assert.equal(clipGradNorm_(withGrads([3, -4], [1]), 100, 1), 8);
  const ps = withGrads([3, -4], [1]);
  assert.equal(clipGradNorm_(ps, 2, Infinity), 4);
  const c = 2 / (4 + 1e-6);
  assert.deepEqual(gradOf(ps[0]), [3 * c, -4 * c]);
  assert.ok(Math.abs(clipGradNorm_(withGrads([1, 2], [-2]), 100, 3) - 17 ** (1 / 3)) < 1e-12);
  assert.equal(clipGradNorm_(tensor([1]).requiresGrad_(), 1), 0, 'a single tensor without grad');
});

test('clipGradNorm_: a non-finite norm throws only with errorIfNonfinite', () => {
  assert.throws(() => clipGradNorm_(withGrads([1, Number.NaN]), 1, 2, { errorIfNonfinite: true }), /clipGradNorm_: the total 2-norm of the gradients of 1 parameters is NaN/);
  assert.throws(() => clipGradNorm_(withGrads([Infinity]), 1, Infinity, { errorIfNonfinite: true }), /Infinity-norm .* is Infinity/);
  const ps = withGrads([1, Number.NaN]);
  assert.ok(Number.isNaN(clipGradNorm_(ps, 1)));
  assert.ok(Number.isNaN(ps[0].grad!.data()[0]), 'as PyTorch: the gradients are scaled by NaN');
  assert.throws(() => clipGradNorm_(withGrads([1]), -1), /clipGradNorm_: maxNorm = -1; expected a number >= 0/);
  assert.throws(() => clipGradNorm_(withGrads([1]), 1, 0), /clipGradNorm_: normType = 0; expected a number > 0 or Infinity/);
});

test('clipGradValue_: clamps each element into [−clip, clip]', () => {
  const ps = withGrads([-3, 0.5, 2], null);
  clipGradValue_(ps, 1);
  assert.deepEqual(gradOf(ps[0]), [-1, 0.5, 1]);
  assert.throws(() => clipGradValue_(ps, -1), /clipGradValue_: clipValue = -1; expected a number >= 0/);
  assert.throws(() => clipGradValue_([3] as never, 1), /clipGradValue_: parameter 0 is not a Tensor/);
});
