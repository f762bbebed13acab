#include "elementwise.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "cpu.h"
#include "pool.h"
#include "simd.h"

#if BP_X86
#include <immintrin.h>
#endif

namespace bp {

namespace {

/** Elementwise work below this many elements runs on one thread (the pool's wake-up costs ~10 µs). */
constexpr long kParallelElements = 1L << 18;

int partsFor(long work, long units) {
  const int t = numThreads();
  if (work < kParallelElements || t <= 1 || units <= 1) return 1;
  return units < t ? static_cast<int>(units) : t;
}

/** [lo, hi) of part `part` of `units` split into `parts` near-equal runs. */
inline void split(long units, int part, int parts, long* lo, long* hi) {
  *lo = units * part / parts;
  *hi = units * (part + 1) / parts;
}

// ---- binary ----

/** a op b; comparisons give 0/1 (false for NaN except ≠, as in JavaScript). */
template <typename T, typename O, int OP>
inline O apply(T a, T b) {
  switch (OP) {
    case kAdd: return a + b;
    case kSub: return a - b;
    case kMul: return a * b;
    case kDiv: return a / b;
    case kEq: return a == b;
    case kNe: return a != b;
    case kLt: return a < b;
    case kLe: return a <= b;
    case kGt: return a > b;
    default: return a >= b;
  }
}

template <typename T, typename O, int OP>
void binaryRow(const T* __restrict a, long acs, const T* __restrict b, long bcs, O* __restrict o, long n) {
  if (acs && bcs) {
    for (long i = 0; i < n; i++) o[i] = apply<T, O, OP>(a[i], b[i]);
  } else if (acs) {
    const T bv = *b;
    for (long i = 0; i < n; i++) o[i] = apply<T, O, OP>(a[i], bv);
  } else if (bcs) {
    const T av = *a;
    for (long i = 0; i < n; i++) o[i] = apply<T, O, OP>(av, b[i]);
  } else {
    const O v = apply<T, O, OP>(*a, *b);
    for (long i = 0; i < n; i++) o[i] = v;
  }
}

template <typename T>
struct BinaryJob {
  int op;
  const T* a;
  const T* b;
  void* out;  // T, or uint8_t for comparisons
  long rows, cols, ars, acs, brs, bcs;
};

template <typename T, typename O, int OP>
void binaryRange(const BinaryJob<T>& j, long r0, long r1, long c0, long c1) {
  O* out = static_cast<O*>(j.out);
  for (long r = r0; r < r1; r++) {
    binaryRow<T, O, OP>(j.a + r * j.ars + c0 * j.acs, j.acs, j.b + r * j.brs + c0 * j.bcs, j.bcs,
                        out + r * j.cols + c0, c1 - c0);
  }
}

template <typename T>
void binaryPart(void* ctx, int part, int parts) {
  const BinaryJob<T>& j = *static_cast<const BinaryJob<T>*>(ctx);
  long r0 = 0, r1 = j.rows, c0 = 0, c1 = j.cols;
  if (j.rows >= parts) {
    split(j.rows, part, parts, &r0, &r1);
  } else {
    split(j.cols, part, parts, &c0, &c1);
  }
  switch (j.op) {
    case kAdd: binaryRange<T, T, kAdd>(j, r0, r1, c0, c1); break;
    case kSub: binaryRange<T, T, kSub>(j, r0, r1, c0, c1); break;
    case kMul: binaryRange<T, T, kMul>(j, r0, r1, c0, c1); break;
    case kDiv: binaryRange<T, T, kDiv>(j, r0, r1, c0, c1); break;
    case kEq: binaryRange<T, uint8_t, kEq>(j, r0, r1, c0, c1); break;
    case kNe: binaryRange<T, uint8_t, kNe>(j, r0, r1, c0, c1); break;
    case kLt: binaryRange<T, uint8_t, kLt>(j, r0, r1, c0, c1); break;
    case kLe: binaryRange<T, uint8_t, kLe>(j, r0, r1, c0, c1); break;
    case kGt: binaryRange<T, uint8_t, kGt>(j, r0, r1, c0, c1); break;
    default: binaryRange<T, uint8_t, kGe>(j, r0, r1, c0, c1); break;
  }
}

// ---- cast to a float type: exact, or rounded to nearest even (float64 → float32), as a typed-array store ----

template <typename S, typename D>
struct CastJob {
  const S* x;
  D* out;
  long n;
};

template <typename S, typename D>
void castPart(void* ctx, int part, int parts) {
  const CastJob<S, D>& j = *static_cast<const CastJob<S, D>*>(ctx);
  long lo, hi;
  split(j.n, part, parts, &lo, &hi);
  for (long i = lo; i < hi; i++) j.out[i] = static_cast<D>(j.x[i]);
}

// ---- unary: float32 in, float64 math, one rounding ----

inline double sigmoidScalar(double x) {
  if (x >= 0) return 1 / (1 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1 + e);
}

void unaryPortable(int op, const float* x, float* out, long n) {
  switch (op) {
    case kRelu: for (long i = 0; i < n; i++) out[i] = x[i] < 0 ? 0.0f : x[i]; break;
    case kExp: for (long i = 0; i < n; i++) out[i] = static_cast<float>(std::exp(static_cast<double>(x[i]))); break;
    case kTanh: for (long i = 0; i < n; i++) out[i] = static_cast<float>(std::tanh(static_cast<double>(x[i]))); break;
    default: for (long i = 0; i < n; i++) out[i] = static_cast<float>(sigmoidScalar(x[i])); break;
  }
}

#if BP_X86
/** op on 4 doubles widened from float32; results outside float range saturate when narrowed. */
template <int OP>
BP_AVX2 inline __m256d unaryPd(__m256d x) {
  const __m256d lo = _mm256_set1_pd(-120.0), hi = _mm256_set1_pd(120.0);
  const __m256d signBit = _mm256_set1_pd(-0.0);
  __m256d y;
  if (OP == kExp) {
    // e^±120 is far outside float range, so clamping changes no float result.
    y = expPd(_mm256_min_pd(_mm256_max_pd(x, lo), hi));
  } else if (OP == kSigmoid) {
    const __m256d e = expPd(_mm256_min_pd(_mm256_max_pd(_mm256_xor_pd(x, signBit), lo), hi));
    y = _mm256_div_pd(_mm256_set1_pd(1.0), _mm256_add_pd(_mm256_set1_pd(1.0), e));
  } else {
    // tanh t = (e²ᵗ − 1)/(e²ᵗ + 1) on t = |x| ≤ 20 (tanh 20 rounds to 1); below 0.004 the series
    // t − t³/3 + 2t⁵/15 instead, where e²ᵗ − 1 would lose digits. Then the sign of x.
    const __m256d t = _mm256_min_pd(_mm256_andnot_pd(signBit, x), _mm256_set1_pd(20.0));
    const __m256d e = expPd(_mm256_add_pd(t, t));
    const __m256d big = _mm256_div_pd(_mm256_sub_pd(e, _mm256_set1_pd(1.0)), _mm256_add_pd(e, _mm256_set1_pd(1.0)));
    const __m256d t2 = _mm256_mul_pd(t, t);
    __m256d small = _mm256_fmadd_pd(t2, _mm256_set1_pd(2.0 / 15), _mm256_set1_pd(-1.0 / 3));
    small = _mm256_fmadd_pd(_mm256_mul_pd(small, t2), t, t);
    const __m256d useSmall = _mm256_cmp_pd(t, _mm256_set1_pd(0.004), _CMP_LT_OQ);
    y = _mm256_or_pd(_mm256_blendv_pd(big, small, useSmall), _mm256_and_pd(x, signBit));
  }
  // NaN in, NaN out (min/max above would have replaced it).
  return _mm256_blendv_pd(y, x, _mm256_cmp_pd(x, x, _CMP_UNORD_Q));
}

template <int OP>
BP_AVX2 void unaryAvx2Op(const float* x, float* out, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256d lo = unaryPd<OP>(_mm256_cvtps_pd(_mm_loadu_ps(x + i)));
    const __m256d hi = unaryPd<OP>(_mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)));
    _mm_storeu_ps(out + i, _mm256_cvtpd_ps(lo));
    _mm_storeu_ps(out + i + 4, _mm256_cvtpd_ps(hi));
  }
  if (i < n) {
    // Tail through a zero-padded buffer, so it gets exactly the same arithmetic as the body.
    alignas(32) float buf[8] = {0};
    memcpy(buf, x + i, sizeof(float) * (n - i));
    const __m256d lo = unaryPd<OP>(_mm256_cvtps_pd(_mm_load_ps(buf)));
    const __m256d hi = unaryPd<OP>(_mm256_cvtps_pd(_mm_load_ps(buf + 4)));
    _mm_store_ps(buf, _mm256_cvtpd_ps(lo));
    _mm_store_ps(buf + 4, _mm256_cvtpd_ps(hi));
    memcpy(out + i, buf, sizeof(float) * (n - i));
  }
}

