#include "conv.h"

#include <cstring>
#include <limits>
#include <vector>

#include "cpu.h"
#include "pool.h"

#if BP_X86
#include <immintrin.h>
#endif

namespace bp {

namespace {

/** Elements moved below which a call runs on one thread. */
constexpr long kParallelElements = 1L << 16;

/** [lo, hi): the window positions o < count whose coordinate o·s + start lies inside [0, n) (insideRange in conv.ts). */
inline void insideRange(long start, long s, long n, long count, long* lo, long* hi) {
  long l = start >= 0 ? 0 : (-start + s - 1) / s;
  long h = start >= n ? 0 : (n - 1 - start) / s + 1;
  if (h > count) h = count;
  *lo = l < h ? l : h;
  *hi = h;
}

/** insideRange for every kernel column kj < kw (integer divisions hoisted out of the row loops): lo[kj], hi[kj]. */
inline std::vector<long> columnRanges(const Window2d& w) {
  std::vector<long> r(2 * w.kw);
  for (long kj = 0; kj < w.kw; kj++) insideRange(kj * w.dw - w.pw, w.sw, w.w, w.ow, &r[2 * kj], &r[2 * kj + 1]);
  return r;
}

template <typename T>
void unfoldPlanes(const T* x, const Window2d& w, T* out, long p0, long p1) {
  const long plane = w.h * w.w, rows = w.oh * w.ow;
  const std::vector<long> ranges = columnRanges(w);
  T* o = out + p0 * w.kh * w.kw * rows;
  for (long p = p0; p < p1; p++) {
    const T* base = x + p * plane;
    for (long ki = 0; ki < w.kh; ki++) {
      for (long kj = 0; kj < w.kw; kj++) {
        // The columns inside the input are the same for every row: each row is pad | inside | pad.
        const long ix0 = kj * w.dw - w.pw;
        const long lo = ranges[2 * kj], hi = ranges[2 * kj + 1];
        for (long oy = 0; oy < w.oh; oy++, o += w.ow) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) {
            for (long ox = 0; ox < w.ow; ox++) o[ox] = 0;
            continue;
          }
          const T* src = base + iy * w.w + ix0;
          for (long ox = 0; ox < lo; ox++) o[ox] = 0;
          if (w.sw == 1) {
            // A loop, not memcpy: rows are short (10–30 elements in LeNet) and a call per row costs more.
            for (long ox = lo; ox < hi; ox++) o[ox] = src[ox];
          } else {
            for (long ox = lo; ox < hi; ox++) o[ox] = src[ox * w.sw];
          }
          for (long ox = hi; ox < w.ow; ox++) o[ox] = 0;
        }
      }
    }
  }
}

template <typename T>
void foldPlanes(const T* cols, const Window2d& w, T* out, long p0, long p1) {
  const long plane = w.h * w.w, rows = w.oh * w.ow;
  const std::vector<long> ranges = columnRanges(w);
  const T* o = cols + p0 * w.kh * w.kw * rows;
  memset(out + p0 * plane, 0, sizeof(T) * plane * (p1 - p0));
  for (long p = p0; p < p1; p++) {
    T* base = out + p * plane;
    // The js kernel's order (ki, kj, oy, ox), so every sum is rounded the same way: bit-identical.
    for (long ki = 0; ki < w.kh; ki++) {
      for (long kj = 0; kj < w.kw; kj++) {
        const long ix0 = kj * w.dw - w.pw;
        const long lo = ranges[2 * kj], hi = ranges[2 * kj + 1];
        for (long oy = 0; oy < w.oh; oy++, o += w.ow) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) continue;
          T* dst = base + iy * w.w + ix0;
          if (w.sw == 1) {
            for (long ox = lo; ox < hi; ox++) dst[ox] += o[ox];
          } else {
            for (long ox = lo; ox < hi; ox++) dst[ox * w.sw] += o[ox];
          }
        }
      }
    }
  }
}

