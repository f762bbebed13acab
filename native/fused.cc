#include "fused.h"

#include <cmath>
#include <limits>

#include "cpu.h"
#include "pool.h"
#include "simd.h"

namespace bp {

namespace {

/** Memory-bound loops below this many elements run on one thread (a wake-up of the pool costs ~10 µs). */
constexpr long kParallelElements = 1L << 16;

// ---- optimizer steps: one pass; each element's arithmetic is the js kernel's, in float64, rounded at stores ----

template <typename T, bool MOMENTUM, bool NESTEROV>
__attribute__((always_inline)) inline void sgdRange(T* __restrict p, const T* __restrict g, T* __restrict buf, long n,
                                                    const SgdCoef& c) {
  const double lr = c.lr, mu = c.mu, wd = c.wd, keep = c.keep, take = c.take;
  for (long i = 0; i < n; i++) {
    const double pi = p[i];
    const double d = static_cast<double>(g[i]) + wd * pi;
    if (!MOMENTUM) {
      p[i] = static_cast<T>(pi - lr * d);
      continue;
    }
    const T b = static_cast<T>(keep * static_cast<double>(buf[i]) + take * d);
    buf[i] = b;
    p[i] = static_cast<T>(pi - lr * (NESTEROV ? d + mu * static_cast<double>(b) : static_cast<double>(b)));
  }
}

template <typename T, bool MOMENTUM, bool NESTEROV>
void sgdRangePortable(T* p, const T* g, T* buf, long n, const SgdCoef& c) {
  sgdRange<T, MOMENTUM, NESTEROV>(p, g, buf, n, c);
}

#if BP_X86
template <typename T, bool MOMENTUM, bool NESTEROV>
BP_AVX2 void sgdRangeAvx2(T* p, const T* g, T* buf, long n, const SgdCoef& c) {
  sgdRange<T, MOMENTUM, NESTEROV>(p, g, buf, n, c);
}
#endif

template <typename T>
struct SgdJob {
  T* p;
  const T* g;
  T* buf;
  long n;
  SgdCoef c;
};

template <typename T, bool MOMENTUM, bool NESTEROV>
void sgdDispatch(T* p, const T* g, T* buf, long n, const SgdCoef& c) {
#if BP_X86
  if (activeIsa() == Isa::avx2) return sgdRangeAvx2<T, MOMENTUM, NESTEROV>(p, g, buf, n, c);
#endif
  sgdRangePortable<T, MOMENTUM, NESTEROV>(p, g, buf, n, c);
}

template <typename T>
void sgdPart(void* ctx, int part, int parts) {
  const SgdJob<T>& j = *static_cast<const SgdJob<T>*>(ctx);
  long lo, hi;
  splitRange(j.n, part, parts, &lo, &hi);
  T* buf = j.buf ? j.buf + lo : nullptr;
  if (!j.buf) sgdDispatch<T, false, false>(j.p + lo, j.g + lo, buf, hi - lo, j.c);
  else if (j.c.nesterov) sgdDispatch<T, true, true>(j.p + lo, j.g + lo, buf, hi - lo, j.c);
  else sgdDispatch<T, true, false>(j.p + lo, j.g + lo, buf, hi - lo, j.c);
}

template <typename T, bool DECOUPLED, bool AMSGRAD>
__attribute__((always_inline)) inline void adamRange(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v,
                                                     T* __restrict vmax, long n, const AdamCoef& c) {
  const double b1 = c.b1, b2 = c.b2, eps = c.eps, wd = c.wd, stepSize = c.stepSize, bc2Sqrt = c.bc2Sqrt, shrink = c.shrink;
  const double a1 = 1 - b1, a2 = 1 - b2;
  for (long i = 0; i < n; i++) {
    double pi = p[i];
    if (DECOUPLED) pi = static_cast<T>(pi * shrink);
    const double gi = static_cast<double>(g[i]) + wd * pi;
    const T mi = static_cast<T>(b1 * static_cast<double>(m[i]) + a1 * gi);
    const T vi = static_cast<T>(b2 * static_cast<double>(v[i]) + a2 * gi * gi);
    m[i] = mi;
    v[i] = vi;
    T vhat = vi;
    if (AMSGRAD) {
      const T vm = vmax[i];
      vhat = vm < vi ? vi : vm;
      vmax[i] = vhat;
    }
    p[i] = static_cast<T>(pi - (stepSize * static_cast<double>(mi)) / (std::sqrt(static_cast<double>(vhat)) / bc2Sqrt + eps));
  }
}

template <typename T, bool DECOUPLED, bool AMSGRAD>
void adamRangePortable(T* p, const T* g, T* m, T* v, T* vmax, long n, const AdamCoef& c) {
  adamRange<T, DECOUPLED, AMSGRAD>(p, g, m, v, vmax, n, c);
}

#if BP_X86
template <typename T, bool DECOUPLED, bool AMSGRAD>
BP_AVX2 void adamRangeAvx2(T* p, const T* g, T* m, T* v, T* vmax, long n, const AdamCoef& c) {
  adamRange<T, DECOUPLED, AMSGRAD>(p, g, m, v, vmax, n, c);
}
#endif

template <typename T, bool DECOUPLED, bool AMSGRAD>
void adamDispatch(T* p, const T* g, T* m, T* v, T* vmax, long n, const AdamCoef& c) {
#if BP_X86
  if (activeIsa() == Isa::avx2) return adamRangeAvx2<T, DECOUPLED, AMSGRAD>(p, g, m, v, vmax, n, c);
#endif
  adamRangePortable<T, DECOUPLED, AMSGRAD>(p, g, m, v, vmax, n, c);
}

template <typename T>
struct AdamJob {
  T *p;
  const T* g;
  T *m, *v, *vmax;
  long n;
  AdamCoef c;
};

template <typename T>
void adamPart(void* ctx, int part, int parts) {
  const AdamJob<T>& j = *static_cast<const AdamJob<T>*>(ctx);
  long lo, hi;
  splitRange(j.n, part, parts, &lo, &hi);
  T* vmax = j.vmax ? j.vmax + lo : nullptr;
  const long n = hi - lo;
  if (j.c.decoupled) {
    if (vmax) adamDispatch<T, true, true>(j.p + lo, j.g + lo, j.m + lo, j.v + lo, vmax, n, j.c);
    else adamDispatch<T, true, false>(j.p + lo, j.g + lo, j.m + lo, j.v + lo, vmax, n, j.c);
  } else {
    if (vmax) adamDispatch<T, false, true>(j.p + lo, j.g + lo, j.m + lo, j.v + lo, vmax, n, j.c);
    else adamDispatch<T, false, false>(j.p + lo, j.g + lo, j.m + lo, j.v + lo, vmax, n, j.c);
  }
}

// ---- row-wise softmax family. Portable rows are the js kernel line by line (std::exp for Math.exp). ----

/** max and log Σ e^(x − shift) of one row, as rowLogSumExp in fused.ts: NaN rows give NaN, −∞ rows −∞. */
template <typename T>
void rowLseScalar(const T* x, long cols, double* shiftOut, double* lseOut) {
  double mx = -std::numeric_limits<double>::infinity();
  for (long c = 0; c < cols; c++) {
    const double v = x[c];
    if (v > mx || v != v) mx = v;
  }
  const double shift = std::isfinite(mx) ? mx : 0;
  double s = 0;
  for (long c = 0; c < cols; c++) s += std::exp(static_cast<double>(x[c]) - shift);
  *shiftOut = shift;
  *lseOut = std::log(s);
}

template <typename T>
void logSoftmaxRowScalar(const T* x, long cols, T* out) {
  double shift, lse;
  rowLseScalar(x, cols, &shift, &lse);
  for (long c = 0; c < cols; c++) out[c] = static_cast<T>(static_cast<double>(x[c]) - shift - lse);
}

template <typename T>
void logSoftmaxBackwardRowScalar(const T* y, const T* g, long cols, T* out) {
  double s = 0;
  for (long c = 0; c < cols; c++) s += g[c];
  for (long c = 0; c < cols; c++) out[c] = static_cast<T>(static_cast<double>(g[c]) - std::exp(static_cast<double>(y[c])) * s);
}

template <typename T>
double softmaxCeRowScalar(const T* x, long cols, long t, long ignore, T* probs) {
  double shift, lse;
  rowLseScalar(x, cols, &shift, &lse);
  for (long c = 0; c < cols; c++) probs[c] = static_cast<T>(std::exp(static_cast<double>(x[c]) - shift - lse));
  return t == ignore ? 0.0 : shift + lse - static_cast<double>(x[t]);
}

#if BP_X86
BP_AVX2 inline __m256i tailMask64(long rem) {
  static const int64_t k[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k + 4 - rem));
}
BP_AVX2 inline __m128i tailMask32(long rem) {
  static const int32_t k[8] = {-1, -1, -1, -1, 0, 0, 0, 0};
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(k + 4 - rem));
}
/** The first rem (< 4) elements as doubles, 0 in the other lanes; never reads past them. */
BP_AVX2 inline __m256d loadTailPd(const float* p, long rem) { return _mm256_cvtps_pd(_mm_maskload_ps(p, tailMask32(rem))); }
BP_AVX2 inline __m256d loadTailPd(const double* p, long rem) { return _mm256_maskload_pd(p, tailMask64(rem)); }
BP_AVX2 inline void storeTailPd(float* p, long rem, __m256d v) { _mm_maskstore_ps(p, tailMask32(rem), _mm256_cvtpd_ps(v)); }
BP_AVX2 inline void storeTailPd(double* p, long rem, __m256d v) { _mm256_maskstore_pd(p, tailMask64(rem), v); }