BP_AVX2 void reluAvx2(const float* x, float* out, long n) {
  for (long i = 0; i < n; i++) out[i] = x[i] < 0 ? 0.0f : x[i];
}
#endif

void unaryRange(int op, const float* x, float* out, long n) {
#if BP_X86
  if (activeIsa() == Isa::avx2) {
    switch (op) {
      case kRelu: reluAvx2(x, out, n); return;
      case kExp: unaryAvx2Op<kExp>(x, out, n); return;
      case kTanh: unaryAvx2Op<kTanh>(x, out, n); return;
      default: unaryAvx2Op<kSigmoid>(x, out, n); return;
    }
  }
#endif
  unaryPortable(op, x, out, n);
}

struct UnaryJob {
  int op;
  const float* x;
  float* out;
  long n;
};

void unaryPart(void* ctx, int part, int parts) {
  const UnaryJob& j = *static_cast<const UnaryJob*>(ctx);
  // Runs of whole 8-element blocks, so the split never changes which elements share a vector.
  long lo, hi;
  split((j.n + 7) / 8, part, parts, &lo, &hi);
  lo *= 8;
  hi = hi * 8 < j.n ? hi * 8 : j.n;
  if (hi > lo) unaryRange(j.op, j.x + lo, j.out + lo, hi - lo);
}