/**
 * Max pooling, portable: the js kernel's loops (a window at a time, taps in order, first on ties, a NaN wins),
 * with the taps inside the plane found without a test per tap.
 */
template <typename T>
void poolPlanesPortable(const T* x, const Window2d& w, T* out, int32_t* argmax, long p0, long p1) {
  const long plane = w.h * w.w, outPlane = w.oh * w.ow;
  for (long p = p0; p < p1; p++) {
    const T* base = x + p * plane;
    for (long oy = 0; oy < w.oh; oy++) {
      for (long ox = 0; ox < w.ow; ox++) {
        T best = -std::numeric_limits<T>::infinity();
        long at = -1;
        for (long ki = 0; ki < w.kh; ki++) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) continue;
          for (long kj = 0; kj < w.kw; kj++) {
            const long ix = ox * w.sw - w.pw + kj * w.dw;
            if (ix < 0 || ix >= w.w) continue;
            const T v = base[iy * w.w + ix];
            if (at < 0 || v > best || v != v) {
              best = v;
              at = iy * w.w + ix;
            }
          }
        }
        out[p * outPlane + oy * w.ow + ox] = best;
        argmax[p * outPlane + oy * w.ow + ox] = static_cast<int32_t>(at);
      }
    }
  }
}

#if BP_X86
/**
 * Max pooling with AVX2: 8 (float32) or 4 (float64) neighbouring windows of a row at once, their best values and
 * positions kept in registers across the taps, each tap a masked gather (lanes whose tap is padding stay off).
 * Per window that is the js kernel's sequence of comparisons, so the results are identical; and no branch
 * depends on the data (random data would mispredict one per comparison half the time).
 */
BP_AVX2 void poolPlanesAvx2(const float* x, const Window2d& w, float* out, int32_t* argmax, long p0, long p1) {
  const long plane = w.h * w.w, outPlane = w.oh * w.ow;
  const std::vector<long> ranges = columnRanges(w);
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i stride = _mm256_mullo_epi32(lane, _mm256_set1_epi32(static_cast<int32_t>(w.sw)));
  for (long p = p0; p < p1; p++) {
    const float* base = x + p * plane;
    for (long oy = 0; oy < w.oh; oy++) {
      float* o = out + p * outPlane + oy * w.ow;
      int32_t* a = argmax + p * outPlane + oy * w.ow;
      for (long ox0 = 0; ox0 < w.ow; ox0 += 8) {
        const __m256i ox = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int32_t>(ox0)), lane);
        __m256 best = _mm256_set1_ps(-std::numeric_limits<float>::infinity());
        __m256i at = _mm256_set1_epi32(-1);
        for (long ki = 0; ki < w.kh; ki++) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) continue;
          for (long kj = 0; kj < w.kw; kj++) {
            const long lo = ranges[2 * kj], hi = ranges[2 * kj + 1];
            if (hi <= ox0 || lo >= ox0 + 8) continue;
            // Lanes lo ≤ ox < hi read inside the plane.
            const __m256i valid = _mm256_and_si256(_mm256_cmpgt_epi32(ox, _mm256_set1_epi32(static_cast<int32_t>(lo - 1))),
                                                   _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(hi)), ox));
            const int32_t first = static_cast<int32_t>(iy * w.w + ox0 * w.sw + kj * w.dw - w.pw);
            const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(first), stride);
            const __m256 v = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, idx, _mm256_castsi256_ps(valid), 4);
            const __m256 take = _mm256_and_ps(
                _mm256_castsi256_ps(valid),
                _mm256_or_ps(_mm256_or_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_setzero_si256(), at)),
                                          _mm256_cmp_ps(v, best, _CMP_GT_OQ)),
                             _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
            best = _mm256_blendv_ps(best, v, take);
            at = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(at), _mm256_castsi256_ps(idx), take));
          }
        }
        const long n = w.ow - ox0 < 8 ? w.ow - ox0 : 8;
        if (n == 8) {
          _mm256_storeu_ps(o + ox0, best);
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(a + ox0), at);
        } else {
          alignas(32) float bs[8];
          alignas(32) int32_t as[8];
          _mm256_store_ps(bs, best);
          _mm256_store_si256(reinterpret_cast<__m256i*>(as), at);
          for (long i = 0; i < n; i++) {
            o[ox0 + i] = bs[i];
            a[ox0 + i] = as[i];
          }
        }
      }
    }
  }
}

