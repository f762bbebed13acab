import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, crossEntropy, manualSeed, noGrad, ones, randn, tensor, zeros } from '../../src/index.js';
import {
  BCELoss, BCEWithLogitsLoss, BatchNorm1d, CrossEntropyLoss, Dropout, ELU, Embedding, Flatten, GELU, HuberLoss, Identity,
  L1Loss, LayerNorm, LeakyReLU, Linear, LogSoftmax, MSELoss, ModuleList, NLLLoss, ReLU, Sequential, Sigmoid, SmoothL1Loss,
  Softmax, Softplus, Tanh,
} from '../../src/nn/index.js';

function assertClose(actual: Tensor | number, expected: number[] | number[][] | number, tol = 1e-5): void {
  const a = (typeof actual === 'number' ? [actual] : [(actual.toArray() as number[] | number)].flat(3)) as number[];
  const e = [expected].flat(3) as number[];
  assert.equal(a.length, e.length, `length ${a.length} vs ${e.length}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= tol * Math.max(1, Math.abs(e[i])), `element ${i}: ${v} vs ${e[i]}`));
}

test('Linear computes x·Wᵀ + b with weight [out, in]', () => {
  const lin = new Linear(2, 3);
  assert.deepEqual(lin.weight.shape, [3, 2]);
  assert.deepEqual(lin.bias!.shape, [3]);
  noGrad(() => {
    lin.weight.copy_(tensor([[1, 2], [3, 4], [5, 6]]));
    lin.bias!.copy_(tensor([0.5, -1, 2]));
  });
  assertClose(lin.forward(tensor([[1, -1], [2, 0.5]])), [[-0.5, -2, 1], [3.5, 7, 15]]);
  const noBias = new Linear(2, 3, { bias: false });
  assert.equal(noBias.bias, null);
  assert.equal(noBias.parameters().length, 1);
  assert.throws(() => lin.forward(zeros([4, 3])), /^Error: Linear: input \[4,3\] does not end in inFeatures 2$/);
  assert.throws(() => new Linear(2.5, 1), /Linear: inFeatures must be a non-negative integer, got 2.5/);
});

test('Linear default init: weight and bias within ±1/√fanIn, weight std = bound/√3', () => {
  manualSeed(3);
  const lin = new Linear(100, 50);
  const w = Array.from(lin.weight.data());
  const b = Array.from(lin.bias!.data());
  const bound = 0.1;
  assert.ok(w.every((v) => Math.abs(v) <= bound) && b.every((v) => Math.abs(v) <= bound));
  assert.ok(Math.max(...w.map(Math.abs)) > 0.099, 'the weights fill the interval');
  const mean = w.reduce((s, v) => s + v, 0) / w.length;
  const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / (w.length - 1));
  assert.ok(Math.abs(std / (bound / Math.sqrt(3)) - 1) < 0.05, `std ${std}`);
  assert.ok(Math.abs(mean) < 0.005, `mean ${mean}`);
  const before = lin.weight.toArray();
  lin.resetParameters();
  assert.notDeepEqual(lin.weight.toArray(), before);
  const f64 = new Linear(3, 2, { dtype: 'float64' });
  assert.equal(f64.weight.dtype, 'float64');
});

test('Dropout drops and rescales in training, is the identity in eval', () => {
  manualSeed(4);
  const drop = new Dropout(0.25);
  const x = ones([4000]);
  const y = Array.from(drop.forward(x).data());
  assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  const zeroFrac = y.filter((v) => v === 0).length / y.length;
  assert.ok(Math.abs(zeroFrac - 0.25) < 0.035, `dropped ${zeroFrac}`); // 5 sigma of a binomial(4000, 0.25) fraction
  drop.eval();
  assert.deepEqual(drop.forward(x).toArray(), x.toArray());
  const net = new Sequential(new Linear(2, 2), new Dropout(1));
  assert.ok(Array.from(net.forward(ones([3, 2])).data()).every((v) => v === 0));
  net.eval();
  assert.ok(Array.from(net.forward(ones([3, 2])).data()).some((v) => v !== 0));
  assert.throws(() => new Dropout(1.5), /Dropout: p must be in \[0, 1\], got 1.5/);
});

test('BatchNorm1d training step: batch statistics out, running statistics equal the closed form', () => {
  const bn = new BatchNorm1d(2);
  const x = tensor([[1, 2], [3, 6], [5, 10]]);
  const y = bn.forward(x);
  // Means [3, 6]; biased variances [8/3, 32/3]; unbiased [4, 16].
  const s0 = Math.sqrt(8 / 3 + 1e-5);
  const s1 = Math.sqrt(32 / 3 + 1e-5);
  assertClose(y, [[-2 / s0, -4 / s1], [0, 0], [2 / s0, 4 / s1]]);
  assertClose(bn.runningMean!, [0.3, 0.6]);
  assertClose(bn.runningVar!, [0.9 + 0.4, 0.9 + 1.6]);
  assert.equal(bn.numBatchesTracked!.item(), 1);
  bn.forward(x);
  assertClose(bn.runningMean!, [0.9 * 0.3 + 0.3, 0.9 * 0.6 + 0.6]);
  assert.equal(bn.numBatchesTracked!.item(), 2);
  // Eval mode normalises with the running statistics and leaves them alone.
  bn.eval();
  const rm = bn.runningMean!.toArray() as number[];
  const rv = bn.runningVar!.toArray() as number[];
  assertClose(bn.forward(tensor([[1, 2]])), [(1 - rm[0]) / Math.sqrt(rv[0] + 1e-5), (2 - rm[1]) / Math.sqrt(rv[1] + 1e-5)]);
  assertClose(bn.runningMean!, rm);
  assert.equal(bn.numBatchesTracked!.item(), 2);
});

test('BatchNorm1d options: cumulative average, no running stats, no affine, [N, C, L] input, errors', () => {
  const cum = new BatchNorm1d(1, { momentum: null });
  cum.forward(tensor([[1], [3]]));
  cum.forward(tensor([[10], [20]]));
  assertClose(cum.runningMean!, [(2 + 15) / 2]);
  assertClose(cum.runningVar!, [(2 + 50) / 2]);
  const free = new BatchNorm1d(2, { trackRunningStats: false, affine: false });
  assert.deepEqual(Object.keys(free.stateDict()), []);
  free.eval();
  assertClose(free.forward(tensor([[0, 1], [2, 3]])), [[-1, -1], [1, 1]], 1e-4); // batch statistics even in eval
  const seq = new BatchNorm1d(3);
  assert.deepEqual(seq.forward(randn([4, 3, 5])).shape, [4, 3, 5]);
  assert.throws(() => seq.forward(zeros([4, 2])), /BatchNorm1d: input \[4,2\] has 2 channels in dim 1, expected numFeatures 3/);
  assert.throws(() => seq.forward(zeros([4])), /BatchNorm1d: expected a 2-D \[N, C\] or 3-D \[N, C, L\] input, got \[4\]/);
  assert.equal(new BatchNorm1d(3).toString(), 'BatchNorm1d(3, eps=0.00001, momentum=0.1, affine=true, trackRunningStats=true)');
});

test('LayerNorm normalises each sample over the trailing dims', () => {
  const ln = new LayerNorm(4);
  assert.deepEqual(ln.weight!.toArray(), [1, 1, 1, 1]);
  const y = ln.forward(tensor([[1, 2, 3, 4], [-2, -2, 2, 2]]));
  const s = Math.sqrt(1.25 + 1e-5);
  assertClose(y, [[-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s], [-1, -1, 1, 1]], 1e-4);
  noGrad(() => ln.bias!.fill_(10));
  assertClose(ln.forward(tensor([[0, 0, 0, 0]])), [10, 10, 10, 10]);
  const plain = new LayerNorm([2, 2], { elementwiseAffine: false });
  assert.equal(plain.parameters().length, 0);
  assert.deepEqual(plain.forward(randn([3, 2, 2])).shape, [3, 2, 2]);
  assert.equal(new LayerNorm([2, 3], { bias: false }).parameters().length, 1);
});

test('Embedding: N(0, 1) init, padding row zero and without gradient', () => {
  manualSeed(5);
  const emb = new Embedding(1000, 10, { paddingIdx: -1 });
  assert.equal(emb.paddingIdx, 999);
  const w = Array.from(emb.weight.data());
  const live = w.slice(0, 9990);
  const mean = live.reduce((s, v) => s + v, 0) / live.length;
  const std = Math.sqrt(live.reduce((s, v) => s + (v - mean) ** 2, 0) / (live.length - 1));
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(std - 1) < 0.04, `mean ${mean}, std ${std}`);
  assert.ok(w.slice(9990).every((v) => v === 0));
  const idx = tensor([[0, 999], [0, 3]], { dtype: 'int32' });
  const out = emb.forward(idx);
  assert.deepEqual(out.shape, [2, 2, 10]);
  out.sum().backward();
  const g = emb.weight.grad!.data();
  assert.equal(g[0], 2); // row 0 used twice
  assert.equal(g[3 * 10], 1);
  assert.equal(g[999 * 10], 0);
  assert.throws(() => new Embedding(3, 2, { paddingIdx: 3 }), /Embedding: paddingIdx 3 is out of range for 3 embeddings/);
  assert.equal(new Embedding(10, 3, { paddingIdx: 0 }).toString(), 'Embedding(10, 3, paddingIdx=0)');
});

test('Flatten and Identity', () => {
  assert.deepEqual(new Flatten().forward(zeros([2, 3, 4])).shape, [2, 12]);
  assert.deepEqual(new Flatten(0, 1).forward(zeros([2, 3, 4])).shape, [6, 4]);
  const x = zeros([2]);
  assert.equal(new Identity().forward(x), x);
  assert.equal(new Flatten().toString(), 'Flatten(startDim=1, endDim=-1)');
});

test('activation modules compute their functions', () => {
  const x = tensor([-1, 0, 2]);
  assertClose(new ReLU().forward(x), [0, 0, 2]);
  assertClose(new LeakyReLU(0.1).forward(x), [-0.1, 0, 2]);
  assertClose(new Sigmoid().forward(x), [1 / (1 + Math.E), 0.5, 1 / (1 + Math.exp(-2))]);
  assertClose(new Tanh().forward(x), [Math.tanh(-1), 0, Math.tanh(2)]);
  assertClose(new ELU(2).forward(x), [2 * (Math.exp(-1) - 1), 0, 2]);
  assertClose(new GELU().forward(x), [-0.15865525, 0, 1.95449974]);
  assertClose(new GELU('tanh').forward(x), [-0.15880801, 0, 1.95459769]);
  assertClose(new Softplus().forward(x), [Math.log1p(Math.exp(-1)), Math.LN2, Math.log1p(Math.exp(2))]);
  assertClose(new Softplus(2, 1).forward(x), [Math.log1p(Math.exp(-2)) / 2, Math.LN2 / 2, 2]);
  const logits = tensor([[0, Math.log(3)], [Math.log(4), 0]]);
  assertClose(new Softmax(1).forward(logits), [[0.25, 0.75], [0.8, 0.2]]);
  assertClose(new Softmax(0).forward(logits), [[0.2, 0.75], [0.8, 0.25]]);
  assertClose(new LogSoftmax().forward(logits), [[Math.log(0.25), Math.log(0.75)], [Math.log(0.8), Math.log(0.2)]]);
  assert.equal(new LeakyReLU().toString(), 'LeakyReLU(negativeSlope=0.01)');
  assert.equal(new GELU('tanh').toString(), "GELU(approximate='tanh')");
});

test('Sequential and ModuleList: indexing, append, iteration', () => {
  const seq = new Sequential(new Linear(2, 3), new ReLU());
  assert.equal(seq.length, 2);
  assert.ok(seq[0] instanceof Linear);
  assert.equal(seq.at(-1), seq[1]);
  assert.throws(() => seq.at(2), /Sequential.at: index 2 is out of range for 2 modules/);
  seq.append(new Linear(3, 1));
  assert.equal(seq.length, 3);
  assert.deepEqual(seq.forward(zeros([5, 2])).shape, [5, 1]);
  assert.deepEqual(Object.keys(seq.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.deepEqual([...seq].map((m) => m.constructor.name), ['Linear', 'ReLU', 'Linear']);
  assert.throws(() => seq.append({} as never), /Sequential.append: expected a Module, got object/);
  const x = zeros([1]);
  assert.equal(new Sequential().forward(x), x);
  const list = new ModuleList([new Linear(1, 1), new Linear(1, 1)]);
  assert.equal(list.length, 2);
  assert.deepEqual(list.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '1.weight', '1.bias']);
  assert.throws(() => list.forward(x), /ModuleList: has no forward/);
});

test('loss modules match their functions and keep class weights as buffers', () => {
  const p = tensor([1, 2]);
  const t = tensor([0, 0]);
  assertClose(new MSELoss().forward(p, t), 2.5);
  assertClose(new MSELoss({ reduction: 'sum' }).forward(p, t), 5);
  assertClose(new L1Loss().forward(p, t), 1.5);
  assertClose(new HuberLoss({ delta: 1 }).forward(p, t), (0.5 + 1.5) / 2);
  assertClose(new SmoothL1Loss({ beta: 2 }).forward(p, t), (0.25 + 1) / 2);
  assertClose(new BCELoss().forward(tensor([0.5]), tensor([1])), Math.LN2);
  assertClose(new BCEWithLogitsLoss().forward(tensor([0]), tensor([1])), Math.LN2);
  const pw = tensor([3]);
  const bce = new BCEWithLogitsLoss({ posWeight: pw });
  assertClose(bce.forward(tensor([0]), tensor([1])), 3 * Math.LN2);
  assert.deepEqual(Object.keys(bce.stateDict()), ['pos_weight']);
  const logits = tensor([[1, 2, 3], [0, 0, 5]]);
  const y = tensor([2, 0], { dtype: 'int32' });
  const w = tensor([1, 2, 3]);
  const ce = new CrossEntropyLoss({ weight: w, labelSmoothing: 0.1 });
  assertClose(ce.forward(logits, y), crossEntropy(logits, y, { weight: w, labelSmoothing: 0.1 }).item());
  assert.deepEqual(Object.keys(ce.stateDict()), ['weight']);
  const nll = new NLLLoss();
  assertClose(nll.forward(new LogSoftmax(1).forward(logits), y), new CrossEntropyLoss().forward(logits, y).item());
  assertClose(new NLLLoss({ ignoreIndex: 0 }).forward(tensor([[-1, -2], [-3, -4]]), tensor([0, 1], { dtype: 'int32' })), 4);
  assert.throws(() => new MSELoss({ reduction: 'avg' as never }), /MSELoss: reduction must be 'mean', 'sum' or 'none', got 'avg'/);
  assert.equal(new CrossEntropyLoss().toString(), 'CrossEntropyLoss()');
});
