import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Tensor, tensor } from '../../src/index.js';
import { Adagrad, Adam, AdamW, type Optimizer, RMSprop, SGD } from '../../src/optim/index.js';

const leaf = (v: number[]): Tensor => tensor(Float64Array.from(v), { requiresGrad: true });

/** Runs `steps` iterations of: zeroGrad, J(x).backward(), step. */
function minimise(opt: Optimizer, J: () => Tensor, steps: number): void {
  for (let k = 0; k < steps; k++) {
    opt.zeroGrad();
    J().backward();
    opt.step();
  }
}

test('SGD minimises J(x) = (x − 3)² to x = 3 (any tensor with requiresGrad, not a module)', () => {
  const x = leaf([-5]);
  minimise(new SGD([x], { lr: 0.1 }), () => x.sub(3).square().sum(), 200);
  assert.ok(Math.abs(x.item() - 3) < 1e-9, `x = ${x.item()}`);
});

test("the course's J(x) = x²/(1 + ln x) converges from x = 3 to its minimum x* = e^(−1/2)", () => {
  // J'(x) = [2x(1 + ln x) − x]/(1 + ln x)² = x(1 + 2 ln x)/(1 + ln x)², zero where ln x = −1/2.
  // J is defined for x > 1/e and increasing on x > 1, so from x = 3 descent crosses 1 and stops at e^(−1/2) ≈ 0.6065.
  const xStar = Math.exp(-0.5);
  const dJ = (x: number): number => (x * (1 + 2 * Math.log(x))) / (1 + Math.log(x)) ** 2;
  assert.ok(Math.abs(dJ(xStar)) < 1e-15);
  assert.ok(dJ(xStar - 0.01) < 0 && dJ(xStar + 0.01) > 0, 'a minimum, not a maximum');
  const J = (x: Tensor): Tensor => x.square().div(x.log().add(1)).sum();
  // Autograd agrees with the derivative above.
  const probe = leaf([3]);
  J(probe).backward();
  assert.ok(Math.abs(probe.grad!.item() - dJ(3)) < 1e-12);

  for (const [name, make] of [
    ['SGD', (x: Tensor) => new SGD([x], { lr: 0.1 })],
    ['SGD momentum', (x: Tensor) => new SGD([x], { lr: 0.05, momentum: 0.5 })],
    ['Adam', (x: Tensor) => new Adam([x], { lr: 0.05 })],
  ] as const) {
    const x = leaf([3]);
    minimise(make(x), () => J(x), 600);
    assert.ok(Math.abs(x.item() - xStar) < 1e-4, `${name}: x = ${x.item()}, expected ${xStar}`);
    assert.ok(Math.abs(J(x).item() - 2 / Math.E) < 1e-7, `${name}: J(x*) = 2/e`);
  }
});

test('momentum reaches the minimum of an ill-conditioned quadratic in fewer steps than plain SGD', () => {
  // f(x) = ½(x₀² + 100·x₁²): condition number 100. lr = 0.015 is stable for both (< 2/100).
  const stepsToConverge = (momentum: number): number => {
    const x = leaf([1, 1]);
    const opt = new SGD([x], { lr: 0.015, momentum });
    const scale = tensor(Float64Array.from([0.5, 50]));
    for (let k = 1; k <= 5000; k++) {
      opt.zeroGrad();
      x.square().mul(scale).sum().backward();
      opt.step();
      const d = x.data();
      if (Math.hypot(d[0], d[1]) < 1e-4) return k;
    }
    return Infinity;
  };
  const plain = stepsToConverge(0);
  const heavy = stepsToConverge(0.9);
  assert.ok(Number.isFinite(plain) && Number.isFinite(heavy), `plain ${plain}, momentum ${heavy}`);
  assert.ok(heavy * 2 < plain, `momentum took ${heavy} steps, plain SGD ${plain}`);
});

test('parameter groups: each group has its own lr, others come from the defaults', () => {
  const backbone = leaf([1, 1]);
  const head = leaf([1, 1]);
  const opt = new SGD([{ params: [backbone], lr: 0.01 }, { params: head }], { lr: 0.1, momentum: 0.9 });
  assert.equal(opt.paramGroups[0].lr, 0.01);
  assert.equal(opt.paramGroups[1].lr, 0.1);
  assert.equal(opt.paramGroups[0].momentum, 0.9);
  backbone.grad = tensor(Float64Array.from([1, 1]));
  head.grad = tensor(Float64Array.from([1, 1]));
  opt.step();
  assert.deepEqual(Array.from(backbone.data()), [0.99, 0.99]);
  assert.deepEqual(Array.from(head.data()), [0.9, 0.9]);
  // A scheduler (or the user) changes a group's lr between steps.
  opt.paramGroups[1].lr = 0;
  opt.step();
  assert.deepEqual(Array.from(head.data()), [0.9, 0.9]);

  const extra = leaf([5]);
  opt.addParamGroup({ params: extra, lr: 1 });
  extra.grad = tensor(Float64Array.from([1]));
  opt.step();
  assert.equal(extra.item(), 4);
  assert.equal(opt.paramGroups[2].momentum, 0.9);
});

