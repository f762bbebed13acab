/**
 * The fused hot paths in plain TypeScript: the reference for the native and wasm versions. Each loop reads and
 * writes one typed-array kind (the callers guarantee it), which keeps V8 on one fast path.
 */
import type { AdamStep, FloatArr, SGDStep } from '../types.js';

export function sgdStep(p: FloatArr, g: FloatArr, buf: FloatArr | null, o: SGDStep): void {
  const { lr, momentum: mu, dampening, weightDecay: wd, nesterov } = o;
  const n = p.length;
  if (buf === null) {
    for (let i = 0; i < n; i++) p[i] -= lr * (g[i] + wd * p[i]);
    return;
  }
  const keep = o.first ? 0 : mu;
  const take = o.first ? 1 : 1 - dampening;
  for (let i = 0; i < n; i++) {
    const d = g[i] + wd * p[i];
    buf[i] = keep * buf[i] + take * d;
    p[i] -= lr * (nesterov ? d + mu * buf[i] : buf[i]);
  }
}

export function adamStep(p: FloatArr, g: FloatArr, m: FloatArr, v: FloatArr, vmax: FloatArr | null, o: AdamStep): void {
  const { lr, beta1: b1, beta2: b2, eps, weightDecay, step: t, decoupled } = o;
  const stepSize = lr / (1 - b1 ** t);
  const bc2Sqrt = Math.sqrt(1 - b2 ** t);
  const wd = decoupled ? 0 : weightDecay;
  const shrink = decoupled ? 1 - lr * weightDecay : 1;
  const n = p.length;
  for (let i = 0; i < n; i++) {
    if (decoupled) p[i] *= shrink;
    const gi = g[i] + wd * p[i];
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    let vhat = v[i];
    if (vmax !== null) {
      if (vmax[i] < vhat) vmax[i] = vhat;
      vhat = vmax[i];
    }
    p[i] -= (stepSize * m[i]) / (Math.sqrt(vhat) / bc2Sqrt + eps);
  }
}

/** max_c x[o + c] and log Σ_c e^(x[o + c] − max) of one row (NaN if the row has a NaN; −Infinity rows stay so). */
function rowLogSumExp(x: FloatArr, o: number, cols: number): [number, number] {
  let mx = -Infinity;
  for (let c = 0; c < cols; c++) {
    const v = x[o + c];
    if (v > mx || Number.isNaN(v)) mx = v;
  }
  // An all −∞ (or +∞-containing) row: shift by 0 so the result is −∞/NaN as the unfused formula gives.
  const shift = Number.isFinite(mx) ? mx : 0;
  let s = 0;
  for (let c = 0; c < cols; c++) s += Math.exp(x[o + c] - shift);
  return [shift, Math.log(s)];
}

export function logSoftmax(x: FloatArr, rows: number, cols: number, out: FloatArr): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const [shift, lse] = rowLogSumExp(x, o, cols);
    for (let c = 0; c < cols; c++) out[o + c] = x[o + c] - shift - lse;
  }
}

export function logSoftmaxBackward(y: FloatArr, g: FloatArr, rows: number, cols: number, out: FloatArr): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += g[o + c];
    for (let c = 0; c < cols; c++) out[o + c] = g[o + c] - Math.exp(y[o + c]) * s;
  }
}

export function softmaxCrossEntropy(x: FloatArr, rows: number, cols: number, target: Int32Array, ignoreIndex: number, loss: FloatArr, probs: FloatArr): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const [shift, lse] = rowLogSumExp(x, o, cols);
    for (let c = 0; c < cols; c++) probs[o + c] = Math.exp(x[o + c] - shift - lse);
    const t = target[r];
    loss[r] = t === ignoreIndex ? 0 : shift + lse - x[o + t];
  }
}

export function softmaxCrossEntropyBackward(probs: FloatArr, target: Int32Array, ignoreIndex: number, g: FloatArr, rows: number, cols: number, out: FloatArr): void {
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const t = target[r];
    if (t === ignoreIndex) {
      out.fill(0, o, o + cols);
      continue;
    }
    const gr = g[r];
    for (let c = 0; c < cols; c++) out[o + c] = gr * probs[o + c];
    out[o + t] -= gr;
  }
}

export function activationBackward(op: 'relu' | 'tanh' | 'sigmoid', y: FloatArr, g: FloatArr, out: FloatArr): void {
  const n = y.length;
  if (op === 'relu') {
    for (let i = 0; i < n; i++) out[i] = y[i] > 0 ? g[i] : 0;
  } else if (op === 'tanh') {
    for (let i = 0; i < n; i++) out[i] = g[i] * (1 - y[i] * y[i]);
  } else {
    for (let i = 0; i < n; i++) out[i] = g[i] * y[i] * (1 - y[i]);
  }
}

export function bceWithLogits(x: FloatArr, t: FloatArr, out: FloatArr): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = Math.max(v, 0) - v * t[i] + Math.log1p(Math.exp(-Math.abs(v)));
  }
}

export function bceWithLogitsBackward(x: FloatArr, t: FloatArr, g: FloatArr | null, gScalar: number, out: FloatArr): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // σ(v) without overflow: e^v/(1 + e^v) for v < 0.
    const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    out[i] = (g === null ? gScalar : g[i]) * (s - t[i]);
  }
}
