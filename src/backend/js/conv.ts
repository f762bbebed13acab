import type { Arr, Backend, FloatArr, Shape, Window2d } from '../types.js';
import { matmul } from './matmul.js';

/** [lo, hi): the window positions o < count whose coordinate o·s + start lies inside [0, n). */
function insideRange(start: number, s: number, n: number, count: number): [number, number] {
  const lo = start >= 0 ? 0 : Math.ceil(-start / s);
  const hi = start >= n ? 0 : Math.min(count, Math.floor((n - 1 - start) / s) + 1);
  return [Math.min(lo, hi), hi];
}

export function unfold2d(x: Arr, shape: Shape, win: Window2d, out: Arr): void {
  const [N, C, H, W] = shape;
  const { kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = win;
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        // The columns inside the input are the same for every row: split each row into pad | inside | pad.
        const ix0 = kj * dw - pw;
        const [lo, hi] = insideRange(ix0, sw, W, ow);
        for (let oy = 0; oy < oh; oy++, o += ow) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= H) {
            for (let ox = 0; ox < ow; ox++) out[o + ox] = 0;
            continue;
          }
          const src = base + iy * W + ix0;
          for (let ox = 0; ox < lo; ox++) out[o + ox] = 0;
          for (let ox = lo; ox < hi; ox++) out[o + ox] = x[src + ox * sw];
          for (let ox = hi; ox < ow; ox++) out[o + ox] = 0;
        }
      }
    }
  }
}

export function fold2d(cols: Arr, outShape: Shape, win: Window2d, out: Arr): void {
  const [N, C, H, W] = outShape;
  const { kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = win;
  out.fill(0);
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const ix0 = kj * dw - pw;
        const [lo, hi] = insideRange(ix0, sw, W, ow);
        for (let oy = 0; oy < oh; oy++, o += ow) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= H) continue;
          const dst = base + iy * W + ix0;
          for (let ox = lo; ox < hi; ox++) out[dst + ox * sw] += cols[o + ox];
        }
      }
    }
  }
}

export function maxPool2d(x: Arr, shape: Shape, win: Window2d, out: Arr, argmax: Int32Array): void {
  const [N, C, H, W] = shape;
  const { kh, kw, sh, sw, ph, pw, dh, dw, oh, ow } = win;
  let o = 0;
  for (let plane = 0; plane < N * C; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++, o++) {
        let best = -Infinity;
        let at = -1;
        for (let ki = 0; ki < kh; ki++) {
          const iy = oy * sh - ph + ki * dh;
          if (iy < 0 || iy >= H) continue;
          for (let kj = 0; kj < kw; kj++) {
            const ix = ox * sw - pw + kj * dw;
            if (ix < 0 || ix >= W) continue;
            const v = x[base + iy * W + ix];
            if (at < 0 || v > best || v !== v) {
              best = v;
              at = iy * W + ix;
            }
          }
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/** The geometry shared by conv2d and its backward: taps per group, windows per sample, sizes of one sample. */
function convDims(xShape: Shape, wShape: Shape, win: Window2d, groups: number) {
  const [N, C, H, W] = xShape;
  const [Co, Cg, kh, kw] = wShape;
  return { N, C, Co, Cog: Co / groups, taps: Cg * kh * kw, L: win.oh * win.ow, plane: C * H * W, sample: [1, C, H, W] };
}

type MatmulKernel = Backend['matmul'];
type ColsKernel = Backend['unfold2d'];

/**
 * The GEMM and im2col/col2im of the backend these kernels were called on (`this`: the wasm backend inherits them
 * and runs them on its own GEMM), or the js ones when called without one.
 */
function kernelsOf(b: Backend | void): { mm: MatmulKernel; unfold: ColsKernel; fold: Backend['fold2d'] } {
  if (b && typeof b.matmul === 'function') {
    return { mm: b.matmul.bind(b), unfold: b.unfold2d.bind(b), fold: b.fold2d.bind(b) };
  }
  return { mm: matmul, unfold: unfold2d, fold: fold2d };
}

/**
 * Reference conv2d: per sample, its columns (unfold2d into one sample's scratch), then one batched product over
 * the groups, out[n] = w_g · cols_g, then the bias. The weight is read in place (never copied per sample).
 */
export function conv2d(
  this: Backend | void, x: FloatArr, xShape: Shape, w: FloatArr, wShape: Shape, bias: FloatArr | null, win: Window2d, groups: number, out: FloatArr,
): void {
  const { mm, unfold } = kernelsOf(this);
  const { N, Co, Cog, taps, L, plane, sample } = convDims(xShape, wShape, win, groups);
  const cols = new (x.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(groups * taps * L);
  for (let n = 0; n < N; n++) {
    unfold(x.subarray(n * plane, (n + 1) * plane), sample, win, cols);
    const o = out.subarray(n * Co * L, (n + 1) * Co * L);
    mm(w, cols, o, groups, Cog, taps, L, false, false);
    if (bias) for (let co = 0; co < Co; co++) for (let l = 0; l < L; l++) o[co * L + l] += bias[co];
  }
}

/**
 * Reference conv2d backward, per sample: gx[n] = fold2d(w_gᵀ · g[n]_g); gw = Σ_n g[n]_g · cols[n]_gᵀ (summed in
 * float64); gb = Σ g over samples and positions.
 */
export function conv2dBackward(
  this: Backend | void, x: FloatArr, xShape: Shape, w: FloatArr, wShape: Shape, win: Window2d, groups: number, g: FloatArr,
  gx: FloatArr | null, gw: FloatArr | null, gb: FloatArr | null,
): void {
  const { mm, unfold, fold } = kernelsOf(this);
  const { N, Co, Cog, taps, L, plane, sample } = convDims(xShape, wShape, win, groups);
  const Type = x.constructor as Float32ArrayConstructor | Float64ArrayConstructor;
  const cols = new Type(groups * taps * L);
  const part = gw ? new Type(gw.length) : null;
  const sumW = gw ? new Float64Array(gw.length) : null;
  for (let n = 0; n < N; n++) {
    const gn = g.subarray(n * Co * L, (n + 1) * Co * L);
    if (part && sumW) {
      unfold(x.subarray(n * plane, (n + 1) * plane), sample, win, cols);
      mm(gn, cols, part, groups, Cog, L, taps, false, true);
      for (let i = 0; i < part.length; i++) sumW[i] += part[i];
    }
    if (gx) {
      mm(w, gn, cols, groups, taps, Cog, L, true, false);
      fold(cols, sample, win, gx.subarray(n * plane, (n + 1) * plane));
    }
  }
  if (gw && sumW) gw.set(sumW);
  if (gb) {
    for (let co = 0; co < Co; co++) {
      let s = 0;
      for (let n = 0; n < N; n++) for (let l = 0; l < L; l++) s += g[(n * Co + co) * L + l];
      gb[co] = s;
    }
  }
}
