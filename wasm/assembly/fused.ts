// The fused float32 hot paths (the reference is src/backend/js/fused.ts). Optimizer steps run in float32
// lanes; the softmax rows in float64 lanes, as the js kernel computes them, rounded once on the store.
import { exp2x } from './math';
import { load1, load2, store1, store2 } from './elementwise';

/**
 * SGD in place: d = g + wd·p; without a buffer p −= lr·d; with one b = keep·b + take·d, then
 * p −= lr·(nesterov ? d + mu·b : b).
 */
export function sgdF32(p: usize, g: usize, buf: usize, n: i32, lr: f32, wd: f32, mu: f32, keep: f32, take: f32, nesterov: bool, hasBuf: bool): void {
  const vlr = f32x4.splat(lr), vwd = f32x4.splat(wd), vmu = f32x4.splat(mu);
  const vkeep = f32x4.splat(keep), vtake = f32x4.splat(take);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const pv = v128.load(p + o);
    const d = f32x4.add(v128.load(g + o), f32x4.mul(vwd, pv));
    if (!hasBuf) {
      v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, d)));
      continue;
    }
    const b = f32x4.add(f32x4.mul(vkeep, v128.load(buf + o)), f32x4.mul(vtake, d));
    v128.store(buf + o, b);
    const step = nesterov ? f32x4.add(d, f32x4.mul(vmu, b)) : b;
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(vlr, step)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const pv = load<f32>(p + o);
    const d = load<f32>(g + o) + wd * pv;
    if (!hasBuf) {
      store<f32>(p + o, pv - lr * d);
      continue;
    }
    const b = keep * load<f32>(buf + o) + take * d;
    store<f32>(buf + o, b);
    store<f32>(p + o, pv - lr * (nesterov ? d + mu * b : b));
  }
}

/**
 * Adam/AdamW in place: p ·= shrink; gi = g + wd·p; m = b1·m + c1·gi; v = b2·v + c2·gi²; v̂ = v, or
 * vmax = max(vmax, v) when hasVmax; p −= stepSize·m / (√v̂ / bc2Sqrt + eps).
 */
export function adamF32(p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32, stepSize: f32, bc2Sqrt: f32,
  b1: f32, c1: f32, b2: f32, c2: f32, eps: f32, wd: f32, shrink: f32, hasVmax: bool): void {
  const vss = f32x4.splat(stepSize), vbc = f32x4.splat(bc2Sqrt), vb1 = f32x4.splat(b1), vc1 = f32x4.splat(c1);
  const vb2 = f32x4.splat(b2), vc2 = f32x4.splat(c2), veps = f32x4.splat(eps), vwd = f32x4.splat(wd), vsh = f32x4.splat(shrink);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    const pv = f32x4.mul(v128.load(p + o), vsh);
    const gi = f32x4.add(v128.load(g + o), f32x4.mul(vwd, pv));
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vc1, gi));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(f32x4.mul(vc2, gi), gi));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    let vhat = vv;
    if (hasVmax) {
      // pmax(a, b) = a < b ? b : a: a NaN in v leaves vmax as it was, like the js kernel.
      vhat = f32x4.pmax(v128.load(vmax + o), vv);
      v128.store(vmax + o, vhat);
    }
    const den = f32x4.add(f32x4.div(f32x4.sqrt(vhat), vbc), veps);
    v128.store(p + o, f32x4.sub(pv, f32x4.div(f32x4.mul(vss, mv), den)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    const pv = load<f32>(p + o) * shrink;
    const gi = load<f32>(g + o) + wd * pv;
    const mv = b1 * load<f32>(m + o) + c1 * gi;
    const vv = b2 * load<f32>(v + o) + c2 * gi * gi;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    let vhat = vv;
    if (hasVmax) {
      const old = load<f32>(vmax + o);
      vhat = old < vv ? vv : old;
      store<f32>(vmax + o, vhat);
    }
    store<f32>(p + o, pv - (stepSize * mv) / (Mathf.sqrt(vhat) / bc2Sqrt + eps));
  }
}

/** max of a row (NaN if it has one), then the shift the js kernel uses: the max if finite, else 0. */
function rowShift(x: usize, cols: i32): f64 {
  let mv = f32x4.splat(-Infinity);
  let c = 0;
  // f32x4.max returns NaN when either lane is NaN.
  for (; c + 4 <= cols; c += 4) mv = f32x4.max(mv, v128.load(x + <usize>c * 4));
  let mx = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  for (; c < cols; c++) mx = max(mx, load<f32>(x + <usize>c * 4));
  return isFinite(mx) ? <f64>mx : 0;
}

