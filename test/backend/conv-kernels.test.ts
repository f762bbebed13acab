/**
 * The convolution kernels (unfold2d = im2col, fold2d = col2im, maxPool2d, and the fused conv2d and its backward) on every available backend, against
 * references written here from their definitions in src/backend/types.ts (naive loops over every window and
 * tap), and every accelerated backend also against the js kernel on a LeNet-sized case. Also the sums over
 * non-consecutive axes that BatchNorm2d takes ([N,C,H,W] over [0,2,3]), which the native backend splits into
 * consecutive-axes sums, and scatterAdd at max pooling's backward sizes. The native backend runs under 1 and 2 threads and under its forced portable path.
 * Part of the shared kernel suite (kernels.test.ts lists these kernels as covered).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { jsBackend } from '../../src/backend/js/index.js';
import type { Arr, Backend, Shape, Window2d } from '../../src/backend/types.js';
import { Generator } from '../../src/index.js';
import { backendNamed, forEachBackendVariant, variantTest } from './variants.js';

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;
type FloatArr = Float32Array | Float64Array;
const FLOATS: [string, Ctor][] = [['float32', Float32Array], ['float64', Float64Array]];

const size = (s: Shape): number => s.reduce((a, d) => a * d, 1);

function randn(g: Generator, n: number, Type: Ctor): FloatArr {
  const a = new Type(n);
  for (let i = 0; i < n; i++) {
    const u = 1 - g.nextFloat();
    a[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * g.nextFloat());
  }
  return a;
}


const same = (x: number, y: number): boolean => Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));

/** Bit-for-bit equality (NaN equals NaN, 0 differs from −0). */
function assertExact(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    if (!same(got[i], want[i])) assert.fail(`${what}: [${i}] = ${got[i]}, expected ${want[i]}`);
  }
}

/** The window from kernel, stride, padding and dilation, with the output size PyTorch gives. */
function win(H: number, W: number, k: [number, number], s: [number, number], p: [number, number], d: [number, number]): Window2d {
  const oh = Math.floor((H + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0]) + 1;
  const ow = Math.floor((W + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1]) + 1;
  return { kh: k[0], kw: k[1], sh: s[0], sw: s[1], ph: p[0], pw: p[1], dh: d[0], dw: d[1], oh: Math.max(oh, 0), ow: Math.max(ow, 0) };
}

/** Input row and column of tap (ki, kj) of window (oy, ox), as Window2d defines them. */
const rowOf = (w: Window2d, oy: number, ki: number): number => oy * w.sh - w.ph + ki * w.dh;
const colOf = (w: Window2d, ox: number, kj: number): number => ox * w.sw - w.pw + kj * w.dw;

/** im2col from its definition: out[n, c·kh·kw + ki·kw + kj, oy·ow + ox] = x[n, c, row, col], 0 in the padding. */
function refUnfold(x: FloatArr, [N, C, H, W]: Shape, w: Window2d): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let ki = 0; ki < w.kh; ki++)
        for (let kj = 0; kj < w.kw; kj++)
          for (let oy = 0; oy < w.oh; oy++)
            for (let ox = 0; ox < w.ow; ox++) {
              const iy = rowOf(w, oy, ki);
              const ix = colOf(w, ox, kj);
              out.push(iy >= 0 && iy < H && ix >= 0 && ix < W ? x[((n * C + c) * H + iy) * W + ix] : 0);
            }
  return out;
}

/** col2im from its definition, in float64: each input position gets the sum of the cols entries that read it. */
function refFold(cols: FloatArr, [N, C, H, W]: Shape, w: Window2d): { sum: Float64Array; abs: Float64Array; count: Int32Array } {
  const sum = new Float64Array(N * C * H * W);
  const abs = new Float64Array(sum.length);
  const count = new Int32Array(sum.length);
  let i = 0;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let ki = 0; ki < w.kh; ki++)
        for (let kj = 0; kj < w.kw; kj++)
          for (let oy = 0; oy < w.oh; oy++)
            for (let ox = 0; ox < w.ow; ox++, i++) {
              const iy = rowOf(w, oy, ki);
              const ix = colOf(w, ox, kj);
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              const at = ((n * C + c) * H + iy) * W + ix;
              sum[at] += cols[i];
              abs[at] += Math.abs(cols[i]);
              count[at]++;
            }
  return { sum, abs, count };
}

