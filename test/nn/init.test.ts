import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Generator, type Tensor, tensor, zeros } from '../../src/index.js';
import { init } from '../../src/nn/index.js';
import { runInitCase } from '../../src/cli/fixture-init.js';

function stats(t: Tensor): { mean: number; std: number; maxAbs: number } {
  const d = Array.from(t.data());
  const mean = d.reduce((s, v) => s + v, 0) / d.length;
  const std = Math.sqrt(d.reduce((s, v) => s + (v - mean) ** 2, 0) / (d.length - 1));
  return { mean, std, maxAbs: Math.max(...d.map(Math.abs)) };
}

test('calculateGain follows PyTorch', () => {
  assert.equal(init.calculateGain('linear'), 1);
  assert.equal(init.calculateGain('conv2d'), 1);
  assert.equal(init.calculateGain('sigmoid'), 1);
  assert.equal(init.calculateGain('tanh'), 5 / 3);
  assert.equal(init.calculateGain('relu'), Math.SQRT2);
  assert.equal(init.calculateGain('selu'), 0.75);
  assert.equal(init.calculateGain('leaky_relu'), Math.sqrt(2 / 1.0001));
  assert.equal(init.calculateGain('leaky_relu', 0), Math.SQRT2);
  assert.ok(Math.abs(init.calculateGain('leaky_relu', Math.sqrt(5)) - 1 / Math.sqrt(3)) < 1e-15);
  assert.throws(() => init.calculateGain('swish' as never), /calculateGain: unsupported nonlinearity 'swish'/);
});

test('fans: [out, in, ...receptive field]', () => {
  assert.deepEqual(init.calculateFanInAndFanOut([256, 128]), [128, 256]);
  assert.deepEqual(init.calculateFanInAndFanOut(zeros([16, 8, 3, 3])), [72, 144]);
  assert.throws(() => init.calculateFanInAndFanOut([5]), /calculateFanInAndFanOut: shape \[5\] has fewer than 2 dims/);
  assert.throws(() => init.xavierUniform_(zeros([5])), /xavierUniform_: shape \[5\] has fewer than 2 dims/);
});

test('uniform_ and normal_ draw the requested distribution, in place', () => {
  const g = new Generator(7);
  const t = zeros([100, 100]);
  assert.equal(init.uniform_(t, -2, 4, g), t);
  const u = stats(t);
  assert.ok(Array.from(t.data()).every((v) => v >= -2 && v <= 4));
  assert.ok(Math.abs(u.mean - 1) < 0.09 && Math.abs(u.std / Math.sqrt(3) - 1) < 0.02, JSON.stringify(u)); // std of U(−2, 4) = 6/√12
  init.normal_(t, 3, 0.5, g);
  const n = stats(t);
  assert.ok(Math.abs(n.mean - 3) < 0.025 && Math.abs(n.std / 0.5 - 1) < 0.035, JSON.stringify(n));
  const f64 = zeros([1000], { dtype: 'float64' });
  init.uniform_(f64, 0, 1, g);
  assert.ok(Array.from(f64.data()).some((v) => v !== Math.fround(v)), 'float64 draws use 53 random bits');
  assert.throws(() => init.uniform_(zeros([2], { dtype: 'int32' })), /uniform_: tensor must be float32 or float64, got int32/);
  assert.throws(() => init.normal_(zeros([2]), 0, -1), /normal_: std must be non-negative, got -1/);
});

test('constant_, zeros_, ones_', () => {
  const t = tensor([1, 2, 3]);
  assert.deepEqual(init.constant_(t, 0.5).toArray(), [0.5, 0.5, 0.5]);
  assert.deepEqual(init.zeros_(t).toArray(), [0, 0, 0]);
  assert.deepEqual(init.ones_(t).toArray(), [1, 1, 1]);
  assert.deepEqual(init.constant_(tensor([1, 2], { dtype: 'int32' }), 7).toArray(), [7, 7]);
});

test('kaiming and xavier match their closed-form standard deviations and bounds', () => {
  const g = new Generator(11);
  const w = zeros([256, 128]);
  const cases: [string, () => Tensor, number, number | null][] = [
    ['kaimingUniform relu', () => init.kaimingUniform_(w, { nonlinearity: 'relu', generator: g }), Math.SQRT2 / Math.sqrt(128), Math.sqrt(6 / 128)],
    ['kaimingUniform a=√5', () => init.kaimingUniform_(w, { a: Math.sqrt(5), generator: g }), 1 / Math.sqrt(3 * 128), 1 / Math.sqrt(128)],
    ['kaimingUniform fanOut', () => init.kaimingUniform_(w, { mode: 'fanOut', nonlinearity: 'relu', generator: g }), Math.SQRT2 / 16, Math.sqrt(6 / 256)],
    ['kaimingNormal relu', () => init.kaimingNormal_(w, { nonlinearity: 'relu', generator: g }), Math.SQRT2 / Math.sqrt(128), null],
    ['xavierUniform', () => init.xavierUniform_(w, 1, g), Math.sqrt(2 / 384), Math.sqrt(6 / 384)],
    ['xavierNormal gain 2', () => init.xavierNormal_(w, 2, g), 2 * Math.sqrt(2 / 384), null],
  ];
  for (const [name, draw, std, bound] of cases) {
    const s = stats(draw());
    assert.ok(Math.abs(s.std / std - 1) < 0.02, `${name}: std ${s.std} vs ${std}`);
    assert.ok(Math.abs(s.mean) < 5 * std / Math.sqrt(w.numel()), `${name}: mean ${s.mean}`);
    if (bound !== null) assert.ok(s.maxAbs <= Math.fround(bound) && s.maxAbs > 0.99 * bound, `${name}: max |w| ${s.maxAbs} vs ${bound}`);
  }
  assert.throws(() => init.kaimingNormal_(w, { mode: 'fan_in' as never }), /kaimingNormal_: mode must be 'fanIn' or 'fanOut', got 'fan_in'/);
});

test('a seeded generator makes init reproducible', () => {
  const a = init.kaimingUniform_(zeros([4, 3]), { generator: new Generator(5) });
  const b = init.kaimingUniform_(zeros([4, 3]), { generator: new Generator(5) });
  const c = init.kaimingUniform_(zeros([4, 3]), { generator: new Generator(6) });
  assert.deepEqual(a.toArray(), b.toArray());
  assert.notDeepEqual(a.toArray(), c.toArray());
});

test('every case of the PyTorch init fixtures passes', () => {
  const file = JSON.parse(readFileSync(new URL('../../../shared/fixtures/pytorch/init.json', import.meta.url), 'utf8'));
  assert.ok(file.cases.length >= 10);
  for (const c of file.cases) assert.equal(runInitCase(c), null, c.name);
  const wrong = { ...file.cases[0], expected: { ...file.cases[0].expected, std: file.cases[0].expected.std * 1.1 } };
  assert.match(runInitCase(wrong) ?? '', /sample std .* off/);
});
