import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';

describe('creation', () => {
  test('tensor infers shape; float32 by default, bool for booleans, typed arrays keep their type', () => {
    const t = bp.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.ok(t.data() instanceof Float32Array);
    assert.equal(bp.tensor([true, false]).dtype, 'bool');
    assert.equal(bp.tensor(new Int32Array([1, 2])).dtype, 'int32');
    assert.deepEqual(bp.tensor(new Float64Array([1, 2, 3, 4]), { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
    assert.equal(bp.tensor(2.5).item(), 2.5);
    assert.deepEqual(bp.tensor(2.5).shape, []);
    assert.deepEqual(bp.tensor([]).shape, [0]);
  });

  test('zeros, ones, full, eye, arange, linspace and *Like', () => {
    assert.deepEqual(bp.zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
    assert.deepEqual(bp.ones([3], { dtype: 'int32' }).toArray(), [1, 1, 1]);
    assert.deepEqual(bp.full([2], 7).toArray(), [7, 7]);
    assert.deepEqual(bp.eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
    assert.deepEqual(bp.arange(5).toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(bp.arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
    assert.deepEqual(bp.arange(3, 0, -1).toArray(), [3, 2, 1]);
    assert.deepEqual(bp.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    const x = bp.tensor([[1, 2]], { dtype: 'float64' });
    assert.equal(bp.onesLike(x).dtype, 'float64');
    assert.deepEqual(bp.zerosLike(x).shape, [1, 2]);
    assert.deepEqual(bp.fullLike(x, 3).toArray(), [[3, 3]]);
  });

  test('random draws: ranges, moments, and bit-identical streams after manualSeed', () => {
    bp.manualSeed(42);
    const a = bp.randn([10000]);
    const u = bp.rand([10000]);
    const r = bp.randint(3, 7, [1000]);
    bp.manualSeed(42);
    assert.deepEqual(bp.randn([10000]).data(), a.data());
    const m = bp.mean(a).item();
    const s = bp.std(a).item();
    assert.ok(Math.abs(m) < 0.05, `mean ${m}`);
    assert.ok(Math.abs(s - 1) < 0.05, `std ${s}`);
    const ud = u.data();
    assert.ok(ud.every((v) => v >= 0 && v < 1));
    assert.ok(Math.abs(bp.mean(u).item() - 0.5) < 0.02);
    assert.ok(r.data().every((v) => v >= 3 && v < 7 && Number.isInteger(v)));
    assert.equal(new Set(r.data()).size, 4);
    assert.equal(r.dtype, 'int32');
  });

  test('generator state can be saved and restored mid-stream', () => {
    bp.manualSeed(7);
    bp.randn([3]);
    const state = bp.getRngState();
    const next = bp.randn([5]).data().slice();
    bp.setRngState(JSON.parse(JSON.stringify(state)));
    assert.deepEqual(bp.randn([5]).data(), next);
    const g1 = new bp.Generator(1);
    const g2 = new bp.Generator(2);
    assert.notDeepEqual(bp.rand([4], { generator: g1 }).data(), bp.rand([4], { generator: g2 }).data());
  });

  test('randperm is a permutation', () => {
    const p = bp.randperm(50).data();
    assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  });
});

describe('access', () => {
  test('item, toArray and data', () => {
    const t = bp.tensor([[1.5, 2], [3, 4]]);
    assert.deepEqual(t.toArray(), [[1.5, 2], [3, 4]]);
    assert.deepEqual([...t.data()], [1.5, 2, 3, 4]);
    assert.equal(t.numel(), 4);
    assert.equal(t.ndim, 2);
    assert.throws(() => t.item(), /item: only one-element tensors can be converted to a number, got shape \[2,2\]/);
    assert.deepEqual(bp.tensor([true, false]).toArray(), [true, false]);
  });

  test('reshape shares data; detach shares data', () => {
    const t = bp.arange(6);
    const r = t.reshape([2, 3]);
    r.data()[0] = 10;
    assert.equal(t.data()[0], 10);
    assert.equal(t.detach().data(), t.data());
  });

  test('indexing and slicing', () => {
    const t = bp.arange(24).reshape([2, 3, 4]);
    assert.deepEqual(t.index(1, 2).toArray(), [20, 21, 22, 23]);
    assert.deepEqual(t.index(0, '1:', '::2').toArray(), [[4, 6], [8, 10]]);
    assert.deepEqual(t.index('...', -1).toArray(), [[3, 7, 11], [15, 19, 23]]);
    assert.deepEqual(t.index(0, null, 0).shape, [1, 4]);
    assert.deepEqual(t.index(0, bp.tensor([2, 0], { dtype: 'int32' }), 1).toArray(), [9, 1]);
    assert.deepEqual(t.select(2, 1).shape, [2, 3]);
    assert.deepEqual(t.narrow(1, 1, 2).shape, [2, 2, 4]);
    assert.deepEqual(bp.slice(bp.arange(10), 0, -3, null).toArray(), [7, 8, 9]);
    assert.deepEqual(bp.slice(bp.arange(10), 0, 2, 100, 3).toArray(), [2, 5, 8]);
    assert.throws(() => t.index(0, 0, 0, 0), /index: too many indices \(4\) for a tensor with 3 dims \[2,3,4\]/);
    assert.throws(() => t.index(5), /select: index 5 is out of range for dim 0 of size 2/);
  });
});

describe('printing like PyTorch', () => {
  test('floats with 4 decimals, aligned; integers as "1."; scientific for wide ranges', () => {
    assert.equal(bp.tensor([[1, 2.5], [-3, 4]]).toString(), 'tensor([[ 1.0000,  2.5000],\n        [-3.0000,  4.0000]])');
    assert.equal(bp.tensor([1, 2, 3]).toString(), 'tensor([1., 2., 3.])');
    assert.equal(bp.tensor([1e-5, 1, 100]).toString(), 'tensor([1.0000e-05, 1.0000e+00, 1.0000e+02])');
    assert.equal(bp.tensor(3.5).toString(), 'tensor(3.5000)');
  });
  test('dtype, autograd and empty suffixes; 3-D blocks separated by a blank line', () => {
    assert.equal(bp.tensor([1, 2], { dtype: 'int32' }).toString(), 'tensor([1, 2], dtype=int32)');
    assert.equal(bp.tensor([true, false]).toString(), 'tensor([ True, False], dtype=bool)');
    assert.equal(bp.tensor([1, 2], { requiresGrad: true }).toString(), 'tensor([1., 2.], requiresGrad=true)');
    assert.equal(bp.tensor([1, 2], { requiresGrad: true }).mul(2).toString(), 'tensor([2., 4.], gradFn=<mul>)');
    assert.equal(bp.zeros([0, 3]).toString(), 'tensor([], size=[0,3])');
    assert.equal(bp.arange(8).reshape([2, 2, 2]).toString(), 'tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])');
  });
  test('large tensors are summarised with ...', () => {
    const s = bp.arange(2000).toString();
    assert.equal(s, 'tensor([   0.,    1.,    2., ..., 1997., 1998., 1999.])');
  });
});

describe('dtypes and promotion', () => {
  test('int + float → float32, float32 + float64 → float64, numbers adopt the tensor dtype', () => {
    const i = bp.tensor([1, 2], { dtype: 'int32' });
    assert.equal(i.add(bp.tensor([0.5, 0.5])).dtype, 'float32');
    assert.equal(i.add(1).dtype, 'int32');
    assert.equal(i.add(0.5).dtype, 'float32');
    assert.equal(i.div(2).dtype, 'float32');
    assert.deepEqual(i.div(2).toArray(), [0.5, 1]);
    assert.equal(bp.tensor([1]).add(bp.tensor([1], { dtype: 'float64' })).dtype, 'float64');
    assert.equal(bp.tensor([1], { dtype: 'float64' }).mul(2).dtype, 'float64');
    assert.equal(bp.tensor([1, 2]).gt(1).dtype, 'bool');
    assert.deepEqual(bp.tensor([1.7, -1.7]).int().toArray(), [1, -1]);
    assert.deepEqual(bp.tensor([0, 0.5]).bool().toArray(), [false, true]);
    assert.deepEqual(bp.sum(bp.tensor([true, true, false])).toArray(), 2);
  });
});