test('stateDict round trip through JSON continues identically', () => {
  const cases: [string, (ps: Tensor[]) => Optimizer][] = [
    ['SGD', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true })],
    ['Adam', (ps) => new Adam(ps, { lr: 0.01, amsgrad: true })],
    ['AdamW', (ps) => new AdamW([{ params: ps.slice(0, 1) }, { params: ps.slice(1), lr: 0.1 }])],
    ['RMSprop', (ps) => new RMSprop(ps, { momentum: 0.5, centered: true })],
    ['Adagrad', (ps) => new Adagrad(ps, { lrDecay: 0.1 })],
  ];
  for (const [name, make] of cases) {
    const grad = (k: number, i: number): Tensor => tensor([Math.sin(k + i), Math.cos(3 * k - i)]);
    const a = [tensor([1, 2], { requiresGrad: true }), tensor([-1, 0.5], { requiresGrad: true })];
    const optA = make(a);
    for (let k = 0; k < 3; k++) {
      a.forEach((p, i) => (p.grad = grad(k, i)));
      optA.step();
    }
    optA.paramGroups[0].lr *= 0.5; // a scheduler's change is saved too
    const saved = JSON.parse(JSON.stringify(optA.stateDict()));
    const b = a.map((p) => tensor(p.data().slice(), { shape: p.shape, requiresGrad: true }));
    const optB = make(b);
    optB.loadStateDict(saved);
    assert.equal(optB.paramGroups[0].lr, optA.paramGroups[0].lr, name);
    for (let k = 3; k < 6; k++) {
      a.forEach((p, i) => (p.grad = grad(k, i)));
      b.forEach((p, i) => (p.grad = grad(k, i)));
      optA.step();
      optB.step();
    }
    a.forEach((p, i) => assert.deepEqual(Array.from(b[i].data()), Array.from(p.data()), `${name} param ${i}`));
  }
});

test('stateDict format: state keyed by parameter index across groups, buffers as { shape, data }', () => {
  const p = tensor([[1, 2]], { requiresGrad: true });
  const q = tensor([3], { requiresGrad: true });
  const opt = new Adam([{ params: [p] }, { params: [q], lr: 0.5 }]);
  q.grad = tensor([1]);
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual(Object.keys(sd.state), ['1']);
  assert.equal(sd.state['1'].step, 1);
  assert.deepEqual(sd.state['1'].expAvg, { shape: [1], data: [0.1 * 1] .map((v) => Math.fround(v)) });
  assert.equal(sd.state['1'].maxExpAvgSq, null);
  assert.deepEqual(sd.paramGroups.map((g) => g.params), [[0], [1]]);
  assert.equal(sd.paramGroups[1].lr, 0.5);
  assert.deepEqual(sd.paramGroups[0].betas, [0.9, 0.999]);
  // The dict is a copy: changing it does not change the optimizer.
  (sd.paramGroups[0].betas as number[])[0] = 0;
  assert.equal(opt.paramGroups[0].betas[0], 0.9);
});

test('loadStateDict errors on mismatched groups and sizes', () => {
  const make = () => new Adam([tensor([1, 2], { requiresGrad: true })]);
  const opt = make();
  opt.paramGroups[0].params[0].grad = tensor([1, 1]);
  opt.step();
  const sd = opt.stateDict();
  const twoGroups = new Adam([{ params: [tensor([1, 2], { requiresGrad: true })] }, { params: [tensor([1], { requiresGrad: true })] }]);
  assert.throws(() => twoGroups.loadStateDict(sd), /Adam\.loadStateDict: the state dict has 1 parameter groups but the optimizer has 2/);
  const twoParams = new Adam([tensor([1, 2], { requiresGrad: true }), tensor([1], { requiresGrad: true })]);
  assert.throws(() => twoParams.loadStateDict(sd), /parameter group 0 has 1 parameters in the state dict but 2 in the optimizer/);
  const bigger = new Adam([tensor([1, 2, 3], { requiresGrad: true })]);
  assert.throws(() => bigger.loadStateDict(sd), /state 'expAvg' of parameter 0 has shape \[2\] \(2 values\) but the parameter has shape \[3\]/);
  const broken = JSON.parse(JSON.stringify(sd));
  delete broken.state['0'].expAvgSq;
  assert.throws(() => make().loadStateDict(broken), /state of parameter 0 has no 'expAvgSq'/);
  broken.paramGroups[0].lr = -1;
  assert.throws(() => make().loadStateDict(broken), /Adam: lr = -1 in parameter group 0 of the state dict; expected a finite number >= 0/);
  assert.throws(() => make().loadStateDict({} as never), /Adam\.loadStateDict: got \{\}; expected \{ state, paramGroups \}/);
});

