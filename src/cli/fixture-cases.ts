/** One case of the PyTorch reference format (../shared/fixtures/FORMAT.md) run against Backprop. */
import * as bp from '../index.js';
import { runInitCase } from './fixture-init.js';
import { runOptimizerCase, runSchedulerCase } from './fixture-optim.js';
import type { Tensor } from '../index.js';

export interface FixtureTensor { shape: number[]; data: number[] }
export interface FixtureInput extends FixtureTensor { name: string; dtype: 'float32' | 'int64' | 'bool'; requires_grad: boolean }
export interface Tol { rtol: number; atol: number }
export interface OpCase {
  kind?: undefined; name: string; op: string; args: Record<string, any>; inputs: FixtureInput[]; output: FixtureTensor;
  extra_outputs?: Record<string, FixtureTensor>; upstream: FixtureTensor; grads: (FixtureTensor | null)[]; tol: Tol;
}
export interface OtherCase { kind: 'optimizer' | 'scheduler' | 'init'; name: string; op: string; [k: string]: any }
export type FixtureCase = OpCase | OtherCase;
export interface FixtureFile { format_version: number; group: string; variant?: string; cases: FixtureCase[] }

type In = Record<string, Tensor>;
type OpResult = Tensor | { out: Tensor; extras: Record<string, Tensor> };
type OpFn = (x: In, args: Record<string, any>) => OpResult;

const unary = (f: (t: Tensor) => Tensor): OpFn => (x) => f(x.input);
const binary = (f: (a: Tensor, b: Tensor) => Tensor): OpFn => (x) => f(x.input, x.other);
const listInputs = (x: In, n: number): Tensor[] => Array.from({ length: n }, (_, i) => x[`input${i}`]);

/** Fixture op name → how to call Backprop. Arguments keep PyTorch's names, as the files write them. */
export const OPS: Record<string, OpFn> = {
  add: binary(bp.add),
  sub: binary(bp.sub),
  mul: binary(bp.mul),
  div: binary(bp.div),
  maximum: binary(bp.maximum),
  minimum: binary(bp.minimum),
  pow: (x, a) => bp.pow(x.input, x.exponent ?? a.exponent),
  neg: unary(bp.neg),
  exp: unary(bp.exp),
  log: unary(bp.log),
  sqrt: unary(bp.sqrt),
  abs: unary(bp.abs),
  sigmoid: unary(bp.sigmoid),
  tanh: unary(bp.tanh),
  relu: unary(bp.relu),
  leaky_relu: (x, a) => bp.leakyRelu(x.input, a.negative_slope),
  gelu: (x, a) => bp.gelu(x.input, a.approximate),
  softplus: (x, a) => bp.softplus(x.input, a.beta, a.threshold),
  elu: (x, a) => bp.elu(x.input, a.alpha),
  clamp: (x, a) => bp.clamp(x.input, a.min, a.max),
  where: (x) => bp.where(x.condition, x.input, x.other),

  sum: (x, a) => bp.sum(x.input, a.dim, a.keepdim),
  mean: (x, a) => bp.mean(x.input, a.dim, a.keepdim),
  max: (x, a) => bp.max(x.input, a.dim, a.keepdim),
  var: (x, a) => bp.variance(x.input, a.dim, { correction: a.unbiased === false ? 0 : 1, keepdim: a.keepdim }),
  logsumexp: (x, a) => bp.logsumexp(x.input, a.dim, a.keepdim),

  reshape: (x, a) => bp.reshape(x.input, a.shape),
  transpose: (x, a) => bp.transpose(x.input, a.dim0, a.dim1),
  permute: (x, a) => bp.permute(x.input, a.dims),
  expand: (x, a) => bp.expand(x.input, a.shape),
  broadcast_to: (x, a) => bp.broadcastTo(x.input, a.shape),
  cat: (x, a) => bp.cat(listInputs(x, a.n), a.dim),
  stack: (x, a) => bp.stack(listInputs(x, a.n), a.dim),
  narrow: (x, a) => bp.narrow(x.input, a.dim, a.start, a.length),
  slice: (x, a) => bp.slice(x.input, a.dim, a.start, a.end, a.step),
  index_select: (x, a) => bp.indexSelect(x.input, a.dim, x.index),
  gather: (x, a) => bp.gather(x.input, a.dim, x.index),
  squeeze: (x, a) => bp.squeeze(x.input, a.dim),
  unsqueeze: (x, a) => bp.unsqueeze(x.input, a.dim),
  flatten: (x, a) => bp.flatten(x.input, a.start_dim, a.end_dim),

  matmul: binary(bp.matmul),
  linear: (x) => bp.linear(x.input, x.weight, x.bias),

  softmax: (x, a) => bp.softmax(x.input, a.dim),
  log_softmax: (x, a) => bp.logSoftmax(x.input, a.dim),
  cross_entropy: (x, a) =>
    bp.crossEntropy(x.input, x.target, { weight: x.weight, reduction: a.reduction, labelSmoothing: a.label_smoothing, ignoreIndex: a.ignore_index }),
  nll_loss: (x, a) => bp.nllLoss(x.input, x.target, { weight: x.weight, reduction: a.reduction, ignoreIndex: a.ignore_index }),
  binary_cross_entropy: (x, a) => bp.binaryCrossEntropy(x.input, x.target, { weight: x.weight, reduction: a.reduction }),
  binary_cross_entropy_with_logits: (x, a) =>
    bp.binaryCrossEntropyWithLogits(x.input, x.target, { weight: x.weight, posWeight: x.pos_weight, reduction: a.reduction }),
  mse_loss: (x, a) => bp.mseLoss(x.input, x.target, { reduction: a.reduction }),
  l1_loss: (x, a) => bp.l1Loss(x.input, x.target, { reduction: a.reduction }),
  huber_loss: (x, a) => bp.huberLoss(x.input, x.target, { reduction: a.reduction, delta: a.delta }),
  smooth_l1_loss: (x, a) => bp.smoothL1Loss(x.input, x.target, { reduction: a.reduction, beta: a.beta }),
  batch_norm: (x, a) => {
    const out = bp.batchNorm(x.input, x.running_mean, x.running_var, x.weight, x.bias, { training: a.training, momentum: a.momentum, eps: a.eps });
    return { out, extras: { running_mean: x.running_mean, running_var: x.running_var } };
  },
  layer_norm: (x, a) => bp.layerNorm(x.input, a.normalized_shape, x.weight, x.bias, a.eps),
  embedding: (x, a) => bp.embedding(x.input, x.weight, a.padding_idx),

  conv2d: (x, a) => bp.conv2d(x.input, x.weight, x.bias, { stride: a.stride, padding: a.padding, dilation: a.dilation, groups: a.groups }),
  conv_transpose2d: (x, a) =>
    bp.convTranspose2d(x.input, x.weight, x.bias, {
      stride: a.stride, padding: a.padding, outputPadding: a.output_padding, dilation: a.dilation, groups: a.groups,
    }),
  max_pool2d: (x, a) => bp.maxPool2d(x.input, a.kernel_size, { stride: a.stride, padding: a.padding, dilation: a.dilation, ceilMode: a.ceil_mode }),
  avg_pool2d: (x, a) =>
    bp.avgPool2d(x.input, a.kernel_size, { stride: a.stride, padding: a.padding, ceilMode: a.ceil_mode, countIncludePad: a.count_include_pad }),
  adaptive_avg_pool2d: (x, a) => bp.adaptiveAvgPool2d(x.input, a.output_size),
};

