import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed, noGrad, tensor } from '../../src/index.js';
import { BCELoss, Linear, Sequential, Sigmoid, Tanh } from '../../src/nn/index.js';

test('a 2-8-1 MLP trained with raw SGD learns XOR', () => {
  manualSeed(0);
  const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = tensor([[0], [1], [1], [0]]);
  const model = new Sequential(new Linear(2, 8), new Tanh(), new Linear(8, 1), new Sigmoid());
  const lossFn = new BCELoss();
  const lr = 0.5;
  let first = 0;
  let loss = 0;
  for (let step = 0; step < 2000; step++) {
    model.zeroGrad();
    const l = lossFn.forward(model.forward(x), y);
    l.backward();
    noGrad(() => {
      for (const p of model.parameters()) p.copy_(p.sub(p.grad!.mul(lr)));
    });
    loss = l.item();
    if (step === 0) first = loss;
  }
  assert.ok(first > 0.5, `initial loss ${first}`);
  assert.ok(loss < 0.05, `final loss ${loss}`);
  const pred = noGrad(() => model.forward(x));
  assert.deepEqual(Array.from(pred.data()).map((p) => (p > 0.5 ? 1 : 0)), [0, 1, 1, 0]);
});