/**
 * shift = the row max and lse = log Σ e^(x − shift), vectorised; false (nothing computed) when the max is not
 * finite (a NaN, +∞, an all −∞ row, no columns): the caller then runs the scalar row for the js semantics.
 */
template <typename T>
BP_AVX2 bool rowLseAvx2(const T* x, long cols, double* shiftOut, double* lseOut) {
  const long body = cols & ~3L, rem = cols - body;
  __m256d mx = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
  __m256d nan = _mm256_setzero_pd();
  for (long c = 0; c < body; c += 4) {
    const __m256d v = loadPd(x + c);
    mx = _mm256_max_pd(v, mx);  // a NaN v gives mx: NaNs are tracked apart
    nan = _mm256_or_pd(nan, _mm256_cmp_pd(v, v, _CMP_UNORD_Q));
  }
  double m;
  {
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, mx);
    m = lanes[0] > lanes[1] ? lanes[0] : lanes[1];
    m = lanes[2] > m ? lanes[2] : m;
    m = lanes[3] > m ? lanes[3] : m;
  }
  bool hasNaN = _mm256_movemask_pd(nan) != 0;
  for (long c = body; c < cols; c++) {
    const double v = x[c];
    if (v != v) hasNaN = true;
    else if (v > m) m = v;
  }
  if (hasNaN || !std::isfinite(m)) return false;
  const __m256d shift = _mm256_set1_pd(m);
  __m256d s = _mm256_setzero_pd();
  for (long c = 0; c < body; c += 4) s = _mm256_add_pd(s, expPdAny(_mm256_sub_pd(loadPd(x + c), shift)));
  if (rem) {
    const __m256d mask = _mm256_castsi256_pd(tailMask64(rem));
    const __m256d arg = _mm256_and_pd(_mm256_sub_pd(loadTailPd(x + body, rem), shift), mask);
    s = _mm256_add_pd(s, _mm256_and_pd(expPdAny(arg), mask));
  }
  *shiftOut = m;
  *lseOut = std::log(hsumPd(s));
  return true;
}