test('error messages name the optimizer, the value and what was expected', () => {
  const x = () => tensor([1], { requiresGrad: true });
  assert.throws(() => new SGD([x()], { lr: -0.1 }), /^Error: SGD: lr = -0\.1; expected a finite number >= 0$/);
  assert.throws(() => new SGD([x()]), /SGD: lr is required in parameter group 0 \(it has no default\)/);
  assert.throws(() => new SGD([x()], { lr: 0.1, nesterov: true }), /SGD: nesterov = true needs momentum > 0 and dampening = 0, got momentum = 0/);
  assert.throws(() => new SGD([x()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening = 0\.1/);
  assert.throws(() => new Adam([x()], { betas: [0.9, 1] }), /Adam: betas = \[0\.9,1\]; expected two numbers \[β1, β2\], each in \[0, 1\)/);
  assert.throws(() => new Adam([x()], { eps: -1 }), /Adam: eps = -1; expected a finite number >= 0/);
  assert.throws(() => new AdamW([x()], { weightDecay: Number.NaN }), /AdamW: weightDecay = NaN; expected a finite number >= 0/);
  assert.throws(() => new RMSprop([x()], { alpha: 1.5 }), /RMSprop: alpha = 1\.5; expected a number in \[0, 1\]/);
  assert.throws(() => new Adagrad([x()], { lrDecay: -1 }), /Adagrad: lrDecay = -1; expected a finite number >= 0/);
  assert.throws(() => new Adam([{ params: [x()], lr: -1 }]), /Adam: lr = -1 in parameter group 0; expected a finite number >= 0/);
  assert.throws(() => new Adam([x()], { weight_decay: 0.1 } as never), /Adam: unknown option 'weight_decay'; expected one of lr, betas, eps, weightDecay, amsgrad/);
  assert.throws(() => new Adam([{ params: [x()], weight_decay: 0.1 }]), /Adam: unknown option 'weight_decay' in parameter group 0; did you mean 'weightDecay'\?/);
  assert.throws(() => new Adam([x()], 0.1 as never), /Adam: options is 0\.1; expected an object such as \{ lr: 0\.01 \}/);

  assert.throws(() => new SGD([tensor([1])], { lr: 0.1 }), /SGD: parameter 0 in parameter group 0 \(shape \[1\]\) does not require grad; create it with requiresGrad: true/);
  assert.throws(() => new SGD([tensor([1], { dtype: 'int32' })], { lr: 0.1 }), /SGD: parameter 0 in parameter group 0 has dtype int32; only float32\/float64 tensors can be optimised/);
  const leafX = x();
  assert.throws(() => new SGD([leafX.mul(2)], { lr: 0.1 }), /SGD: parameter 0 in parameter group 0 is not a leaf \(it was computed by 'mul'\)/);
  assert.throws(() => new SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/);
  assert.throws(() => new SGD(leafX as never, { lr: 0.1 }), /SGD: params is a single Tensor of shape \[1\]; pass an array of tensors \(\[x\]\)/);
  assert.throws(() => new SGD([leafX, leafX], { lr: 0.1 }), /SGD: parameter 1 in parameter group 0 appears twice/);
  assert.throws(() => new SGD([{ params: [leafX] }, { params: [leafX] }], { lr: 0.1 }), /parameter 0 in parameter group 1 appears twice/);
  assert.throws(() => new SGD([leafX, 3] as never, { lr: 0.1 }), /SGD: parameter 1 in parameter group 0 is 3; expected a Tensor/);

  const p = x();
  const opt = new SGD([p], { lr: 0.1 });
  p.grad = tensor([1, 2]);
  assert.throws(() => opt.step(), /SGD\.step: parameter 0 in parameter group 0 has shape \[1\] and dtype float32, but its grad has shape \[2\] and dtype float32/);
  p.grad = tensor(Float64Array.from([1]));
  assert.throws(() => opt.step(), /its grad has shape \[1\] and dtype float64; they must match/);
});
