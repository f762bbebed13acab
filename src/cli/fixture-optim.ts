/**
 * Optimizer and scheduler fixture cases (FORMAT.md sections 6 and 7), run against src/optim.
 *
 * Optimizer cases run on float32 tensors, the library's default dtype, with float32 state: the reference ran
 * in float64, but float32 rounding over 5 steps stays far inside the cases' tolerance (rtol 1e-4, atol 1e-5):
 * the worst error measured on the shipped cases is 0.2% of the allowed one, so float64 is not needed.
 */
import { type Tensor, tensor } from '../index.js';
import {
  Adagrad, Adam, AdamW, type AnyOptimizer, CosineAnnealingLR, ExponentialLR, LambdaLR, MultiStepLR, OneCycleLR,
  type OneCycleLROptions, RMSprop, ReduceLROnPlateau, SGD, StepLR,
} from '../optim/index.js';
import type { FixtureTensor, OtherCase, Tol } from './fixture-cases.js';

type Args = Record<string, any>;

/** PyTorch's snake_case argument names → Backprop's camelCase ones (`weight_decay` → `weightDecay`, `T_max` → `tMax`). */
function camelArgs(args: Args): Args {
  const out: Args = {};
  for (const [k, v] of Object.entries(args)) {
    if (v === null) continue; // PyTorch's None: the default
    const name = k === 'T_max' ? 'tMax' : k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[name] = v;
  }
  return out;
}

/** PyTorch flags without a Backprop counterpart: fine when off, unsupported when on. */
const IGNORED_WHEN_OFF = ['maximize', 'foreach', 'capturable', 'differentiable', 'fused', 'verbose'];

function splitArgs(args: Args): { opts: Args; unsupported: string | null } {
  const opts = camelArgs(args);
  if (opts.lastEpoch === -1) delete opts.lastEpoch;
  for (const k of IGNORED_WHEN_OFF) {
    if (k in opts) {
      if (opts[k] !== false && opts[k] !== null) return { opts, unsupported: `argument ${k} = ${JSON.stringify(opts[k])} is not supported` };
      delete opts[k];
    }
  }
  return { opts, unsupported: null };
}

const OPTIMIZERS: Record<string, (params: Tensor[], opts: Args) => AnyOptimizer> = {
  SGD: (p, o) => new SGD(p, o),
  Adam: (p, o) => new Adam(p, o),
  AdamW: (p, o) => new AdamW(p, o),
  RMSprop: (p, o) => new RMSprop(p, o),
  Adagrad: (p, o) => new Adagrad(p, o),
};

const isClose = (a: number, e: number, t: Tol): boolean => Math.abs(a - e) <= t.atol + t.rtol * Math.abs(e);

/** The first element of `actual` outside the tolerance, described; null when all are close. */
function firstMismatch(actual: ArrayLike<number>, expected: readonly number[], tol: Tol): string | null {
  if (actual.length !== expected.length) return `has ${actual.length} values, expected ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    if (!isClose(actual[i], expected[i], tol)) return `element ${i} is ${actual[i]}, expected ${expected[i]} (|error| ${Math.abs(actual[i] - expected[i]).toExponential(3)})`;
  }
  return null;
}

/** Runs one optimizer case: 5 steps with the given gradients, params compared after each; null when it passes. */
export function runOptimizerCase(c: OtherCase): string | null {
  const make = OPTIMIZERS[c.op];
  if (!make) return `optimizer '${c.op}' is not supported by the fixture runner`;
  const { opts, unsupported } = splitArgs(c.args ?? {});
  if (unsupported) return `${c.op}: ${unsupported}`;
  const specs = c.params as (FixtureTensor & { name: string })[];
  const params = specs.map((p) => tensor(Float32Array.from(p.data), { shape: p.shape, requiresGrad: true }));
  const opt = make(params, opts);
  const steps = c.grad_steps as FixtureTensor[][];
  const expected = c.expected as FixtureTensor[][];
  for (let k = 0; k < steps.length; k++) {
    params.forEach((p, i) => (p.grad = tensor(Float32Array.from(steps[k][i].data), { shape: steps[k][i].shape })));
    opt.step();
    for (let i = 0; i < params.length; i++) {
      const bad = firstMismatch(params[i].data(), expected[k][i].data, c.tol);
      if (bad) return `step ${k + 1}, param ${specs[i].name ?? i}: ${bad}`;
    }
  }
  return null;
}

type SchedulerFactory = (opt: AnyOptimizer, a: Args) => { step(metric?: number): void };

const SCHEDULERS: Record<string, SchedulerFactory> = {
  StepLR: (o, a) => new StepLR(o, a.stepSize, a.gamma),
  MultiStepLR: (o, a) => new MultiStepLR(o, a.milestones, a.gamma),
  ExponentialLR: (o, a) => new ExponentialLR(o, a.gamma),
  CosineAnnealingLR: (o, a) => new CosineAnnealingLR(o, a.tMax, a.etaMin),
  OneCycleLR: (o, a) => new OneCycleLR(o, a as OneCycleLROptions),
  // A lambda cannot be stored in JSON: a case would give the factors per step as `lr_factors`.
  LambdaLR: (o, a) => new LambdaLR(o, (k) => a.lrFactors[k]),
  ReduceLROnPlateau: (o, a) => {
    const s = new ReduceLROnPlateau(o, a);
    return { step: (m?: number) => s.step(m as number) };
  },
};

/**
 * Runs one scheduler case: lrs[k] (and momentums[k] for OneCycleLR) after k calls to step(); null when it
 * passes. A ReduceLROnPlateau case needs the monitored values in `metrics` (metrics[k−1] is fed to call k).
 */
export function runSchedulerCase(c: OtherCase): string | null {
  const make = SCHEDULERS[c.op];
  if (!make) return `scheduler '${c.op}' is not supported by the fixture runner`;
  const { opts, unsupported } = splitArgs(c.args ?? {});
  if (unsupported) return `${c.op}: ${unsupported}`;
  const o = c.optimizer as { type: string; lr: number; momentum?: number; betas?: [number, number] };
  const makeOpt = OPTIMIZERS[o.type];
  if (!makeOpt) return `optimizer '${o.type}' is not supported by the fixture runner`;
  const optOpts: Args = { lr: o.lr };
  if (o.momentum !== undefined) optOpts.momentum = o.momentum;
  if (o.betas !== undefined) optOpts.betas = o.betas;
  const opt = makeOpt([tensor([0], { requiresGrad: true })], optOpts);
  const metrics = c.metrics as number[] | undefined;
  if (c.op === 'ReduceLROnPlateau' && !Array.isArray(metrics)) return 'ReduceLROnPlateau case has no metrics';
  const sched = make(opt, opts);
  const lrs = c.lrs as number[];
  const momentums = c.momentums as number[] | undefined;
  const useBetas = 'betas' in opt.defaults;
  for (let k = 0; k < lrs.length; k++) {
    if (k > 0) sched.step(metrics?.[k - 1]);
    const g = opt.paramGroups[0];
    if (!isClose(g.lr, lrs[k], c.tol)) return `lr after ${k} steps is ${g.lr}, expected ${lrs[k]}`;
    if (momentums) {
      const m = useBetas ? (g.betas as number[])[0] : (g.momentum as number);
      if (!isClose(m, momentums[k], c.tol)) return `momentum after ${k} steps is ${m}, expected ${momentums[k]}`;
    }
  }
  return null;
}