template <typename T>
BP_AVX2 void logSoftmaxRowAvx2(const T* x, long cols, T* out) {
  double shift, lse;
  if (!rowLseAvx2(x, cols, &shift, &lse)) return logSoftmaxRowScalar(x, cols, out);
  const long body = cols & ~3L, rem = cols - body;
  const __m256d vs = _mm256_set1_pd(shift), vl = _mm256_set1_pd(lse);
  for (long c = 0; c < body; c += 4) storePd(out + c, _mm256_sub_pd(_mm256_sub_pd(loadPd(x + c), vs), vl));
  if (rem) storeTailPd(out + body, rem, _mm256_sub_pd(_mm256_sub_pd(loadTailPd(x + body, rem), vs), vl));
}

template <typename T>
BP_AVX2 void logSoftmaxBackwardRowAvx2(const T* y, const T* g, long cols, T* out) {
  const long body = cols & ~3L, rem = cols - body;
  __m256d acc = _mm256_setzero_pd();
  for (long c = 0; c < body; c += 4) acc = _mm256_add_pd(acc, loadPd(g + c));
  if (rem) acc = _mm256_add_pd(acc, loadTailPd(g + body, rem));
  const __m256d s = _mm256_set1_pd(hsumPd(acc));
  for (long c = 0; c < body; c += 4)
    storePd(out + c, _mm256_sub_pd(loadPd(g + c), _mm256_mul_pd(expPdAny(loadPd(y + c)), s)));
  if (rem)
    storeTailPd(out + body, rem, _mm256_sub_pd(loadTailPd(g + body, rem), _mm256_mul_pd(expPdAny(loadTailPd(y + body, rem)), s)));
}

