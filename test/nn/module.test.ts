import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, manualSeed, ones, randn, tensor, zeros } from '../../src/index.js';
import { BatchNorm1d, Dropout, Linear, Module, Parameter, ReLU, Sequential, Sigmoid, Tanh } from '../../src/nn/index.js';

class Encoder extends Module {
  fc1 = new Linear(4, 3);
  hiddenLayer = new Linear(3, 2);
  override forward(x: Tensor): Tensor {
    return this.hiddenLayer.forward(this.fc1.forward(x).relu());
  }
}

class Model extends Module {
  scale = new Parameter(ones([1]));
  runningTotal = zeros([2]);
  encoder = new Encoder();
  heads = [new Linear(2, 1), new Linear(2, 1, { bias: false })];
  label = 'not a slot';
  override forward(x: Tensor): Tensor {
    const h = this.encoder.forward(x).mul(this.scale);
    return this.heads[0].forward(h).add(this.heads[1].forward(h));
  }
}

test('parameters are discovered in field order with PyTorch dotted, snake_case names', () => {
  const m = new Model();
  assert.deepEqual(m.namedParameters().map(([n]) => n), [
    'scale',
    'encoder.fc1.weight', 'encoder.fc1.bias', 'encoder.hidden_layer.weight', 'encoder.hidden_layer.bias',
    'heads.0.weight', 'heads.0.bias', 'heads.1.weight',
  ]);
  assert.equal(m.parameters()[1], m.encoder.fc1.weight);
  assert.deepEqual(m.namedBuffers().map(([n]) => n), ['running_total']);
  assert.deepEqual(m.namedChildren().map(([n]) => n), ['encoder', 'heads.0', 'heads.1']);
  assert.deepEqual(m.namedModules().map(([n]) => n), ['', 'encoder', 'encoder.fc1', 'encoder.hidden_layer', 'heads.0', 'heads.1']);
  assert.equal(m.modules().length, 6);
  assert.equal(m.children()[0], m.encoder);
  assert.equal(m.numParameters(), 1 + (12 + 3) + (6 + 2) + (2 + 1) + 2);
});

test('stateDict keys follow PyTorch: parameters, then buffers, then children; BatchNorm buffer names', () => {
  assert.deepEqual(Object.keys(new Model().stateDict()), [
    'scale', 'running_total',
    'encoder.fc1.weight', 'encoder.fc1.bias', 'encoder.hidden_layer.weight', 'encoder.hidden_layer.bias',
    'heads.0.weight', 'heads.0.bias', 'heads.1.weight',
  ]);
  const bn = new Sequential(new Linear(2, 3), new BatchNorm1d(3));
  assert.deepEqual(Object.keys(bn.stateDict()), [
    '0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked',
  ]);
  assert.deepEqual(bn.parameters().length, 4);
  assert.deepEqual(bn.namedBuffers().map(([n]) => n), ['1.running_mean', '1.running_var', '1.num_batches_tracked']);
});

test('shared parameters and shared modules are counted once; stateDict keeps every name', () => {
  class Tied extends Module {
    a = new Linear(2, 2);
    b = new Linear(2, 2);
    again = this.a;
    constructor() {
      super();
      this.b.weight = this.a.weight;
    }
    override forward(x: Tensor): Tensor {
      return this.b.forward(this.a.forward(x));
    }
  }
  const m = new Tied();
  assert.deepEqual(m.namedParameters().map(([n]) => n), ['a.weight', 'a.bias', 'b.bias']);
  assert.equal(m.numParameters(), 4 + 2 + 2);
  assert.deepEqual(m.namedModules().map(([n]) => n), ['', 'a', 'b']);
  assert.deepEqual(m.namedChildren().map(([n]) => n), ['a', 'b']);
  assert.deepEqual(Object.keys(m.stateDict()), ['a.weight', 'a.bias', 'b.weight', 'b.bias', 'again.weight', 'again.bias']);
});

