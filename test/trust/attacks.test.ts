import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { fit } from '../../src/train/index.js';
import { fgsm, fgsmAttack, pgd, pgdAttack, robustAccuracy } from '../../src/trust/index.js';

/** A linear classifier with the given weight rows and biases. */
function linearModel(w: number[][], b: number[]): nn.Sequential {
  const lin = new nn.Linear(w[0].length, w.length);
  bp.noGrad(() => {
    lin.weight.copy_(bp.tensor(w));
    lin.bias!.copy_(bp.tensor(b));
  });
  return new nn.Sequential(lin);
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `index ${i}: ${a[i]} vs ${b[i]}`);
};

const softmaxRow = (z: number[]): number[] => {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, c) => a + c, 0);
  return e.map((v) => v / s);
};

function mlp(seed: number, d: number, c: number): nn.Sequential {
  bp.manualSeed(seed);
  return new nn.Sequential(new nn.Linear(d, 16), new nn.Tanh(), new nn.Linear(16, c));
}

describe('FGSM', () => {
  // Two-class logistic model: ∇ₓ CE = (p − onehot(y))·W = p_{y'}·(w_{y'} − w_y), so sign(∇) = sign(w_{y'} − w_y).
  const w = [[0.5, -1.0, 2.0], [-0.25, 0.5, 1.0]];
  const model = linearModel(w, [0.1, -0.2]);
  const x = bp.tensor([[0.5, 0.5, 0.5], [0.3, 0.6, 0.4]]);

  test('equals x + ε·sign(w_other − w_true) on a 2-class linear model', () => {
    const adv = fgsm(model, x, bp.tensor([0, 1], { dtype: 'int32' }), { eps: 0.1 });
    // Row 0 (y = 0): w₁ − w₀ = [−0.75, 1.5, −1.0] → signs [−, +, −]. Row 1 (y = 1): w₀ − w₁ = [0.75, −1.5, 1.0] → [+, −, +].
    close(adv.data(), [0.4, 0.6, 0.4, 0.4, 0.5, 0.5]);
  });

  test('a single-logit binary model follows sign(w) for y = 0 and −sign(w) for y = 1', () => {
    const bin = linearModel([[1.5, -0.5, 0.25]], [0]);
    const adv = fgsm(bin, x, bp.tensor([0, 1], { dtype: 'int32' }), { eps: 0.05 });
    close(adv.data(), [0.55, 0.45, 0.55, 0.25, 0.65, 0.35]);
  });

  test('clamps to the valid range, and clamp: null leaves it', () => {
    const edge = bp.tensor([[0.98, 0.02, 0.5]]);
    const y = bp.tensor([0], { dtype: 'int32' }); // direction [−, +, −]
    close(fgsm(model, edge, y, { eps: 0.1 }).data(), [0.88, 0.12, 0.4]);
    const flip = bp.tensor([[0.02, 0.98, 0.05]]);
    close(fgsm(model, flip, y, { eps: 0.1 }).data(), [0, 1, 0]);
    close(fgsm(model, flip, y, { eps: 0.1, clamp: null }).data(), [-0.08, 1.08, -0.05]);
  });

  test('targeted: x − ε·sign(Σ p_k w_k − w_t), and the target probability rises', () => {
    const w3 = [[1, -1, 0.5, 0], [-0.5, 1, 0, 0.3], [0.2, 0.2, -1, 1]];
    const b3 = [0, 0.1, -0.1];
    const m3 = linearModel(w3, b3);
    const xs = [0.4, 0.5, 0.6, 0.5];
    const target = 2;
    const z = w3.map((row, k) => row.reduce((s, v, j) => s + v * xs[j], b3[k]));
    const p = softmaxRow(z);
    const g = xs.map((_, j) => p.reduce((s, pk, k) => s + pk * w3[k][j], 0) - w3[target][j]);
    const expected = xs.map((v, j) => v - 0.05 * Math.sign(g[j]));
    const adv = fgsm(m3, bp.tensor([xs]), bp.tensor([0], { dtype: 'int32' }), { eps: 0.05, target });
    close(adv.data(), expected);
    const pAdv = bp.noGrad(() => m3.forward(adv).softmax(1).data());
    assert.ok(pAdv[target] > p[target], `target probability ${pAdv[target]} should exceed ${p[target]}`);
  });

  test('leaves the parameters’ .grad alone', () => {
    const m = mlp(1, 4, 3);
    fgsm(m, bp.rand([5, 4]), bp.randint(0, 3, [5]), { eps: 0.1 });
    for (const p of m.parameters()) assert.equal(p.grad, null);
  });

  test('rejects a negative ε and a malformed clamp', () => {
    assert.throws(() => fgsm(model, x, bp.tensor([0, 1], { dtype: 'int32' }), { eps: -0.1 }), /fgsm: eps must be/);
    assert.throws(() => fgsm(model, x, bp.tensor([0, 1], { dtype: 'int32' }), { eps: 0.1, clamp: [1, 0] }), /fgsm: clamp/);
    assert.throws(() => fgsm(model, x, bp.tensor([0, 1, 1], { dtype: 'int32' }), { eps: 0.1 }), /labels \[3\] do not match 2 inputs/);
  });
});