template <typename T>
BP_AVX2 double softmaxCeRowAvx2(const T* x, long cols, long t, long ignore, T* probs) {
  double shift, lse;
  if (!rowLseAvx2(x, cols, &shift, &lse)) return softmaxCeRowScalar(x, cols, t, ignore, probs);
  const long body = cols & ~3L, rem = cols - body;
  const __m256d vs = _mm256_set1_pd(shift), vl = _mm256_set1_pd(lse);
  for (long c = 0; c < body; c += 4) storePd(probs + c, expPdAny(_mm256_sub_pd(_mm256_sub_pd(loadPd(x + c), vs), vl)));
  if (rem) {
    // Masked-off lanes are zeroed (0 − shift − lse could be any value, and take the slow lane of expPdAny).
    const __m256d mask = _mm256_castsi256_pd(tailMask64(rem));
    const __m256d arg = _mm256_and_pd(_mm256_sub_pd(_mm256_sub_pd(loadTailPd(x + body, rem), vs), vl), mask);
    storeTailPd(probs + body, rem, expPdAny(arg));
  }
  return t == ignore ? 0.0 : shift + lse - static_cast<double>(x[t]);
}
#endif

enum RowOp { kLogSoftmax, kLogSoftmaxBackward, kSoftmaxCe, kSoftmaxCeBackward };

template <typename T>
struct RowJob {
  int op;
  const T* a;  // x, y or probs
  const T* b;  // g (backwards)
  const int32_t* target;
  long ignore;
  long rows, cols;
  T* out;  // out or probs
  T* loss;
};

template <typename T>
void ceBackwardRows(const RowJob<T>& j, long r0, long r1) {
  const long cols = j.cols;
  for (long r = r0; r < r1; r++) {
    T* out = j.out + r * cols;
    const T* probs = j.a + r * cols;
    const long t = j.target[r];
    if (t == j.ignore) {
      for (long c = 0; c < cols; c++) out[c] = 0;
      continue;
    }
    const double gr = j.b[r];
    for (long c = 0; c < cols; c++) out[c] = static_cast<T>(gr * static_cast<double>(probs[c]));
    out[t] = static_cast<T>(static_cast<double>(out[t]) - gr);
  }
}

template <typename T>
void rowsPortable(const RowJob<T>& j, long r0, long r1) {
  const long cols = j.cols;
  for (long r = r0; r < r1; r++) {
    const long o = r * cols;
    switch (j.op) {
      case kLogSoftmax: logSoftmaxRowScalar(j.a + o, cols, j.out + o); break;
      case kLogSoftmaxBackward: logSoftmaxBackwardRowScalar(j.a + o, j.b + o, cols, j.out + o); break;
      default: j.loss[r] = static_cast<T>(softmaxCeRowScalar(j.a + o, cols, j.target[r], j.ignore, j.out + o)); break;
    }
  }
}

#if BP_X86
template <typename T>
BP_AVX2 void rowsAvx2(const RowJob<T>& j, long r0, long r1) {
  const long cols = j.cols;
  for (long r = r0; r < r1; r++) {
    const long o = r * cols;
    switch (j.op) {
      case kLogSoftmax: logSoftmaxRowAvx2(j.a + o, cols, j.out + o); break;
      case kLogSoftmaxBackward: logSoftmaxBackwardRowAvx2(j.a + o, j.b + o, cols, j.out + o); break;
      default: j.loss[r] = static_cast<T>(softmaxCeRowAvx2(j.a + o, cols, j.target[r], j.ignore, j.out + o)); break;
    }
  }
}
#endif

template <typename T>
void rowsRange(const RowJob<T>& j, long r0, long r1) {
  if (j.op == kSoftmaxCeBackward) return ceBackwardRows(j, r0, r1);
#if BP_X86
  if (activeIsa() == Isa::avx2) return rowsAvx2(j, r0, r1);
#endif
  rowsPortable(j, r0, r1);
}

template <typename T>
void rowsPart(void* ctx, int part, int parts) {
  const RowJob<T>& j = *static_cast<const RowJob<T>*>(ctx);
  long r0, r1;
  splitRange(j.rows, part, parts, &r0, &r1);
  rowsRange(j, r0, r1);
}