/** Max pooling from its definition: taps in order, padding skipped, the first max on ties, a NaN wins. */
function refMaxPool(x: FloatArr, [N, C, H, W]: Shape, w: Window2d): { out: number[]; argmax: number[] } {
  const out: number[] = [];
  const argmax: number[] = [];
  for (let p = 0; p < N * C; p++)
    for (let oy = 0; oy < w.oh; oy++)
      for (let ox = 0; ox < w.ow; ox++) {
        let best = -Infinity;
        let at = -1;
        for (let ki = 0; ki < w.kh; ki++)
          for (let kj = 0; kj < w.kw; kj++) {
            const iy = rowOf(w, oy, ki);
            const ix = colOf(w, ox, kj);
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            const v = x[p * H * W + iy * W + ix];
            if (at === -1 || Number.isNaN(v) || v > best) {
              best = v;
              at = iy * W + ix;
            }
          }
        out.push(best);
        argmax.push(at);
      }
  return { out, argmax };
}

/**
 * [N,C,H,W] and kernel, stride, padding, dilation: odd sizes, asymmetric settings, size-1 dims, N = 0, windows
 * wider than a SIMD vector, windows entirely in padding (k 1, pad 1), strides larger than the kernel.
 */
const CASES: [Shape, [number, number], [number, number], [number, number], [number, number]][] = [
  [[2, 3, 7, 9], [3, 3], [1, 1], [1, 1], [1, 1]],
  [[1, 2, 11, 13], [5, 3], [2, 3], [2, 1], [1, 2]],
  [[3, 1, 28, 28], [5, 5], [1, 1], [2, 2], [1, 1]],
  [[2, 6, 14, 14], [2, 2], [2, 2], [0, 0], [1, 1]],
  [[2, 3, 21, 35], [2, 2], [2, 2], [0, 0], [1, 1]], // 2×2 pooling: 17 windows a row (two vectors of 8 and one more), odd H and W
  [[2, 2, 10, 37], [3, 2], [1, 1], [1, 0], [2, 3]],
  [[1, 1, 1, 1], [1, 1], [1, 1], [0, 0], [1, 1]],
  [[2, 1, 4, 5], [1, 1], [1, 1], [1, 1], [1, 1]],
  [[1, 3, 1, 17], [1, 3], [1, 2], [0, 1], [1, 1]],
  [[0, 3, 5, 5], [3, 3], [1, 1], [1, 1], [1, 1]],
  [[2, 0, 5, 5], [3, 3], [1, 1], [0, 0], [1, 1]],
  [[1, 2, 9, 40], [3, 3], [3, 4], [1, 1], [1, 1]],
  [[1, 1, 6, 6], [2, 2], [1, 1], [1, 1], [3, 3]],
];

