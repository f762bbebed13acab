// The ops' fast paths (fused loss reductions, mean as one op, linear without reshapes and with its bias added in
// place, shape shortcuts) against the composed ops they replace: same values (bit for bit in float32), same
// gradients, and gradients of gradients where a graph of the backward is recorded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import { Generator, type Tensor } from '../../src/index.js';

const gen = new Generator(99);

function randn(shape: number[], dtype: 'float32' | 'float64' = 'float64'): Tensor {
  return bp.randn(shape, { dtype, generator: gen }).requiresGrad_();
}

function assertClose(a: Tensor, b: Tensor, what: string, tol = 1e-12): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shapes`);
  const x = a.data();
  const y = b.data();
  for (let i = 0; i < x.length; i++) {
    assert.ok(Math.abs(x[i] - y[i]) <= tol * (1 + Math.abs(y[i])), `${what}: element ${i} is ${x[i]}, expected ${y[i]}`);
  }
}

function assertBitwise(a: Tensor, b: Tensor, what: string): void {
  assert.deepEqual(Array.from(a.data()), Array.from(b.data()), what);
}

/** Loss, first gradients and a second derivative (of Σ gradient²) with respect to `inputs`. */
function derivatives(loss: () => Tensor, inputs: Tensor[]): Tensor[] {
  const l = loss();
  const gs = bp.grad(l, inputs, { createGraph: true });
  const penalty = gs.map((g) => g.mul(g).sum()).reduce((s, t) => s.add(t));
  const hs = bp.grad(penalty, inputs, { allowUnused: true });
  return [l, ...gs, ...hs];
}

describe('fused loss reductions', () => {
  for (const reduction of ['mean', 'sum'] as const) {
    test(`binaryCrossEntropyWithLogits '${reduction}': values and two orders of derivatives match the composed form`, () => {
      const x = randn([4, 3]);
      const t = bp.rand([4, 3], { dtype: 'float64', generator: gen }).requiresGrad_();
      // A posWeight of ones gives the same loss through the composed (unfused) path.
      const ones = bp.ones([3], { dtype: 'float64' });
      const fused = derivatives(() => bp.binaryCrossEntropyWithLogits(x.mul(x), t, { reduction }), [x, t]);
      const composed = derivatives(() => bp.binaryCrossEntropyWithLogits(x.mul(x), t, { reduction, posWeight: ones }), [x, t]);
      fused.forEach((v, i) => assertClose(v, composed[i], `result ${i}`));
    });

    test(`crossEntropy '${reduction}' with an ignored row: values and two orders of derivatives match the composed form`, () => {
      const z = randn([4, 5]);
      const target = bp.tensor([1, -100, 4, 0], { dtype: 'int32' });
      // Class weights of ones give the same loss through the composed (logSoftmax + gather) path.
      const ones = bp.ones([5], { dtype: 'float64' });
      const fused = derivatives(() => bp.crossEntropy(z.mul(2), target, { reduction }), [z]);
      const composed = derivatives(() => bp.crossEntropy(z.mul(2), target, { reduction, weight: ones }), [z]);
      fused.forEach((v, i) => assertClose(v, composed[i], `result ${i}`));
    });
  }

  test('float32: the fused reductions equal reducing the per-element losses, bit for bit, forward and backward', () => {
    const x = randn([7, 1], 'float32');
    const y = bp.rand([7, 1], { generator: gen });
    const a = bp.binaryCrossEntropyWithLogits(x, y);
    a.backward();
    const ga = x.grad!;
    x.grad = null;
    const b = bp.binaryCrossEntropyWithLogits(x, y, { reduction: 'none' }).mean();
    b.backward();
    assertBitwise(a, b, 'bce loss');
    assertBitwise(ga, x.grad!, 'bce grad');

    const z = randn([6, 4], 'float32');
    const t = bp.tensor([0, 3, -100, 2, 1, 1], { dtype: 'int32' });
    for (const reduction of ['mean', 'sum'] as const) {
      z.grad = null;
      const c = bp.crossEntropy(z, t, { reduction });
      c.backward(bp.tensor(0.75));
      const gc = z.grad!;
      z.grad = null;
      const rows = bp.crossEntropy(z, t, { reduction: 'none' });
      const d = reduction === 'mean' ? rows.sum().div(5) : rows.sum();
      d.backward(bp.tensor(0.75));
      assertBitwise(c, d, `ce ${reduction} loss`);
      assertBitwise(gc, z.grad!, `ce ${reduction} grad`);
    }
  });

  test("crossEntropy 'mean' over rows that are all ignored is NaN (0/0), as in PyTorch", () => {
    const z = randn([2, 3], 'float32');
    const loss = bp.crossEntropy(z, bp.tensor([-100, -100], { dtype: 'int32' }));
    assert.ok(Number.isNaN(loss.item()));
  });

  test("an unbatched input with reduction 'none' gives a 0-d loss", () => {
    const loss = bp.crossEntropy(bp.tensor([0, 0, Math.log(2)]), bp.tensor(2, { dtype: 'int32' }), { reduction: 'none' });
    assert.deepEqual(loss.shape, []);
    assert.ok(Math.abs(loss.item() - Math.log(4 / 2)) < 1e-6);
  });
});

describe('mean as one op', () => {
  test('float32 mean equals sum / n bit for bit; its second derivative is exact', () => {
    const x = randn([3, 5], 'float32');
    assertBitwise(bp.mean(x, 1), bp.sum(x, 1).div(5), 'mean over dim 1');
    assertBitwise(bp.mean(x), bp.sum(x).div(15), 'mean over all');
    const w = randn([3, 4]);
    const [g] = bp.grad(w.pow(3).mean(1).sum(), [w], { createGraph: true });
    assertClose(g, w.mul(w).mul(3 / 4), 'first derivative 3w²/4');
    const [h] = bp.grad(g.sum(), [w]);
    assertClose(h, w.mul(6 / 4), 'second derivative 6w/4');
  });
});

describe('linear without reshapes, bias added in place', () => {
  for (const shape of [[5, 4], [2, 5, 4], [4]]) {
    test(`input ${JSON.stringify(shape)}: output, gradients and second derivatives equal matmul + add`, () => {
      const x = randn(shape);
      const w = randn([3, 4]);
      const b = randn([3]);
      const fast = derivatives(() => bp.linear(x, w, b).tanh().sum(), [x, w, b]);
      const composed = derivatives(() => bp.matmul(x, w.transpose(0, 1)).add(b).tanh().sum(), [x, w, b]);
      fast.forEach((v, i) => assertClose(v, composed[i], `result ${i}`));
    });
  }

  test('a second backward through the same graph (retainGraph) gives the same gradients again', () => {
    const x = randn([3, 2]);
    const w = randn([4, 2]);
    const b = randn([4]);
    const y = bp.linear(x, w, b);
    const loss = y.mul(y).sum();
    loss.backward(undefined, { retainGraph: true });
    const first = [w.grad!.data().slice(), b.grad!.data().slice()];
    loss.backward();
    assertClose(w.grad!, bp.tensor(first[0], { dtype: 'float64', shape: [4, 2] }).mul(2), 'weight grad twice');
    assertClose(b.grad!, bp.tensor(first[1], { dtype: 'float64', shape: [4] }).mul(2), 'bias grad twice');
  });

  test('a bias of another dtype is promoted as before', () => {
    const y = bp.linear(bp.ones([2, 2]), bp.ones([1, 2]), bp.tensor([1], { dtype: 'float64' }));
    assert.equal(y.dtype, 'float64');
    assert.deepEqual(y.toArray(), [[3], [3]]);
  });
});

describe('engine and shape shortcuts', () => {
  test('leaves that receive the same gradient tensor get separate arrays', () => {
    const a = randn([3], 'float32');
    const b = randn([3], 'float32');
    a.add(b).sum().backward();
    assert.notEqual(a.grad!.data(), b.grad!.data());
    a.grad!.data()[0] = 42;
    assert.equal(b.grad!.data()[0], 1);
  });

  test('a gradient passed to backward() is not handed out as a leaf gradient', () => {
    const x = randn([2, 2], 'float32');
    const seed = bp.ones([2, 2]);
    x.reshape([4]).reshape([2, 2]).backward(seed);
    assert.notEqual(x.grad!.data(), seed.data());
    assert.deepEqual(x.grad!.toArray(), [[1, 1], [1, 1]]);
  });

  test('a tensor made from a frozen shape shares it; other shapes are copied and frozen', () => {
    const x = bp.zeros([2, 3]);
    const y = x.add(x);
    assert.equal(y.shape, x.shape);
    const s = [2, 3];
    const z = bp.zeros(s);
    s[0] = 5;
    assert.deepEqual(z.shape, [2, 3]);
    assert.ok(Object.isFrozen(z.shape));
  });

  test('sum with unsorted, negative or repeated dims still normalises (or rejects) them', () => {
    const x = bp.arange(0, 24).reshape([2, 3, 4]);
    assert.deepEqual(bp.sum(x, [2, 0]).toArray(), bp.sum(x, [0, 2]).toArray());
    assert.deepEqual(bp.sum(x, [-1]).toArray(), bp.sum(x, 2).toArray());
    assert.throws(() => bp.sum(x, [1, 1]), /dim 1 appears more than once/);
  });
});