function toTensor(t: FixtureInput): Tensor {
  const dtype = t.dtype === 'int64' ? 'int32' : t.dtype === 'bool' ? 'bool' : 'float32';
  return bp.tensor(Float64Array.from(t.data), { dtype, shape: t.shape, requiresGrad: t.requires_grad });
}

/** null when `actual` matches `expected` within tol; otherwise what differs, with the worst element. */
export function compare(what: string, actual: Tensor, expected: FixtureTensor, tol: Tol): string | null {
  const shape = [...actual.shape];
  if (shape.length !== expected.shape.length || shape.some((d, i) => d !== expected.shape[i])) {
    return `${what}: shape [${shape}] differs from expected [${expected.shape}]`;
  }
  const a = actual.data();
  let worst = -1;
  let worstRatio = 1;
  for (let i = 0; i < expected.data.length; i++) {
    const e = expected.data[i];
    const allowed = tol.atol + tol.rtol * Math.abs(e);
    const err = Math.abs(a[i] - e);
    const ratio = Number.isNaN(err) ? Infinity : err / allowed;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (worst < 0) return null;
  return `${what}: element ${worst} is ${a[worst]}, expected ${expected.data[worst]} (error ${(worstRatio).toPrecision(3)}× the tolerance)`;
}

function runOpCase(c: OpCase): string | null {
  const fn = OPS[c.op];
  if (!fn) return `op '${c.op}' is not supported by the fixture runner`;
  const inputs = c.inputs.map(toTensor);
  const named: In = {};
  c.inputs.forEach((inp, i) => (named[inp.name] = inputs[i]));
  const res = fn(named, c.args);
  const out = res instanceof bp.Tensor ? res : res.out;
  const problems: string[] = [];
  const o = compare('output', out, c.output, c.tol);
  if (o) problems.push(o);
  if (!(res instanceof bp.Tensor) && c.extra_outputs) {
    for (const [k, v] of Object.entries(c.extra_outputs)) {
      const p = res.extras[k] ? compare(k, res.extras[k], v, c.tol) : `${k}: not produced`;
      if (p) problems.push(p);
    }
  }
  if (c.grads.some((g) => g !== null)) {
    if (out.requiresGrad) {
      const up = bp.tensor(Float64Array.from(c.upstream.data), { dtype: out.dtype, shape: c.upstream.shape });
      out.backward(up);
    }
    c.grads.forEach((g, i) => {
      if (!g) return;
      const actual = inputs[i].grad ?? bp.zerosLike(inputs[i]);
      const p = compare(`grad of ${c.inputs[i].name}`, actual, g, c.tol);
      if (p) problems.push(p);
    });
  }
  return problems.length ? problems.join('; ') : null;
}

/** Kinds other than op cases. */
export const KIND_RUNNERS: Partial<Record<string, (c: OtherCase) => string | null>> = {
  init: runInitCase,
  optimizer: runOptimizerCase,
  scheduler: runSchedulerCase,
};

/** Runs one case; null when it passes, otherwise the reason. */
export function runCase(c: FixtureCase): string | null {
  if (c.kind === undefined) return runOpCase(c);
  const runner = KIND_RUNNERS[c.kind];
  if (!runner) return `case kind '${c.kind}' (${c.op}) is not implemented yet`;
  return runner(c);
}
