// Conv, pooling and BatchNorm2d layers: shapes, PyTorch parameter names and counts, default init bounds, running
// statistics, and a tiny CNN that learns to tell horizontal from vertical stripes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Generator, type Tensor, manualSeed, noGrad, randn, tensor, zeros } from '../../src/index.js';
import { CrossEntropyLoss, Flatten, Linear, ReLU, Sequential } from '../../src/nn/index.js';
import { BatchNorm2d } from '../../src/nn/batchnorm2d.js';
import { Conv2d, ConvTranspose2d } from '../../src/nn/conv.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../../src/nn/pooling.js';

const shapes = (m: { namedParameters(): [string, Tensor][] }): [string, readonly number[]][] =>
  m.namedParameters().map(([k, p]) => [k, p.shape]);

describe('Conv2d', () => {
  test('LeNet-style layer: weight [out, in, kh, kw], bias [out], output size', () => {
    const c = new Conv2d(3, 6, 5);
    assert.deepEqual(shapes(c), [['weight', [6, 3, 5, 5]], ['bias', [6]]]);
    assert.equal(c.numParameters(), 6 * 3 * 25 + 6);
    assert.deepEqual(c.forward(zeros([2, 3, 32, 32])).shape, [2, 6, 28, 28]);
    assert.deepEqual(new Conv2d(3, 6, 5, { padding: 2 }).forward(zeros([2, 3, 32, 32])).shape, [2, 6, 32, 32]);
    assert.deepEqual(new Conv2d(3, 4, [3, 1], { stride: 2, dilation: [1, 2] }).forward(zeros([1, 3, 9, 9])).shape, [1, 4, 4, 5]);
    assert.equal(c.toString(), 'Conv2d(3, 6, kernelSize=[5,5], stride=[1,1], padding=[0,0])');
  });

  test('groups divide the weight\'s input channels; bias: false leaves no bias', () => {
    const c = new Conv2d(4, 8, 3, { groups: 2, bias: false, padding: 'same' });
    assert.deepEqual(shapes(c), [['weight', [8, 2, 3, 3]]]);
    assert.deepEqual(c.forward(zeros([1, 4, 6, 6])).shape, [1, 8, 6, 6]);
    assert.throws(() => new Conv2d(3, 6, 3, { groups: 2 }), { message: 'Conv2d: inChannels 3 is not divisible by groups 2' });
    assert.throws(() => new Conv2d(4, 6, 3, { groups: 4 }), { message: 'Conv2d: outChannels 6 is not divisible by groups 4' });
    assert.throws(() => new Conv2d(4, 6, 0), /Conv2d: kernelSize must be a positive integer/);
  });

  test('default init is U(±1/√fanIn) for weight and bias (kaiming_uniform with a = √5), fanIn = in/groups·kh·kw', () => {
    manualSeed(3);
    const c = new Conv2d(8, 16, 3, { groups: 2 });
    const bound = 1 / Math.sqrt(4 * 9);
    const w = Array.from(c.weight.data());
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    assert.ok(Math.abs(std / (bound / Math.sqrt(3)) - 1) < 0.1, `weight std ${std}`);
    assert.ok(Math.max(...w) > 0.9 * bound && Math.min(...w) < -0.9 * bound);
    assert.ok(Array.from(c.bias!.data()).every((v) => Math.abs(v) <= bound));
  });

  test('same seed, same weights', () => {
    manualSeed(11);
    const a = new Conv2d(2, 3, 3);
    manualSeed(11);
    const b = new Conv2d(2, 3, 3);
    assert.deepEqual(Array.from(a.weight.data()), Array.from(b.weight.data()));
  });
});

describe('ConvTranspose2d', () => {
  test('weight [in, out/groups, kh, kw]; upsamples by the stride', () => {
    const t = new ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 });
    assert.deepEqual(shapes(t), [['weight', [4, 3, 3, 3]], ['bias', [6]]]);
    assert.deepEqual(t.forward(zeros([2, 4, 5, 5])).shape, [2, 6, 10, 10]);
    assert.throws(() => new ConvTranspose2d(2, 2, 3, { stride: 2, outputPadding: 2 }), /ConvTranspose2d: outputPadding \[2,2\] must be smaller than stride/);
  });

  test('init bound uses PyTorch\'s fanIn from weight dim 1: out/groups·kh·kw', () => {
    manualSeed(5);
    const t = new ConvTranspose2d(2, 8, 3);
    const bound = 1 / Math.sqrt(8 * 9);
    const w = Array.from(t.weight.data());
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    assert.ok(Math.max(...w.map(Math.abs)) > 0.8 * bound);
  });
});

