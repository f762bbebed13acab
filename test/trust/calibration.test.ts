import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as bp from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import {
  TemperatureScaled, expectedCalibrationError, fitTemperature, maxCalibrationError, reliabilityDiagram, temperatureNll, temperatureScale,
} from '../../src/trust/index.js';

describe('ECE, MCE and reliability diagrams', () => {
  // Confidences 0.95 (right), 0.75 (wrong), 0.7 (right), 0.55 (wrong), in 5 bins of width 0.2:
  // bin (0.4, 0.6]: acc 0, conf 0.55 → gap 0.55; bin (0.6, 0.8]: acc 0.5, conf 0.725 → gap 0.225;
  // bin (0.8, 1]: acc 1, conf 0.95 → gap 0.05. ECE = (0.55 + 2·0.225 + 0.05)/4 = 0.2625, MCE = 0.55.
  const probs = [[0.95, 0.05], [0.75, 0.25], [0.3, 0.7], [0.45, 0.55]];
  const labels = [0, 1, 1, 0];

  test('hand-made probabilities', () => {
    assert.ok(Math.abs(expectedCalibrationError(probs, labels, { bins: 5 }) - 0.2625) < 1e-12);
    assert.ok(Math.abs(maxCalibrationError(probs, labels, { bins: 5 }) - 0.55) < 1e-12);
    const d = reliabilityDiagram(bp.tensor(probs), bp.tensor(labels, { dtype: 'int32' }), { bins: 5 });
    assert.deepEqual(d.bins.map((b) => b.count), [0, 0, 1, 2, 1]);
    assert.ok(Number.isNaN(d.bins[0].accuracy));
    assert.equal(d.bins[3].accuracy, 0.5);
    assert.ok(Math.abs(d.bins[3].confidence - 0.725) < 1e-6);
    assert.ok(Math.abs(d.ece - 0.2625) < 1e-6);
    assert.equal(d.accuracy, 0.5);
    assert.ok(Math.abs(d.meanConfidence - 0.7375) < 1e-6);
  });

  test('a calibrated set has ECE 0; one-hot labels work too', () => {
    // Ten predictions at confidence 0.8, eight of them right.
    const p = Array.from({ length: 10 }, () => [0.2, 0.8]);
    const y = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0];
    assert.ok(expectedCalibrationError(p, y) < 1e-12);
    const oneHot = bp.tensor(y.map((c) => (c === 1 ? [0, 1] : [1, 0])));
    assert.ok(expectedCalibrationError(p, oneHot) < 1e-12);
  });

  test('refuses logits and mismatched labels', () => {
    assert.throws(() => expectedCalibrationError([[2, -1]], [0]), /max probability 2; expected probabilities in \[0, 1\]/);
    assert.throws(() => expectedCalibrationError(probs, [0, 1]), /labels \[2\] do not match 4 inputs/);
    assert.throws(() => reliabilityDiagram(probs, labels, { bins: 0 }), /bins must be a positive integer/);
  });
});

describe('temperature scaling', () => {
  // Labels drawn from softmax(z), logits reported as 3·z: an over-confident model whose best temperature is ≈ 3.
  function overconfident(n: number, seed: number): { logits: bp.Tensor; labels: bp.Tensor } {
    const g = new bp.Generator(seed);
    const z = bp.randn([n, 5], { generator: g }).mul(1.5);
    const p = z.softmax(1).data();
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let u = g.nextFloat();
      let k = 0;
      while (k < 4 && u >= p[i * 5 + k]) u -= p[i * 5 + k++];
      labels[i] = k;
    }
    return { logits: z.mul(3), labels: bp.tensor(labels) };
  }

  test('temperatureNll equals crossEntropy of logits / T', () => {
    const { logits, labels } = overconfident(50, 1);
    const want = bp.crossEntropy(logits.div(2.5), labels).item();
    assert.ok(Math.abs(temperatureNll(logits, labels, 2.5) - want) < 1e-5);
  });

  test('fitTemperature finds the minimum of the validation NLL (checked against a grid)', () => {
    const { logits, labels } = overconfident(2000, 2);
    const t = fitTemperature(logits, labels);
    let best = Infinity;
    let bestT = 0;
    for (let k = 0; k <= 800; k++) {
      const tk = 0.5 + k * 0.005;
      const v = temperatureNll(logits, labels, tk);
      if (v < best) [best, bestT] = [v, tk];
    }
    assert.ok(Math.abs(t - bestT) <= 0.003, `golden section ${t} vs grid ${bestT}`);
    assert.ok(Math.abs(t - 3) < 0.4, `T = ${t}, expected ≈ 3`);
  });

  test('fitted on a validation split, it lowers the held-out NLL and ECE and keeps every argmax', () => {
    const val = overconfident(1500, 3);
    const heldOut = overconfident(1500, 4);
    // A "model" that returns the stored logits of the row index it is given.
    class Lookup extends nn.Module {
      constructor(readonly table: bp.Tensor) { super(); }
      override forward(idx: bp.Tensor): bp.Tensor { return this.table.indexSelect(0, idx.reshape([-1]).int()); }
    }
    const rows = bp.arange(0, 1500).reshape([1500, 1]);
    const fitted = temperatureScale(new Lookup(val.logits), rows, val.labels);
    assert.ok(fitted.nllAfter < fitted.nllBefore);
    const scaled = new TemperatureScaled(new Lookup(heldOut.logits), fitted.temperature);
    const before = heldOut.logits;
    const after = bp.noGrad(() => scaled.forward(rows));
    assert.ok(temperatureNll(after, heldOut.labels) < temperatureNll(before, heldOut.labels));
    assert.ok(expectedCalibrationError(after.softmax(1), heldOut.labels) < expectedCalibrationError(before.softmax(1), heldOut.labels));
    assert.deepEqual(Array.from(after.argmax(1).data()), Array.from(before.argmax(1).data()));
  });
});