/** Whole rows per part, so each row's sums are computed the same way whatever the thread count. */
template <typename T>
void runRows(const RowJob<T>& j) {
  if (j.rows <= 0 || j.cols <= 0) {
    // No columns: the loss of a row is log 0 − x[t]; targets were checked, so only ignored rows exist here.
    if (j.op == kSoftmaxCe)
      for (long r = 0; r < j.rows; r++) j.loss[r] = 0;
    return;
  }
  // exp rows cost ~4× a copy per element; the cross-entropy backward is a plain scale.
  const long work = j.rows * j.cols * (j.op == kSoftmaxCeBackward ? 1 : 4);
  const int parts = partsFor(work, j.rows, kParallelElements);
  if (parts <= 1) return rowsRange(j, 0, j.rows);
  parallelRun(rowsPart<T>, const_cast<RowJob<T>*>(&j), parts);
}


// ---- elementwise fused backwards and binary cross-entropy on logits (float64 arithmetic, one rounding) ----

enum ElemOp { kReluBackward, kTanhBackward, kSigmoidBackward, kBce, kBceBackward };

template <typename T>
struct ElemJob {
  int op;
  const T* a;  // y (activation backwards) or x (bce)
  const T* b;  // g (activation backwards) or t (bce)
  const T* g;  // bce backward's gradient, or nullptr for gScalar
  double gScalar;
  T* out;
  long n;
};

/** The js kernels' formulas, evaluated in the same order in float64 (bit-identical for the activation backwards). */
template <typename T>
__attribute__((always_inline)) inline void activationRange(int op, const T* __restrict y, const T* __restrict g, T* __restrict out, long n) {
  if (op == kReluBackward) {
    for (long i = 0; i < n; i++) out[i] = y[i] > 0 ? g[i] : T(0);
  } else if (op == kTanhBackward) {
    for (long i = 0; i < n; i++) {
      const double yi = y[i];
      out[i] = static_cast<T>(static_cast<double>(g[i]) * (1 - yi * yi));
    }
  } else {
    for (long i = 0; i < n; i++) {
      const double yi = y[i];
      out[i] = static_cast<T>(static_cast<double>(g[i]) * yi * (1 - yi));
    }
  }
}

/** max(v, 0) − v·t + log1p(e^−|v|), with std::exp and std::log1p (what Math.exp / Math.log1p compute, to an ulp). */
template <typename T>
void bceScalar(const T* x, const T* t, T* out, long n) {
  for (long i = 0; i < n; i++) {
    const double v = x[i];
    const double mx = v > 0 || v != v ? v : 0.0;
    out[i] = static_cast<T>(mx - v * static_cast<double>(t[i]) + std::log1p(std::exp(-std::fabs(v))));
  }
}

/** g·(σ(v) − t), σ(v) = 1/(1 + e^−v) for v ≥ 0, e^v/(1 + e^v) otherwise (never overflows). */
template <typename T>
void bceBackwardScalar(const T* x, const T* t, const T* g, double gScalar, T* out, long n) {
  for (long i = 0; i < n; i++) {
    const double v = x[i];
    const double e = std::exp(-std::fabs(v));
    const double s = v >= 0 ? 1 / (1 + e) : e / (1 + e);
    out[i] = static_cast<T>((g ? static_cast<double>(g[i]) : gScalar) * (s - static_cast<double>(t[i])));
  }
}

template <typename T>
void elemPortable(const ElemJob<T>& j, long lo, long hi) {
  switch (j.op) {
    case kBce: return bceScalar(j.a + lo, j.b + lo, j.out + lo, hi - lo);
    case kBceBackward: return bceBackwardScalar(j.a + lo, j.b + lo, j.g ? j.g + lo : nullptr, j.gScalar, j.out + lo, hi - lo);
    default: return activationRange(j.op, j.a + lo, j.b + lo, j.out + lo, hi - lo);
  }
}

#if BP_X86
/**
 * log1p(u) for 4 doubles u in [0, 1] (and NaN): for u ≤ √2 − 1, 2·atanh(s) with s = u/(2 + u); above,
 * w = 1 + u = 2·(1 + f) with f = w/2 − 1 exact, log1p = ln2 + 2·atanh(f/(2 + f)) + (u − (w − 1))/w (the
 * rounding of w). |s| ≤ 0.172, so the atanh series to s¹⁹ is exact to < 1e-16 relative.
 */