BP_AVX2 void poolPlanesAvx2(const double* x, const Window2d& w, double* out, int32_t* argmax, long p0, long p1) {
  const long plane = w.h * w.w, outPlane = w.oh * w.ow;
  const std::vector<long> ranges = columnRanges(w);
  const __m128i lane = _mm_setr_epi32(0, 1, 2, 3);
  const __m128i stride = _mm_mullo_epi32(lane, _mm_set1_epi32(static_cast<int32_t>(w.sw)));
  for (long p = p0; p < p1; p++) {
    const double* base = x + p * plane;
    for (long oy = 0; oy < w.oh; oy++) {
      double* o = out + p * outPlane + oy * w.ow;
      int32_t* a = argmax + p * outPlane + oy * w.ow;
      for (long ox0 = 0; ox0 < w.ow; ox0 += 4) {
        const __m128i ox = _mm_add_epi32(_mm_set1_epi32(static_cast<int32_t>(ox0)), lane);
        __m256d best = _mm256_set1_pd(-std::numeric_limits<double>::infinity());
        // Positions as doubles (exact below 2⁵³), so one blend mask serves both.
        __m256d at = _mm256_set1_pd(-1);
        for (long ki = 0; ki < w.kh; ki++) {
          const long iy = oy * w.sh - w.ph + ki * w.dh;
          if (iy < 0 || iy >= w.h) continue;
          for (long kj = 0; kj < w.kw; kj++) {
            const long lo = ranges[2 * kj], hi = ranges[2 * kj + 1];
            if (hi <= ox0 || lo >= ox0 + 4) continue;
            const __m128i valid32 = _mm_and_si128(_mm_cmpgt_epi32(ox, _mm_set1_epi32(static_cast<int32_t>(lo - 1))),
                                                  _mm_cmpgt_epi32(_mm_set1_epi32(static_cast<int32_t>(hi)), ox));
            const __m256d valid = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(valid32));
            const int32_t first = static_cast<int32_t>(iy * w.w + ox0 * w.sw + kj * w.dw - w.pw);
            const __m128i idx = _mm_add_epi32(_mm_set1_epi32(first), stride);
            const __m256d v = _mm256_mask_i32gather_pd(_mm256_setzero_pd(), base, idx, valid, 8);
            const __m256d take = _mm256_and_pd(
                valid, _mm256_or_pd(_mm256_or_pd(_mm256_cmp_pd(at, _mm256_setzero_pd(), _CMP_LT_OQ), _mm256_cmp_pd(v, best, _CMP_GT_OQ)),
                                    _mm256_cmp_pd(v, v, _CMP_UNORD_Q)));
            best = _mm256_blendv_pd(best, v, take);
            at = _mm256_blendv_pd(at, _mm256_cvtepi32_pd(idx), take);
          }
        }
        const long n = w.ow - ox0 < 4 ? w.ow - ox0 : 4;
        alignas(32) double bs[4];
        alignas(16) int32_t as[4];
        _mm256_store_pd(bs, best);
        _mm_store_si128(reinterpret_cast<__m128i*>(as), _mm256_cvtpd_epi32(at));
        for (long i = 0; i < n; i++) {
          o[ox0 + i] = bs[i];
          a[ox0 + i] = as[i];
        }
      }
    }
  }
}
#endif

