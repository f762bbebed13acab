// Elementwise float32 kernels: activations (in float64 lanes, rounded once), arithmetic with the broadcast
// patterns of src/backend/patterns.ts (one f32 operation each: bit-identical to JS's double op rounded to
// float32), and sums over consecutive axes accumulated in float64.
import { exp2x, sigmoid2x, tanh2x } from './math';

/** Two float32 at p, widened to float64 lanes. */
@inline export function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

/** Two float64 lanes rounded to float32 and stored at p. */
@inline export function store2(p: usize, v: v128): void {
  v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0);
}

/** One float32 at p in both float64 lanes. */
@inline export function load1(p: usize): v128 {
  return f64x2.splat(<f64>load<f32>(p));
}

@inline export function store1(p: usize, v: v128): void {
  store<f32>(p, <f32>f64x2.extract_lane(v, 0));
}

@inline function act(op: i32, x: v128): v128 {
  if (op == 1) return exp2x(x);
  if (op == 2) return tanh2x(x);
  return sigmoid2x(x);
}

/** out[i] = op(x[i]) for i < n; op 0 relu (x < 0 ? 0 : x, so −0 and NaN pass), 1 exp, 2 tanh, 3 sigmoid. */
export function unaryF32(op: i32, x: usize, out: usize, n: i32): void {
  let i = 0;
  if (op == 0) {
    const zero = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(x + <usize>i * 4);
      v128.store(out + <usize>i * 4, v128.bitselect(zero, v, f32x4.lt(v, zero)));
    }
    for (; i < n; i++) {
      const v = load<f32>(x + <usize>i * 4);
      store<f32>(out + <usize>i * 4, v < 0 ? 0 : v);
    }
    return;
  }
  // The op test is hoisted out of the loops so each loop is straight-line code.
  if (op == 1) {
    for (; i + 2 <= n; i += 2) store2(out + <usize>i * 4, exp2x(load2(x + <usize>i * 4)));
  } else if (op == 2) {
    for (; i + 2 <= n; i += 2) store2(out + <usize>i * 4, tanh2x(load2(x + <usize>i * 4)));
  } else {
    for (; i + 2 <= n; i += 2) store2(out + <usize>i * 4, sigmoid2x(load2(x + <usize>i * 4)));
  }
  if (i < n) store1(out + <usize>i * 4, act(op, load1(x + <usize>i * 4)));
}

@inline function op4(op: i32, a: v128, b: v128): v128 {
  if (op == 0) return f32x4.add(a, b);
  if (op == 1) return f32x4.sub(a, b);
  if (op == 2) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

@inline function op1(op: i32, a: f32, b: f32): f32 {
  if (op == 0) return a + b;
  if (op == 1) return a - b;
  if (op == 2) return a * b;
  return a / b;
}

/** One row: out[c] = a[c·sa] op b[c·sb] for c < cols, each stride 0 or 1. */
@inline function row(op: i32, a: usize, sa: i32, b: usize, sb: i32, out: usize, cols: i32): void {
  let c = 0;
  if (sa == 1 && sb == 1) {
    for (; c + 4 <= cols; c += 4) v128.store(out + <usize>c * 4, op4(op, v128.load(a + <usize>c * 4), v128.load(b + <usize>c * 4)));
  } else if (sa == 1) {
    const bv = v128.load32_splat(b);
    for (; c + 4 <= cols; c += 4) v128.store(out + <usize>c * 4, op4(op, v128.load(a + <usize>c * 4), bv));
  } else if (sb == 1) {
    const av = v128.load32_splat(a);
    for (; c + 4 <= cols; c += 4) v128.store(out + <usize>c * 4, op4(op, av, v128.load(b + <usize>c * 4)));
  }
  for (; c < cols; c++) {
    store<f32>(out + <usize>c * 4, op1(op, load<f32>(a + <usize>(c * sa) * 4), load<f32>(b + <usize>(c * sb) * 4)));
  }
}

@inline function rows(op: i32, a: usize, b: usize, out: usize, nr: i32, cols: i32, ars: i32, acs: i32, brs: i32, bcs: i32): void {
  for (let r = 0; r < nr; r++) {
    row(op, a + <usize>(r * ars) * 4, acs, b + <usize>(r * brs) * 4, bcs, out + <usize>(r * cols) * 4, cols);
  }
}

/**
 * out[r·cols + c] = a[r·ars + c·acs] op b[r·brs + c·bcs]; op 0 add, 1 sub, 2 mul, 3 div; column strides 0 or 1.
 */
export function binaryF32(op: i32, a: usize, b: usize, out: usize, nr: i32, cols: i32, ars: i32, acs: i32, brs: i32, bcs: i32): void {
  // One specialised loop per op (the op is a constant inside each inlined copy).
  if (op == 0) rows(0, a, b, out, nr, cols, ars, acs, brs, bcs);
  else if (op == 1) rows(1, a, b, out, nr, cols, ars, acs, brs, bcs);
  else if (op == 2) rows(2, a, b, out, nr, cols, ars, acs, brs, bcs);
  else rows(3, a, b, out, nr, cols, ars, acs, brs, bcs);
}

/** out[o·inner + i] = Σ_m x[(o·mid + m)·inner + i], accumulated in float64. */
export function sumF32(x: usize, out: usize, outer: i32, mid: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    const base = x + <usize>o * mid * inner * 4;
    const dst = out + <usize>o * inner * 4;
    if (inner == 1) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      let m = 0;
      for (; m + 4 <= mid; m += 4) {
        s0 = f64x2.add(s0, load2(base + <usize>m * 4));
        s1 = f64x2.add(s1, load2(base + <usize>m * 4 + 8));
      }
      for (; m + 2 <= mid; m += 2) s0 = f64x2.add(s0, load2(base + <usize>m * 4));
      s0 = f64x2.add(s0, s1);
      let s = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
      if (m < mid) s += <f64>load<f32>(base + <usize>m * 4);
      store<f32>(dst, <f32>s);
      continue;
    }
    const ld = <usize>inner * 4;
    let i = 0;
    // Eight columns at a time: four float64 pairs of accumulators walk down the mid rows.
    for (; i + 8 <= inner; i += 8) {
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      let p = base + <usize>i * 4;
      for (let m = 0; m < mid; m++) {
        s0 = f64x2.add(s0, load2(p));
        s1 = f64x2.add(s1, load2(p + 8));
        s2 = f64x2.add(s2, load2(p + 16));
        s3 = f64x2.add(s3, load2(p + 24));
        p += ld;
      }
      const d = dst + <usize>i * 4;
      store2(d, s0);
      store2(d + 8, s1);
      store2(d + 16, s2);
      store2(d + 24, s3);
    }
    for (; i + 2 <= inner; i += 2) {
      let s0 = f64x2.splat(0);
      let p = base + <usize>i * 4;
      for (let m = 0; m < mid; m++) {
        s0 = f64x2.add(s0, load2(p));
        p += ld;
      }
      store2(dst + <usize>i * 4, s0);
    }
    if (i < inner) {
      let s: f64 = 0;
      let p = base + <usize>i * 4;
      for (let m = 0; m < mid; m++) {
        s += <f64>load<f32>(p);
        p += ld;
      }
      store<f32>(dst + <usize>i * 4, <f32>s);
    }
  }
}
