import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tensor } from '../../src/index.js';
import {
  accuracy, classificationReport, confusionMatrix, f1Score, logLoss, precision, precisionRecallFscoreSupport, recall,
} from '../../src/metrics/index.js';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

// scikit-learn's classification_report example. Per class (by hand):
// class 0: TP 1, FP 1, FN 0 → P 1/2, R 1, F1 2/3; class 1: TP 0, FP 1, FN 1 → 0, 0, 0; class 2: TP 2, FP 0, FN 1 → 1, 2/3, 4/5.
const yTrue = [0, 1, 2, 2, 2];
const yPred = [0, 0, 2, 2, 1];

test('accuracy counts exact matches, from arrays or tensors', () => {
  close(accuracy(yTrue, yPred), 3 / 5);
  close(accuracy(tensor([1, 0, 1], { dtype: 'int32' }), tensor([1, 1, 1])), 2 / 3);
  close(accuracy([true, false], [1, 0]), 1);
});

test('binary precision, recall and F1 (posLabel 1 and 0) match hand counts', () => {
  const t = [1, 1, 0, 0, 1, 0];
  const p = [1, 0, 1, 1, 1, 0];
  // posLabel 1: TP 2 (rows 0, 4), FP 2 (rows 2, 3), FN 1 (row 1).
  close(precision(t, p), 2 / 4);
  close(recall(t, p), 2 / 3);
  close(f1Score(t, p), (2 * 2) / (2 * 2 + 2 + 1));
  // posLabel 0: TP 1 (row 5), FP 1 (row 1), FN 2 (rows 2, 3).
  close(precision(t, p, { posLabel: 0 }), 1 / 2);
  close(recall(t, p, { posLabel: 0 }), 1 / 3);
  close(f1Score(t, p, { posLabel: 0 }), 2 / (2 + 1 + 2));
});

test('zero division gives 0', () => {
  assert.equal(precision([1, 0, 1], [0, 0, 0]), 0); // nothing predicted positive
  assert.equal(recall([0, 0, 0], [1, 0, 0]), 0); // no positive samples
  assert.equal(f1Score([0, 0], [0, 0]), 0);
});

test('macro, weighted and micro averages over three classes', () => {
  close(precision(yTrue, yPred, { average: 'macro' }), (0.5 + 0 + 1) / 3);
  close(recall(yTrue, yPred, { average: 'macro' }), (1 + 0 + 2 / 3) / 3);
  close(f1Score(yTrue, yPred, { average: 'macro' }), (2 / 3 + 0 + 0.8) / 3);
  // weights = supports 1, 1, 3
  close(precision(yTrue, yPred, { average: 'weighted' }), (0.5 * 1 + 0 * 1 + 1 * 3) / 5);
  close(recall(yTrue, yPred, { average: 'weighted' }), (1 + 0 + (2 / 3) * 3) / 5);
  close(f1Score(yTrue, yPred, { average: 'weighted' }), (2 / 3 + 0 + 0.8 * 3) / 5);
  for (const f of [precision, recall, f1Score]) close(f(yTrue, yPred, { average: 'micro' }), 0.6);
  const per = precisionRecallFscoreSupport(yTrue, yPred);
  assert.deepEqual(per.labels, [0, 1, 2]);
  assert.deepEqual(per.support, [1, 1, 3]);
  close(per.f1[0], 2 / 3);
});

test("average 'binary' refuses multi-class labels and an absent posLabel", () => {
  assert.throws(() => precision(yTrue, yPred), /precision: average 'binary' needs at most two classes.*\[0, 1, 2\]/);
  assert.throws(() => recall([2, 3], [3, 2]), /recall: posLabel 1 is not one of the labels \[2, 3\]/);
});

test('lengths that differ are named', () => {
  assert.throws(() => accuracy([1, 0, 1], [1, 0]), /accuracy: yTrue has 3 elements but yPred has 2/);
  assert.throws(() => f1Score([1, 0], [1]), /f1Score: yTrue has 2 elements but yPred has 1/);
});

test('confusionMatrix: rows are true classes', () => {
  assert.deepEqual(confusionMatrix(yTrue, yPred), [
    [1, 0, 0],
    [1, 0, 0],
    [0, 1, 2],
  ]);
  assert.deepEqual(confusionMatrix([0, 1], [1, 1], 3), [
    [0, 1, 0],
    [0, 1, 0],
    [0, 0, 0],
  ]);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /confusionMatrix: label 3 is out of range for numClasses 3/);
  assert.throws(() => confusionMatrix([0, 1.5], [0, 1]), /yTrue\[1\] is 1.5/);
});

test('classificationReport matches scikit-learn layout and values', () => {
  const expected = [
    '              precision    recall  f1-score   support',
    '',
    '     class 0       0.50      1.00      0.67         1',
    '     class 1       0.00      0.00      0.00         1',
    '     class 2       1.00      0.67      0.80         3',
    '',
    '    accuracy                           0.60         5',
    '   macro avg       0.50      0.56      0.49         5',
    'weighted avg       0.70      0.60      0.61         5',
    '',
  ].join('\n');
  assert.equal(classificationReport(yTrue, yPred, { targetNames: ['class 0', 'class 1', 'class 2'] }), expected);
});

test('logLoss: binary and multi-class cross-entropy, clipped', () => {
  close(logLoss([1, 0], [0.8, 0.3]), -(Math.log(0.8) + Math.log(0.7)) / 2);
  close(logLoss([0, 2], [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]), -(Math.log(0.7) + Math.log(0.6)) / 2);
  close(logLoss(tensor([0, 2], { dtype: 'int32' }), tensor([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], { dtype: 'float64' })), -(Math.log(0.7) + Math.log(0.6)) / 2);
  // a confident wrong answer costs −log(1e-15), not Infinity
  close(logLoss([1], [0]), -Math.log(1e-15), 1e-9);
  assert.throws(() => logLoss([0, 1, 1], [0.5, 0.5]), /logLoss: yTrue has 3 elements but yProb has 2 rows/);
  assert.throws(() => logLoss([3], [[0.5, 0.5]]), /logLoss: yTrue\[0\] is 3; expected a class index in \[0, 2\)/);
});
