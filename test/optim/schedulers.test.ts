import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tensor } from '../../src/index.js';
import {
  Adagrad, Adam, CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, OneCycleLR, ReduceLROnPlateau, SGD, StepLR,
} from '../../src/optim/index.js';

const sgd = (lr = 0.1, momentum = 0.9) => new SGD([tensor([0], { requiresGrad: true })], { lr, momentum });

/** lrs[k] = the group's lr after k calls to step(). */
function lrsOf(opt: SGD | Adam, sched: { step(): void }, n: number, group = 0): number[] {
  const out = [opt.paramGroups[group].lr];
  for (let k = 1; k < n; k++) {
    sched.step();
    out.push(opt.paramGroups[group].lr);
  }
  return out;
}

function closeAll(actual: number[], expected: number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, k) => assert.ok(Math.abs(a - expected[k]) <= tol * Math.max(1, Math.abs(expected[k])), `k = ${k}: ${a} vs ${expected[k]}`));
}

describe('closed forms', () => {
  test('StepLR: base·γ^⌊k/stepSize⌋', () => {
    const opt = sgd(0.1);
    const s = new StepLR(opt, 3, 0.5);
    closeAll(lrsOf(opt, s, 10), [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125]);
    closeAll(s.getLastLr(), [0.0125]);
    assert.equal(s.lastEpoch, 9);
  });

  test('MultiStepLR: γ at each milestone, a repeated milestone counts twice', () => {
    const opt = sgd(1);
    const s = new MultiStepLR(opt, [5, 2, 5], 0.1);
    closeAll(lrsOf(opt, s, 7), [1, 1, 0.1, 0.1, 0.1, 0.001, 0.001]);
  });

  test('ExponentialLR: base·γ^k', () => {
    const opt = sgd(2);
    const s = new ExponentialLR(opt, 0.5);
    closeAll(lrsOf(opt, s, 5), [2, 1, 0.5, 0.25, 0.125]);
  });

  test('CosineAnnealingLR: ηmin + (base − ηmin)(1 + cos(πk/T))/2, also past T', () => {
    const opt = sgd(0.1);
    const T = 4;
    const s = new CosineAnnealingLR(opt, T, 0.01);
    const expected = Array.from({ length: 3 * T + 1 }, (_, k) => 0.01 + (0.09 * (1 + Math.cos((Math.PI * k) / T))) / 2);
    closeAll(lrsOf(opt, s, 3 * T + 1), expected, 1e-10);
    assert.ok(Math.abs(expected[T] - 0.01) < 1e-15 && Math.abs(expected[2 * T] - 0.1) < 1e-15);
  });

  test('LambdaLR: base·f(k), one function per group', () => {
    const a = tensor([0], { requiresGrad: true });
    const b = tensor([0], { requiresGrad: true });
    const opt = new SGD([{ params: [a], lr: 1 }, { params: [b], lr: 0.5 }]);
    const s = new LambdaLR(opt, [(k) => (k + 1) / 4, (k) => 0.5 ** k]);
    closeAll(lrsOf(opt, s, 4, 0), [0.25, 0.5, 0.75, 1]);
    closeAll([opt.paramGroups[1].lr], [0.5 * 0.5 ** 3]);
    assert.throws(() => new LambdaLR(sgd(), [() => 1, () => 1]), /LambdaLR: lrLambda must be a function or an array of 1 functions/);
    const bad = new LambdaLR(sgd(), (k) => (k < 1 ? 1 : Number.NaN));
    assert.throws(() => bad.step(), /LambdaLR\.step: lrLambda\(1\) returned NaN for parameter group 0; expected a finite number/);
  });

  test('schedulers chain: two on one optimizer multiply (recursive forms)', () => {
    const opt = sgd(1);
    const a = new StepLR(opt, 2, 0.5);
    const b = new ExponentialLR(opt, 0.9);
    const lrs = [opt.paramGroups[0].lr];
    for (let k = 1; k <= 4; k++) {
      a.step();
      b.step();
      lrs.push(opt.paramGroups[0].lr);
    }
    closeAll(lrs, [0, 1, 2, 3, 4].map((k) => 0.5 ** Math.floor(k / 2) * 0.9 ** k));
    assert.deepEqual(a.baseLrs, [1]);
    assert.equal(opt.paramGroups[0].initialLr, 1);
  });
});

