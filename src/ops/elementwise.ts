/**
 * Elementwise primitives. Each forward is one kernel call; each backward is written with ops, so it can be
 * differentiated again. Binary ops broadcast; their backward sums the gradient back to each input's shape.
 */
import { isGradEnabled } from '../autograd/mode.js';
import type { BinaryOp, FloatArr, UnaryOp } from '../backend/types.js';
import { isFloat } from '../tensor/dtype.js';
import { broadcastShapes, fmtShape, shapesEqual } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { sumTo } from './shape.js';
import { K, type TensorLike, addFlops, cast, coerce, empty, expectTensor, lift, record, toFloat } from './util.js';

function kernelUnary(op: UnaryOp, x: Tensor, dtype = x.dtype): Tensor {
  const out = empty(x.shape, dtype);
  K().unary(op, x._data, out._data);
  addFlops(out.numel());
  return out;
}

/** A float unary op: forward kernel `op`, backward `grad(g, x, y)`. */
function floatUnary(op: UnaryOp, x: Tensor, grad: (g: Tensor, x: Tensor, y: Tensor) => Tensor): Tensor {
  expectTensor(op, 'input', x);
  x = toFloat(x);
  const y = kernelUnary(op, x);
  return record(y, op, [x], (g) => [grad(g, x, y)]);
}

function kernelBinary(op: BinaryOp, a: Tensor, b: Tensor, dtype = a.dtype): Tensor {
  // Equal shapes: the output takes a's (frozen) shape array as is, with no broadcast to work out.
  const shape = a.shape === b.shape || shapesEqual(a.shape, b.shape) ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const out = empty(shape, dtype);
  K().binary(op, a._data, a.shape, b._data, b.shape, out._data, shape);
  addFlops(out.numel());
  return out;
}

/**
 * An activation's backward as one fused kernel, for when no graph of the gradient is recorded (the ops above
 * compose it otherwise, so it can be differentiated again).
 */
function activationBackward(op: 'relu' | 'tanh' | 'sigmoid', y: Tensor, g: Tensor): Tensor {
  if (g.dtype !== y.dtype) g = cast(g, y.dtype);
  const out = empty(y.shape, y.dtype);
  K().activationBackward(op, y._data as FloatArr, g._data as FloatArr, out._data as FloatArr);
  addFlops(2 * out.numel());
  return out;
}

// ---- unary ----

export const neg = (x: Tensor): Tensor => {
  expectTensor('neg', 'input', x);
  const y = kernelUnary('neg', x);
  return record(y, 'neg', [x], (g) => [neg(g)]);
};
export const exp = (x: Tensor): Tensor => floatUnary('exp', x, (g, _x, y) => mul(g, y));
export const log = (x: Tensor): Tensor => floatUnary('log', x, (g, x) => div(g, x));
export const sqrt = (x: Tensor): Tensor => floatUnary('sqrt', x, (g, _x, y) => div(g, mul(y, 2)));
export const rsqrt = (x: Tensor): Tensor => floatUnary('rsqrt', x, (g, _x, y) => mul(g, mul(pow(y, 3), -0.5)));
export const abs = (x: Tensor): Tensor => {
  expectTensor('abs', 'input', x);
  const y = kernelUnary('abs', x);
  return record(y, 'abs', [x], (g) => [mul(g, sign(x))]);
};
export const sigmoid = (x: Tensor): Tensor =>
  floatUnary('sigmoid', x, (g, _x, y) => (isGradEnabled() ? mul(g, mul(y, sub(1, y))) : activationBackward('sigmoid', y, g)));
export const tanh = (x: Tensor): Tensor =>
  floatUnary('tanh', x, (g, _x, y) => (isGradEnabled() ? mul(g, sub(1, mul(y, y))) : activationBackward('tanh', y, g)));
