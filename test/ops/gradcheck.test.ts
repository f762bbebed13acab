// Every differentiable op against float64 central differences (gradcheck), on shapes with size-1 dims and
// broadcasting, and gradients of gradients (gradgradcheck) where they are defined.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import { Generator, type Tensor } from '../../src/index.js';

const gen = new Generator(1234);
type Kind = 'any' | 'pos' | 'prob';

/** A float64 leaf with values away from kinks: N(0,1) ('any'), in [0.5, 2] ('pos') or in (0.05, 0.95) ('prob'). */
function input(shape: number[], kind: Kind = 'any'): Tensor {
  const t = bp.randn(shape, { dtype: 'float64', generator: gen });
  const d = t.data();
  for (let i = 0; i < d.length; i++) {
    if (kind === 'pos') d[i] = 0.5 + 1.5 * gen.nextDouble();
    else if (kind === 'prob') d[i] = 0.05 + 0.9 * gen.nextDouble();
    else if (Math.abs(d[i]) < 1e-2) d[i] += 0.1; // keep finite differences off the kinks of relu/abs/max
  }
  return t.requiresGrad_();
}

/** A random shape of rank 0..3 with sizes 1..4 (size-1 dims included). */
function randomShape(): number[] {
  const rank = gen.nextInt(4);
  return Array.from({ length: rank }, () => 1 + gen.nextInt(4));
}

/** A shape that broadcasts against `shape`: some dims replaced by 1, some leading dims dropped. */
function broadcastPartner(shape: number[]): number[] {
  const drop = gen.nextInt(shape.length + 1);
  return shape.slice(drop).map((d) => (gen.nextInt(2) === 0 ? 1 : d));
}

const check = (fn: (...xs: Tensor[]) => Tensor | Tensor[], ...xs: Tensor[]): void => {
  assert.equal(bp.gradcheck(fn, xs), true);
};

const UNARY: [string, (x: Tensor) => Tensor, Kind][] = [
  ['neg', bp.neg, 'any'], ['exp', bp.exp, 'any'], ['log', bp.log, 'pos'], ['sqrt', bp.sqrt, 'pos'],
  ['rsqrt', bp.rsqrt, 'pos'], ['abs', bp.abs, 'any'], ['sigmoid', bp.sigmoid, 'any'], ['tanh', bp.tanh, 'any'],
  ['relu', bp.relu, 'any'], ['sin', bp.sin, 'any'], ['cos', bp.cos, 'any'], ['erf', bp.erf, 'any'],
  ['erfc', bp.erfc, 'any'], ['log1p', bp.log1p, 'pos'], ['expm1', bp.expm1, 'any'], ['square', bp.square, 'any'],
  ['reciprocal', bp.reciprocal, 'pos'], ['leakyRelu', (x) => bp.leakyRelu(x, 0.1), 'any'], ['elu', (x) => bp.elu(x, 1.5), 'any'],
  ['gelu', (x) => bp.gelu(x), 'any'], ['gelu tanh', (x) => bp.gelu(x, 'tanh'), 'any'], ['softplus', (x) => bp.softplus(x), 'any'],
  ['softplus beta 2 threshold 1', (x) => bp.softplus(x, 2, 1), 'any'], ['logSigmoid', bp.logSigmoid, 'any'], ['silu', bp.silu, 'any'],
  ['clamp', (x) => bp.clamp(x, -0.5, 0.7), 'any'], ['pow 2.5', (x) => bp.pow(x, 2.5), 'pos'], ['pow 2 any sign', (x) => bp.pow(x, 2), 'any'],
  ['pow -1.5', (x) => bp.pow(x, -1.5), 'pos'], ['mul scalar', (x) => bp.mul(x, 3), 'any'], ['sub from scalar', (x) => bp.sub(2, x), 'any'],
  ['div scalar by', (x) => bp.div(2, x), 'pos'],
  ['sign (zero gradient)', bp.sign, 'any'], ['floor (zero gradient)', bp.floor, 'any'], ['round (zero gradient)', bp.round, 'any'],
];

describe('gradcheck: unary ops', () => {
  for (const [name, fn, kind] of UNARY) {
    test(name, () => {
      for (const shape of [[], [1], [5], [2, 1, 3], randomShape()]) check(fn, input(shape, kind));
    });
  }
});

const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, Kind, Kind][] = [
  ['add', bp.add, 'any', 'any'], ['sub', bp.sub, 'any', 'any'], ['mul', bp.mul, 'any', 'any'], ['div', bp.div, 'any', 'pos'],
  ['pow', bp.pow, 'pos', 'any'], ['maximum', bp.maximum, 'any', 'any'], ['minimum', bp.minimum, 'any', 'any'],
];