describe('OneCycleLR', () => {
  test('two phases, cos: initial → max at pctStart·T − 1, then → min at T − 1; momentum the other way', () => {
    const opt = sgd(123, 0.9);
    const T = 10;
    const s = new OneCycleLR(opt, { maxLr: 1, totalSteps: T });
    const lrs = [opt.paramGroups[0].lr];
    const moms = [opt.paramGroups[0].momentum];
    for (let k = 1; k <= T; k++) {
      s.step();
      lrs.push(opt.paramGroups[0].lr);
      moms.push(opt.paramGroups[0].momentum);
    }
    const initial = 1 / 25;
    const min = initial / 1e4;
    const cos = (a: number, b: number, pct: number) => b + ((a - b) / 2) * (Math.cos(Math.PI * pct) + 1);
    // Phase ends: 0.3·10 − 1 = 2 and 9.
    const expected = lrs.map((_, k) => (k <= 2 ? cos(initial, 1, k / 2) : cos(1, min, (k - 2) / 7)));
    closeAll(lrs, expected);
    closeAll([lrs[0], lrs[2], lrs[9]], [initial, 1, min]);
    closeAll([moms[0], moms[2], moms[9]], [0.95, 0.85, 0.95]);
    assert.throws(() => s.step(), /OneCycleLR\.step: call 11 goes beyond totalSteps = 10/);
    assert.equal(s.lastEpoch, 10, 'a refused step leaves the schedule where it was');
  });

  test('linear, three phases, epochs × stepsPerEpoch, and Adam betas[0] as momentum', () => {
    const opt = new Adam([tensor([0], { requiresGrad: true })], { betas: [0.9, 0.99] });
    const s = new OneCycleLR(opt, { maxLr: 0.5, epochs: 2, stepsPerEpoch: 5, pctStart: 0.25, annealStrategy: 'linear', threePhase: true, divFactor: 5, finalDivFactor: 10 });
    assert.equal(s.totalSteps, 10);
    const lrs = [opt.paramGroups[0].lr];
    const b1 = [opt.paramGroups[0].betas[0]];
    for (let k = 1; k < 10; k++) {
      s.step();
      lrs.push(opt.paramGroups[0].lr);
      b1.push(opt.paramGroups[0].betas[0]);
    }
    // Phase ends: 0.25·10 − 1 = 1.5, 2·2.5 − 2 = 3, 9. initial 0.1, min 0.01.
    const lin = (a: number, b: number, pct: number) => a + (b - a) * pct;
    const expected = lrs.map((_, k) => (k <= 1.5 ? lin(0.1, 0.5, k / 1.5) : k <= 3 ? lin(0.5, 0.1, (k - 1.5) / 1.5) : lin(0.1, 0.01, (k - 3) / 6)));
    closeAll(lrs, expected);
    closeAll([b1[0], b1[9]], [0.95, 0.95]);
    assert.ok(b1.every((b) => b >= 0.85 - 1e-12 && b <= 0.95 + 1e-12));
    assert.equal(opt.paramGroups[0].betas[1], 0.99);
  });

  test('errors', () => {
    assert.throws(() => new OneCycleLR(sgd(), { maxLr: 1 }), /OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch/);
    assert.throws(() => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 0 }), /OneCycleLR: totalSteps = 0; expected a positive integer/);
    assert.throws(() => new OneCycleLR(sgd(), { maxLr: 1, totalSteps: 5, pctStart: 1.5 }), /pctStart = 1\.5; expected a number in \[0, 1\]/);
    assert.throws(() => new OneCycleLR(sgd(), { maxLr: [1, 2], totalSteps: 5 }), /maxLr = \[1,2\]; expected a finite number or an array of 1/);
    const adagrad = new Adagrad([tensor([0], { requiresGrad: true })]);
    assert.throws(() => new OneCycleLR(adagrad, { maxLr: 1, totalSteps: 5 }), /cycleMomentum is true but Adagrad has no momentum or betas/);
    assert.doesNotThrow(() => new OneCycleLR(adagrad, { maxLr: 1, totalSteps: 5, cycleMomentum: false }));
  });
});

