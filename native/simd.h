// Vector math shared by the kernels: eˣ on 4 doubles (AVX2/FMA), compiled only for x86 with the target attribute.
#pragma once

#include <cmath>

#include "cpu.h"

#if BP_X86
#include <immintrin.h>

namespace bp {

/**
 * eˣ for 4 doubles, |x| ≤ 700: x = n·ln2 + r with |r| ≤ ln2/2 (Cody–Waite split of ln2), eʳ by its Taylor
 * series to degree 11 (truncation error r¹²/12! < 7e-15 relative), then scaled by 2ⁿ built in the exponent bits.
 */
BP_AVX2 inline __m256d expPd(__m256d x) {
  const __m256d n = _mm256_round_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.4426950408889634)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(6.93147180369123816490e-01), x);
  r = _mm256_fnmadd_pd(n, _mm256_set1_pd(1.90821492927058770002e-10), r);
  static const double kInvFact[] = {1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040,
                                    1.0 / 720,      1.0 / 120,     1.0 / 24,     1.0 / 6,     0.5,
                                    1.0,            1.0};
  __m256d p = _mm256_set1_pd(kInvFact[0]);
  for (int i = 1; i < 12; i++) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(kInvFact[i]));
  const __m128i ni = _mm256_cvtpd_epi32(n);
  const __m256i bits = _mm256_slli_epi64(_mm256_add_epi64(_mm256_cvtepi32_epi64(ni), _mm256_set1_epi64x(1023)), 52);
  return _mm256_mul_pd(p, _mm256_castsi256_pd(bits));
}

/**
 * eˣ for 4 doubles of any value: expPd inside [−708, 709] (where eˣ is a normal double), std::exp for the
 * rare lane outside it (±∞, NaN, overflow, subnormal results), so special values come out as std::exp gives them.
 */
BP_AVX2 inline __m256d expPdAny(__m256d x) {
  const __m256d lo = _mm256_set1_pd(-708.0), hi = _mm256_set1_pd(709.0);
  __m256d y = expPd(_mm256_min_pd(_mm256_max_pd(x, lo), hi));
  const __m256d inside = _mm256_and_pd(_mm256_cmp_pd(x, lo, _CMP_GE_OQ), _mm256_cmp_pd(x, hi, _CMP_LE_OQ));
  if (_mm256_movemask_pd(inside) != 0xf) {
    alignas(32) double xs[4], ys[4];
    _mm256_store_pd(xs, x);
    _mm256_store_pd(ys, y);
    for (int i = 0; i < 4; i++)
      if (!(xs[i] >= -708.0 && xs[i] <= 709.0)) ys[i] = std::exp(xs[i]);
    y = _mm256_load_pd(ys);
  }
  return y;
}

/** The sum of the 4 lanes, ((a0 + a2) + (a1 + a3)). */
BP_AVX2 inline double hsumPd(__m256d a) {
  const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}

/** 4 elements of a float32 or float64 array as doubles. */
BP_AVX2 inline __m256d loadPd(const float* p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
BP_AVX2 inline __m256d loadPd(const double* p) { return _mm256_loadu_pd(p); }

/** Rounds 4 doubles to the array's type (nearest even, as a typed-array store) and stores them. */
BP_AVX2 inline void storePd(float* p, __m256d v) { _mm_storeu_ps(p, _mm256_cvtpd_ps(v)); }
BP_AVX2 inline void storePd(double* p, __m256d v) { _mm256_storeu_pd(p, v); }

}  // namespace bp
#endif