/** Σ_c e^(x[c] − shift) in float64. */
function rowSumExp(x: usize, cols: i32, shift: f64): f64 {
  const vs = f64x2.splat(shift);
  let s = f64x2.splat(0);
  let c = 0;
  for (; c + 2 <= cols; c += 2) s = f64x2.add(s, exp2x(f64x2.sub(load2(x + <usize>c * 4), vs)));
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  if (c < cols) t += f64x2.extract_lane(exp2x(f64x2.sub(load1(x + <usize>c * 4), vs)), 0);
  return t;
}

/** Row-wise log-softmax: out = x − shift − log Σ e^(x − shift). */
export function logSoftmaxF32(x: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * cols * 4;
    const or = out + <usize>r * cols * 4;
    const shift = rowShift(xr, cols);
    const lse = Math.log(rowSumExp(xr, cols, shift));
    const vs = f64x2.splat(shift), vl = f64x2.splat(lse);
    let c = 0;
    for (; c + 2 <= cols; c += 2) store2(or + <usize>c * 4, f64x2.sub(f64x2.sub(load2(xr + <usize>c * 4), vs), vl));
    if (c < cols) store<f32>(or + <usize>c * 4, <f32>(<f64>load<f32>(xr + <usize>c * 4) - shift - lse));
  }
}

/** Its backward: out = g − e^y · Σ_c g. */
export function logSoftmaxBackwardF32(y: usize, g: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * cols * 4;
    let sv = f64x2.splat(0);
    let c = 0;
    for (; c + 2 <= cols; c += 2) sv = f64x2.add(sv, load2(g + o + <usize>c * 4));
    let s = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
    if (c < cols) s += <f64>load<f32>(g + o + <usize>c * 4);
    const vs = f64x2.splat(s);
    for (c = 0; c + 2 <= cols; c += 2) {
      const q = o + <usize>c * 4;
      store2(out + q, f64x2.sub(load2(g + q), f64x2.mul(exp2x(load2(y + q)), vs)));
    }
    if (c < cols) {
      const q = o + <usize>c * 4;
      store1(out + q, f64x2.sub(load1(g + q), f64x2.mul(exp2x(load1(y + q)), vs)));
    }
  }
}

/** Softmax cross-entropy: probs = e^(x − shift − lse); loss = shift + lse − x[target] (0 where ignored). */
export function softmaxCrossEntropyF32(x: usize, rows: i32, cols: i32, target: usize, ignoreIndex: i32, loss: usize, probs: usize): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * cols * 4;
    const pr = probs + <usize>r * cols * 4;
    const shift = rowShift(xr, cols);
    const lse = Math.log(rowSumExp(xr, cols, shift));
    const vs = f64x2.splat(shift + lse);
    let c = 0;
    for (; c + 2 <= cols; c += 2) store2(pr + <usize>c * 4, exp2x(f64x2.sub(load2(xr + <usize>c * 4), vs)));
    if (c < cols) store1(pr + <usize>c * 4, exp2x(f64x2.sub(load1(xr + <usize>c * 4), vs)));
    const t = load<i32>(target + <usize>r * 4);
    store<f32>(loss + <usize>r * 4, t == ignoreIndex ? 0 : <f32>(shift + lse - <f64>load<f32>(xr + <usize>t * 4)));
  }
}

/** Its backward: out = g[r]·(probs − onehot(target)), 0 for ignored rows. */
export function softmaxCrossEntropyBackwardF32(probs: usize, target: usize, ignoreIndex: i32, g: usize, rows: i32, cols: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const o = <usize>r * cols * 4;
    const t = load<i32>(target + <usize>r * 4);
    if (t == ignoreIndex) {
      memory.fill(out + o, 0, <usize>cols * 4);
      continue;
    }
    const gr = load<f32>(g + <usize>r * 4);
    const vg = f32x4.splat(gr);
    let c = 0;
    for (; c + 4 <= cols; c += 4) v128.store(out + o + <usize>c * 4, f32x4.mul(vg, v128.load(probs + o + <usize>c * 4)));
    for (; c < cols; c++) store<f32>(out + o + <usize>c * 4, gr * load<f32>(probs + o + <usize>c * 4));
    const q = out + o + <usize>t * 4;
    store<f32>(q, load<f32>(q) - gr);
  }
}
