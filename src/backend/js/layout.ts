import type { Arr, Shape } from '../types.js';
import { around } from './reduce.js';

export function permute(x: Arr, shape: Shape, dims: readonly number[], out: Arr): void {
  const nd = shape.length;
  const xs = new Array<number>(nd);
  let s = 1;
  for (let i = nd - 1; i >= 0; i--) {
    xs[i] = s;
    s *= shape[i];
  }
  const n = x.length;
  if (n === 0) return;
  const oshape = dims.map((d) => shape[d]);
  const ostr = dims.map((d) => xs[d]); // input stride for each output dim
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let p = 0; p < n; p++) {
    out[p] = x[off];
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      off += ostr[d];
      if (idx[d] < oshape[d]) break;
      off -= ostr[d] * oshape[d];
      idx[d] = 0;
    }
  }
}

export function slice(x: Arr, shape: Shape, dim: number, start: number, step: number, out: Arr, outShape: Shape): void {
  const [outer, n, inner] = around(shape, dim);
  const len = outShape[dim];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < len; j++) {
      const src = (o * n + start + j * step) * inner;
      const dst = (o * len + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
    }
  }
}

export function sliceAssign(out: Arr, outShape: Shape, dim: number, start: number, step: number, src: Arr, srcShape: Shape): void {
  const [outer, n, inner] = around(outShape, dim);
  const len = srcShape[dim];
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < len; j++) {
      const d = (o * n + start + j * step) * inner;
      const s = (o * len + j) * inner;
      for (let i = 0; i < inner; i++) out[d + i] = src[s + i];
    }
  }
}

export function cat(xs: readonly Arr[], shapes: readonly Shape[], dim: number, out: Arr): void {
  if (xs.length === 0) return;
  const [outer, , inner] = around(shapes[0], dim);
  let total = 0;
  for (const s of shapes) total += s[dim];
  let offset = 0;
  for (let t = 0; t < xs.length; t++) {
    const x = xs[t];
    const chunk = shapes[t][dim] * inner;
    for (let o = 0; o < outer; o++) {
      const dst = o * total * inner + offset;
      const src = o * chunk;
      for (let i = 0; i < chunk; i++) out[dst + i] = x[src + i];
    }
    offset += chunk;
  }
}

export function indexSelect(x: Arr, shape: Shape, dim: number, index: Int32Array, out: Arr): void {
  const [outer, n, inner] = around(shape, dim);
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * n + index[j]) * inner;
      const dst = (o * m + j) * inner;
      // Rows of a batch (inner = 784 for MNIST) go through TypedArray.set, a memcpy, instead of a loop that V8
      // compiles once for every array kind it meets.
      if (inner >= 16) (out as Float32Array).set((x as Float32Array).subarray(src, src + inner), dst);
      else for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
    }
  }
}

export function indexAdd(out: Arr, outShape: Shape, dim: number, index: Int32Array, src: Arr): void {
  const [outer, n, inner] = around(outShape, dim);
  const m = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const dst = (o * n + index[j]) * inner;
      const s = (o * m + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] += src[s + i];
    }
  }
}

/** Calls fn(indexPos, targetPos) for every element of index, where targetPos is its position in the full tensor. */
function walkIndex(shape: Shape, dim: number, index: Int32Array, indexShape: Shape, fn: (p: number, t: number) => void): void {
  const nd = indexShape.length;
  const tstr = new Array<number>(nd);
  let s = 1;
  for (let i = nd - 1; i >= 0; i--) {
    tstr[i] = s;
    s *= shape[i];
  }
  const n = index.length;
  if (n === 0) return;
  const idx = new Array<number>(nd).fill(0);
  let base = 0; // offset of the position with the dim coordinate set to 0
  for (let p = 0; p < n; p++) {
    fn(p, base + index[p] * tstr[dim]);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      if (d !== dim) base += tstr[d];
      if (idx[d] < indexShape[d]) break;
      if (d !== dim) base -= tstr[d] * indexShape[d];
      idx[d] = 0;
    }
  }
}

export function gather(x: Arr, shape: Shape, dim: number, index: Int32Array, indexShape: Shape, out: Arr): void {
  walkIndex(shape, dim, index, indexShape, (p, t) => {
    out[p] = x[t];
  });
}

export function scatterAdd(out: Arr, outShape: Shape, dim: number, index: Int32Array, indexShape: Shape, src: Arr): void {
  walkIndex(outShape, dim, index, indexShape, (p, t) => {
    out[t] += src[p];
  });
}