describe('PGD', () => {
  // Weights scaled up so that every class wins somewhere in the unit cube (a fresh init is nearly constant there).
  const model = mlp(2, 12, 4);
  bp.noGrad(() => model.parameters().forEach((p) => p.copy_(p.mul(4))));
  const g = new bp.Generator(3);
  const x = bp.rand([30, 12], { generator: g });
  const y = bp.randint(0, 4, [30], { generator: g });
  const lossOf = (xx: bp.Tensor): number => bp.noGrad(() => bp.crossEntropy(model.forward(xx), y).item());

  test('L∞: never leaves the ε-ball nor [0, 1], and raises the loss', () => {
    const eps = 0.07;
    // A step larger than ε makes every step rely on the projection.
    const adv = pgd(model, x, y, { eps, steps: 8, stepSize: 0.2, generator: new bp.Generator(0) });
    const a = adv.data();
    const o = x.data();
    let maxDev = 0;
    for (let i = 0; i < a.length; i++) {
      maxDev = Math.max(maxDev, Math.abs(a[i] - o[i]));
      assert.ok(a[i] >= 0 && a[i] <= 1, `value ${a[i]} outside [0, 1]`);
    }
    assert.ok(maxDev <= eps + 1e-6, `max |δ| = ${maxDev} > ε`);
    assert.ok(maxDev > 0.9 * eps, 'the attack should reach the edge of the ball');
    assert.ok(lossOf(adv) > lossOf(x));
  });

  test('L2: every example stays within ‖δ‖₂ ≤ ε and in [0, 1]', () => {
    const eps = 0.5;
    const adv = pgd(model, x, y, { eps, norm: 'l2', steps: 10, stepSize: 0.4, generator: new bp.Generator(1) });
    const a = adv.data();
    const o = x.data();
    let reached = 0;
    for (let r = 0; r < 30; r++) {
      let s = 0;
      for (let j = 0; j < 12; j++) {
        const v = a[r * 12 + j];
        assert.ok(v >= 0 && v <= 1);
        s += (v - o[r * 12 + j]) ** 2;
      }
      assert.ok(Math.sqrt(s) <= eps + 1e-5, `row ${r}: ‖δ‖₂ = ${Math.sqrt(s)} > ε`);
      if (Math.sqrt(s) > 0.9 * eps) reached++;
    }
    assert.ok(reached > 15, `only ${reached} of 30 rows moved to the boundary`);
    assert.ok(lossOf(adv) > lossOf(x));
  });

  test('is at least as strong as FGSM at the same ε (L∞)', () => {
    const eps = 0.1;
    const lossPgd = lossOf(pgd(model, x, y, { eps, steps: 20, generator: new bp.Generator(2) }));
    const lossFgsm = lossOf(fgsm(model, x, y, { eps }));
    assert.ok(lossPgd >= lossFgsm - 1e-4, `PGD loss ${lossPgd} < FGSM loss ${lossFgsm}`);
  });

  test('targeted: moves the inputs towards the target class', () => {
    const target = 3;
    const probT = (xx: bp.Tensor): Float32Array => bp.noGrad(() => model.forward(xx).softmax(1).select(1, target).data() as Float32Array);
    for (const norm of ['linf', 'l2'] as const) {
      const adv = pgd(model, x, y, { eps: norm === 'linf' ? 0.3 : 2, norm, target, steps: 20, generator: new bp.Generator(4) });
      const before = probT(x);
      const after = probT(adv);
      for (let i = 0; i < 30; i++) assert.ok(after[i] > before[i], `${norm} row ${i}: P(target) ${after[i]} ≤ ${before[i]}`);
      const pred = bp.noGrad(() => model.forward(adv).argmax(1).data());
      const hits = Array.from(pred).filter((p) => p === target).length;
      assert.ok(hits >= 25, `${norm}: only ${hits} of 30 inputs classified as the target`);
    }
  });

  test('is deterministic for a given generator seed', () => {
    const a = pgd(model, x, y, { eps: 0.1, steps: 3, generator: new bp.Generator(9) }).data();
    const b = pgd(model, x, y, { eps: 0.1, steps: 3, generator: new bp.Generator(9) }).data();
    assert.deepEqual(Array.from(a), Array.from(b));
  });
});