describe('gradcheck: binary ops with broadcasting', () => {
  for (const [name, fn, ka, kb] of BINARY) {
    test(name, () => {
      const pairs: [number[], number[]][] = [[[2, 3], [2, 3]], [[3, 1], [1, 4]], [[2, 1, 3], [3]], [[], [2, 2]], [[1], [3, 1]]];
      const s = randomShape();
      pairs.push([s, broadcastPartner(s)], [broadcastPartner(s), s]);
      for (const [sa, sb] of pairs) check(fn, input(sa, ka), input(sb, kb));
    });
  }
  test('where', () => {
    const cond = bp.tensor([[true], [false], [true]]);
    check((a, b) => bp.where(cond, a, b), input([1, 4]), input([3, 4]));
    check((a) => bp.where(cond, a, 0.5), input([3, 1]));
  });
});

describe('gradcheck: reductions', () => {
  const x = (): Tensor => input([2, 3, 4]);
  test('sum', () => {
    check((t) => bp.sum(t), x());
    check((t) => bp.sum(t, 1), x());
    check((t) => bp.sum(t, [0, 2], true), x());
    check((t) => bp.sum(t, -1), input([]));
  });
  test('mean', () => {
    check((t) => bp.mean(t), x());
    check((t) => bp.mean(t, [1, 2]), x());
  });
  test('max and min', () => {
    check((t) => bp.max(t), x());
    check((t) => bp.max(t, 1, true), x());
    check((t) => bp.min(t, [0, 2]), x());
  });
  test('var and std', () => {
    check((t) => bp.variance(t), x());
    check((t) => bp.variance(t, 1, { correction: 0, keepdim: true }), x());
    check((t) => bp.std(t, [0, 2]), x());
  });
  test('logsumexp', () => {
    check((t) => bp.logsumexp(t, -1), x());
    check((t) => bp.logsumexp(t, [0, 1], true), x());
  });
  test('prod', () => {
    check((t) => bp.prod(t, 1), x());
  });
});

describe('gradcheck: shape ops', () => {
  test('reshape, permute, transpose, flatten, squeeze, unsqueeze', () => {
    check((t) => bp.reshape(t, [4, -1]), input([2, 3, 2]));
    check((t) => bp.permute(t, [2, 0, 1]), input([2, 3, 4]));
    check((t) => bp.transpose(t, 0, -1), input([2, 3, 4]));
    check((t) => bp.flatten(t, 1), input([2, 3, 2]));
    check((t) => bp.squeeze(t), input([1, 3, 1]));
    check((t) => bp.unsqueeze(t, -1), input([3]));
  });
  test('expand', () => {
    check((t) => bp.expand(t, [2, 3, 4]), input([3, 1]));
    check((t) => bp.expand(t, [2, -1]), input([1, 3]));
  });
  test('cat and stack', () => {
    check((a, b, c) => bp.cat([a, b, c], 1), input([2, 3]), input([2, 1]), input([2, 2]));
    check((a, b) => bp.stack([a, b], 1), input([2, 3]), input([2, 3]));
  });
  test('narrow, slice, select, index', () => {
    check((t) => bp.narrow(t, 0, 1, 3), input([5, 4]));
    check((t) => bp.slice(t, 1, 1, 9, 2), input([2, 10]));
    check((t) => bp.slice(t, 1, -3, null, 1), input([2, 5]));
    check((t) => bp.select(t, 1, -1), input([2, 3, 4]));
    check((t) => t.index('...', '::2', 1), input([2, 5, 3]));
  });
  test('indexSelect, gather, scatterAdd (repeated indices accumulate)', () => {
    const idx = bp.tensor([0, 2, 2, 1], { dtype: 'int32' });
    check((t) => bp.indexSelect(t, 0, idx), input([3, 4]));
    check((t) => bp.indexSelect(t, 1, idx), input([2, 3]));
    const g = bp.tensor([[0, 0], [1, 3], [2, 2]], { dtype: 'int32' });
    check((t) => bp.gather(t, 1, g), input([3, 4]));
    check((t, s) => bp.scatterAdd(t, 1, g, s), input([3, 4]), input([3, 2]));
  });
  test('clone', () => check((t) => bp.clone(t).mul(t), input([2, 2])));
});

describe('gradcheck: linalg', () => {
  test('matmul: 2-D, batched with broadcast batch dims, vectors', () => {
    check(bp.matmul, input([3, 4]), input([4, 5]));
    check(bp.matmul, input([2, 1, 3, 4]), input([3, 4, 2]));
    check(bp.matmul, input([2, 3, 4]), input([4, 2]));
    check(bp.matmul, input([4]), input([4, 3]));
    check(bp.matmul, input([3, 4]), input([4]));
    check(bp.matmul, input([4]), input([4]));
    check(bp.matmul, input([1, 4]), input([2, 4, 1]));
  });
  test('linear', () => {
    check(bp.linear, input([5, 4]), input([3, 4]), input([3]));
    check((x, w) => bp.linear(x, w), input([2, 2, 4]), input([3, 4]));
    check(bp.linear, input([4]), input([3, 4]), input([3]));
  });
});