describe('ReduceLROnPlateau', () => {
  const run = (metrics: number[], options: ConstructorParameters<typeof ReduceLROnPlateau>[1]) => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, options);
    return metrics.map((m) => {
      s.step(m);
      return opt.paramGroups[0].lr;
    });
  };
  const plateau = [10, 9, 9, 9, 9, 9, 9, 9, 9, 9];

  test('patience: the lr falls after patience + 1 steps without improvement', () => {
    assert.deepEqual(run(plateau, { patience: 2, factor: 0.5 }), [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]);
  });

  test('cooldown: bad steps are not counted for `cooldown` steps after a reduction', () => {
    assert.deepEqual(run(plateau, { patience: 2, factor: 0.5, cooldown: 2 }), [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25]);
  });

  test('threshold: a relative improvement below threshold is not an improvement; abs mode; max mode', () => {
    // rel 0.1: after best 10, 9.5 is not better (needs < 9).
    assert.deepEqual(run([10, 9.5, 9.5], { patience: 1, threshold: 0.1 }), [1, 1, 0.1]);
    assert.deepEqual(run([10, 9.5, 9.5], { patience: 1, threshold: 0.4, thresholdMode: 'abs' }), [1, 1, 1]);
    assert.deepEqual(run([0.5, 0.6, 0.6, 0.6], { mode: 'max', patience: 1, threshold: 0 }), [1, 1, 1, 0.1]);
  });

  test('minLr bounds the lr and eps skips tiny reductions', () => {
    assert.deepEqual(run([1, 1, 1, 1, 1, 1], { patience: 0, factor: 0.5, minLr: 0.2 }), [1, 0.5, 0.25, 0.2, 0.2, 0.2]);
    assert.deepEqual(run([1, 1, 1], { patience: 0, factor: 0.5, eps: 0.6 }), [1, 1, 1]);
  });

  test('stateDict round trip continues identically; accepts a one-element tensor', () => {
    const opt = sgd(1);
    const s = new ReduceLROnPlateau(opt, { patience: 2 });
    [5, 4, 4].forEach((m) => s.step(m));
    const sd = JSON.parse(JSON.stringify(s.stateDict()));
    assert.deepEqual(sd, { lastEpoch: 3, best: 4, numBadEpochs: 1, cooldownCounter: 0, lastLr: [1] });
    const s2 = new ReduceLROnPlateau(opt, { patience: 2 });
    assert.equal(s2.stateDict().best, null);
    s2.loadStateDict(sd);
    s2.step(tensor([4]));
    assert.equal(opt.paramGroups[0].lr, 1);
    s2.step(4);
    assert.ok(Math.abs(opt.paramGroups[0].lr - 0.1) < 1e-15);
  });

  test('errors', () => {
    assert.throws(() => new ReduceLROnPlateau(sgd(), { factor: 1 }), /ReduceLROnPlateau: factor = 1; expected a number in \[0, 1\)/);
    assert.throws(() => new ReduceLROnPlateau(sgd(), { mode: 'up' as never }), /ReduceLROnPlateau: mode = "up"; expected 'min' or 'max'/);
    assert.throws(() => new ReduceLROnPlateau({} as never), /ReduceLROnPlateau: optimizer is object; expected an Optimizer/);
    assert.throws(() => new ReduceLROnPlateau(sgd()).step('x' as never), /ReduceLROnPlateau\.step: metric is string/);
  });
});

describe('scheduler state and errors', () => {
  test('stateDict round trip continues identically', () => {
    const run = (resumeAt: number | null): number[] => {
      let opt = sgd(0.1);
      let s = new CosineAnnealingLR(opt, 5, 0.001);
      const out: number[] = [];
      for (let k = 1; k <= 8; k++) {
        s.step();
        out.push(opt.paramGroups[0].lr);
        if (k === resumeAt) {
          const saved = JSON.parse(JSON.stringify({ o: opt.stateDict(), s: s.stateDict() }));
          opt = sgd(0.1);
          opt.loadStateDict(saved.o);
          s = new CosineAnnealingLR(opt, 5, 0.001);
          s.loadStateDict(saved.s);
        }
      }
      return out;
    };
    assert.deepEqual(run(3), run(null));
  });

  test('bad arguments and a group added after the scheduler', () => {
    assert.throws(() => new StepLR(sgd(), 0), /StepLR: stepSize = 0; expected a positive integer/);
    assert.throws(() => new StepLR(sgd(), 2, -1), /StepLR: gamma = -1; expected a finite number >= 0/);
    assert.throws(() => new MultiStepLR(sgd(), [1.5]), /MultiStepLR: milestones = \[1\.5\]; expected an array of non-negative integers/);
    assert.throws(() => new CosineAnnealingLR(sgd(), 0), /CosineAnnealingLR: tMax = 0; expected a number of steps > 0/);
    assert.throws(() => new ExponentialLR(null as never, 0.9), /ExponentialLR: optimizer is null; expected an Optimizer/);
    const opt = sgd();
    const s = new ExponentialLR(opt, 0.9);
    opt.addParamGroup({ params: [tensor([1], { requiresGrad: true })] });
    assert.throws(() => s.step(), /ExponentialLR\.step: the optimizer has 2 parameter groups but the scheduler was created with 1/);
    assert.throws(() => s.loadStateDict({ lastEpoch: 1, baseLrs: [1], lastLr: [1] }), /has lrs for 1 parameter groups but the optimizer has 2/);
  });
});
