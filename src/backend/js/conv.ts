import type { Arr, Shape, Window2d } from '../types.js';

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