// ---- sum ----

/** Σ x[0 … n) in float64 with 8 running sums (lanes of two ymm registers once vectorised), combined pairwise. */
template <typename T>
__attribute__((always_inline)) inline double sumRow(const T* __restrict x, long n) {
  double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  long i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) s[j] += static_cast<double>(x[i + j]);
  double t = ((s[0] + s[4]) + (s[2] + s[6])) + ((s[1] + s[5]) + (s[3] + s[7]));
  for (; i < n; i++) t += static_cast<double>(x[i]);
  return t;
}

constexpr long kChunk = 256;

template <typename T, typename D>
struct SumJob {
  const T* x;
  D* out;
  long outer, mid, inner;
};

/** Units of work: one output row when inner = 1, else a chunk of ≤ kChunk columns of one outer slice. */
template <typename T, typename D>
long sumUnits(const SumJob<T, D>& j) {
  return j.inner == 1 ? j.outer : j.outer * ((j.inner + kChunk - 1) / kChunk);
}

template <typename T, typename D>
__attribute__((always_inline)) inline void sumUnitsRange(const SumJob<T, D>& j, long u0, long u1) {
  if (j.inner == 1) {
    for (long o = u0; o < u1; o++) j.out[o] = static_cast<D>(sumRow(j.x + o * j.mid, j.mid));
    return;
  }
  const long chunks = (j.inner + kChunk - 1) / kChunk;
  double acc[kChunk];
  for (long u = u0; u < u1; u++) {
    const long o = u / chunks;
    const long i0 = (u % chunks) * kChunk;
    const long len = j.inner - i0 < kChunk ? j.inner - i0 : kChunk;
    for (long i = 0; i < len; i++) acc[i] = 0;
    const T* base = j.x + o * j.mid * j.inner + i0;
    for (long m = 0; m < j.mid; m++) {
      const T* row = base + m * j.inner;
      for (long i = 0; i < len; i++) acc[i] += static_cast<double>(row[i]);
    }
    D* dst = j.out + o * j.inner + i0;
    for (long i = 0; i < len; i++) dst[i] = static_cast<D>(acc[i]);
  }
}