BP_AVX2 inline __m256d log1pUnitPd(__m256d u) {
  const __m256d one = _mm256_set1_pd(1.0), two = _mm256_set1_pd(2.0), half = _mm256_set1_pd(0.5);
  const __m256d w = _mm256_add_pd(one, u);
  const __m256d big = _mm256_cmp_pd(u, _mm256_set1_pd(0.41421356237309503), _CMP_GT_OQ);
  const __m256d f = _mm256_blendv_pd(u, _mm256_sub_pd(_mm256_mul_pd(w, half), one), big);
  const __m256d s = _mm256_div_pd(f, _mm256_add_pd(two, f));
  const __m256d z = _mm256_mul_pd(s, s);
  __m256d p = _mm256_set1_pd(1.0 / 19);
  static const double kOdd[] = {1.0 / 17, 1.0 / 15, 1.0 / 13, 1.0 / 11, 1.0 / 9, 1.0 / 7, 1.0 / 5, 1.0 / 3, 1.0};
  for (double c : kOdd) p = _mm256_fmadd_pd(p, z, _mm256_set1_pd(c));
  const __m256d atanh2 = _mm256_mul_pd(_mm256_add_pd(s, s), p);
  const __m256d corr = _mm256_div_pd(_mm256_sub_pd(u, _mm256_sub_pd(w, one)), w);
  const __m256d hi = _mm256_add_pd(_mm256_add_pd(_mm256_set1_pd(0.6931471805599453), atanh2), corr);
  return _mm256_blendv_pd(atanh2, hi, big);
}

BP_AVX2 inline __m256d absPd(__m256d v) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), v); }

template <typename T>
BP_AVX2 void bceAvx2(const T* x, const T* t, T* out, long n) {
  const long body = n & ~3L;
  const __m256d zero = _mm256_setzero_pd();
  for (long i = 0; i < body; i += 4) {
    const __m256d v = loadPd(x + i);
    const __m256d mx = _mm256_max_pd(zero, v);  // a NaN v gives v, as Math.max
    const __m256d l = log1pUnitPd(expPdAny(_mm256_sub_pd(zero, absPd(v))));
    storePd(out + i, _mm256_add_pd(_mm256_sub_pd(mx, _mm256_mul_pd(v, loadPd(t + i))), l));
  }
  bceScalar(x + body, t + body, out + body, n - body);
}

template <typename T>
BP_AVX2 void bceBackwardAvx2(const T* x, const T* t, const T* g, double gScalar, T* out, long n) {
  const long body = n & ~3L;
  const __m256d zero = _mm256_setzero_pd(), one = _mm256_set1_pd(1.0), gs = _mm256_set1_pd(gScalar);
  for (long i = 0; i < body; i += 4) {
    const __m256d v = loadPd(x + i);
    const __m256d e = expPdAny(_mm256_sub_pd(zero, absPd(v)));
    const __m256d d = _mm256_add_pd(one, e);
    const __m256d s = _mm256_div_pd(_mm256_blendv_pd(e, one, _mm256_cmp_pd(v, zero, _CMP_GE_OQ)), d);
    const __m256d gi = g ? loadPd(g + i) : gs;
    storePd(out + i, _mm256_mul_pd(gi, _mm256_sub_pd(s, loadPd(t + i))));
  }
  bceBackwardScalar(x + body, t + body, g ? g + body : nullptr, gScalar, out + body, n - body);
}

template <typename T>
BP_AVX2 void activationAvx2(int op, const T* y, const T* g, T* out, long n) {
  activationRange(op, y, g, out, n);
}

template <typename T>
void elemAvx2(const ElemJob<T>& j, long lo, long hi) {
  switch (j.op) {
    case kBce: return bceAvx2(j.a + lo, j.b + lo, j.out + lo, hi - lo);
    case kBceBackward: return bceBackwardAvx2(j.a + lo, j.b + lo, j.g ? j.g + lo : nullptr, j.gScalar, j.out + lo, hi - lo);
    default: return activationAvx2(j.op, j.a + lo, j.b + lo, j.out + lo, hi - lo);
  }
}
#endif