test('two fields with the same key, and a module that contains itself, are reported', () => {
  class Clash extends Module {
    fooBar = new Linear(1, 1);
    foo_bar = new Linear(1, 1);
    override forward(x: Tensor): Tensor {
      return x;
    }
  }
  assert.throws(() => new Clash().parameters(), /fields 'fooBar' and 'foo_bar' both map to the key 'foo_bar'/);
  class Loop extends Module {
    inner = new Linear(1, 1);
    me: Module = this;
    override forward(x: Tensor): Tensor {
      return x;
    }
  }
  const loop = new Loop();
  assert.equal(loop.parameters().length, 2);
  assert.throws(() => loop.stateDict(), /stateDict: 'me' refers back to a module that contains it/);
});

test('stateDict round trip restores outputs; values are detached and share data', () => {
  manualSeed(1);
  const make = () => new Sequential(new Linear(3, 4), new BatchNorm1d(4), new Tanh(), new Linear(4, 2));
  const a = make();
  a.forward(randn([5, 3])); // moves a's running statistics away from their initial values
  const b = make();
  const x = randn([6, 3]);
  a.eval();
  b.eval();
  assert.notDeepEqual(b.forward(x).toArray(), a.forward(x).toArray());
  const sd = a.stateDict();
  assert.equal(sd['0.weight'].requiresGrad, false);
  assert.equal(sd['0.weight'].data(), (a.at(0) as Linear).weight.data());
  const res = b.loadStateDict(sd);
  assert.deepEqual(res, { missingKeys: [], unexpectedKeys: [] });
  assert.deepEqual(b.forward(x).toArray(), a.forward(x).toArray());
  assert.equal(b.stateDict()['1.num_batches_tracked'].item(), 1);
  assert.notEqual(b.stateDict()['0.weight'].data(), sd['0.weight'].data()); // copied, not aliased
  assert.equal((b.at(0) as Linear).weight.requiresGrad, true);
});

test('loadStateDict names every missing key, unexpected key and wrong shape in one error, and copies nothing', () => {
  const m = new Sequential(new Linear(2, 3), new Linear(3, 1));
  const before = m.stateDict()['1.weight'].toArray();
  const sd = {
    '0.weight': zeros([2, 3]),
    '1.weight': ones([1, 3]),
    '1.bias': zeros([1]),
    extra: zeros([1]),
    'other.bias': zeros([2]),
  };
  assert.throws(
    () => m.loadStateDict(sd),
    (e: Error) => {
      assert.match(e.message, /^loadStateDict: the state dict does not fit Sequential: /);
      assert.match(e.message, /missing keys: 0\.bias;/);
      assert.match(e.message, /unexpected keys: extra, other\.bias;/);
      assert.match(e.message, /wrong shapes: 0\.weight is \[2,3\] in the state dict but \[3,2\] in the model/);
      return true;
    },
  );
  assert.deepEqual(m.stateDict()['1.weight'].toArray(), before);
  // Non-strict still refuses wrong shapes and non-tensors…
  assert.throws(() => m.loadStateDict(sd, { strict: false }), (e: Error) => !/missing/.test(e.message) && /wrong shapes: 0\.weight/.test(e.message));
  assert.throws(() => m.loadStateDict({ '0.weight': [[1, 2]] } as never, { strict: false }), /0\.weight is object, not a Tensor/);
  // …and otherwise loads what it has and reports the rest.
  const res = m.loadStateDict({ '1.weight': tensor([[1, 2, 3]]), extra: zeros([1]) }, { strict: false });
  assert.deepEqual(res, { missingKeys: ['0.weight', '0.bias', '1.bias'], unexpectedKeys: ['extra'] });
  assert.deepEqual(m.stateDict()['1.weight'].toArray(), [[1, 2, 3]]);
});

test('train() and eval() reach every submodule', () => {
  const m = new Sequential(new Linear(2, 2), new Sequential(new Dropout(0.5), new BatchNorm1d(2)));
  assert.ok(m.modules().every((x) => x.training));
  assert.equal(m.eval(), m);
  assert.ok(m.modules().every((x) => !x.training));
  m.train();
  assert.ok(m.modules().every((x) => x.training));
  m.train(false);
  assert.ok(m.modules().every((x) => !x.training));
});