describe('gradcheck: nn functions and losses', () => {
  test('softmax, logSoftmax', () => {
    check((t) => bp.softmax(t, 1), input([2, 4, 3]));
    check((t) => bp.logSoftmax(t, -1), input([3, 5]));
    check((t) => bp.logSoftmax(t, 0), input([3, 5]));
  });
  test('crossEntropy: class indices, weights, smoothing, ignoreIndex, probabilities, [N,C,d]', () => {
    const t = bp.tensor([0, 3, 1, 2, 3], { dtype: 'int32' });
    const w = bp.tensor([0.5, 1, 2, 1.5], { dtype: 'float64' });
    check((x) => bp.crossEntropy(x, t), input([5, 4]));
    check((x) => bp.crossEntropy(x, t, { weight: w, labelSmoothing: 0.2 }), input([5, 4]));
    const ti = bp.tensor([0, -100, 1, 2, -100], { dtype: 'int32' });
    check((x) => bp.crossEntropy(x, ti, { weight: w, reduction: 'sum' }), input([5, 4]));
    check((x) => bp.crossEntropy(x, ti, { labelSmoothing: 0.1, reduction: 'none' }), input([5, 4]));
    // The fused path (no weight, no smoothing) with ignored rows, under every reduction.
    for (const reduction of ['mean', 'sum', 'none'] as const) check((x) => bp.crossEntropy(x, ti, { reduction }), input([5, 4]));
    const probs = bp.softmax(bp.randn([5, 4], { dtype: 'float64', generator: gen }), 1);
    check((x) => bp.crossEntropy(x, probs, { labelSmoothing: 0.1 }), input([5, 4]));
    const t2 = bp.tensor([[0, 1, 2], [2, 2, 0]], { dtype: 'int32' });
    check((x) => bp.crossEntropy(x, t2), input([2, 3, 3]));
    check((x) => bp.crossEntropy(x, bp.tensor(2, { dtype: 'int32' })), input([3]));
  });
  test('nllLoss', () => {
    const t = bp.tensor([0, 2, 1], { dtype: 'int32' });
    check((x) => bp.nllLoss(bp.logSoftmax(x, 1), t, { weight: bp.tensor([1, 2, 3], { dtype: 'float64' }) }), input([3, 3]));
  });
  test('binary cross-entropy on probabilities and on logits', () => {
    const y = bp.tensor([[1, 0, 1], [0, 0, 1]], { dtype: 'float64' });
    check((p) => bp.binaryCrossEntropy(p, y), input([2, 3], 'prob'));
    check((p) => bp.binaryCrossEntropy(p, y, { weight: bp.tensor([1, 2, 0.5], { dtype: 'float64' }), reduction: 'sum' }), input([2, 3], 'prob'));
    check((x, t) => bp.binaryCrossEntropyWithLogits(x, t), input([2, 3]), input([2, 3], 'prob'));
    const pw = bp.tensor([2, 0.5, 3], { dtype: 'float64' });
    check((x) => bp.binaryCrossEntropyWithLogits(x, y, { posWeight: pw, reduction: 'none' }), input([2, 3]));
  });
  test('regression losses (the target gets a gradient too)', () => {
    check((a, b) => bp.mseLoss(a, b), input([3, 4]), input([3, 4]));
    check((a, b) => bp.l1Loss(a, b), input([3, 4]), input([3, 4]));
    check((a, b) => bp.huberLoss(a, b, { delta: 0.7 }), input([3, 4]), input([3, 4]));
    check((a, b) => bp.smoothL1Loss(a, b, { beta: 0.5, reduction: 'sum' }), input([3, 4]), input([3, 4]));
  });
  test('layerNorm and batchNorm', () => {
    check((x, w, b) => bp.layerNorm(x, [4], w, b), input([3, 4]), input([4]), input([4]));
    check((x) => bp.layerNorm(x, [2, 3]), input([2, 2, 3]));
    const rm = bp.zeros([3], { dtype: 'float64' });
    const rv = bp.ones([3], { dtype: 'float64' });
    check((x, w, b) => bp.batchNorm(x, rm, rv, w, b, { training: true }), input([4, 3]), input([3]), input([3]));
    check((x) => bp.batchNorm(x, null, null, null, null, { training: true }), input([2, 3, 2, 2]));
    check((x, w) => bp.batchNorm(x, rm, rv, w, null, { training: false }), input([4, 3]), input([3]));
  });
  test('embedding (the padding row gets no gradient)', () => {
    const idx = bp.tensor([[0, 2], [2, 1]], { dtype: 'int32' });
    check((w) => bp.embedding(idx, w), input([4, 3]));
    // With paddingIdx the zero gradient of row 2 is a convention, not the derivative, so compare by hand.
    const w = input([4, 3]);
    bp.embedding(idx, w, 2).sum().backward();
    assert.deepEqual(w.grad!.toArray(), [[1, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 0]]);
  });
  test('dropout with a fixed mask', () => {
    check((x) => bp.dropout(x, 0.4, true, new Generator(7)), input([3, 4]));
  });
});