#if BP_X86
template <typename T, typename D>
BP_AVX2 void sumUnitsRangeAvx2(const SumJob<T, D>& j, long u0, long u1) {
  sumUnitsRange<T, D>(j, u0, u1);
}
#endif

template <typename T, typename D>
void sumPart(void* ctx, int part, int parts) {
  const SumJob<T, D>& j = *static_cast<const SumJob<T, D>*>(ctx);
  long u0, u1;
  split(sumUnits(j), part, parts, &u0, &u1);
#if BP_X86
  if (activeIsa() == Isa::avx2) {
    sumUnitsRangeAvx2<T, D>(j, u0, u1);
    return;
  }
#endif
  sumUnitsRange<T, D>(j, u0, u1);
}

}  // namespace

template <typename S, typename D>
void castToFloat(const S* x, D* out, long n) {
  if (n <= 0) return;
  CastJob<S, D> job{x, out, n};
  parallelRun(castPart<S, D>, &job, partsFor(n, n));
}

template <typename T>
void binary(int op, const T* a, const T* b, void* out, long rows, long cols, long ars, long acs, long brs, long bcs) {
  if (rows <= 0 || cols <= 0) return;
  BinaryJob<T> job{op, a, b, out, rows, cols, ars, acs, brs, bcs};
  const int parts = partsFor(rows * cols, rows > 1 ? rows : cols);
  parallelRun(binaryPart<T>, &job, parts);
}

void unaryF32(int op, const float* x, float* out, long n) {
  if (n <= 0) return;
  UnaryJob job{op, x, out, n};
  // exp/tanh/sigmoid cost ~10× a copy per element, so they pay for threads sooner.
  const long work = op == kRelu ? n : n * 8;
  parallelRun(unaryPart, &job, partsFor(work, (n + 7) / 8));
}

template <typename T, typename D>
void sum(const T* x, D* out, long outer, long mid, long inner) {
  if (outer <= 0 || inner <= 0) return;
  SumJob<T, D> job{x, out, outer, mid, inner};
  parallelRun(sumPart<T, D>, &job, partsFor(outer * mid * inner, sumUnits(job)));
}

template void binary<float>(int, const float*, const float*, void*, long, long, long, long, long, long);
template void binary<double>(int, const double*, const double*, void*, long, long, long, long, long, long);
template void castToFloat<float, float>(const float*, float*, long);
template void castToFloat<float, double>(const float*, double*, long);
template void castToFloat<double, float>(const double*, float*, long);
template void castToFloat<double, double>(const double*, double*, long);
template void castToFloat<uint8_t, float>(const uint8_t*, float*, long);
template void castToFloat<uint8_t, double>(const uint8_t*, double*, long);
template void castToFloat<int32_t, float>(const int32_t*, float*, long);
template void castToFloat<int32_t, double>(const int32_t*, double*, long);
template void sum<float, float>(const float*, float*, long, long, long);
template void sum<float, double>(const float*, double*, long, long, long);
template void sum<double, float>(const double*, float*, long, long, long);
template void sum<double, double>(const double*, double*, long, long, long);

}  // namespace bp