/** Geometry cases of conv2d: [N,C,H,W], out channels, groups, kernel, stride, padding, dilation. */
const CONV_CASES: [Shape, number, number, [number, number], [number, number], [number, number], [number, number]][] = [
  [[2, 3, 7, 9], 4, 1, [3, 3], [1, 1], [1, 1], [1, 1]],
  [[3, 1, 28, 28], 6, 1, [5, 5], [1, 1], [2, 2], [1, 1]], // LeNet's conv1
  [[2, 6, 14, 14], 16, 1, [5, 5], [1, 1], [0, 0], [1, 1]], // LeNet's conv2
  [[1, 2, 11, 13], 3, 1, [5, 3], [2, 3], [2, 1], [1, 2]],
  [[2, 6, 9, 8], 6, 3, [3, 2], [1, 2], [1, 0], [2, 1]],
  [[2, 4, 6, 7], 8, 4, [3, 3], [2, 1], [1, 1], [1, 1]], // depthwise-style: one channel per group
  [[2, 2, 10, 37], 20, 2, [3, 2], [1, 1], [1, 0], [2, 3]],
  [[1, 1, 1, 1], 1, 1, [1, 1], [1, 1], [0, 0], [1, 1]],
  [[1, 3, 1, 17], 2, 1, [1, 3], [1, 2], [0, 1], [1, 1]],
  [[0, 3, 5, 5], 2, 1, [3, 3], [1, 1], [1, 1], [1, 1]], // no samples: gw and gb are 0
  [[1, 1, 6, 6], 2, 1, [2, 2], [1, 1], [1, 1], [3, 3]],
  [[9, 2, 5, 5], 3, 1, [3, 3], [1, 1], [1, 1], [1, 1]], // more samples than gradient chunks
];

/**
 * conv2d and its gradients from the definition (float64, naive loops over every output and tap), each with
 * Σ|terms| and the number of terms for the rounding bound.
 */
function refConv(
  x: FloatArr, [N, C, H, W]: Shape, wt: FloatArr, co: number, groups: number, bias: FloatArr | null, w: Window2d, g: FloatArr,
) {
  const cg = C / groups;
  const cog = co / groups;
  const L = w.oh * w.ow;
  const mk = (n: number) => ({ v: new Float64Array(n), abs: new Float64Array(n), terms: new Int32Array(n) });
  const [out, gx, gw, gb] = [mk(N * co * L), mk(N * C * H * W), mk(co * cg * w.kh * w.kw), mk(co)];
  const acc = (r: ReturnType<typeof mk>, i: number, t: number): void => {
    r.v[i] += t;
    r.abs[i] += Math.abs(t);
    r.terms[i]++;
  };
  for (let n = 0; n < N; n++)
    for (let o = 0; o < co; o++)
      for (let oy = 0; oy < w.oh; oy++)
        for (let ox = 0; ox < w.ow; ox++) {
          const oi = (n * co + o) * L + oy * w.ow + ox;
          if (bias) acc(out, oi, bias[o]);
          acc(gb, o, g[oi]);
          for (let c = 0; c < cg; c++)
            for (let ki = 0; ki < w.kh; ki++)
              for (let kj = 0; kj < w.kw; kj++) {
                const iy = rowOf(w, oy, ki);
                const ix = colOf(w, ox, kj);
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const xi = ((n * C + Math.floor(o / cog) * cg + c) * H + iy) * W + ix;
                const wi = ((o * cg + c) * w.kh + ki) * w.kw + kj;
                acc(out, oi, wt[wi] * x[xi]);
                acc(gx, xi, wt[wi] * g[oi]);
                acc(gw, wi, x[xi] * g[oi]);
              }
        }
  return { out, gx, gw, gb };
}

