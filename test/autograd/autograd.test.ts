import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import { record } from '../../src/autograd/engine.js';

const f64 = (data: number[], requiresGrad = true) => bp.tensor(data, { dtype: 'float64', requiresGrad });

describe('backward', () => {
  test('chain rule through a small graph matches the hand derivative', () => {
    // L = Σ sigmoid(w·x + b)² ; dL/dw = Σ 2s·s(1−s)·x
    const x = f64([1, -2, 0.5], false);
    const w = f64([0.3]);
    const b = f64([0.1]);
    const s = x.mul(w).add(b).sigmoid();
    s.pow(2).sum().backward();
    const sv = s.toArray() as number[];
    const expectW = sv.reduce((acc, v, i) => acc + 2 * v * v * (1 - v) * [1, -2, 0.5][i], 0);
    const expectB = sv.reduce((acc, v) => acc + 2 * v * v * (1 - v), 0);
    assert.ok(Math.abs(w.grad!.item() - expectW) < 1e-12);
    assert.ok(Math.abs(b.grad!.item() - expectB) < 1e-12);
  });

  test('gradients accumulate across backward calls until reset', () => {
    const x = f64([2, 3]);
    x.mul(x).sum().backward();
    x.mul(x).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [8, 12]);
    x.grad = null;
    x.mul(3).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [3, 3]);
  });

  test('a tensor used twice gets both contributions', () => {
    const x = f64([3]);
    const y = x.mul(x).add(x); // 2x + 1
    y.backward();
    assert.equal(x.grad!.item(), 7);
  });

  test('non-scalar backward takes an explicit gradient', () => {
    const x = f64([1, 2, 3]);
    x.mul(x).backward(f64([1, 0, 2], false));
    assert.deepEqual(x.grad!.toArray(), [2, 0, 12]);
  });

  test('retainGraph lets backward run twice; without it the second call explains the fix', () => {
    const x = f64([1, 2]);
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    assert.deepEqual(x.grad!.toArray(), [2 * Math.exp(1), 2 * Math.exp(2)]);
    assert.throws(() => y.backward(), /backward: trying to go through the graph of '(sum|exp)' a second time.*retainGraph: true/);
  });

  test('leaf gradients do not alias each other or the upstream gradient', () => {
    const a = f64([1, 2]);
    const b = f64([3, 4]);
    const g = f64([1, 1], false);
    a.add(b).backward(g);
    assert.notEqual(a.grad, b.grad);
    a.grad!.data()[0] = 100;
    assert.deepEqual(b.grad!.toArray(), [1, 1]);
    assert.deepEqual(g.toArray(), [1, 1]);
  });

  test('a deep chain of 100,000 ops backpropagates without recursion overflow', () => {
    const x = bp.tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 100_000; i++) y = y.add(1e-5);
    y.sum().backward();
    assert.equal(x.grad!.item(), 1);
  });

  test('retainGrad keeps the gradient of an intermediate tensor', () => {
    const x = f64([1, 2]);
    const h = x.mul(3).retainGrad();
    h.pow(2).sum().backward();
    assert.deepEqual(h.grad!.toArray(), [6, 12]);
    assert.deepEqual(x.grad!.toArray(), [18, 36]);
  });
});

describe('grad()', () => {
  test('returns gradients without touching .grad', () => {
    const x = f64([1, 2]);
    const [g] = bp.grad(x.pow(3).sum(), [x]);
    assert.deepEqual(g.toArray(), [3, 12]);
    assert.equal(x.grad, null);
  });

  test('createGraph gives gradients of gradients (gradient penalty style)', () => {
    const x = f64([0.5, -1]);
    const [g] = bp.grad(x.tanh().sum(), x, { createGraph: true });
    const penalty = g.pow(2).sum(); // Σ (1 − tanh²)²
    penalty.backward();
    const expected = (x.toArray() as number[]).map((v) => {
      const t = Math.tanh(v);
      return 2 * (1 - t * t) * (-2 * t) * (1 - t * t);
    });
    (x.grad!.toArray() as number[]).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-12));
  });

  test('intermediate tensors can be inputs', () => {
    const x = f64([2]);
    const h = x.mul(x);
    const [gh] = bp.grad(h.mul(5).sum(), h);
    assert.equal(gh.item(), 5);
  });

  test('unused inputs throw unless allowUnused, which gives zeros', () => {
    const x = f64([1]);
    const z = f64([1, 2]);
    assert.throws(() => bp.grad(x.mul(2).sum(), [x, z]), /grad: input 1 \(shape \[2\]\) was not used to compute the outputs; pass allowUnused: true/);
    const [, gz] = bp.grad(x.mul(2).sum(), [x, z], { allowUnused: true });
    assert.deepEqual(gz.toArray(), [0, 0]);
  });
});

describe('recording control', () => {
  test('noGrad records nothing and restores the mode, even on throw', () => {
    const x = f64([1]);
    const y = bp.noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.throws(() => bp.noGrad(() => { throw new Error('boom'); }), /boom/);
    assert.equal(bp.isGradEnabled(), true);
    assert.throws(() => bp.noGrad((async () => 1) as never), /noGrad: fn returned a Promise/);
  });

  test('detach cuts the graph and shares data', () => {
    const x = f64([1, 2]);
    const d = x.mul(2).detach();
    assert.equal(d.requiresGrad, false);
    const y = x.mul(d).sum();
    y.backward();
    assert.deepEqual(x.grad!.toArray(), [2, 4]);
  });

  test('in-place change of a leaf that requires grad is refused while recording', () => {
    const x = f64([1, 2]);
    assert.throws(() => x.fill_(0), /fill_: in-place change of a leaf tensor that requires grad/);
    bp.noGrad(() => x.fill_(0));
    assert.deepEqual(x.toArray(), [0, 0]);
  });

  test('a backward that returns the wrong shape is caught and names the op', () => {
    const x = f64([1, 2, 3]);
    const out = record(x.detach().mul(2), 'brokenOp', [x], (g) => [g.sum()]);
    assert.throws(() => out.sum().backward(), /brokenOp\.backward: gradient for input 0 has shape \[\], expected the input's shape \[3\]/);
  });

  test('gradients of float32 leaves stay float32 when a float64 op is involved', () => {
    const x = bp.tensor([1, 2], { requiresGrad: true });
    x.mul(f64([3, 4], false)).sum().backward();
    assert.equal(x.grad!.dtype, 'float32');
    assert.deepEqual(x.grad!.toArray(), [3, 4]);
  });
});

describe('gradient buffers', () => {
  test('gradients that flow through views still get their own memory', () => {
    const a = f64([1, 2, 3, 4]);
    const b = f64([1, 2, 3, 4]);
    // add passes g through unchanged to both inputs; the reshape's backward is a view of the same buffer.
    a.add(b.reshape([2, 2]).reshape([4])).backward(f64([1, 1, 1, 1], false));
    assert.notEqual(a.grad!.data().buffer, b.grad!.data().buffer);
    a.grad!.data()[0] = 7;
    assert.deepEqual(b.grad!.toArray(), [1, 1, 1, 1]);
  });
});
