import type { Arr, ReduceOp, Shape } from '../types.js';

const INIT: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

export function reduce(op: ReduceOp, x: Arr, shape: Shape, axes: readonly number[], out: Arr): void {
  const nd = shape.length;
  const reduced = new Array<boolean>(nd).fill(false);
  for (const a of axes) reduced[a] = true;
  // Output strides over the input's dims, 0 on reduced dims.
  const ostr = new Array<number>(nd).fill(0);
  let s = 1;
  for (let i = nd - 1; i >= 0; i--) {
    if (!reduced[i]) {
      ostr[i] = s;
      s *= shape[i];
    }
  }
  const acc = new Float64Array(out.length).fill(INIT[op]);
  const n = x.length;
  if (n > 0) {
    const idx = new Array<number>(nd).fill(0);
    let o = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      switch (op) {
        case 'sum': acc[o] += v; break;
        case 'prod': acc[o] *= v; break;
        case 'max': if (v > acc[o] || v !== v) acc[o] = v; break;
        case 'min': if (v < acc[o] || v !== v) acc[o] = v; break;
      }
      for (let d = nd - 1; d >= 0; d--) {
        idx[d]++;
        o += ostr[d];
        if (idx[d] < shape[d]) break;
        o -= ostr[d] * shape[d];
        idx[d] = 0;
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i];
}

/** Splits shape around `axis` into [outer, size, inner]. */
export function around(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis] ?? 1, inner];
}

export function argReduce(op: 'argmax' | 'argmin', x: Arr, shape: Shape, axis: number, out: Int32Array): void {
  const [outer, n, inner] = around(shape, axis);
  const sign = op === 'argmax' ? 1 : -1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let best = 0;
      let bv = -Infinity;
      for (let j = 0; j < n; j++) {
        const v = sign * x[(o * n + j) * inner + i];
        if (v > bv || (v !== v && bv === bv)) {
          bv = v;
          best = j;
        }
      }
      out[o * inner + i] = best;
    }
  }
}
