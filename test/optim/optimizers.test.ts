import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tensor, tensor } from '../../src/index.js';
import { Adagrad, Adam, AdamW, RMSprop, SGD } from '../../src/optim/index.js';

/** A float64 leaf, so hand-computed values can be compared to 1e-12. */
const leaf = (v: number[]): Tensor => tensor(Float64Array.from(v), { requiresGrad: true });
const setGrad = (p: Tensor, g: number[]): void => {
  p.grad = tensor(Float64Array.from(g));
};
function near(actual: ArrayLike<number>, expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

// The same two steps for every optimizer: p0 = [1, −2], gradients g1 then g2.
const P0 = [1, -2];
const G1 = [0.5, 1];
const G2 = [-0.25, 2];

describe('hand-computed steps on a 2-element tensor', () => {
  test('SGD, plain: p ← p − lr·g', () => {
    const p = leaf(P0);
    const opt = new SGD([p], { lr: 0.1 });
    setGrad(p, G1);
    opt.step();
    near(p.data(), [0.95, -2.1]);
    setGrad(p, G2);
    opt.step();
    near(p.data(), [0.975, -2.3]);
  });

  test('SGD with momentum, dampening and weight decay', () => {
    const p = leaf(P0);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5, weightDecay: 0.1 });
    setGrad(p, G1);
    opt.step();
    // d = g + 0.1p = [0.6, 0.8]; the first buffer is d itself (no dampening on step 1).
    near(p.data(), [1 - 0.06, -2 - 0.08]);
    setGrad(p, G2);
    opt.step();
    // d = [−0.25 + 0.094, 2 − 0.208] = [−0.156, 1.792]; b = 0.9·[0.6, 0.8] + 0.5·d = [0.462, 1.616]
    near(p.data(), [0.94 - 0.0462, -2.08 - 0.1616]);
  });

  test('SGD with Nesterov momentum: p ← p − lr·(d + μ·b)', () => {
    const p = leaf(P0);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.5, nesterov: true });
    setGrad(p, G1);
    opt.step();
    // b = [0.5, 1]; step = g + 0.5b = [0.75, 1.5]
    near(p.data(), [0.925, -2.15]);
    setGrad(p, G2);
    opt.step();
    // b = 0.5·[0.5, 1] + [−0.25, 2] = [0, 2.5]; step = [−0.25, 2] + [0, 1.25]
    near(p.data(), [0.95, -2.475]);
  });

  test('Adam: the first step moves each element by lr against the sign of its gradient', () => {
    const p = leaf(P0);
    const opt = new Adam([p], { lr: 0.01 });
    setGrad(p, G1);
    opt.step();
    // m̂ = g, v̂ = g²: p ← p − lr·g/(|g| + ε)
    near(p.data(), [1 - (0.01 * 0.5) / (0.5 + 1e-8), -2 - (0.01 * 1) / (1 + 1e-8)]);
    setGrad(p, G2);
    opt.step();
    const m = [0.9 * 0.05 + 0.1 * -0.25, 0.9 * 0.1 + 0.1 * 2]; // [0.02, 0.29]
    const v = [0.999 * 0.001 * 0.25 + 0.001 * 0.0625, 0.999 * 0.001 * 1 + 0.001 * 4];
    const bc1 = 1 - 0.81;
    const bc2 = 1 - 0.999 * 0.999;
    const p1 = [1 - 0.01 * 0.5 / (0.5 + 1e-8), -2 - 0.01 / (1 + 1e-8)];
    near(p.data(), p1.map((x, i) => x - ((0.01 / bc1) * m[i]) / (Math.sqrt(v[i]) / Math.sqrt(bc2) + 1e-8)));
  });

  test('Adam with amsgrad uses the running maximum of v', () => {
    const p = leaf([0]);
    const opt = new Adam([p], { lr: 0.1, betas: [0, 0.5], amsgrad: true, eps: 0 });
    setGrad(p, [2]);
    opt.step();
    near(p.data(), [-0.1]); // m = 2, v = 2, v̂ = 2 / (1 − 0.5)
    setGrad(p, [0.5]);
    opt.step();
    // v = 0.5·2 + 0.5·0.25 = 1.125 < vmax = 2: the denominator keeps vmax. β1 = 0: m = g, no bias correction.
    near(p.data(), [-0.1 - (0.1 * 0.5) / (Math.sqrt(2) / Math.sqrt(0.75))]);
  });

  test('Adam weight decay is an L2 term in the gradient; AdamW shrinks the weights instead', () => {
    const a = leaf([2]);
    const adam = new Adam([a], { lr: 0.1, weightDecay: 0.5 });
    setGrad(a, [-1]);
    adam.step();
    // g' = −1 + 0.5·2 = 0: no movement at all (m = 0).
    near(a.data(), [2]);
    const w = leaf([2]);
    const adamw = new AdamW([w], { lr: 0.1, weightDecay: 0.5 });
    setGrad(w, [-1]);
    adamw.step();
    // p ← 2·(1 − 0.05) = 1.9, then the Adam step +lr·1/(1 + ε)
    near(w.data(), [1.9 + 0.1 / (1 + 1e-8)]);
    assert.equal(new AdamW([leaf([0])]).defaults.weightDecay, 1e-2);
    assert.equal(new Adam([leaf([0])]).defaults.weightDecay, 0);
  });

  test('RMSprop, plain, centered and with momentum', () => {
    const p = leaf(P0);
    const opt = new RMSprop([p], { lr: 0.01, alpha: 0.9, eps: 0 });
    setGrad(p, G1);
    opt.step();
    // s = 0.1·g², so g/√s = sign(g)/√0.1
    near(p.data(), [1 - 0.01 / Math.sqrt(0.1), -2 - 0.01 / Math.sqrt(0.1)]);

    const c = leaf([0]);
    const centered = new RMSprop([c], { lr: 1, alpha: 0.5, eps: 0, centered: true });
    setGrad(c, [2]);
    centered.step();
    // s = 0.5·4 = 2, a = 0.5·2 = 1, avg = √(2 − 1) = 1
    near(c.data(), [-2]);

    const m = leaf([0]);
    const mom = new RMSprop([m], { lr: 1, alpha: 0, eps: 0, momentum: 0.5 });
    setGrad(m, [3]);
    mom.step(); // s = 9, b = 3/3 = 1
    setGrad(m, [-2]);
    mom.step(); // s = 4, b = 0.5 − 1 = −0.5
    near(m.data(), [-1 + 0.5]);
  });

  test('Adagrad: accumulated squares, decayed lr', () => {
    const p = leaf(P0);
    const opt = new Adagrad([p], { lr: 0.1, lrDecay: 0.5, eps: 0 });
    setGrad(p, G1);
    opt.step();
    near(p.data(), [0.9, -2.1]); // S = g², g/√S = sign(g)
    setGrad(p, G2);
    opt.step();
    // clr = 0.1/1.5; S = [0.3125, 5]
    near(p.data(), [0.9 + ((0.1 / 1.5) * 0.25) / Math.sqrt(0.3125), -2.1 - ((0.1 / 1.5) * 2) / Math.sqrt(5)]);
    const q = leaf([1]);
    const acc = new Adagrad([q], { lr: 1, initialAccumulatorValue: 3, eps: 0 });
    setGrad(q, [1]);
    acc.step();
    near(q.data(), [1 - 1 / 2]); // S = 3 + 1
  });

  test('float32 parameters keep float32 state and match float64 to float32 precision', () => {
    const p32 = tensor([1, -2], { requiresGrad: true });
    const p64 = leaf([1, -2]);
    const a = new Adam([p32], { lr: 0.01 });
    const b = new Adam([p64], { lr: 0.01 });
    for (let k = 0; k < 5; k++) {
      p32.grad = tensor([0.5 - k, 1 + k]);
      setGrad(p64, [0.5 - k, 1 + k]);
      a.step();
      b.step();
    }
    assert.ok(a.state.get(p32)!.expAvg instanceof Float32Array);
    assert.ok(b.state.get(p64)!.expAvg instanceof Float64Array);
    near(p32.data(), Array.from(p64.data()), 1e-6);
  });

  test('parameters whose grad is null are skipped and get no state', () => {
    const a = leaf([1]);
    const b = leaf([1]);
    const opt = new Adam([a, b], { lr: 0.1 });
    setGrad(a, [1]);
    opt.step();
    assert.equal(b.data()[0], 1);
    assert.ok(opt.state.has(a));
    assert.ok(!opt.state.has(b));
  });

  test('the gradient itself is not modified by weight decay', () => {
    const p = leaf([1, 2]);
    const opt = new SGD([p], { lr: 0.1, weightDecay: 1, momentum: 0.9 });
    setGrad(p, [1, 1]);
    opt.step();
    near(p.grad!.data(), [1, 1]);
  });

  test('zeroGrad sets grads to null, or to zeros with setToNone = false', () => {
    const p = leaf([1, 2]);
    const opt = new SGD([p], { lr: 0.1 });
    p.sum().backward();
    assert.ok(p.grad !== null);
    opt.zeroGrad();
    assert.equal(p.grad, null);
    p.sum().backward();
    const g = p.grad as unknown as Tensor;
    opt.zeroGrad(false);
    assert.equal(p.grad, g);
    near(g.data(), [0, 0]);
  });

  test('step(closure) evaluates the loss with grad recording and returns it', () => {
    const x = leaf([2]);
    const opt = new SGD([x], { lr: 0.25 });
    const loss = opt.step(() => {
      opt.zeroGrad();
      const l = x.square().sum();
      l.backward();
      return l.item();
    });
    assert.equal(loss, 4);
    near(x.data(), [1]); // 2 − 0.25·4
  });
});