export const relu = (x: Tensor): Tensor => {
  expectTensor('relu', 'input', x);
  const y = kernelUnary('relu', x);
  return record(y, 'relu', [x], (g) =>
    [isGradEnabled() || !isFloat(y.dtype) || g.dtype !== y.dtype ? mul(g, cast(gt(x, 0), g.dtype)) : activationBackward('relu', y, g)]);
};
export const sin = (x: Tensor): Tensor => floatUnary('sin', x, (g, x) => mul(g, cos(x)));
export const cos = (x: Tensor): Tensor => floatUnary('cos', x, (g, x) => neg(mul(g, sin(x))));
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
export const erf = (x: Tensor): Tensor => floatUnary('erf', x, (g, x) => mul(g, mul(exp(neg(mul(x, x))), TWO_OVER_SQRT_PI)));
/** 1 − erf(x), accurate in the tails where 1 − erf(x) would cancel. */
export const erfc = (x: Tensor): Tensor => floatUnary('erfc', x, (g, x) => mul(g, mul(exp(neg(mul(x, x))), -TWO_OVER_SQRT_PI)));
export const log1p = (x: Tensor): Tensor => floatUnary('log1p', x, (g, x) => div(g, add(x, 1)));
export const expm1 = (x: Tensor): Tensor => floatUnary('expm1', x, (g, _x, y) => mul(g, add(y, 1)));
export const square = (x: Tensor): Tensor => mul(x, x);
export const reciprocal = (x: Tensor): Tensor => floatUnary('reciprocal', x, (g, _x, y) => neg(mul(g, mul(y, y))));
/** log(1 + eˣ) without overflow; a primitive so that its gradient, sigmoid(x), is exact at 0 too. */
export const softplusPrimitive = (x: Tensor): Tensor => floatUnary('softplus', x, (g, x) => mul(g, sigmoid(x)));

function piecewiseConstant(op: UnaryOp, x: Tensor): Tensor {
  expectTensor(op, 'input', x);
  const y = kernelUnary(op, x);
  // Zero gradient almost everywhere (PyTorch's convention for sign/floor/ceil/round).
  return record(y, op, [x], (g) => [mul(g, 0)]);
}
export const sign = (x: Tensor): Tensor => piecewiseConstant('sign', x);
export const floor = (x: Tensor): Tensor => piecewiseConstant('floor', x);
export const ceil = (x: Tensor): Tensor => piecewiseConstant('ceil', x);
export const round = (x: Tensor): Tensor => piecewiseConstant('round', x);
export const isnan = (x: Tensor): Tensor => kernelUnary('isnan', expectTensor('isnan', 'input', x), 'bool');
export const logicalNot = (x: Tensor): Tensor => kernelUnary('not', expectTensor('logicalNot', 'input', x), 'bool');

// ---- binary ----

export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coerce('add', a, b);
  const out = kernelBinary('add', x, y);
  return record(out, 'add', [x, y], (g) => [sumTo(g, x.shape), sumTo(g, y.shape)]);
}

export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coerce('sub', a, b);
  const out = kernelBinary('sub', x, y);
  return record(out, 'sub', [x, y], (g) => [sumTo(g, x.shape), y._requiresGrad ? sumTo(neg(g), y.shape) : null]);
}

export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coerce('mul', a, b);
  const out = kernelBinary('mul', x, y);
  return record(out, 'mul', [x, y], (g) => [
    x._requiresGrad ? sumTo(mul(g, y), x.shape) : null,
    y._requiresGrad ? sumTo(mul(g, x), y.shape) : null,
  ]);
}

