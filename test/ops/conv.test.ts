// Convolution and pooling ops: hand-computed outputs, the adjoint identity between conv2d and convTranspose2d,
// float64 gradchecks over stride/padding/dilation/groups/ceilMode variants, gradgradcheck, errors, empty batches.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import { Generator, type Tensor } from '../../src/index.js';
import {
  type AvgPool2dOptions, type Conv2dOptions, type ConvTranspose2dOptions, type MaxPool2dOptions,
  adaptiveAvgPool2d, avgPool2d, conv2d, convTranspose2d, fold, maxPool2d, unfold,
} from '../../src/ops/index.js';

const gen = new Generator(7);

/** A float64 leaf of N(0, 1) values. */
const rnd = (shape: number[], requiresGrad = true): Tensor =>
  bp.randn(shape, { dtype: 'float64', generator: gen, requiresGrad });

const img = (rows: number[][]): Tensor => bp.tensor([[rows]]);

const near = (actual: Tensor, expected: number[], tol = 1e-5): void => {
  const a = Array.from(actual.data());
  assert.equal(a.length, expected.length, `got ${a.length} values, expected ${expected.length}`);
  a.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tol, `entry ${i}: ${v} vs ${expected[i]}`));
};

const check = (fn: (...xs: Tensor[]) => Tensor, ...xs: Tensor[]): void => assert.equal(bp.gradcheck(fn, xs), true);

const dot = (a: Tensor, b: Tensor): number => bp.sum(bp.mul(a, b)).item();

