// Every user mistake throws an Error that names the op, the shapes or values given, and what was expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as bp from '../../src/index.js';

const throws = (fn: () => unknown, message: string): void => assert.throws(fn, (e: Error) => {
  assert.equal(e.message, message);
  return true;
});

test('shape mismatches', () => {
  throws(() => bp.matmul(bp.zeros([32, 784]), bp.zeros([128, 10])), 'matmul: inner dimensions differ: [32,784] @ [128,10]');
  throws(() => bp.matmul(bp.zeros([]), bp.zeros([3])), 'matmul: both arguments need at least 1 dim, got [] @ [3]');
  throws(() => bp.add(bp.zeros([2, 3]), bp.zeros([4])), 'add: shapes [2,3] and [4] cannot be broadcast together (dim -1 is 3 vs 4; sizes must match or one must be 1)');
  throws(() => bp.reshape(bp.zeros([2, 3]), [4, 2]), 'reshape: cannot reshape [2,3] (6 elements) into [4,2] (8 elements)');
  throws(() => bp.reshape(bp.zeros([2, 3]), [-1, 4]), 'reshape: cannot reshape [2,3] (6 elements) into [-1,4]');
  throws(() => bp.expand(bp.zeros([2, 3]), [4, 3]), 'expand: cannot expand [2,3] to [4,3]: dim 0 has size 2, expected 1 or 4');
  throws(() => bp.cat([bp.zeros([2, 3]), bp.zeros([2, 4])], 0), 'cat: tensors[1] has shape [2,4], expected [-1,3] (every size but dim 0 must match tensors[0] [2,3])');
  throws(() => bp.stack([bp.zeros([2]), bp.zeros([3])]), 'stack: tensors[1] has shape [3], expected [2] like tensors[0]');
  throws(() => bp.linear(bp.zeros([5, 3]), bp.zeros([2, 4])), 'linear: input [5,3] does not end in weight\'s inFeatures 4 (weight [2,4])');
  throws(() => bp.mseLoss(bp.zeros([64, 1]), bp.zeros([64])), 'mseLoss: input [64,1] and target [64] must have the same shape (broadcasting them is almost always a bug: reshape one of them)');
  throws(() => bp.crossEntropy(bp.zeros([4, 3]), bp.zeros([5], { dtype: 'int32' })), 'crossEntropy: target shape [5] does not match input [4,3]; expected [4] (class dim 1 removed)');
  throws(() => bp.permute(bp.zeros([2, 3]), [0]), 'permute: got 1 dims [0] for a tensor with 2 dims [2,3]');
  throws(() => bp.layerNorm(bp.zeros([2, 3]), [4]), 'layerNorm: input [2,3] does not end in normalizedShape [4]');
  throws(() => bp.gather(bp.zeros([2, 3]), 1, bp.zeros([2], { dtype: 'int32' })), 'gather: index must have as many dims as the input, got [2] for input [2,3]');
});

test('dims and indices out of range', () => {
  throws(() => bp.sum(bp.zeros([2, 3]), 2), 'sum: dim 2 is out of range for a tensor with 2 dims (expected -2..1)');
  throws(() => bp.softmax(bp.zeros([2, 3]), -3), 'softmax: dim -3 is out of range for a tensor with 2 dims (expected -2..1)');
  throws(() => bp.indexSelect(bp.zeros([5, 2]), 0, bp.tensor([1, 7], { dtype: 'int32' })), 'indexSelect: index 7 is out of range for dim 0 of size 5 (expected 0..4)');
  throws(() => bp.narrow(bp.zeros([5]), 0, 3, 4), 'narrow: start 3 and length 4 are out of range for dim 0 of size 5 (shape [5])');
  throws(() => bp.crossEntropy(bp.zeros([2, 3]), bp.tensor([0, 3], { dtype: 'int32' })), 'crossEntropy: target 3 is out of range for 3 classes (expected 0..2, or ignoreIndex -100)');
  throws(() => bp.embedding(bp.tensor([10], { dtype: 'int32' }), bp.zeros([4, 2])), 'indexSelect: index 10 is out of range for dim 0 of size 4 (expected 0..3)');
});

test('wrong dtypes and values', () => {
  throws(() => bp.indexSelect(bp.zeros([5]), 0, bp.tensor([1])), 'indexSelect: index must be an int32 tensor, got dtype float32');
  throws(() => bp.where(bp.zeros([2]), bp.zeros([2]), bp.zeros([2])), 'where: condition must be a bool tensor, got dtype float32');
  throws(() => bp.crossEntropy(bp.zeros([2, 3]), bp.tensor([0, 1], { dtype: 'float64' })), 'crossEntropy: probability target [2] must have the input\'s shape [2,3]');
  throws(() => bp.tensor([1, 2], { dtype: 'int32', requiresGrad: true }), 'requiresGrad_: only float32/float64 tensors can require gradients, got dtype int32');
  throws(() => bp.binaryCrossEntropy(bp.tensor([0.5, 1.5]), bp.tensor([0, 1])), 'binaryCrossEntropy: input must hold probabilities in [0, 1], found 1.5 at flat index 1 (use binaryCrossEntropyWithLogits on raw scores)');
  throws(() => bp.tensor([[1, 2], [3]]), 'tensor: ragged nested array: element at [1] has length 1, expected an array of length 2 (inferred shape [2,2])');
  throws(() => bp.tensor([1, 'a' as never]), 'tensor: element at [1] is "a"; expected a number or boolean');
  throws(() => bp.zeros([2, -1]), 'full: invalid shape [2,-1]: sizes must be non-negative integers');
  throws(() => bp.add(bp.zeros([2]), [1, 2] as never), 'add: second argument must be a Tensor or a number, got an array (wrap it with tensor(…))');
  throws(() => bp.exp([1, 2] as never), 'exp: input must be a Tensor, got an array (wrap it with tensor(…))');
  throws(() => bp.dropout(bp.zeros([2]), 1.5), 'dropout: p must be in [0, 1], got 1.5');
  throws(() => bp.clamp(bp.zeros([2]), 1, 0), 'clamp: min 1 is greater than max 0');
});

test('autograd misuse', () => {
  throws(() => bp.tensor([1, 2], { requiresGrad: true }).mul(2).backward(), 'backward: gradient can be implied only for a scalar output, got shape [2]; pass a gradient of the same shape, or reduce the output (e.g. .sum()) first');
  throws(() => bp.tensor([1, 2]).sum().backward(), 'backward: tensor of shape [] does not require grad and has no gradFn (was it computed under noGrad, or from inputs without requiresGrad: true?)');
  throws(() => bp.tensor([1, 2], { requiresGrad: true }).mul(2).backward(bp.ones([3])), 'backward: gradient has shape [3] but the tensor has shape [2]');
  const x = bp.tensor([1, 2], { requiresGrad: true });
  const c = bp.tensor([1, 2]);
  throws(() => bp.grad(x.mul(c).sum(), [c]), 'grad: input 0 (shape [2]) does not require grad; create it with requiresGrad: true');
  throws(() => bp.grad(c.sum(), [x]), 'grad: output 0 (shape []) does not require grad; nothing connects it to the inputs');
});