/** True division: int operands give a float result. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coerce('div', a, b, true);
  const out = kernelBinary('div', x, y);
  return record(out, 'div', [x, y], (g) => [
    x._requiresGrad ? sumTo(div(g, y), x.shape) : null,
    y._requiresGrad ? sumTo(neg(mul(g, div(out, y))), y.shape) : null,
  ]);
}

/** x to the power e (a tensor or a number). Gradients e·x^(e−1) and x^e·ln x. */
export function pow(a: TensorLike, e: TensorLike): Tensor {
  if (typeof e === 'number' && a instanceof Tensor) {
    const x = isFloat(a.dtype) || Number.isInteger(e) ? a : toFloat(a);
    const out = kernelBinary('pow', x, lift(e, x.dtype));
    return record(out, 'pow', [x], (g) => [e === 0 ? mul(g, 0) : mul(g, mul(pow(x, e - 1), e))]);
  }
  const [x, y] = coerce('pow', a, e);
  const out = kernelBinary('pow', x, y);
  return record(out, 'pow', [x, y], (g) => [
    x._requiresGrad ? sumTo(mul(g, mul(y, pow(x, sub(y, 1)))), x.shape) : null,
    y._requiresGrad ? sumTo(mul(g, mul(out, log(x))), y.shape) : null,
  ]);
}

/** Elementwise max; the gradient goes to the larger input. */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coerce('maximum', a, b);
  const out = kernelBinary('maximum', x, y);
  return record(out, 'maximum', [x, y], (g) => {
    const m = cast(gt(x, y), g.dtype);
    return [x._requiresGrad ? sumTo(mul(g, m), x.shape) : null, y._requiresGrad ? sumTo(mul(g, sub(1, m)), y.shape) : null];
  });
}

/** Elementwise min; the gradient goes to the smaller input. */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coerce('minimum', a, b);
  const out = kernelBinary('minimum', x, y);
  return record(out, 'minimum', [x, y], (g) => {
    const m = cast(lt(x, y), g.dtype);
    return [x._requiresGrad ? sumTo(mul(g, m), x.shape) : null, y._requiresGrad ? sumTo(mul(g, sub(1, m)), y.shape) : null];
  });
}

function compare(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = coerce(op, a, b);
  return kernelBinary(op, x, y, 'bool');
}
export const eq = (a: TensorLike, b: TensorLike): Tensor => compare('eq', a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => compare('ne', a, b);
export const lt = (a: TensorLike, b: TensorLike): Tensor => compare('lt', a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => compare('le', a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => compare('gt', a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => compare('ge', a, b);
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => compare('and', a, b);
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => compare('or', a, b);

/** cond ? a : b elementwise, all three broadcast together; `cond` is a bool tensor. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  expectTensor('where', 'condition', cond);
  if (cond.dtype !== 'bool') throw new Error(`where: condition must be a bool tensor, got dtype ${cond.dtype}`);
  const [x, y] = coerce('where', a, b);
  const shape = broadcastShapes('where', broadcastShapes('where', cond.shape, x.shape), y.shape);
  const out = empty(shape, x.dtype);
  K().where(cond._data, cond.shape, x._data, x.shape, y._data, y.shape, out._data, shape);
  return record(out, 'where', [x, y], (g) => {
    const zero = lift(0, g.dtype);
    return [
      x._requiresGrad ? sumTo(where(cond, g, zero), x.shape) : null,
      y._requiresGrad ? sumTo(where(cond, zero, g), y.shape) : null,
    ];
  });
}

/** Limits values to [min, max] (either may be null); the gradient is 1 inside the range, 0 outside. */
export function clamp(x: Tensor, min: number | null = null, max: number | null = null): Tensor {
  expectTensor('clamp', 'input', x);
  if (min === null && max === null) throw new Error('clamp: at least one of min and max must be given');
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  if (lo > hi) throw new Error(`clamp: min ${lo} is greater than max ${hi}`);
  const out = empty(x.shape, x.dtype);
  K().clamp(x._data, lo, hi, out._data);
  return record(out, 'clamp', [x], (g) => [mul(g, cast(logicalAnd(ge(x, lo), le(x, hi)), g.dtype))]);
}

/** Checks two shapes are identical (for ops that do not broadcast). */
export function sameShape(op: string, a: Tensor, b: Tensor, what = 'input and target'): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new Error(`${op}: ${what} must have the same shape, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
}
