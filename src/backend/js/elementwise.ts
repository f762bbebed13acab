import type { Arr, BinaryOp, Shape, UnaryOp } from '../types.js';
import { erf, erfc } from './special.js';

type F1 = (x: number) => number;
type F2 = (a: number, b: number) => number;

function sigmoid(x: number): number {
  // Stable on both sides: never exp of a large positive number.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

const UNARY: Record<UnaryOp, F1> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: Math.abs,
  sign: Math.sign,
  sigmoid,
  tanh: Math.tanh,
  relu: (x) => (x < 0 ? 0 : x),
  sin: Math.sin,
  cos: Math.cos,
  erf,
  erfc,
  log1p: Math.log1p,
  expm1: Math.expm1,
  square: (x) => x * x,
  // log(1 + eˣ) = log1p(e^−|x|) + max(x, 0): no overflow for any x.
  softplus: (x) => Math.log1p(Math.exp(-Math.abs(x))) + (x > 0 ? x : 0),
  reciprocal: (x) => 1 / x,
  floor: Math.floor,
  ceil: Math.ceil,
  // Round half to even, as PyTorch does.
  round: (x) => {
    const r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  not: (x) => (x === 0 ? 1 : 0),
  isnan: (x) => (x !== x ? 1 : 0),
};

const BINARY: Record<BinaryOp, F2> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a > b || a !== a ? a : b),
  minimum: (a, b) => (a < b || a !== a ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
  and: (a, b) => (a !== 0 && b !== 0 ? 1 : 0),
  or: (a, b) => (a !== 0 || b !== 0 ? 1 : 0),
};

export function unary(op: UnaryOp, x: Arr, out: Arr): void {
  const f = UNARY[op];
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
}

/** Strides of `shape` aligned to `outShape` (right-aligned), 0 where the dim is broadcast. */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const nd = outShape.length;
  const strides = new Array<number>(nd).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = i + nd - shape.length;
    strides[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/**
 * Walks outShape in row-major order, calling body(outOffset, offsets…) for each innermost row:
 * `body(p, offs, inner, innerStrides)` where offs[j] is operand j's offset at the row start.
 */
function forEachRow(
  outShape: Shape,
  strides: number[][],
  body: (p: number, offs: number[], inner: number, innerStrides: number[]) => void,
): void {
  const nd = outShape.length;
  let size = 1;
  for (const d of outShape) size *= d;
  if (size === 0) return;
  const inner = nd === 0 ? 1 : outShape[nd - 1];
  const innerStrides = strides.map((s) => (nd === 0 ? 0 : s[nd - 1]));
  const rows = size / inner;
  const idx = new Array<number>(Math.max(nd - 1, 0)).fill(0);
  const offs = strides.map(() => 0);
  for (let r = 0, p = 0; r < rows; r++, p += inner) {
    body(p, offs, inner, innerStrides);
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      for (let j = 0; j < offs.length; j++) offs[j] += strides[j][d];
      if (idx[d] < outShape[d]) break;
      for (let j = 0; j < offs.length; j++) offs[j] -= strides[j][d] * outShape[d];
      idx[d] = 0;
    }
  }
}

export function binary(op: BinaryOp, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape): void {
  const f = BINARY[op];
  const n = out.length;
  if (a.length === n && b.length === n) {
    for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    return;
  }
  if (a.length === n && b.length === 1) {
    const bv = b[0];
    for (let i = 0; i < n; i++) out[i] = f(a[i], bv);
    return;
  }
  if (a.length === 1 && b.length === n) {
    const av = a[0];
    for (let i = 0; i < n; i++) out[i] = f(av, b[i]);
    return;
  }
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  forEachRow(outShape, [sa, sb], (p, offs, inner, is) => {
    const [ao, bo] = offs;
    const [ia, ib] = is;
    for (let j = 0; j < inner; j++) out[p + j] = f(a[ao + j * ia], b[bo + j * ib]);
  });
}

export function where(
  cond: Arr, cShape: Shape, a: Arr, aShape: Shape, b: Arr, bShape: Shape, out: Arr, outShape: Shape,
): void {
  const sc = broadcastStrides(cShape, outShape);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  forEachRow(outShape, [sc, sa, sb], (p, offs, inner, is) => {
    const [co, ao, bo] = offs;
    const [ic, ia, ib] = is;
    for (let j = 0; j < inner; j++) out[p + j] = cond[co + j * ic] ? a[ao + j * ia] : b[bo + j * ib];
  });
}

export function expand(x: Arr, shape: Shape, outShape: Shape, out: Arr): void {
  const sx = broadcastStrides(shape, outShape);
  forEachRow(outShape, [sx], (p, offs, inner, is) => {
    const xo = offs[0];
    const ix = is[0];
    for (let j = 0; j < inner; j++) out[p + j] = x[xo + j * ix];
  });
}

export function clamp(x: Arr, lo: number, hi: number, out: Arr): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

export function cast(x: Arr, out: Arr): void {
  if (out instanceof Uint8Array) {
    for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0;
  } else if (out instanceof Int32Array) {
    for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]);
  } else {
    out.set(x);
  }
}