function convSuite(name: string, variant: string, apply: () => () => void): void {
  const B = backendNamed(name);
  const it = variantTest(name, variant, apply);

  it('unfold2d equals im2col from its definition (padding reads 0)', () => {
    const g = new Generator(11);
    for (const [dt, T] of FLOATS) {
      for (const [shape, k, s, p, d] of CASES) {
        const w = win(shape[2], shape[3], k, s, p, d);
        const x = randn(g, size(shape), T);
        const out = new T(shape[0] * shape[1] * w.kh * w.kw * w.oh * w.ow).fill(NaN);
        B.unfold2d(x, shape, w, out);
        assertExact(out, T.from(refUnfold(x, shape, w)), `unfold2d ${dt} [${shape}] ${JSON.stringify(w)}`);
      }
    }
  });

  it('fold2d is the sum of every cols entry read from a position (out overwritten, not added to)', () => {
    const g = new Generator(12);
    for (const [dt, T] of FLOATS) {
      const eps = T === Float32Array ? 2 ** -23 : 2 ** -52;
      for (const [shape, k, s, p, d] of CASES) {
        const w = win(shape[2], shape[3], k, s, p, d);
        const cols = randn(g, shape[0] * shape[1] * w.kh * w.kw * w.oh * w.ow, T);
        const out = new T(size(shape)).fill(7); // stale values must not survive
        B.fold2d(cols, shape, w, out);
        const ref = refFold(cols, shape, w);
        for (let i = 0; i < out.length; i++) {
          // Sequential float32/float64 additions: ≤ count·eps·Σ|terms| from the exact sum.
          const tol = ref.count[i] * eps * ref.abs[i];
          if (!(Math.abs(out[i] - ref.sum[i]) <= tol)) {
            assert.fail(`fold2d ${dt} [${shape}] ${JSON.stringify(w)}: [${i}] = ${out[i]}, expected ${ref.sum[i]} (± ${tol})`);
          }
        }
        // Positions no window reads are exactly 0.
        for (let i = 0; i < out.length; i++) if (ref.count[i] === 0) assert.ok(Object.is(out[i], 0), `fold2d ${dt}: unread [${i}] = ${out[i]}`);
      }
    }
  });

  it('fold2d is the adjoint of unfold2d: ⟨unfold(x), y⟩ = ⟨x, fold(y)⟩', () => {
    const g = new Generator(13);
    for (const [shape, k, s, p, d] of CASES) {
      const w = win(shape[2], shape[3], k, s, p, d);
      const x = randn(g, size(shape), Float64Array);
      const y = randn(g, shape[0] * shape[1] * w.kh * w.kw * w.oh * w.ow, Float64Array);
      const ux = new Float64Array(y.length);
      const fy = new Float64Array(x.length);
      B.unfold2d(x, shape, w, ux);
      B.fold2d(y, shape, w, fy);
      let lhs = 0;
      let rhs = 0;
      for (let i = 0; i < y.length; i++) lhs += ux[i] * y[i];
      for (let i = 0; i < x.length; i++) rhs += x[i] * fy[i];
      assert.ok(Math.abs(lhs - rhs) <= 1e-10 * (1 + Math.abs(lhs)), `adjoint [${shape}]: ${lhs} vs ${rhs}`);
    }
  });

  it('maxPool2d: window maxima and their positions, first on ties, NaN wins, padding never wins', () => {
    const g = new Generator(14);
    for (const [dt, T] of FLOATS) {
      for (const [shape, k, s, p, d] of CASES) {
        const w = win(shape[2], shape[3], k, s, p, d);
        for (const data of ['random', 'ties', 'negative with NaNs']) {
          const n = size(shape);
          const x = randn(g, n, T);
          // Few distinct values make ties; all-negative values check that padding (0 in unfold) never wins.
          if (data === 'ties') for (let i = 0; i < n; i++) x[i] = Math.floor(g.nextFloat() * 3);
          if (data === 'negative with NaNs') {
            for (let i = 0; i < n; i++) x[i] = -1 - Math.abs(x[i]);
            for (let i = 0; i < n; i += 7) x[i] = NaN;
          }
          const out = new T(shape[0] * shape[1] * w.oh * w.ow).fill(123);
          const argmax = new Int32Array(out.length).fill(-7);
          B.maxPool2d(x, shape, w, out, argmax);
          const ref = refMaxPool(x, shape, w);
          const what = `maxPool2d ${dt} ${data} [${shape}] ${JSON.stringify(w)}`;
          assertExact(out, ref.out, `${what}: out`);
          assertExact(argmax, ref.argmax, `${what}: argmax`);
        }
      }
    }
  });

  it('conv2d and conv2dBackward equal the convolution and its gradients from the definition (groups, bias, nulls)', () => {
    const g = new Generator(17);
    for (const [dt, T] of FLOATS) {
      const eps = T === Float32Array ? 2 ** -23 : 2 ** -52;
      for (const [shape, co, groups, k, s, p, d] of CONV_CASES) {
        const w = win(shape[2], shape[3], k, s, p, d);
        const [N, C, H, W] = shape;
        const wShape = [co, C / groups, k[0], k[1]];
        const x = randn(g, size(shape), T);
        const wt = randn(g, size(wShape), T);
        const grad = randn(g, N * co * w.oh * w.ow, T);
        const what = `${dt} [${shape}] co ${co} groups ${groups} ${JSON.stringify(w)}`;
        for (const withBias of [true, false]) {
          const bias = withBias ? randn(g, co, T) : null;
          const ref = refConv(x, shape, wt, co, groups, bias, w, grad);
          const close = (got: FloatArr, r: { v: Float64Array; abs: Float64Array; terms: Int32Array }, label: string): void => {
            assert.equal(got.length, r.v.length, `${label} ${what}: length`);
            for (let i = 0; i < got.length; i++) {
              // Any summation order: ≤ terms·u·Σ|terms| from the exact sum (u = eps/2), plus the final rounding.
              const tol = (r.terms[i] + 1) * eps * r.abs[i];
              if (!(Math.abs(got[i] - r.v[i]) <= tol)) assert.fail(`${label} ${what}: [${i}] = ${got[i]}, expected ${r.v[i]} (± ${tol})`);
            }
          };
          const out = new T(N * co * w.oh * w.ow).fill(NaN);
          B.conv2d(x, shape, wt, wShape, bias, w, groups, out);
          close(out, ref.out, `conv2d${withBias ? '' : ' (no bias)'}`);
          const [gx, gw, gb] = [new T(N * C * H * W).fill(NaN), new T(size(wShape)).fill(NaN), new T(co).fill(NaN)];
          B.conv2dBackward(x, shape, wt, wShape, w, groups, grad, gx, gw, gb);
          close(gx, ref.gx, 'conv2dBackward gx');
          close(gw, ref.gw, 'conv2dBackward gw');
          close(gb, ref.gb, 'conv2dBackward gb');
          // Each gradient alone (the others null) is the same, to the bit.
          const only = [new T(gx.length), new T(gw.length), new T(gb.length)];
          B.conv2dBackward(x, shape, wt, wShape, w, groups, grad, only[0], null, null);
          B.conv2dBackward(x, shape, wt, wShape, w, groups, grad, null, only[1], null);
          B.conv2dBackward(x, shape, wt, wShape, w, groups, grad, null, null, only[2]);
          assertExact(only[0], gx, `gx alone ${what}`);
          assertExact(only[1], gw, `gw alone ${what}`);
          assertExact(only[2], gb, `gb alone ${what}`);
        }
      }
    }
  });

  if (name !== 'js') {
    it('conv2d and conv2dBackward agree with the js kernels on LeNet-5 at batch 64', () => {
      const g = new Generator(18);
      const layers: [Shape, number, Window2d][] = [
        [[64, 1, 28, 28], 6, win(28, 28, [5, 5], [1, 1], [2, 2], [1, 1])],
        [[64, 6, 14, 14], 16, win(14, 14, [5, 5], [1, 1], [0, 0], [1, 1])],
      ];
      for (const [dt, T] of FLOATS) {
        const tol = T === Float32Array ? 1e-4 : 1e-12;
        for (const [shape, co, w] of layers) {
          const wShape = [co, shape[1], 5, 5];
          const [x, wt, bias] = [randn(g, size(shape), T), randn(g, size(wShape), T), randn(g, co, T)];
          const nOut = shape[0] * co * w.oh * w.ow;
          const grad = randn(g, nOut, T);
          const outs = [new T(nOut), new T(nOut)];
          const grads = [0, 1].map(() => [new T(size(shape)), new T(size(wShape)), new T(co)]);
          [B, jsBackend].forEach((K, i) => {
            K.conv2d(x, shape, wt, wShape, bias, w, 1, outs[i]);
            K.conv2dBackward(x, shape, wt, wShape, w, 1, grad, grads[i][0], grads[i][1], grads[i][2]);
          });
          const near = (a: FloatArr, b: FloatArr, label: string): void => {
            let scale = 0;
            for (const v of b) scale = Math.max(scale, Math.abs(v));
            for (let i = 0; i < a.length; i++) {
              if (!(Math.abs(a[i] - b[i]) <= tol * scale)) assert.fail(`${label} ${dt} [${shape}] vs js: [${i}] ${a[i]} vs ${b[i]}`);
            }
          };
          near(outs[0], outs[1], 'conv2d');
          ['gx', 'gw', 'gb'].forEach((l, i) => near(grads[0][i], grads[1][i], `conv2dBackward ${l}`));
        }
      }
    });

    it('unfold2d, fold2d and maxPool2d are bit-identical to the js kernels on LeNet-5 at batch 64', () => {
      const g = new Generator(15);
      const layers: [Shape, Window2d][] = [
        [[64, 1, 28, 28], win(28, 28, [5, 5], [1, 1], [2, 2], [1, 1])],
        [[64, 6, 28, 28], win(28, 28, [2, 2], [2, 2], [0, 0], [1, 1])],
        [[64, 6, 14, 14], win(14, 14, [5, 5], [1, 1], [0, 0], [1, 1])],
        [[64, 16, 10, 10], win(10, 10, [2, 2], [2, 2], [0, 0], [1, 1])],
      ];
      for (const [dt, T] of FLOATS) {
        for (const [shape, w] of layers) {
          const x = randn(g, size(shape), T);
          const nCols = shape[0] * shape[1] * w.kh * w.kw * w.oh * w.ow;
          const [a, b] = [new T(nCols), new T(nCols)];
          B.unfold2d(x, shape, w, a);
          jsBackend.unfold2d(x, shape, w, b);
          assertExact(a, b, `unfold2d ${dt} [${shape}] vs js`);
          const [fa, fb] = [new T(x.length), new T(x.length)];
          B.fold2d(a, shape, w, fa);
          jsBackend.fold2d(a, shape, w, fb);
          assertExact(fa, fb, `fold2d ${dt} [${shape}] vs js`);
          const nOut = shape[0] * shape[1] * w.oh * w.ow;
          const [pa, pb] = [new T(nOut), new T(nOut)];
          const [ia, ib] = [new Int32Array(nOut), new Int32Array(nOut)];
          B.maxPool2d(x, shape, w, pa, ia);
          jsBackend.maxPool2d(x, shape, w, pb, ib);
          assertExact(pa, pb, `maxPool2d ${dt} [${shape}] vs js: out`);
          assertExact(ia, ib, `maxPool2d ${dt} [${shape}] vs js: argmax`);
        }
      }
    });
  }

  it('sum over non-consecutive axes (BatchNorm2d [0,2,3] and others), with size-1 dims', () => {
    const g = new Generator(16);
    const cases: [Shape, number[]][] = [
      [[64, 6, 7, 9], [0, 2, 3]],
      [[16, 6, 28, 28], [0, 2, 3]],
      [[5, 4, 3, 11], [0, 2]],
      [[5, 4, 3, 11], [1, 3]],
      [[5, 4, 3, 11], [0, 3]],
      [[3, 5, 2, 7, 4], [0, 2, 4]],
      [[4, 1, 5, 30], [0, 2]], // consecutive once the size-1 dim is dropped
      [[1, 8, 1, 40], [0, 2]], // only size-1 dims reduced: a copy
      [[7, 1, 9, 1, 13], [0, 1, 3, 4]],
    ];
    for (const [dt, T] of FLOATS) {
      const eps = T === Float32Array ? 2 ** -24 : 2 ** -53;
      for (const [shape, axes] of cases) {
        const x = randn(g, size(shape), T);
        const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
        const strides = shape.map((_, i) => size(shape.slice(i + 1)));
        const outStrides = outShape.map((_, i) => size(outShape.slice(i + 1)));
        const want = new Float64Array(size(outShape));
        const abs = new Float64Array(want.length);
        for (let i = 0; i < x.length; i++) {
          let o = 0;
          for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) o += (Math.floor(i / strides[d]) % shape[d]) * outStrides[d];
          want[o] += x[i];
          abs[o] += Math.abs(x[i]);
        }
        const got = new T(want.length);
        B.reduce('sum', x, shape, axes, got);
        const n = x.length / want.length;
        for (let i = 0; i < want.length; i++) {
          // float64 accumulation in any order, then one rounding to the output type.
          const tol = eps * Math.abs(want[i]) * 2 + n * 2 ** -52 * abs[i] * 2;
          if (!(Math.abs(got[i] - want[i]) <= tol)) assert.fail(`sum ${dt} [${shape}] axes [${axes}]: [${i}] = ${got[i]}, expected ${want[i]}`);
        }
        if (name !== 'js') {
          const js = new T(want.length);
          jsBackend.reduce('sum', x, shape, axes, js);
          for (let i = 0; i < want.length; i++) {
            const tol = eps * Math.abs(js[i]) * 4 + n * 2 ** -52 * abs[i] * 4;
            assert.ok(Math.abs(got[i] - js[i]) <= tol, `sum ${dt} [${shape}] axes [${axes}] vs js: [${i}] ${got[i]} vs ${js[i]}`);
          }
        }
      }
    }
  });

  it('scatterAdd at max-pooling-backward sizes (repeated indices accumulate in index order), and a bad index', () => {
    const g = new Generator(12);
    for (const [dt, T] of FLOATS) {
      // [N, C, H·W] gets [N, C, oh·ow] gradients at argmax positions; also dim 0 and a last dim of 1.
      for (const [outShape, dim, idxLen] of [[[8, 6, 784], 2, 196], [[3, 300, 5], 1, 200], [[40, 7, 1], 0, 90]] as [Shape, number, number][]) {
        const indexShape = outShape.map((d, i) => (i === dim ? idxLen : d));
        const n = size(indexShape);
        const index = Int32Array.from({ length: n }, () => Math.floor(g.nextFloat() * outShape[dim]));
        const src = randn(g, n, T);
        const out = randn(g, size(outShape), T);
        const want = T.from(out);
        const inner = size(outShape.slice(dim + 1));
        const outer = size(outShape.slice(0, dim));
        for (let p = 0; p < n; p++) {
          const o = Math.floor(p / (idxLen * inner));
          const i = p % inner;
          want[(o * outShape[dim] + index[p]) * inner + i] += src[p];
        }
        assert.equal(outer * idxLen * inner, n);
        B.scatterAdd(out, outShape, dim, index, indexShape, src);
        assertExact(out, want, `scatterAdd ${dt} [${outShape}] dim ${dim}`);
      }
    }
    if (name === 'native') {
      const out = new Float32Array(1000);
      const index = new Int32Array(1000).fill(3);
      index[999] = 1000;
      assert.throws(() => B.scatterAdd(out, [1000], 0, index, [1000], new Float32Array(1000)), /outside/);
      assert.ok(out.every((v) => v === 0), 'a bad index leaves out untouched');
    }
  });

  it('argument kinds the accelerated kernels do not take (int32) still work', () => {
    const shape = [2, 2, 5, 5];
    const w = win(5, 5, [3, 3], [1, 1], [1, 1], [1, 1]);
    const x = Int32Array.from({ length: size(shape) }, (_, i) => (i * 7) % 11);
    const out = new Int32Array(2 * 2 * 9 * 25);
    B.unfold2d(x as Arr, shape, w, out);
    assertExact(out, refUnfold(Float64Array.from(x), shape, w), 'unfold2d int32');
  });
}

describe('convolution kernels on every backend', () => {
  forEachBackendVariant(convSuite);
});
