import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import { CORRUPTIONS, SEVERITY_LEVELS, corrupt, evaluateShift } from '../../src/trust/index.js';

const images = bp.rand([6, 1, 28, 28], { generator: new bp.Generator(1) });

describe('corruptions', () => {
  test('preserve shape and range for [N, 784], [N, 28, 28] and [N, 1, 28, 28], and are seeded', () => {
    for (const c of CORRUPTIONS) {
      for (const shape of [[6, 784], [6, 28, 28], [6, 1, 28, 28]]) {
        const x = images.reshape(shape);
        const a = corrupt(x, c, 3, { seed: 5 });
        assert.deepEqual(a.shape, shape);
        assert.ok(Array.from(a.data()).every((v) => v >= 0 && v <= 1), `${c} leaves [0, 1]`);
        assert.deepEqual(Array.from(corrupt(x, c, 3, { seed: 5 }).data()), Array.from(a.data()), `${c} is not deterministic`);
        assert.notDeepEqual(Array.from(a.data()), Array.from(x.data()), `${c} changed nothing`);
      }
    }
    const n1 = corrupt(images, 'gaussianNoise', 2, { seed: 1 }).data();
    const n2 = corrupt(images, 'gaussianNoise', 2, { seed: 2 }).data();
    assert.notDeepEqual(Array.from(n1), Array.from(n2));
    assert.deepEqual(Array.from(corrupt(images, 'rotate', 0).data()), Array.from(images.data()));
  });

  test('rotation by 90° permutes the pixels (one of the two quarter turns per image)', () => {
    const r = corrupt(images, 'rotate', 5, { seed: 3 }).data();
    const x = images.data();
    assert.equal(SEVERITY_LEVELS.rotate[4], 90);
    for (let n = 0; n < 6; n++) {
      const o = n * 784;
      // out[i][j] = x[27 − j][i] for one turn, x[j][27 − i] for the other.
      const err = (f: (i: number, j: number) => number): number => {
        let e = 0;
        for (let i = 0; i < 28; i++) for (let j = 0; j < 28; j++) e = Math.max(e, Math.abs(r[o + i * 28 + j] - f(i, j)));
        return e;
      };
      const e1 = err((i, j) => x[o + (27 - j) * 28 + i]);
      const e2 = err((i, j) => x[o + j * 28 + 27 - i]);
      assert.ok(Math.min(e1, e2) < 1e-5, `image ${n}: errors ${e1}, ${e2}`);
    }
  });

  test('full inversion is 1 − x; blur keeps a constant image; noise has the level’s standard deviation', () => {
    const inv = corrupt(images, 'invert', 5).data();
    const x = images.data();
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(inv[i] - (1 - x[i])) < 1e-6);
    const grey = bp.full([2, 28, 28], 0.5);
    assert.ok(Array.from(corrupt(grey, 'gaussianBlur', 5).data()).every((v) => Math.abs(v - 0.5) < 1e-6));
    const noisy = corrupt(grey, 'gaussianNoise', 1, { seed: 4 }).data();
    let s2 = 0;
    for (const v of noisy) s2 += (v - 0.5) ** 2;
    const sd = Math.sqrt(s2 / noisy.length);
    assert.ok(Math.abs(sd - SEVERITY_LEVELS.gaussianNoise[0]) < 0.005, `noise sd ${sd}`);
    // Blur spreads a single bright pixel and keeps its total mass (away from the edges).
    const dot = bp.zeros([1, 28, 28]);
    dot.data()[14 * 28 + 14] = 1;
    const b = corrupt(dot, 'gaussianBlur', 2).data();
    assert.ok(b[14 * 28 + 14] < 0.5 && b[14 * 28 + 15] > 0.05);
    assert.ok(Math.abs(Array.from(b).reduce((s, v) => s + v, 0) - 1) < 1e-5);
  });

  test('checks its arguments', () => {
    assert.throws(() => corrupt(images, 'rotate', 6), /severity must be an integer in 0..5/);
    assert.throws(() => corrupt(images, 'fog' as never, 1), /unknown corruption 'fog'/);
    assert.throws(() => corrupt(bp.rand([2, 27]), 'rotate', 1), /not square/);
  });
});

describe('evaluateShift', () => {
  bp.manualSeed(7);
  const x = bp.rand([40, 784], { generator: new bp.Generator(8) });
  const model = new nn.Sequential(new nn.Linear(784, 32), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(32, 3));
  const y = bp.noGrad(() => model.eval().forward(x).argmax(1));

  test('one row per corruption and severity, with accuracies that match a direct evaluation', () => {
    const report = evaluateShift(model, x, y, { corruptions: ['gaussianNoise', 'invert'], severities: [1, 5], mcSamples: 5, seed: 2 });
    assert.equal(report.rows.length, 4);
    assert.equal(report.clean.accuracy, 1);
    assert.equal(report.mcSamples, 5);
    for (const r of report.rows) {
      const xs = corrupt(x, r.corruption as 'invert', r.severity, { seed: 2 });
      const pred = bp.noGrad(() => model.forward(xs).argmax(1).data());
      const acc = Array.from(pred).filter((p, i) => p === y.data()[i]).length / 40;
      assert.equal(r.accuracy, acc);
      assert.equal(r.level, SEVERITY_LEVELS[r.corruption as 'invert'][r.severity - 1]);
      for (const v of [r.aurocMsp, r.aurocEntropy, r.ece]) assert.ok(v >= 0 && v <= 1);
    }
    assert.equal(model.training, false);
  });

  test('the entropy AUROC is skipped (NaN) for a model without dropout', () => {
    const lin = new nn.Sequential(new nn.Linear(784, 3));
    const report = evaluateShift(lin, x, y, { corruptions: ['invert'], severities: [5] });
    assert.ok(Number.isNaN(report.rows[0].aurocEntropy));
    assert.equal(report.mcSamples, 0);
  });
});
