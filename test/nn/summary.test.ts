import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Tensor, ones } from '../../src/index.js';
import { BatchNorm1d, Dropout, Embedding, Flatten, Linear, Module, Parameter, ReLU, Sequential, summary } from '../../src/nn/index.js';

const mlp = (): Sequential =>
  new Sequential(new Flatten(), new Linear(784, 256), new ReLU(), new Linear(256, 128), new ReLU(), new Linear(128, 10));

test('summary of a 784-256-128-10 MLP: shapes, per-layer and total counts', () => {
  const s = summary(mlp(), [1, 28, 28]);
  const lines = s.split('\n');
  assert.match(lines[0], /^Layer \(type\)\s+Output shape\s+Param #$/);
  assert.match(s, /\n {2}0 \(Flatten\)\s+\[1,784\]\s+0\n/);
  assert.match(s, /\n {2}1 \(Linear\)\s+\[1,256\]\s+200,960\n/);
  assert.match(s, /\n {2}3 \(Linear\)\s+\[1,128\]\s+32,896\n/);
  assert.match(s, /\n {2}5 \(Linear\)\s+\[1,10\]\s+1,290\n/);
  assert.match(s, /\nSequential\s+\[1,10\]\s+0\n/);
  assert.deepEqual(lines.slice(-3), ['Total params: 235,146', 'Trainable params: 235,146', 'Non-trainable params: 0']);
});

test('summary counts frozen parameters as non-trainable', () => {
  const m = mlp();
  m.at(1).requiresGrad_(false);
  const lines = summary(m, [2, 784]).split('\n');
  assert.deepEqual(lines.slice(-3), ['Total params: 235,146', 'Trainable params: 34,186', 'Non-trainable params: 200,960']);
});

test('summary runs in eval mode, restores every training flag and removes its hooks', () => {
  const bn = new BatchNorm1d(4);
  const drop = new Dropout(0.5);
  const m = new Sequential(new Linear(3, 4), bn, drop);
  drop.eval(); // a mixed state, which must come back as it was
  // A batch of one would throw in training mode; eval mode uses the running statistics.
  summary(m, [1, 3]);
  assert.equal(bn.numBatchesTracked!.item(), 0);
  assert.deepEqual(m.modules().map((x) => x.training), [true, true, true, false]);
  assert.ok(m.modules().every((x) => !Object.hasOwn(x, 'forward')));
  assert.ok(m.parameters().every((p) => p.grad === null));
});

test('summary: nested custom models, own parameters, shared layers once, unused layers, int inputs', () => {
  class Net extends Module {
    temperature = new Parameter(ones([1]));
    embed = new Embedding(10, 4);
    body = new Sequential(new Linear(4, 4), new ReLU());
    tied = this.body;
    unused = new Linear(4, 2);
    override forward(ids: Tensor): Tensor {
      return this.tied.forward(this.body.forward(this.embed.forward(ids))).mul(this.temperature);
    }
  }
  const s = summary(new Net(), [2, 5], { dtype: 'int32' });
  assert.match(s, /^Net\s+\[2,5,4\]\s+1$/m);
  assert.match(s, /^ {2}embed \(Embedding\)\s+\[2,5,4\]\s+40$/m);
  assert.match(s, /^ {2}body \(Sequential\)\s+\[2,5,4\]\s+0$/m);
  assert.match(s, /^ {4}0 \(Linear\)\s+\[2,5,4\]\s+20$/m);
  assert.match(s, /^ {2}unused \(Linear\)\s+-\s+10$/m);
  assert.ok(!/tied/.test(s));
  assert.match(s, /Total params: 71\n/);
  assert.throws(() => summary({} as never, [1]), /summary: model must be a Module, got object/);
});