describe('pooling layers', () => {
  test('shapes, no parameters, stride defaults to the kernel', () => {
    const x = zeros([2, 3, 7, 7]);
    assert.deepEqual(new MaxPool2d(2).forward(x).shape, [2, 3, 3, 3]);
    assert.deepEqual(new MaxPool2d(2, { ceilMode: true }).forward(x).shape, [2, 3, 4, 4]);
    assert.deepEqual(new MaxPool2d(3, { stride: 2, padding: 1 }).forward(x).shape, [2, 3, 4, 4]);
    assert.deepEqual(new AvgPool2d([3, 1], { stride: [2, 1] }).forward(x).shape, [2, 3, 3, 7]);
    assert.deepEqual(new AdaptiveAvgPool2d(1).forward(x).shape, [2, 3, 1, 1]);
    assert.deepEqual(new AdaptiveAvgPool2d([2, 3]).forward(x).shape, [2, 3, 2, 3]);
    for (const m of [new MaxPool2d(2), new AvgPool2d(2), new AdaptiveAvgPool2d(1)]) assert.equal(m.numParameters(), 0);
    assert.equal(new MaxPool2d(2).toString(), 'MaxPool2d(kernelSize=2, stride=2, padding=0, dilation=1, ceilMode=false)');
  });

  test('values: max and mean of each window', () => {
    const x = tensor([[[[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]]]);
    assert.deepEqual(Array.from(new MaxPool2d(2).forward(x).data()), [6, 8, 14, 16]);
    assert.deepEqual(Array.from(new AvgPool2d(2).forward(x).data()), [3.5, 5.5, 11.5, 13.5]);
    assert.deepEqual(Array.from(new AdaptiveAvgPool2d(1).forward(x).data()), [8.5]);
  });
});

describe('BatchNorm2d', () => {
  test('PyTorch state-dict keys inside a Sequential', () => {
    const m = new Sequential(new Conv2d(1, 4, 3), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2));
    assert.deepEqual(Object.keys(m.stateDict()), [
      '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked',
    ]);
    assert.deepEqual(m.namedParameters().map(([k]) => k), ['0.weight', '0.bias', '1.weight', '1.bias']);
  });

  test('training normalises each channel over N, H, W and updates the running statistics; eval uses them', () => {
    const x = randn([3, 2, 4, 5], { dtype: 'float64', generator: new Generator(2) });
    const bn = new BatchNorm2d(2, { dtype: 'float64' });
    const y = bn.forward(x);
    const xs = x.data();
    const ys = y.data();
    const per = (c: number, d: ArrayLike<number>): number[] => {
      const out: number[] = [];
      for (let n = 0; n < 3; n++) for (let i = 0; i < 20; i++) out.push(d[(n * 2 + c) * 20 + i]);
      return out;
    };
    for (let c = 0; c < 2; c++) {
      const v = per(c, xs);
      const mu = v.reduce((s, a) => s + a, 0) / v.length;
      const ss = v.reduce((s, a) => s + (a - mu) ** 2, 0);
      const yc = per(c, ys);
      yc.forEach((a, i) => assert.ok(Math.abs(a - (v[i] - mu) / Math.sqrt(ss / 60 + 1e-5)) < 1e-12));
      assert.ok(Math.abs(bn.runningMean!.data()[c] - 0.1 * mu) < 1e-12);
      assert.ok(Math.abs(bn.runningVar!.data()[c] - (0.9 + 0.1 * (ss / 59))) < 1e-12);
    }
    assert.equal(bn.numBatchesTracked!.item(), 1);
    bn.eval();
    const z = bn.forward(x).data();
    const rm = bn.runningMean!.data();
    const rv = bn.runningVar!.data();
    for (let i = 0; i < xs.length; i++) {
      const c = Math.floor(i / 20) % 2;
      assert.ok(Math.abs(z[i] - (xs[i] - rm[c]) / Math.sqrt(rv[c] + 1e-5)) < 1e-12);
    }
    assert.equal(bn.numBatchesTracked!.item(), 1);
  });

  test('input checks', () => {
    const bn = new BatchNorm2d(3);
    assert.throws(() => bn.forward(zeros([2, 3, 4])), { message: 'BatchNorm2d: expected a 4-D [N, C, H, W] input, got [2,3,4]' });
    assert.throws(() => bn.forward(zeros([2, 4, 2, 2])), /BatchNorm2d: input \[2,4,2,2\] has 4 channels in dim 1, expected numFeatures 3/);
  });
});

/** n 8×8 images: label 0 = horizontal stripes, 1 = vertical, random phase, plus N(0, 0.3²) noise. */
function stripes(n: number, gen: Generator): [Tensor, Tensor] {
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    y[s] = gen.nextInt(2);
    const phase = gen.nextInt(2);
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        const on = ((y[s] === 0 ? i : j) + phase) % 2 === 0 ? 1 : 0;
        x[s * 64 + i * 8 + j] = on + 0.3 * gen.nextNormal();
      }
    }
  }
  return [tensor(x, { shape: [n, 1, 8, 8] }), tensor(y, { shape: [n] })];
}

test('a tiny CNN (conv, batchnorm, relu, maxpool, linear) learns to separate horizontal from vertical stripes', () => {
  manualSeed(0);
  const gen = new Generator(42);
  const model = new Sequential(
    new Conv2d(1, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2),
    new Conv2d(4, 4, 3, { padding: 1 }), new ReLU(), new AdaptiveAvgPool2d(2), new Flatten(), new Linear(16, 2),
  );
  const lossFn = new CrossEntropyLoss();
  let first = 0;
  let last = 0;
  for (let step = 0; step < 60; step++) {
    const [x, y] = stripes(32, gen);
    model.zeroGrad();
    const loss = lossFn.forward(model.forward(x), y);
    loss.backward();
    noGrad(() => {
      for (const p of model.parameters()) p.copy_(p.sub(p.grad!.mul(0.1)));
    });
    if (step === 0) first = loss.item();
    last = loss.item();
  }
  assert.ok(first > 0.5, `initial loss ${first}`);
  assert.ok(last < 0.2, `final loss ${last}`);
  model.eval();
  const [x, y] = stripes(200, gen);
  const logits = noGrad(() => model.forward(x)).data();
  let correct = 0;
  for (let i = 0; i < 200; i++) if ((logits[2 * i + 1] > logits[2 * i] ? 1 : 0) === y.data()[i]) correct++;
  assert.ok(correct >= 196, `held-out accuracy ${correct}/200`);
});