template <typename T>
void elemPart(void* ctx, int part, int parts) {
  const ElemJob<T>& j = *static_cast<const ElemJob<T>*>(ctx);
  long lo, hi;
  splitRange(j.n, part, parts, &lo, &hi);
#if BP_X86
  if (activeIsa() == Isa::avx2) return elemAvx2(j, lo, hi);
#endif
  elemPortable(j, lo, hi);
}

template <typename T>
void runElem(const ElemJob<T>& j) {
  if (j.n <= 0) return;
  // eˣ and log1p cost ~8× a copy per element; the activation backwards are plain products.
  const long work = j.n * (j.op >= kBce ? 8 : 1);
  const int parts = partsFor(work, j.n / 1024 + 1, kParallelElements);
  if (parts <= 1) return elemPart<T>(const_cast<ElemJob<T>*>(&j), 0, 1);
  parallelRun(elemPart<T>, const_cast<ElemJob<T>*>(&j), parts);
}

}  // namespace

template <typename T>
void sgdStep(T* p, const T* g, T* buf, long n, const SgdCoef& c) {
  if (n <= 0) return;
  SgdJob<T> job{p, g, buf, n, c};
  const int parts = partsFor(n, n / 1024 + 1, kParallelElements);
  if (parts <= 1) return sgdPart<T>(&job, 0, 1);
  parallelRun(sgdPart<T>, &job, parts);
}

template <typename T>
void adamStep(T* p, const T* g, T* m, T* v, T* vmax, long n, const AdamCoef& c) {
  if (n <= 0) return;
  AdamJob<T> job{p, g, m, v, vmax, n, c};
  // Adam reads 4–5 arrays and divides and takes a root per element: threads pay off sooner.
  const int parts = partsFor(n * 2, n / 1024 + 1, kParallelElements);
  if (parts <= 1) return adamPart<T>(&job, 0, 1);
  parallelRun(adamPart<T>, &job, parts);
}

template <typename T>
void logSoftmax(const T* x, long rows, long cols, T* out) {
  runRows(RowJob<T>{kLogSoftmax, x, nullptr, nullptr, 0, rows, cols, out, nullptr});
}

template <typename T>
void logSoftmaxBackward(const T* y, const T* g, long rows, long cols, T* out) {
  runRows(RowJob<T>{kLogSoftmaxBackward, y, g, nullptr, 0, rows, cols, out, nullptr});
}

template <typename T>
void softmaxCrossEntropy(const T* x, long rows, long cols, const int32_t* target, long ignore, T* loss, T* probs) {
  runRows(RowJob<T>{kSoftmaxCe, x, nullptr, target, ignore, rows, cols, probs, loss});
}

template <typename T>
void softmaxCrossEntropyBackward(const T* probs, const int32_t* target, long ignore, const T* g, long rows, long cols, T* out) {
  runRows(RowJob<T>{kSoftmaxCeBackward, probs, g, target, ignore, rows, cols, out, nullptr});
}

template <typename T>
void activationBackward(int op, const T* y, const T* g, long n, T* out) {
  runElem(ElemJob<T>{op, y, g, nullptr, 0, out, n});
}

template <typename T>
void bceWithLogits(const T* x, const T* t, long n, T* out) {
  runElem(ElemJob<T>{kBce, x, t, nullptr, 0, out, n});
}

template <typename T>
void bceWithLogitsBackward(const T* x, const T* t, const T* g, double gScalar, long n, T* out) {
  runElem(ElemJob<T>{kBceBackward, x, t, g, gScalar, out, n});
}

#define BP_INSTANTIATE(T)                                                                                    \
  template void sgdStep<T>(T*, const T*, T*, long, const SgdCoef&);                                          \
  template void adamStep<T>(T*, const T*, T*, T*, T*, long, const AdamCoef&);                                \
  template void logSoftmax<T>(const T*, long, long, T*);                                                     \
  template void logSoftmaxBackward<T>(const T*, const T*, long, long, T*);                                   \
  template void softmaxCrossEntropy<T>(const T*, long, long, const int32_t*, long, T*, T*);                  \
  template void softmaxCrossEntropyBackward<T>(const T*, const int32_t*, long, const T*, long, long, T*);   \
  template void activationBackward<T>(int, const T*, const T*, long, T*);                                    \
  template void bceWithLogits<T>(const T*, const T*, long, T*);                                              \
  template void bceWithLogitsBackward<T>(const T*, const T*, const T*, double, long, T*);
BP_INSTANTIATE(float)
BP_INSTANTIATE(double)
#undef BP_INSTANTIATE

}  // namespace bp