describe('gradgradcheck: gradients of gradients', () => {
  const gg = (fn: (...xs: Tensor[]) => Tensor, ...xs: Tensor[]): void => {
    assert.equal(bp.gradgradcheck(fn, xs), true);
  };
  test('tanh, sigmoid, exp, log, sqrt, erf, gelu, softplus, elu', () => {
    gg(bp.tanh, input([2, 3]));
    gg(bp.sigmoid, input([2, 3]));
    gg(bp.exp, input([4]));
    gg(bp.log, input([4], 'pos'));
    gg(bp.sqrt, input([4], 'pos'));
    gg(bp.erf, input([4]));
    gg((x) => bp.gelu(x), input([4]));
    gg((x) => bp.gelu(x, 'tanh'), input([4]));
    gg((x) => bp.softplus(x), input([4]));
    gg((x) => bp.elu(x), input([4]));
  });
  test('mul, div, pow with broadcasting', () => {
    gg(bp.mul, input([2, 3]), input([3]));
    gg(bp.div, input([2, 3]), input([2, 1], 'pos'));
    gg(bp.pow, input([3], 'pos'), input([3]));
    gg((x) => bp.pow(x, 3), input([3]));
  });
  test('matmul and linear', () => {
    gg(bp.matmul, input([2, 3]), input([3, 2]));
    gg(bp.matmul, input([2, 2, 3]), input([3]));
    gg(bp.linear, input([2, 3]), input([2, 3]), input([2]));
  });
  test('softmax, logSoftmax, crossEntropy, layerNorm, var, logsumexp, max', () => {
    gg((x) => bp.softmax(x, -1), input([2, 3]));
    gg((x) => bp.logSoftmax(x, 0), input([3, 2]));
    gg((x) => bp.crossEntropy(x, bp.tensor([1, 0], { dtype: 'int32' }), { labelSmoothing: 0.1 }), input([2, 3]));
    gg((x) => bp.layerNorm(x, [3]), input([2, 3]));
    gg((x) => bp.variance(x, 1), input([2, 3]));
    gg((x) => bp.logsumexp(x, 1), input([2, 3]));
    gg((x) => bp.max(x, 1), input([2, 3]));
  });
  test('shape ops carry second derivatives through', () => {
    gg((x) => bp.cat([x, x.mul(x)], 0).sum(0), input([2, 2]));
    gg((x) => bp.slice(x.mul(x), 1, 0, null, 2), input([2, 5]));
    gg((x) => bp.gather(x.mul(x), 1, bp.tensor([[1], [0]], { dtype: 'int32' })), input([2, 3]));
    gg((x) => bp.indexSelect(x.mul(x), 0, bp.tensor([1, 1], { dtype: 'int32' })), input([2, 3]));
  });
  test('second derivative of x³ is 6x, and a Hessian-vector product', () => {
    const x = bp.tensor([1.5, -2], { dtype: 'float64', requiresGrad: true });
    const [dx] = bp.grad(x.pow(3).sum(), x, { createGraph: true });
    assert.deepEqual(dx.toArray(), [6.75, 12]);
    const [d2] = bp.grad(dx.sum(), x);
    assert.deepEqual(d2.toArray(), [9, -12]);
  });
});

describe('gradcheck reports mismatches', () => {
  test('a wrong backward is caught, naming the entries', () => {
    const wrong = (x: Tensor): Tensor => bp.add(x.detach().mul(x.detach()), x); // d/dx claims 1, truth 2x + 1
    assert.throws(() => bp.gradcheck(wrong, [input([3])]), /gradcheck: Jacobian mismatch for output 0 \[3\] with respect to input 0 \[3\]/);
    assert.equal(bp.gradcheck(wrong, [input([3])], { raiseException: false }), false);
  });
  test('float32 inputs are refused', () => {
    assert.throws(() => bp.gradcheck(bp.exp, [bp.randn([2], { requiresGrad: true })]), /gradcheck: input 0 is float32; use float64/);
  });
});