template <typename T>
void poolPlanes(const T* x, const Window2d& w, T* out, int32_t* argmax, long p0, long p1) {
#if BP_X86
  // Rows of fewer than 4 windows would leave most vector lanes idle: the scalar loops are as fast there.
  if (activeIsa() == Isa::avx2 && w.ow >= 4) return poolPlanesAvx2(x, w, out, argmax, p0, p1);
#endif
  poolPlanesPortable(x, w, out, argmax, p0, p1);
}

enum ConvOp { kUnfold, kFold, kPool };

template <typename T>
struct ConvJob {
  int op;
  const T* in;
  Window2d w;
  T* out;
  int32_t* argmax;
};

template <typename T>
void convPart(void* ctx, int part, int parts) {
  const ConvJob<T>& j = *static_cast<const ConvJob<T>*>(ctx);
  long p0, p1;
  splitRange(j.w.n * j.w.c, part, parts, &p0, &p1);
  switch (j.op) {
    case kUnfold: unfoldPlanes(j.in, j.w, j.out, p0, p1); break;
    case kFold: foldPlanes(j.in, j.w, j.out, p0, p1); break;
    default: poolPlanes(j.in, j.w, j.out, j.argmax, p0, p1); break;
  }
}

/** Whole planes per part: each output element is written by one part (fold2d's sums never race). */
template <typename T>
void runConv(const ConvJob<T>& j, long work) {
  const long planes = j.w.n * j.w.c;
  if (planes <= 0) return;
  const int parts = partsFor(work, planes, kParallelElements);
  if (parts <= 1) return convPart<T>(const_cast<ConvJob<T>*>(&j), 0, 1);
  parallelRun(convPart<T>, const_cast<ConvJob<T>*>(&j), parts);
}

}  // namespace

template <typename T>
void unfold2d(const T* x, const Window2d& w, T* out) {
  runConv(ConvJob<T>{kUnfold, x, w, out, nullptr}, w.n * w.c * w.kh * w.kw * w.oh * w.ow);
}

template <typename T>
void fold2d(const T* cols, const Window2d& w, T* out) {
  runConv(ConvJob<T>{kFold, cols, w, out, nullptr}, w.n * w.c * w.kh * w.kw * w.oh * w.ow);
}

template <typename T>
void maxPool2d(const T* x, const Window2d& w, T* out, int32_t* argmax) {
  runConv(ConvJob<T>{kPool, x, w, out, argmax}, w.n * w.c * w.oh * w.ow * w.kh * w.kw);
}

template <typename T>
bool scatterAdd(T* out, const T* src, const int32_t* index, long outer, long midOut, long midIdx, long inner) {
  // Checked first, so a bad index leaves out untouched.
  const long n = outer * midIdx * inner;
  for (long p = 0; p < n; p++)
    if (index[p] < 0 || index[p] >= midOut) return false;
  // Positions in the js kernel's order (row-major over the index), so sums into one element round the same way.
  for (long o = 0; o < outer; o++) {
    T* dst = out + o * midOut * inner;
    const long base = o * midIdx * inner;
    for (long m = 0; m < midIdx; m++) {
      const int32_t* ix = index + base + m * inner;
      const T* sv = src + base + m * inner;
      for (long i = 0; i < inner; i++) dst[ix[i] * inner + i] += sv[i];
    }
  }
  return true;
}

template bool scatterAdd<float>(float*, const float*, const int32_t*, long, long, long, long);
template bool scatterAdd<double>(double*, const double*, const int32_t*, long, long, long, long);
template void unfold2d<float>(const float*, const Window2d&, float*);
template void unfold2d<double>(const double*, const Window2d&, double*);
template void fold2d<float>(const float*, const Window2d&, float*);
template void fold2d<double>(const double*, const Window2d&, double*);
template void maxPool2d<float>(const float*, const Window2d&, float*, int32_t*);
template void maxPool2d<double>(const double*, const Window2d&, double*, int32_t*);

}  // namespace bp
