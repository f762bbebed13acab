// Goodfellow et al.'s headline on a small MNIST run (the full run is `backprop demo fgsm`): FGSM at ε = 0.25 fools
// softmax regression on almost every digit, with high confidence in the wrong class.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as bp from '../../src/index.js';
import * as nn from '../../src/nn/index.js';
import * as optim from '../../src/optim/index.js';
import { mnist } from '../../src/data/mnist.js';
import { fit } from '../../src/train/index.js';
import { fgsmAttack, robustAccuracy } from '../../src/trust/index.js';

test('FGSM at ε = 0.25 on softmax regression: error ≥ 95% (paper 99.9%), confident wrong answers', async () => {
  const d = await mnist({ train: 2000, test: 500, seed: 1 });
  bp.manualSeed(1);
  const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
  await fit(model, {
    data: [d.xTrain, d.yTrain], loss: 'crossEntropy', optimizer: new optim.Adam(model.parameters(), { lr: 3e-3 }),
    epochs: 4, batchSize: 64, verbose: false,
  });
  const [clean, small, paper] = robustAccuracy(model, [d.xTest, d.yTest], fgsmAttack(), [0, 0.05, 0.25]);
  assert.ok(clean.accuracy > 0.8, `clean accuracy ${clean.accuracy}`);
  assert.ok(small.accuracy < clean.accuracy, 'a small ε already costs accuracy');
  assert.ok(paper.errorRate >= 0.95, `FGSM error at ε = 0.25: ${paper.errorRate}`);
  assert.ok(paper.meanWrongConfidence > 0.5, `mean confidence on the wrong class: ${paper.meanWrongConfidence}`);
});
