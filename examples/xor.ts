// XOR with the raw API: a 2-8-1 MLP, tanh hidden layer, sigmoid output, BCE, backward() and a manual SGD step.
// The README shows this file; test/examples.test.ts runs the README's copy as written.
import { binaryCrossEntropy, manualSeed, noGrad, randn, tensor, zeros } from '../src/index.js';

manualSeed(0);
const x = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const y = tensor([[0], [1], [1], [0]]);
const w1 = randn([2, 8]).mul(0.5).requiresGrad_();
const b1 = zeros([8], { requiresGrad: true });
const w2 = randn([8, 1]).mul(0.5).requiresGrad_();
const b2 = zeros([1], { requiresGrad: true });
const params = [w1, b1, w2, b2];
const forward = () => x.matmul(w1).add(b1).tanh().matmul(w2).add(b2).sigmoid();

for (let step = 0; step < 2000; step++) {
  const loss = binaryCrossEntropy(forward(), y);
  params.forEach((p) => (p.grad = null));
  loss.backward();
  noGrad(() => params.forEach((p) => p.copy_(p.sub(p.grad!.mul(0.5)))));
  if (step % 500 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(4)}`);
}
const accuracy = noGrad(() => forward().gt(0.5).float().eq(y).float().mean().item());
console.log(`predictions: ${noGrad(forward).toString()}`);
console.log(`accuracy: ${accuracy * 100}%`);