describe('conv2d: hand-computed outputs', () => {
  const x = img([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  const w = img([[1, 2], [3, 4]]);

  test('valid 2×2 kernel: each output is Σ w·window (no flip)', () => {
    const y = conv2d(x, w);
    assert.deepEqual(y.shape, [1, 1, 2, 2]);
    near(y, [37, 47, 67, 77]);
  });

  test('stride 2, padding 1: zero padding contributes nothing', () => {
    near(conv2d(x, w, null, { stride: 2, padding: 1 }), [4, 18, 36, 77]);
  });

  test('dilation 2 reads the corners', () => {
    near(conv2d(x, w, null, { dilation: 2 }), [1 * 1 + 3 * 2 + 7 * 3 + 9 * 4]);
  });

  test('bias is added per output channel; groups keep channels apart', () => {
    const x2 = bp.tensor([[[[1, 2]], [[3, 4]]]]); // [1,2,1,2]
    const w2 = bp.tensor([[[[10]]], [[[100]]]]); // [2,1,1,1], groups 2: channel c scaled by w[c]
    near(conv2d(x2, w2, bp.tensor([0.5, -1]), { groups: 2 }), [10.5, 20.5, 299, 399]);
  });

  test("padding 'same' keeps H×W; an even kernel pads one extra at the bottom/right", () => {
    const y = conv2d(img([[1, 2], [3, 4]]), img([[1, 1], [1, 1]]), null, { padding: 'same' });
    assert.deepEqual(y.shape, [1, 1, 2, 2]);
    near(y, [10, 6, 7, 4]);
    const x5 = rnd([1, 2, 5, 5], false);
    const w3 = rnd([3, 2, 3, 3], false);
    near(conv2d(x5, w3, null, { padding: 'same' }), Array.from(conv2d(x5, w3, null, { padding: 1 }).data()), 1e-12);
  });

  test('an unbatched [C, H, W] input gives [Cout, Hout, Wout]', () => {
    const y = conv2d(bp.reshape(x, [1, 3, 3]), w);
    assert.deepEqual(y.shape, [1, 2, 2]);
    near(y, [37, 47, 67, 77]);
  });
});

describe('convTranspose2d', () => {
  const x = img([[1, 2], [3, 4]]);

  test('stride 2 with a ones kernel upsamples each pixel into a 2×2 block', () => {
    const y = convTranspose2d(x, img([[1, 1], [1, 1]]), null, { stride: 2 });
    assert.deepEqual(y.shape, [1, 1, 4, 4]);
    near(y, [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  test('stride 1 spreads each pixel over the kernel, overlaps add', () => {
    near(convTranspose2d(x, img([[1, 1], [1, 1]])), [1, 3, 2, 4, 10, 6, 3, 7, 4]);
  });

  const cases: [string, number[], number[], ConvTranspose2dOptions][] = [
    ['plain', [2, 3, 6, 6], [4, 3, 3, 3], {}],
    ['stride 2, padding 1', [2, 3, 7, 7], [4, 3, 3, 3], { stride: 2, padding: 1 }],
    ['stride 2, the odd last row picked by outputPadding', [1, 2, 8, 8], [2, 2, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
    ['dilation 2', [1, 2, 7, 7], [3, 2, 2, 2], { dilation: 2 }],
    ['groups 2, rectangular', [2, 4, 6, 5], [6, 2, 3, 2], { groups: 2, stride: [2, 1], padding: [1, 0], outputPadding: [1, 0] }],
  ];
  for (const [name, xs, ws, opts] of cases) {
    test(`is the adjoint of conv2d: <conv2d(x, w), g> = <x, convTranspose2d(g, w)> (${name})`, () => {
      const { outputPadding, ...convOpts } = opts;
      const x = rnd(xs, false);
      const w = rnd(ws, false);
      const y = conv2d(x, w, null, convOpts);
      const g = rnd([...y.shape], false);
      const back = convTranspose2d(g, w, null, { ...convOpts, outputPadding });
      assert.deepEqual(back.shape, xs);
      const lhs = dot(y, g);
      assert.ok(Math.abs(lhs - dot(x, back)) <= 1e-9 * Math.max(1, Math.abs(lhs)), `${lhs} vs ${dot(x, back)}`);
    });
  }

  test('outputPadding ≥ stride (allowed below dilation) adds rows/columns that no window reaches', () => {
    const g = rnd([1, 2, 3, 3], false);
    const w = rnd([2, 1, 2, 2], false);
    const plain = convTranspose2d(g, w, null, { dilation: 2 });
    const padded = convTranspose2d(g, w, null, { dilation: 2, outputPadding: 1 });
    assert.deepEqual(plain.shape, [1, 1, 5, 5]);
    assert.deepEqual(padded.shape, [1, 1, 6, 6]);
    const p = padded.data();
    const q = plain.data();
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) assert.equal(p[i * 6 + j], i < 5 && j < 5 ? q[i * 5 + j] : 0);
    }
  });
});

describe('pooling: hand-computed outputs', () => {
  test('maxPool2d 2×2 takes block maxima', () => {
    const x = img([[1, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 1], [9, 2, 1, 7]]);
    near(maxPool2d(x, 2), [5, 8, 9, 7]);
  });

  test('maxPool2d: padding counts as −∞, not 0', () => {
    near(maxPool2d(img([[-1, -2], [-3, -4]]), 2, { stride: 1, padding: 1 }), [-1, -1, -2, -1, -1, -2, -3, -3, -4]);
  });

  test('maxPool2d: overlapping windows accumulate the gradient at their shared argmax', () => {
    const x = bp.tensor([[[[1, 2, 3], [4, 9, 5], [6, 7, 8]]]], { requiresGrad: true });
    const y = maxPool2d(x, 2, { stride: 1 });
    near(y, [9, 9, 9, 9]);
    bp.sum(y).backward();
    near(x.grad!, [0, 0, 0, 0, 4, 0, 0, 0, 0]);
  });

  test('maxPool2d ceilMode keeps the partial last window; dilation spreads the taps', () => {
    const x = bp.reshape(bp.arange(25), [1, 1, 5, 5]);
    near(maxPool2d(x, 2, { ceilMode: true }), [6, 8, 9, 16, 18, 19, 21, 23, 24]);
    near(maxPool2d(x, 2), [6, 8, 16, 18]);
    near(maxPool2d(x, 2, { dilation: 2, stride: 1 }), [12, 13, 14, 17, 18, 19, 22, 23, 24]);
  });

  test('avgPool2d 2×2 block means', () => {
    near(avgPool2d(bp.reshape(bp.arange(16), [1, 1, 4, 4]), 2), [2.5, 4.5, 10.5, 12.5]);
  });

  test('avgPool2d with padding: countIncludePad divides by the whole window, otherwise by the covered inputs', () => {
    const x = img([[1, 2], [3, 4]]);
    near(avgPool2d(x, 2, { stride: 1, padding: 1 }), [1 / 4, 3 / 4, 2 / 4, 4 / 4, 10 / 4, 6 / 4, 3 / 4, 7 / 4, 4 / 4]);
    near(avgPool2d(x, 2, { stride: 1, padding: 1, countIncludePad: false }), [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4]);
    near(avgPool2d(x, 2, { stride: 1, padding: 1, divisorOverride: 2 }), [0.5, 1.5, 1, 2, 5, 3, 1.5, 3.5, 2]);
  });

  test('avgPool2d ceilMode: the last window is clipped to the padded input for the divisor', () => {
    // 1×5 row, kernel 1×3, stride 2, padding [0,1], ceil: windows start at -1, 1, 3 and end at min(start+3, 6).
    const x = bp.tensor([[[[1, 2, 3, 4, 5]]]]);
    const o = { stride: [1, 2] as [number, number], padding: [0, 1] as [number, number], ceilMode: true };
    near(avgPool2d(x, [1, 3], o), [3 / 3, 9 / 3, 9 / 3]);
    near(avgPool2d(x, [1, 3], { ...o, countIncludePad: false }), [3 / 2, 9 / 3, 9 / 2]);
  });

  test('adaptiveAvgPool2d: bins [⌊i·n/o⌋, ⌈(i+1)·n/o⌉) may overlap', () => {
    const x = bp.reshape(bp.arange(25), [1, 1, 5, 5]);
    // rows/cols bins {0,1,2} and {2,3,4}; mean of a 3×3 block starting at (r, c) is 5(r+1) + (c+1).
    near(adaptiveAvgPool2d(x, 2), [6, 8, 16, 18]);
    near(adaptiveAvgPool2d(x, 1), [12]);
    near(adaptiveAvgPool2d(x, [1, null]), [10, 11, 12, 13, 14]);
    assert.deepEqual(adaptiveAvgPool2d(bp.zeros([2, 3, 7, 6]), [3, 4]).shape, [2, 3, 3, 4]);
  });

  test('unfold lays windows out as columns; fold(unfold(1)) counts the windows covering each pixel', () => {
    const x = bp.reshape(bp.arange(9), [1, 1, 3, 3]);
    const cols = unfold(x, 2);
    assert.deepEqual(cols.shape, [1, 4, 4]);
    near(cols, [0, 1, 3, 4, 1, 2, 4, 5, 3, 4, 6, 7, 4, 5, 7, 8]);
    near(fold(unfold(bp.ones([1, 1, 3, 3]), 2), 3, 2), [1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });
});

describe('gradcheck (float64)', () => {
  const convCases: [string, number[], number[], Conv2dOptions][] = [
    ['plain', [2, 2, 5, 5], [3, 2, 3, 3], {}],
    ['stride 2, padding 1', [1, 2, 6, 5], [2, 2, 3, 3], { stride: 2, padding: 1 }],
    ['dilation 2', [1, 2, 6, 6], [2, 2, 2, 3], { dilation: [2, 1], padding: [1, 0] }],
    ['groups 2, rectangular stride', [2, 4, 5, 4], [4, 2, 2, 2], { groups: 2, stride: [1, 2] }],
    ['depthwise', [1, 3, 4, 4], [3, 1, 3, 3], { groups: 3, padding: 1 }],
    ["padding 'same', even kernel", [1, 1, 4, 4], [2, 1, 2, 2], { padding: 'same' }],
  ];
  for (const [name, xs, ws, o] of convCases) {
    test(`conv2d ${name}`, () => check((x, w, b) => conv2d(x, w, b, o), rnd(xs), rnd(ws), rnd([ws[0]])));
  }

  const tCases: [string, number[], number[], ConvTranspose2dOptions][] = [
    ['plain', [2, 2, 3, 3], [2, 3, 2, 2], {}],
    ['stride 2, padding 1, outputPadding 1', [1, 2, 3, 3], [2, 2, 3, 3], { stride: 2, padding: 1, outputPadding: 1 }],
    ['dilation 2, groups 2', [1, 4, 3, 3], [4, 1, 2, 2], { dilation: 2, groups: 2 }],
    ['outputPadding 1 ≥ stride 1, below dilation 2', [1, 1, 3, 2], [1, 2, 2, 2], { dilation: 2, outputPadding: 1 }],
  ];
  for (const [name, xs, ws, o] of tCases) {
    test(`convTranspose2d ${name}`, () => {
      check((x, w, b) => convTranspose2d(x, w, b, o), rnd(xs), rnd(ws), rnd([ws[1] * (o.groups ?? 1)]));
    });
  }

  const maxCases: [string, number[], MaxPool2dOptions][] = [
    ['2×2', [2, 2, 4, 4], { kernelSize: 2 }],
    ['3×3 stride 2 padding 1 (overlapping)', [1, 2, 5, 5], { kernelSize: 3, stride: 2, padding: 1 }],
    ['ceilMode', [1, 1, 5, 5], { kernelSize: 2, ceilMode: true }],
    ['dilation 2', [1, 1, 5, 5], { kernelSize: 2, stride: 1, dilation: 2 }],
  ];
  for (const [name, xs, o] of maxCases) test(`maxPool2d ${name}`, () => check((x) => maxPool2d(x, o), rnd(xs)));

  const avgCases: [string, number[], AvgPool2dOptions][] = [
    ['2×2', [2, 2, 4, 4], { kernelSize: 2 }],
    ['3×3 stride 2 padding 1', [1, 2, 5, 5], { kernelSize: 3, stride: 2, padding: 1 }],
    ['ceilMode, countIncludePad false', [1, 1, 5, 5], { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }],
  ];
  for (const [name, xs, o] of avgCases) test(`avgPool2d ${name}`, () => check((x) => avgPool2d(x, o), rnd(xs)));

  test('adaptiveAvgPool2d 5×7 → 3×2', () => check((x) => adaptiveAvgPool2d(x, [3, 2]), rnd([2, 1, 5, 7])));

  test('gradgradcheck conv2d (stride 2, padding 1, groups 2)', () => {
    const f = (x: Tensor, w: Tensor, b: Tensor): Tensor => conv2d(x, w, b, { stride: 2, padding: 1, groups: 2 });
    assert.equal(bp.gradgradcheck(f, [rnd([1, 2, 4, 4]), rnd([2, 1, 3, 3]), rnd([2])]), true);
  });

  test('gradgradcheck convTranspose2d, maxPool2d, avgPool2d and adaptiveAvgPool2d', () => {
    const f = (x: Tensor, w: Tensor): Tensor => convTranspose2d(x, w, null, { stride: 2 });
    assert.equal(bp.gradgradcheck(f, [rnd([1, 1, 2, 2]), rnd([1, 2, 2, 2])]), true);
    assert.equal(bp.gradgradcheck((x) => avgPool2d(x, 2, { stride: 1, padding: 1 }), [rnd([1, 1, 3, 3])]), true);
    assert.equal(bp.gradgradcheck((x) => maxPool2d(x, 2, { stride: 1, padding: 1 }), [rnd([1, 1, 3, 3])]), true);
    assert.equal(bp.gradgradcheck((x) => adaptiveAvgPool2d(x, 2), [rnd([1, 1, 3, 3])]), true);
  });
});

describe('empty batch (N = 0)', () => {
  test('conv2d and convTranspose2d give empty outputs and zero weight/bias gradients', () => {
    const x = bp.zeros([0, 3, 5, 5], { requiresGrad: true });
    const w = bp.ones([4, 3, 3, 3], { requiresGrad: true });
    const b = bp.ones([4], { requiresGrad: true });
    const y = conv2d(x, w, b, { padding: 1 });
    assert.deepEqual(y.shape, [0, 4, 5, 5]);
    bp.sum(y).backward();
    assert.deepEqual(x.grad!.shape, [0, 3, 5, 5]);
    assert.ok(Array.from(w.grad!.data()).every((v) => v === 0));
    assert.ok(Array.from(b.grad!.data()).every((v) => v === 0));
    assert.deepEqual(convTranspose2d(bp.zeros([0, 3, 5, 5]), bp.ones([3, 2, 3, 3]), null, { stride: 2, padding: 1, outputPadding: 1 }).shape, [0, 2, 10, 10]);
  });

  test('pools give empty outputs', () => {
    const x = bp.zeros([0, 3, 5, 5]);
    assert.deepEqual(maxPool2d(x, 2).shape, [0, 3, 2, 2]);
    assert.deepEqual(avgPool2d(x, 2).shape, [0, 3, 2, 2]);
    assert.deepEqual(adaptiveAvgPool2d(x, 1).shape, [0, 3, 1, 1]);
  });
});

describe('errors name the op, the shapes and what was expected', () => {
  const x = bp.zeros([2, 3, 8, 8]);
  const cases: [string, () => unknown, string | RegExp][] = [
    ['channel mismatch', () => conv2d(x, bp.zeros([4, 2, 3, 3])), 'conv2d: input [2,3,8,8] has 3 channels but weight [4,2,3,3] expects 2·groups = 2'],
    ['groups not dividing output channels', () => conv2d(x, bp.zeros([4, 1, 3, 3]), null, { groups: 3 }), /^conv2d: groups 3 does not divide the 4 output channels of weight \[4,1,3,3\]/],
    ['groups not dividing input channels', () => conv2d(x, bp.zeros([4, 1, 3, 3]), null, { groups: 2 }), /^conv2d: groups 2 does not divide the 3 channels of input \[2,3,8,8\]/],
    ['output size ≤ 0', () => conv2d(bp.zeros([1, 1, 2, 2]), bp.zeros([1, 1, 3, 3])), /^conv2d: output size \[0,0\] is not positive: input \[1,1,2,2\] with padding \[0,0\] is smaller than the 3×3/],
    ['weight not 4-D', () => conv2d(x, bp.zeros([4, 3, 3])), /^conv2d: weight must be 4-D \[outChannels, inChannels\/groups, kh, kw\], got \[4,3,3\]/],
    ['input not 4-D', () => conv2d(bp.zeros([8, 8]), bp.zeros([1, 1, 3, 3])), /^conv2d: input must be 4-D \[N, C, H, W\] or 3-D \[C, H, W\], got \[8,8\]/],
    ['bias shape', () => conv2d(x, bp.zeros([4, 3, 3, 3]), bp.zeros([3])), /^conv2d: bias must have shape \[4\]/],
    ['options in place of the bias', () => conv2d(x, bp.zeros([4, 3, 3, 3]), { padding: 1 } as never), /^conv2d: bias must be a Tensor or null, got object \(options go in the 4th argument/],
    ['negative padding', () => conv2d(x, bp.zeros([4, 3, 3, 3]), null, { padding: -1 }), /^conv2d: padding must be a non-negative integer or an \[h, w\] pair of them, got -1/],
    ['zero stride', () => conv2d(x, bp.zeros([4, 3, 3, 3]), null, { stride: [1, 0] }), /^conv2d: stride must be a positive integer/],
    ["'same' with stride", () => conv2d(x, bp.zeros([4, 3, 3, 3]), null, { padding: 'same', stride: 2 }), /^conv2d: padding 'same' needs stride 1/],
    ['transposed channel mismatch', () => convTranspose2d(x, bp.zeros([4, 2, 3, 3])), /^convTranspose2d: input \[2,3,8,8\] has 3 channels but weight \[4,2,3,3\] expects 4/],
    ['outputPadding too large', () => convTranspose2d(x, bp.zeros([3, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }), /^convTranspose2d: outputPadding \[2,2\] must be smaller than stride \[2,2\] or dilation \[1,1\]/],
    ['pool padding over half the kernel', () => maxPool2d(x, 2, { padding: 2 }), /^maxPool2d: padding \[2,2\] must be at most half the 2×2 \(dilated\) kernel/],
    ['pool kernel larger than input', () => avgPool2d(bp.zeros([1, 1, 2, 2]), 3), /^avgPool2d: output size \[0,0\] is not positive/],
    ['pool without kernelSize', () => maxPool2d(x, {}), /^maxPool2d: kernelSize is required/],
    ['adaptive output size', () => adaptiveAvgPool2d(x, 0), /^adaptiveAvgPool2d: outputSize must be a positive integer/],
    ['fold column count', () => fold(bp.zeros([1, 4, 5]), 3, 2), /^fold: input \[1,4,5\] has 5 columns but 2×2 = 4 windows fit in outputSize \[3,3\]/],
  ];
  for (const [name, fn, msg] of cases) {
    test(name, () => assert.throws(fn, { message: msg }));
  }
});
