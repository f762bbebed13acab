// e^x and e^x − 1 on two float64 lanes, for the float32 kernels: computing in float64 and rounding once to
// float32 gives the correctly rounded result except within ~1e-12 of a rounding midpoint (then an ulp off),
// which is what the js kernels (Math.exp, rounded to float32) are held to as well.

const LOG2E = 1.4426950408889634;
// ln 2 split for Cody–Waite range reduction (fdlibm's): LN2_HI ends in 21 zero bits, so k·LN2_HI is exact for |k| < 2^20.
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
// 1.5·2^52: adding it rounds to an integer and leaves that integer in the low mantissa bits.
const SHIFTER = 6755399441055744.0;
// |x| ≤ 200 keeps 2^k normal in float64 while e^±200 is already beyond float32 (±∞ or 0 after rounding).
const LIMIT = 200.0;

/** e^x on two float64 lanes. */
@inline export function exp2x(x: v128): v128 {
  x = f64x2.max(f64x2.min(x, f64x2.splat(LIMIT)), f64x2.splat(-LIMIT));
  const t = f64x2.add(f64x2.mul(x, f64x2.splat(LOG2E)), f64x2.splat(SHIFTER));
  const k = f64x2.sub(t, f64x2.splat(SHIFTER));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  const scale = i64x2.shl(i64x2.add(t, i64x2.splat(1023)), 52);
  return f64x2.mul(scale, f64x2.add(expm1Poly(r), f64x2.splat(1.0)));
}

/** e^x − 1 on two float64 lanes, accurate near 0 (no cancellation: 2^k·(e^r − 1) + (2^k − 1)). */
@inline export function expm12x(x: v128): v128 {
  x = f64x2.max(f64x2.min(x, f64x2.splat(LIMIT)), f64x2.splat(-LIMIT));
  const t = f64x2.add(f64x2.mul(x, f64x2.splat(LOG2E)), f64x2.splat(SHIFTER));
  const k = f64x2.sub(t, f64x2.splat(SHIFTER));
  const r = f64x2.sub(f64x2.sub(x, f64x2.mul(k, f64x2.splat(LN2_HI))), f64x2.mul(k, f64x2.splat(LN2_LO)));
  const scale = i64x2.shl(i64x2.add(t, i64x2.splat(1023)), 52);
  return f64x2.add(f64x2.mul(scale, expm1Poly(r)), f64x2.sub(scale, f64x2.splat(1.0)));
}

/** e^r − 1 for |r| ≤ ln2/2: Taylor series to r^10 (the first omitted term is < 0.35^11/11! ≈ 2e-13). */
@inline function expm1Poly(r: v128): v128 {
  let p = f64x2.splat(1.0 / 3628800.0);
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
  p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
  return f64x2.add(f64x2.mul(f64x2.mul(p, r), r), r);
}

const SIGN = i64x2.splat(0x8000000000000000);

/** tanh x = −t / (2 + t) with t = e^(−2|x|) − 1, the sign of x copied back (so −0 stays −0). */
@inline export function tanh2x(x: v128): v128 {
  const ax = f64x2.abs(x);
  const t = expm12x(f64x2.mul(ax, f64x2.splat(-2.0)));
  const y = f64x2.div(f64x2.neg(t), f64x2.add(t, f64x2.splat(2.0)));
  return v128.or(y, v128.and(x, SIGN));
}

/** sigmoid x = 1 / (1 + e^−x) for x ≥ 0, e^x / (1 + e^x) below: e = e^(−|x|) never overflows. */
@inline export function sigmoid2x(x: v128): v128 {
  const e = exp2x(f64x2.neg(f64x2.abs(x)));
  const d = f64x2.add(e, f64x2.splat(1.0));
  const neg = f64x2.lt(x, f64x2.splat(0.0));
  return f64x2.div(v128.bitselect(e, f64x2.splat(1.0), neg), d);
}