describe('robustAccuracy', () => {
  test('ε = 0 is the clean accuracy; FGSM lowers it; mean wrong confidence is over the misclassified', () => {
    const model = mlp(5, 6, 3);
    const g = new bp.Generator(6);
    const x = bp.rand([40, 6], { generator: g });
    const y = bp.noGrad(() => model.forward(x).argmax(1)); // every clean prediction right
    const yFlip = bp.tensor(Array.from(y.data(), (v, i) => (i < 10 ? (v + 1) % 3 : v)), { dtype: 'int32' });
    const [clean, attacked] = robustAccuracy(model, [x, yFlip], fgsmAttack(), [0, 0.3], { batchSize: 16 });
    assert.equal(clean.accuracy, 30 / 40);
    assert.equal(clean.errorRate, 10 / 40);
    // The 10 wrong ones are predicted as y (the model's argmax): their confidence is the max softmax.
    const p = bp.noGrad(() => model.forward(x).softmax(1).max(1).data());
    const expected = Array.from(p).slice(0, 10).reduce((s, v) => s + v, 0) / 10;
    assert.ok(Math.abs(clean.meanWrongConfidence - expected) < 1e-6);
    assert.ok(attacked.accuracy < clean.accuracy);
  });

  test('runs the attack in eval mode and restores training mode', () => {
    bp.manualSeed(7);
    const model = new nn.Sequential(new nn.Linear(4, 8), new nn.Dropout(0.5), new nn.Linear(8, 2));
    model.train();
    const seen: boolean[] = [];
    robustAccuracy(model, { x: bp.rand([4, 4]), y: bp.tensor([0, 1, 0, 1], { dtype: 'int32' }) }, (m, xx, yy, eps) => {
      seen.push((m as nn.Module).training);
      return pgdAttack({ steps: 2 })(m, xx, yy, eps);
    }, [0.1]);
    assert.deepEqual(seen, [false]);
    assert.equal(model.training, true);
  });
});

describe('adversarial training in fit()', () => {
  test('replaces round(ratio·n) rows of each batch with the attack’s output', async () => {
    bp.manualSeed(8);
    const model = mlp(8, 5, 2);
    const x = bp.rand([40, 5]);
    const y = bp.randint(0, 2, [40]);
    const sizes: number[] = [];
    await fit(model, {
      data: [x, y], loss: 'crossEntropy', optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 1, batchSize: 16, verbose: false,
      adversarial: { attack: (m, xb, yb) => { sizes.push(xb.shape[0]); return fgsm(m, xb, yb, { eps: 0.1 }); }, ratio: 0.5 },
    });
    assert.deepEqual(sizes, [8, 8, 4]); // batches of 16, 16, 8
  });

  test('makes a model more robust to FGSM than the same training without it', async () => {
    // One robust feature (class means 0.2 and 0.8) and 39 weak ones (means 0.45 and 0.55), noise σ = 0.08: plain
    // training leans on the weak features too, which an L∞ attack of 0.1 shifts all at once (Tsipras et al., 2019).
    const g = new bp.Generator(10);
    const n = 400;
    const y = bp.randint(0, 2, [n], { generator: g });
    const sep = bp.tensor([0.6, ...new Array<number>(39).fill(0.1)]);
    const x = bp.noGrad(() => bp.randn([n, 40], { generator: g }).mul(0.08).add(y.float().unsqueeze(1).sub(0.5).mul(sep)).add(0.5).clamp(0, 1));
    const train = async (adversarial: boolean): Promise<nn.Sequential> => {
      const m = mlp(11, 40, 2);
      await fit(m, {
        data: [x, y], loss: 'crossEntropy', optimizer: new optim.Adam(m.parameters(), { lr: 0.01 }), epochs: 20, batchSize: 50, verbose: false,
        adversarial: adversarial ? { attack: (mm, xb, yb) => fgsm(mm, xb, yb, { eps: 0.1 }) } : undefined,
      });
      return m;
    };
    const plain = await train(false);
    const robust = await train(true);
    const [cp, ap] = robustAccuracy(plain, [x, y], fgsmAttack(), [0, 0.1]);
    const [cr, ar] = robustAccuracy(robust, [x, y], fgsmAttack(), [0, 0.1]);
    assert.ok(cp.accuracy > 0.9 && cr.accuracy > 0.9, `clean accuracies ${cp.accuracy}, ${cr.accuracy}`);
    assert.ok(ar.errorRate < ap.errorRate / 2, `FGSM error: adversarially trained ${ar.errorRate} vs plain ${ap.errorRate}`);
  });
});