test('zeroGrad clears gradients; requiresGrad_(false) freezes a part of the model', () => {
  manualSeed(2);
  const m = new Sequential(new Linear(3, 4), new ReLU(), new Linear(4, 1));
  const first = m.at(0) as Linear;
  const last = m.at(-1) as Linear;
  assert.equal(first.requiresGrad_(false), first);
  m.forward(randn([5, 3])).sum().backward();
  assert.equal(first.weight.grad, null);
  assert.equal(first.bias!.grad, null);
  assert.ok(last.weight.grad instanceof Tensor);
  assert.ok(last.bias!.grad instanceof Tensor);
  assert.equal(m.numParameters({ trainableOnly: true }), 5);
  m.zeroGrad();
  assert.ok(m.parameters().every((p) => p.grad === null));
  m.requiresGrad_(true);
  assert.equal(m.numParameters({ trainableOnly: true }), m.numParameters());
});

test('apply visits children before their parent, each module once', () => {
  const inner = new Sequential(new Linear(1, 1), new ReLU());
  const m = new Sequential(inner, new Sigmoid(), inner);
  const seen: string[] = [];
  assert.equal(m.apply((x) => seen.push(x.constructor.name)), m);
  assert.deepEqual(seen, ['Linear', 'ReLU', 'Sequential', 'Sigmoid', 'Sequential']);
});

test('toString prints like PyTorch repr', () => {
  const seq = new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1), new Sigmoid());
  assert.equal(
    seq.toString(),
    'Sequential(\n' +
      '  (0): Linear(inFeatures=2, outFeatures=8, bias=true)\n' +
      '  (1): ReLU()\n' +
      '  (2): Linear(inFeatures=8, outFeatures=1, bias=true)\n' +
      '  (3): Sigmoid()\n' +
      ')',
  );
  class Net extends Module {
    encoder = new Sequential(new Linear(2, 8), new Tanh());
    head = new Linear(8, 1, { bias: false });
    override forward(x: Tensor): Tensor {
      return this.head.forward(this.encoder.forward(x));
    }
  }
  assert.equal(
    String(new Net()),
    'Net(\n' +
      '  (encoder): Sequential(\n' +
      '    (0): Linear(inFeatures=2, outFeatures=8, bias=true)\n' +
      '    (1): Tanh()\n' +
      '  )\n' +
      '  (head): Linear(inFeatures=8, outFeatures=1, bias=false)\n' +
      ')',
  );
  assert.equal(new Dropout(0.25).toString(), 'Dropout(p=0.25)');
  assert.match(new Parameter(zeros([1])).toString(), /^Parameter containing:\ntensor\(\[0\.\], requiresGrad=true\)$/);
});

test('forward hooks fire however forward is called, can replace the output, and are removable', () => {
  const lin = new Linear(2, 2);
  const seq = new Sequential(lin, new ReLU());
  const calls: number[][] = [];
  const removeA = lin.registerForwardHook((mod, inputs, out) => {
    assert.equal(mod, lin);
    assert.deepEqual(inputs[0].shape, [3, 2]);
    calls.push([...out.shape]);
  });
  const removeB = lin.registerForwardHook((_m, _i, out) => out.mul(0).sub(1));
  const y = seq.forward(ones([3, 2]));
  assert.deepEqual(calls, [[3, 2]]);
  assert.deepEqual(y.toArray(), [[0, 0], [0, 0], [0, 0]]); // relu(−1)
  removeB();
  removeB(); // a second call is harmless
  assert.ok(Object.hasOwn(lin, 'forward'));
  removeA();
  assert.ok(!Object.hasOwn(lin, 'forward'));
  seq.forward(ones([3, 2]));
  assert.equal(calls.length, 1);
  assert.ok(!Object.keys(lin).includes('forward'));
});

test('Parameter shares the data of the tensor it wraps and requires grad by default', () => {
  const t = tensor([1, 2]);
  const p = new Parameter(t);
  assert.ok(p instanceof Tensor);
  assert.equal(p.data(), t.data());
  assert.equal(p.requiresGrad, true);
  assert.equal(new Parameter(t, false).requiresGrad, false);
  assert.throws(() => new Parameter(tensor([1], { dtype: 'int32' })), /requiresGrad_: only float32\/float64/);
});
