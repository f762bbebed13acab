import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, tensor } from '../../src/index.js';
import { averagePrecision, precisionRecallCurve, rocAuc, rocCurve } from '../../src/metrics/index.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
const closeAll = (a: number[], b: number[]): void => {
  assert.equal(a.length, b.length, `[${a}] vs [${b}]`);
  a.forEach((v, i) => close(v, b[i]));
};

// scikit-learn's documented example.
const y = [0, 0, 1, 1];
const s = [0.1, 0.4, 0.35, 0.8];

test('rocCurve and rocAuc on the scikit-learn example', () => {
  const { fpr, tpr, thresholds } = rocCurve(y, s);
  closeAll(fpr, [0, 0, 0.5, 0.5, 1]);
  closeAll(tpr, [0, 0.5, 0.5, 1, 1]);
  assert.deepEqual(thresholds, [Infinity, 0.8, 0.4, 0.35, 0.1]);
  close(rocAuc(y, s), 0.75);
  close(rocAuc(tensor(y, { dtype: 'int32' }), tensor(s, { dtype: 'float64' })), 0.75);
});

test('precisionRecallCurve and averagePrecision on the scikit-learn example', () => {
  const { precision, recall, thresholds } = precisionRecallCurve(y, s);
  closeAll(precision, [0.5, 2 / 3, 0.5, 1, 1]);
  closeAll(recall, [1, 1, 0.5, 0.5, 0]);
  assert.deepEqual(thresholds, [0.1, 0.35, 0.4, 0.8]);
  close(averagePrecision(y, s), 5 / 6);
});

// Ties: positives score {0.9, 0.5, 0.2}, negatives {0.5, 0.2}.
const yt = [0, 1, 0, 1, 1];
const st = [0.5, 0.5, 0.2, 0.9, 0.2];

test('tied scores move together (one curve point per distinct score)', () => {
  const { fpr, tpr, thresholds } = rocCurve(yt, st);
  closeAll(fpr, [0, 0, 0.5, 1]);
  closeAll(tpr, [0, 1 / 3, 2 / 3, 1]);
  assert.deepEqual(thresholds, [Infinity, 0.9, 0.5, 0.2]);
  // Mann–Whitney by hand: pairs (pos, neg) won 1, tied ½: 0.9>0.5, 0.9>0.2, 0.5=0.5, 0.5>0.2, 0.2<0.5, 0.2=0.2 → 4/6.
  close(rocAuc(yt, st), 4 / 6);
  // AP: at 0.9 P=1 R=1/3; at 0.5 P=2/3 R=2/3; at 0.2 P=3/5 R=1 → (1 + 2/3 + 3/5) / 3.
  close(averagePrecision(yt, st), (1 + 2 / 3 + 3 / 5) / 3);
});

test('rocAuc equals the Mann–Whitney probability on random scores with many ties', () => {
  const g = new Generator(11);
  for (let trial = 0; trial < 5; trial++) {
    const n = 60;
    const labels = Array.from({ length: n }, () => (g.nextDouble() < 0.4 ? 1 : 0));
    labels[0] = 0;
    labels[1] = 1;
    const scores = Array.from({ length: n }, (_, i) => Math.round((labels[i] * 0.5 + g.nextDouble()) * 5) / 5);
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (labels[i] === 1 && labels[j] === 0) {
          pairs++;
          wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
        }
      }
    }
    close(rocAuc(labels, scores), wins / pairs, 1e-12);
  }
});

test('a perfect ranking gives AUC 1 and AP 1; posLabel picks the positive class', () => {
  close(rocAuc([0, 0, 1], [0.1, 0.2, 0.9]), 1);
  close(averagePrecision([0, 0, 1], [0.1, 0.2, 0.9]), 1);
  // with posLabel 0 the low scores are the "positives" of a reversed ranking
  close(rocAuc([0, 0, 1], [0.1, 0.2, 0.9], { posLabel: 0 }), 0);
  close(rocAuc([2, 2, 5], [0.1, 0.2, 0.9], { posLabel: 5 }), 1);
});

test('errors name the function, the lengths, and a single class', () => {
  assert.throws(() => rocAuc([0, 1, 1], [0.2, 0.3]), /rocAuc: yTrue has 3 elements but scores has 2/);
  assert.throws(() => rocAuc([1, 1, 1], [0.2, 0.3, 0.4]), /rocAuc: only one class is present in yTrue/);
  assert.throws(() => rocCurve([0, 0], [0.2, 0.3]), /rocCurve: only one class is present in yTrue/);
  assert.throws(() => averagePrecision([0, 0], [0.2, 0.3]), /averagePrecision: only one class is present in yTrue/);
  assert.throws(() => rocAuc([0, 1, 2], [0.2, 0.3, 0.1]), /rocAuc: yTrue has 3 classes/);
  assert.throws(() => rocAuc([0, 1], [0.2, NaN]), /rocAuc: scores element 1 is NaN/);
});
